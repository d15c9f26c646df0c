#!/bin/sh
# Issues 11 and 12: every non-empty cell of the "What works" column of
# doc/comparison.md for the installed OpenSC release ("built-in `jpki`
# (OpenSC X.Y.Z)") is checked here against that release's built-in itself:
# Debian's stock opensc.conf (tests/harness/with-card.sh --conf builtin), the
# stock tools, the virtual card. The test does not assume what the built-in
# does: each check measures it, words what it saw the way doc/comparison.md
# words it, and requires the page's cell for this release to say exactly that
# (tests/lib/builtin-cells.sh). Where the plugin's cell differs, the same check
# runs again with the plugin before `internal` (--conf plugin-first) and
# asserts the plugin's behaviour, which is the same on every release.
#
# Each check prints one line, "ok: <row>: what was shown" or
# "FAIL[<row>]: why"; a cell of doc/comparison.md that does not match what
# the built-in did fails with both.
#
# Cases (each a fresh virtual card; a normal identity and a small one, whose
# authentication certificate and its CA are 512-bit keys under 256 bytes):
#   tools      pkcs15-tool / ssh-keygen: dump APDU count, objects, serial,
#              tries, certificates, card-face text, impossible PINs,
#              --verify-pin / --change-pin
#   small      key sizes and the DER header of short certificates
#   p11        PKCS#11 (p11step.py and an inline PyKCS11 client): consent,
#              signatures, answers, the AP shared with another process
#   detect-*   ATR list and SELECT, a 6F00 glitch during detection
#   cache      use_file_caching = yes and the signature certificate
#   clients    TLS through p11-kit + gnutls-cli, CMS through OpenSSL's engine
#
# Exit status 0 when every check passes, 1 otherwise (never 77: a missing
# program is a failure).

# trace, the PINs, reply, msg ... are set by tests/shared/lib.sh:
# shellcheck disable=SC2154
set -u
me=e2e-builtin-compare

# Each check names its row of doc/comparison.md's table by its first words.
C_DETECT='detection: every known'
C_GLITCH='a glitch during detection'
C_SHARED='the card shared with other processes'
C_CONSENT='one signature per consent'
C_DUMP='`pkcs15-tool --dump`, `--list-pins`'
C_TRIES='real tries left in the dump'
C_SERIAL='per-card token serial'
C_CERTS='`--read-certificate 1..4`'
C_DER='certificate size from the DER header'
C_KEYSIZE='key type and size from the certificate'
C_PINCMD='`--verify-pin`, `--change-pin`'
C_BURN='impossible PINs'
C_ANSWERS='answers applications act on'
C_SIGS='PKCS#11 signatures'
C_SSH='`ssh-keygen -D` without errors'
C_TLS='TLS 1.2 client authentication'
C_CMS='CMS signature with the signature key'
C_FACE='card-face text data'
C_APDUS='fewer card round trips'

MODULE=${CLIENTS_PKCS11_MODULE:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
PY=/usr/bin/python3

# ==== outer half: run by make check ===========================================
if [ "${1:-}" != "--inside" ]; then
	: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
	fail_pre() {
		echo "FAIL[prerequisites]: $*"
		exit 1
	}
	[ -n "${OPENSC_JPKI_MODULE:-}" ] && [ -f "$OPENSC_JPKI_MODULE" ] ||
		fail_pre "plugin module ${OPENSC_JPKI_MODULE:-(unset)} not built"
	harness=$top_srcdir/tests/harness/with-card.sh
	gen=$top_builddir/sim/jpki-sim-gen
	[ -x "$gen" ] || fail_pre "$gen not built"
	[ -f "$MODULE" ] || fail_pre "no PKCS#11 module $MODULE"
	"$PY" -c 'import PyKCS11' 2>/dev/null || fail_pre "$PY cannot import PyKCS11 (python3-pykcs11)"
	for tool in opensc-tool pkcs15-tool openssl ssh-keygen p11tool gnutls-cli timeout setsid; do
		command -v "$tool" >/dev/null 2>&1 || fail_pre "$tool not found (scripts/install-deps.sh)"
	done
	ls /usr/lib/*/engines-3/pkcs11.so >/dev/null 2>&1 || fail_pre "OpenSSL's pkcs11 engine missing (libengine-pkcs11-openssl)"

	work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX")
	chmod 700 "$work"
	if [ -n "${BUILTIN_COMPARE_KEEP:-}" ]; then
		echo "$me: keeping $work"
	else
		trap 'rm -rf "$work"' EXIT
	fi
	trap 'exit 130' INT TERM
	"$gen" --out "$work/normal" >"$work/gen.log" 2>&1 || fail_pre "jpki-sim-gen: $(cat "$work/gen.log")"
	"$gen" --out "$work/small" --variant small >"$work/gen.log" 2>&1 ||
		fail_pre "jpki-sim-gen --variant small: $(cat "$work/gen.log")"

	status=0
	n=0
	# run_case CASE CONF LABEL IDENTITY [harness options]: one fresh card.
	# CONF is builtin, plugin-first or a configuration file; LABEL says which.
	run_case() {
		c_name=$1
		c_conf=$2
		c_label=$3
		c_id=$4
		shift 4
		n=$((n + 1))
		dir=$work/case$n
		mkdir -p "$dir"
		: >"$dir/trace"
		echo "--- $c_name ($c_label $*)"
		rc=0
		timeout 60 sh "$harness" --identity "$work/$c_id" --conf "$c_conf" --trace "$dir/trace" "$@" -- \
			sh "$0" --inside "$c_name" "$c_label" "$dir" >"$dir/out" 2>"$dir/err" || rc=$?
		cat "$dir/out"
		grep -h 'FAIL\[' "$dir/err" || true
		if grep -q 'FAIL\[' "$dir/out" "$dir/err"; then
			status=1
		fi
		if [ "$rc" -ne 0 ]; then
			echo "FAIL[$c_name]: $c_label: the case ended with status $rc: $(tail -n 3 "$dir/err" | tr '\n' ' ')"
			status=1
		fi
	}

	for conf in builtin plugin-first; do
		run_case tools "$conf" "$conf" normal --card-info
		run_case small "$conf" "$conf" small
		run_case p11 "$conf" "$conf" normal
		# OpenSC's file cache on (use_file_caching = yes).
		sh "$top_srcdir/tests/lib/opensc-conf.sh" "$conf" --file-cache yes >"$work/cache-$conf.conf" ||
			fail_pre "opensc-conf.sh $conf --file-cache yes"
		run_case cache "$work/cache-$conf.conf" "$conf" normal
	done

	# Detection. The built-in's own detection SELECT of the JPKI AID comes
	# after other drivers' probes: its number is read from a first run.
	run_case detect-known builtin builtin normal
	aid_at=$(sed -n 's/^#\([0-9]*\) 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01 .*/\1/p' "$work/case$n/trace" | head -n 1)
	run_case detect-listed builtin builtin normal --set atr=3BE000FF8131FE4514
	run_case detect-unknown builtin builtin normal --set atr=3B8A800102030405060708090A
	run_case detect-unknown plugin-first plugin-first normal --set atr=3B8A800102030405060708090A
	if [ -n "$aid_at" ]; then
		run_case glitch builtin builtin normal --set "fail_apdu=$aid_at" --set fail_sw=6F00
	else
		echo "FAIL[$C_GLITCH]: no SELECT of the JPKI AID in the built-in's detection"
		status=1
	fi
	run_case glitch plugin-first plugin-first normal --set fail_apdu=1 --set fail_sw=6F00

	run_case clients builtin builtin normal
	run_case clients plugin-first plugin-first normal

	if [ "$status" -eq 0 ]; then
		echo "$me: PASS ($n cases)"
	else
		echo "$me: FAIL"
	fi
	exit "$status"
fi

# ==== inside the harness: --inside CASE CONF DIR ===============================
case_name=$2
conf=$3
dir=$4
# tests/shared/lib.sh: the step-by-step PKCS#11 client, "another process",
# the trace helpers. Its own failure lines (shared_bad, shared_die) carry
# FAIL[...] too.
# shellcheck source=../shared/lib.sh
. "$top_srcdir/tests/shared/lib.sh"
shared_inside_setup "$dir"
failures=0
ok() { # cell, detail
	echo "ok: $1: $conf: $2"
}
bad() { # cell, why
	echo "FAIL[$1]: $conf: $2"
	failures=$((failures + 1))
}
is_builtin() { [ "$conf" = builtin ]; }
# shellcheck source=../lib/builtin-cells.sh
. "$top_srcdir/tests/lib/builtin-cells.sh"
# cell ROW SEEN DETAIL: the built-in did SEEN (worded as a cell of
# doc/comparison.md); the page's cell of ROW for this OpenSC release must say
# the same.
cell() {
	want=$(builtin_cell "$1" 2>&1) || { bad "$1" "$want; measured: '$2' ($3)"; return; }
	if [ "$2" = "$want" ]; then
		ok "$1" "$2: $3"
	else
		bad "$1" "doc/comparison.md says the built-in of OpenSC $OPENSC_JPKI_VERSION does '$want'; measured: '$2' ($3)"
	fi
}
stat() { # an INS never sent has no line
	v=$(sed -n "s/^$1=//p" "$JPKI_SIM_STATS")
	echo "${v:-0}"
}
fact() { sed -n "s/^$1=//p" "$JPKI_IDENTITY/facts"; }
# VERIFY commands that carried a PIN (not the no-data tries query).
pin_verifies() {
	grep -Ec '^#[0-9]+ 00 20 00 80 [0-9A-F]{2} ' "$trace" || true
}
AID_JPKI_SPACED='00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01'
AID_TEXT_SPACED='D3 92 10 00 31 00 01 01 04 08'
auth_serial=$(fact auth_serial)
# A well-formed wrong authentication PIN (last digit changed, no octal trap).
last=${auth_pin#"${auth_pin%?}"}
wrong_auth=${auth_pin%?}$(((last + 1) % 10))
lower_sign=$(printf '%s' "$sign_pin" | tr 'A-Z' 'a-z')
cert_bits() { # EF
	openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/$1" -noout -text |
		sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p'
}
# pkcs15-tool --read-certificate ID [PIN] -> $work/certID.der; status 0 when
# the certificate equals the EF.
read_cert() { # id, EF, [sign PIN]
	if [ -n "${3:-}" ]; then
		pkcs15-tool --read-certificate "$1" --verify-pin --auth-id 02 --pin "$3" \
			>"$work/cert$1.pem" 2>"$work/cert$1.err" </dev/null
	else
		pkcs15-tool --read-certificate "$1" >"$work/cert$1.pem" 2>"$work/cert$1.err" </dev/null
	fi
	openssl x509 -in "$work/cert$1.pem" -outform DER -out "$work/cert$1.der" 2>/dev/null &&
		cmp -s "$work/cert$1.der" "$JPKI_IDENTITY/jpki/$2"
}

# An inline PyKCS11 client for what p11step.py does not do.
cat >"$work/p11.py" <<'EOF'
import hashlib, sys
import PyKCS11
module, stats, out, mode = sys.argv[1:5]
pins = dict(l.strip().split("=", 1) for l in open(sys.argv[5]) if "=" in l)
lib = PyKCS11.PyKCS11Lib()
lib.load(module)
L = lib.lib
def name(rv):
    n = PyKCS11.CKR.get(rv)
    return n if isinstance(n, str) else "CKR_0x%08X" % rv
def apdus():
    for line in open(stats):
        if line.startswith("apdus="):
            return int(line.split("=")[1])
    return 0
def session(label):
    slot = [s for s in lib.getSlotList(tokenPresent=True) if label in lib.getTokenInfo(s).label][0]
    return lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
def key(s, kid):
    return s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, (kid,))])[0]
def sign(s, k, mech, data, context_pin=None):
    rv = L.C_SignInit(s.session, PyKCS11.Mechanism(mech, None).to_native(), k)
    if rv:
        return rv, b""
    if context_pin is not None:
        rv = L.C_Login(s.session, PyKCS11.CKU_CONTEXT_SPECIFIC, PyKCS11.ckbytelist(context_pin))
        if rv:
            return rv, b""
    sig = PyKCS11.ckbytelist()
    rv = L.C_Sign(s.session, PyKCS11.ckbytelist(data), sig)  # the size, no card
    if rv == 0:
        rv = L.C_Sign(s.session, PyKCS11.ckbytelist(data), sig)
    return rv, bytes(sig)
res = open(out, "w")
if mode == "bits":
    s = session("User Authentication PIN")
    s.login(pins["auth"])
    res.write("bits01=%d\n" % s.getAttributeValue(key(s, 1), [PyKCS11.CKA_MODULUS_BITS])[0])
elif mode == "sigs":
    mechs = {"sha1": PyKCS11.CKM_SHA1_RSA_PKCS, "sha256": PyKCS11.CKM_SHA256_RSA_PKCS,
             "sha384": PyKCS11.CKM_SHA384_RSA_PKCS, "sha512": PyKCS11.CKM_SHA512_RSA_PKCS}
    for kid, label, pin in ((1, "User Authentication PIN", pins["auth"]), (2, "Digital Signature PIN", pins["sign"])):
        s = session(label)
        s.login(pin)
        k = key(s, kid)
        always = bool(s.getAttributeValue(k, [PyKCS11.CKA_ALWAYS_AUTHENTICATE])[0])
        res.write("always%02d=%s\n" % (kid, "yes" if always else "no"))
        for h, m in mechs.items():
            data = ("message %s %d" % (h, kid)).encode()
            open("%s.%02d.%s.msg" % (out, kid, h), "wb").write(data)
            rv, sig = sign(s, k, m, data, pin if always else None)
            res.write("sign%02d_%s=%s\n" % (kid, h, name(rv)))
            open("%s.%02d.%s.sig" % (out, kid, h), "wb").write(sig)
        s.logout()
elif mode == "answers":
    s = session("User Authentication PIN")
    h = s.session
    a = apdus()
    rv = L.C_Login(h, PyKCS11.CKU_USER, PyKCS11.ckbytelist("12a4"))
    res.write("pin_chars=%s %d\n" % (name(rv), apdus() - a))
    a = apdus()
    rv = L.C_Login(h, PyKCS11.CKU_USER, PyKCS11.ckbytelist("123"))
    res.write("pin_len=%s %d\n" % (name(rv), apdus() - a))
    rv = L.C_Login(h, PyKCS11.CKU_USER, PyKCS11.ckbytelist(pins["auth"]))
    res.write("login=%s\n" % name(rv))
    k = key(s, 1)
    # RSA-2048 PKCS#1 v1.5: at most 245 bytes to sign.
    a = apdus()
    rv, _ = sign(s, k, PyKCS11.CKM_RSA_PKCS, b"x" * 246)
    res.write("too_long=%s %d\n" % (name(rv), apdus() - a))
    a = apdus()
    buf = PyKCS11.ckbytelist([0] * 16)
    rv = L.C_GenerateRandom(h, buf)
    res.write("random=%s %d\n" % (name(rv), apdus() - a))
res.close()
EOF
p11() { # mode -> $work/p11.out (KEY=VALUE)
	rm -f "$work/p11.out"
	"$SHARED_PYTHON" "$work/p11.py" "$SHARED_MODULE" "$JPKI_SIM_STATS" "$work/p11.out" "$1" \
		"$JPKI_IDENTITY/pins" >"$work/p11.log" 2>&1
}
p11v() { sed -n "s/^$1=//p" "$work/p11.out"; }
# The token serial in $work/dump: the built-in's 00000000, as the cell of
# doc/comparison.md says, or the plugin's, the authentication certificate's.
dump_serial() { # which card (words for the messages)
	serial=$(sed -n 's/^[[:space:]]*Serial number *: *//p' "$work/dump")
	if ! is_builtin; then
		[ "$serial" = "$auth_serial" ] && ok "$C_SERIAL" "$1 is token $serial, its authentication certificate's" ||
			bad "$C_SERIAL" "$1: the dump's serial is '$serial', expected $auth_serial"
	elif [ "$serial" = 00000000 ]; then
		cell "$C_SERIAL" "\`00000000\` for every card" "$1 (authentication certificate serial $auth_serial) is token 00000000"
	else
		cell "$C_SERIAL" "$1: the dump's serial is '$serial' (its certificate's: $auth_serial)" "$1"
	fi
}

case $case_name in
# ---- pkcs15-tool, ssh-keygen ------------------------------------------------------
tools)
	# The dump first, in a fresh card and a fresh process.
	before=$(stat apdus)
	pkcs15-tool --dump >"$work/dump" 2>&1 </dev/null || bad "$C_DUMP" "pkcs15-tool --dump failed: $(tail -n 3 "$work/dump")"
	count=$(($(stat apdus) - before))
	if is_builtin; then
		cell "$C_APDUS" "$count APDUs for \`--dump\`" "a fresh pkcs15-tool --dump on a fresh card"
	else
		# The built-in's count on this release, as doc/comparison.md has it
		# (checked against the built-in itself by the builtin run of this case).
		theirs=$(builtin_cell "$C_APDUS" | sed -n 's/^\([0-9][0-9]*\) APDUs.*/\1/p')
		[ -n "$theirs" ] && [ "$count" -lt "$theirs" ] && ok "$C_APDUS" "pkcs15-tool --dump took $count APDUs (built-in: $theirs)" ||
			bad "$C_APDUS" "pkcs15-tool --dump took $count APDUs, not fewer than the built-in's '${theirs:-?}'"
	fi

	if is_builtin; then
		missing=""
		for text in "PIN [User Authentication PIN]" "PIN [Digital Signature PIN]" \
			"Private RSA Key [User Authentication Key]" "Private RSA Key [Digital Signature Key]" \
			"Public RSA Key [User Authentication Public Key]" "Public RSA Key [Digital Signature Public Key]" \
			"X.509 Certificate [User Authentication Certificate]" "X.509 Certificate [Digital Signature Certificate]" \
			"X.509 Certificate [User Authentication Certificate CA]" "X.509 Certificate [Digital Signature Certificate CA]" \
			"min_len:4, max_len:4" "min_len:6, max_len:16" "Usage          : [0x204], sign, nonRepudiation" \
			"Path           : 000a" "Path           : 0001" "Path           : 000b" "Path           : 0002" \
			"ID             : 01" "ID             : 02" "ID             : 03" "ID             : 04" \
			"Auth ID        : 01" "Auth ID        : 02"; do
			grep -qF -- "$text" "$work/dump" || missing="$missing '$text'"
		done
		private=$(awk '/^X.509 Certificate \[Digital Signature Certificate\]/ { f = 1 } f && /Object Flags/ { print; exit }' "$work/dump")
		pkcs15-tool --list-pins >"$work/pins" 2>&1 </dev/null
		pins_listed=$(grep -c '^PIN \[' "$work/pins")
		if [ -z "$missing" ] && echo "$private" | grep -q private && [ "$pins_listed" = 2 ]; then
			cell "$C_DUMP" yes "the dump has the two PINs, keys, public keys and four certificates with their IDs, paths, auth IDs and flags (signature certificate private); --list-pins lists 2 PINs"
		else
			cell "$C_DUMP" "objects missing" "missing from the dump:$missing; signature certificate flags '$private'; --list-pins lists $pins_listed PINs"
		fi
	fi

	dump_serial "this card"

	if is_builtin; then
		good=""
		bad_certs=""
		for pair in 1:000A 3:000B 4:0002; do
			if read_cert "${pair%%:*}" "${pair#*:}"; then good="$good ${pair%%:*}"; else bad_certs="$bad_certs ${pair%%:*}"; fi
		done
		refused=no
		read_cert 2 0001 || refused=yes
		with_pin=no
		read_cert 2 0001 "$sign_pin" && with_pin=yes
		seen="identical:$good, differing:$bad_certs; 2 refused without PIN: $refused; 2 with PIN identical: $with_pin; sign tries $(tries sign)"
		if [ -z "$bad_certs" ] && [ "$refused" = yes ] && [ "$with_pin" = yes ] && [ "$(tries sign)" = 5 ]; then
			cell "$C_CERTS" yes "certificates 1, 3, 4 byte-identical; 2 refused without the PIN, byte-identical with it"
		else
			cell "$C_CERTS" "$seen" "not all read as the row says"
		fi
	fi

	# Card-face text (the plugin's run has card_info = yes).
	pkcs15-tool --list-data-objects >"$work/dobj" 2>&1 </dev/null
	rc=0
	pkcs15-tool --read-data-object "My Number" --verify-pin --auth-id 03 --pin "$text_pin" --raw \
		>"$work/face" 2>"$work/face.err" </dev/null || rc=$?
	text_selects=$(grep -c "$AID_TEXT_SPACED" "$trace" || true)
	if is_builtin; then
		if [ "$rc" -ne 0 ] && ! grep -q 'My Number' "$work/dobj" && [ "$text_selects" = 0 ] && [ "$(tries text)" = 3 ]; then
			cell "$C_FACE" no "no data objects, --read-data-object \"My Number\" fails, the text AP is never selected"
		else
			cell "$C_FACE" "read status $rc, data objects: $(grep -c 'Data object' "$work/dobj"), text-AP SELECTs $text_selects" "something of the text AP"
		fi
	else
		if [ "$rc" -eq 0 ] && [ "$(tail -c 12 "$work/face")" = "$my_number" ]; then
			ok "$C_FACE" "--read-data-object \"My Number\" with the third PIN gives the card's number"
		else
			bad "$C_FACE" "the card-face read failed (status $rc): $(tail -n 2 "$work/face.err")"
		fi
	fi

	# ssh-keygen -D: the authentication key, and what is printed.
	openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000A" -noout -pubkey >"$work/auth.pub.pem"
	auth_blob=$(ssh-keygen -i -m PKCS8 -f "$work/auth.pub.pem" | awk '{ print $1 " " $2 }')
	rc=0
	ssh-keygen -D "$SHARED_MODULE" >"$work/ssh.out" 2>"$work/ssh.err" </dev/null || rc=$?
	first=$(head -n 1 "$work/ssh.out" | awk '{ print $1 " " $2 }')
	if is_builtin; then
		if grep -q 'C_GetAttributeValue failed' "$work/ssh.err"; then
			cell "$C_SSH" "prints \`C_GetAttributeValue failed\`" "ssh-keygen -D (exit $rc) printed: $(grep -m1 'C_GetAttributeValue failed' "$work/ssh.err")"
		elif [ "$rc" -eq 0 ] && [ ! -s "$work/ssh.err" ] && [ "$first" = "$auth_blob" ]; then
			cell "$C_SSH" yes "ssh-keygen -D exit 0, nothing on stderr, the authentication key first"
		else
			cell "$C_SSH" "exit $rc: $(head -n 3 "$work/ssh.err" | tr '\n' ' ')" "ssh-keygen -D"
		fi
	else
		if [ "$rc" -eq 0 ] && [ ! -s "$work/ssh.err" ] && [ "$first" = "$auth_blob" ]; then
			ok "$C_SSH" "ssh-keygen -D exit 0, nothing on stderr, the authentication key first"
		else
			bad "$C_SSH" "ssh-keygen -D exit $rc, stderr: $(head -n 3 "$work/ssh.err" | tr '\n' ' ')"
		fi
	fi

	# Tries in the dump: a wrong (well-formed) authentication PIN, then the listing.
	pkcs15-tool --verify-pin --auth-id 01 --pin "$wrong_auth" >/dev/null 2>&1 </dev/null
	card_tries=$(tries auth)
	pkcs15-tool --list-pins >"$work/pins2" 2>&1 </dev/null
	listed=$(awk '/^PIN \[User Authentication PIN\]/ { f = 1 } f && /Tries left/ { print $NF; exit }' "$work/pins2")
	listed_sign=$(awk '/^PIN \[Digital Signature PIN\]/ { f = 1 } f && /Tries left/ { print $NF; exit }' "$work/pins2")
	no_data=$(grep -Ec '^#[0-9]+ 00 20 00 80 => 63 C' "$trace" || true)
	seen="card's auth tries $card_tries, listed $listed (sign $listed_sign), after listing $(tries auth), no-data VERIFYs $no_data"
	if [ "$card_tries" = 2 ] && [ "$listed" = 2 ] && [ "$listed_sign" = 5 ] && [ "$(tries auth)" = 2 ] && [ "$no_data" -gt 0 ]; then
		if is_builtin; then
			cell "$C_TRIES" yes "after a wrong PIN the dump shows the card's own 2 tries left (no-data VERIFY answered 63 C2, no try spent by the listing)"
		else
			ok "$C_TRIES" "after a wrong PIN the dump shows the card's own 2 tries left, no try spent by the listing"
		fi
	elif is_builtin; then
		cell "$C_TRIES" "$seen" "the listing after a wrong PIN"
	else
		bad "$C_TRIES" "$seen"
	fi
	pkcs15-tool --verify-pin --auth-id 01 --pin "$auth_pin" >/dev/null 2>&1 </dev/null

	# Impossible PINs.
	impossible() { # auth id, PIN -> sets sent (VERIFYs with data) and rc
		v0=$(pin_verifies)
		rc=0
		pkcs15-tool --verify-pin --auth-id "$1" --pin "$2" >"$work/imp.out" 2>&1 </dev/null || rc=$?
		sent=$(($(pin_verifies) - v0))
	}
	impossible 01 12a4
	a_sent=$sent a_rc=$rc a_tries=$(tries auth)
	impossible 01 123
	l_sent=$sent l_tries=$(tries auth)
	pkcs15-tool --verify-pin --auth-id 01 --pin "$auth_pin" >/dev/null 2>&1 </dev/null
	impossible 02 ABC-123
	s_sent=$sent s_tries=$(tries sign)
	impossible 02 "$lower_sign"
	c_sent=$sent c_rc=$rc c_tries=$(tries sign)
	pkcs15-tool --verify-pin --auth-id 02 --pin "$sign_pin" >/dev/null 2>&1 </dev/null
	if is_builtin; then
		raw="12a4: status $a_rc, $a_sent VERIFY, tries $a_tries; ABC-123: $s_sent VERIFY, tries $s_tries; lower case: status $c_rc, $c_sent VERIFY, tries $c_tries; 123: $l_sent VERIFY, tries $l_tries"
		if [ "$a_rc" -ne 0 ] && [ "$a_sent" = 1 ] && [ "$a_tries" = 2 ] && [ "$s_sent" = 1 ] && [ "$s_tries" = 4 ]; then
			w1="wrong characters burn a try"
		elif [ "$a_rc" -ne 0 ] && [ "$a_sent" = 0 ] && [ "$a_tries" = 3 ] && [ "$s_sent" = 0 ] && [ "$s_tries" = 5 ]; then
			w1="wrong characters are refused before the card"
		else
			w1="wrong characters: $raw"
		fi
		if [ "$c_rc" -ne 0 ] && [ "$c_sent" = 1 ] && [ "$c_tries" = $((s_tries - 1)) ]; then
			w2="a lower-case signature password is sent as typed and burns a try"
		elif [ "$c_rc" -eq 0 ] && [ "$c_tries" = "$s_tries" ]; then
			w2="a lower-case signature password verifies"
		else
			w2="lower case: $raw"
		fi
		if [ "$l_sent" = 0 ] && [ "$l_tries" = "$a_tries" ]; then
			w3="a wrong length is refused by OpenSC's own check"
		else
			w3="wrong length: $raw"
		fi
		cell "$C_BURN" "$w1, $w2; $w3" "$raw"
	else
		if [ "$a_rc" -ne 0 ] && [ "$a_sent" = 0 ] && [ "$a_tries" = 3 ] && [ "$l_sent" = 0 ] &&
			[ "$s_sent" = 0 ] && [ "$s_tries" = 5 ] && [ "$c_rc" -eq 0 ] && [ "$c_tries" = 5 ]; then
			ok "$C_BURN" "12a4, 123 and ABC-123 refused with no VERIFY and no try; the lower-case signature password verifies"
		else
			bad "$C_BURN" "12a4: status $a_rc, $a_sent VERIFY, tries $a_tries; 123: $l_sent; ABC-123: $s_sent, tries $s_tries; lower case: status $c_rc, tries $c_tries"
		fi
	fi

	# --verify-pin and --change-pin, both PINs; a change there and back.
	new_auth=$(printf '%04d' $(((1$auth_pin + 4321) % 10000)))
	new_sign=NEWPIN12
	[ "$new_sign" != "$sign_pin" ] || new_sign=NEWPIN34
	verify() { pkcs15-tool --verify-pin --auth-id "$1" --pin "$2" >"$work/pv.out" 2>&1 </dev/null; }
	change() { pkcs15-tool --change-pin --auth-id "$1" --pin "$2" --new-pin "$3" >"$work/pc.out" 2>&1 </dev/null; }
	r=""
	verify 01 "$auth_pin" || r="$r verify-01"
	verify 02 "$sign_pin" || r="$r verify-02"
	if is_builtin; then
		# A change reported as refused is checked with the old value, one
		# reported as done with the new value (then changed back): a value the
		# card does not hold would cost a try.
		changed() { # auth id, old, new -> "works", "fails" or what went wrong
			if change "$1" "$2" "$3"; then
				if verify "$1" "$3" && change "$1" "$3" "$2" && verify "$1" "$2"; then echo works; else echo "accepted, not done"; fi
			else
				why=$(grep -m1 'failed' "$work/pc.out")
				if verify "$1" "$2"; then echo fails; else echo "refused ($why), the old value no longer verifies"; fi
			fi
		}
		c01=$(changed 01 "$auth_pin" "$new_auth")
		c02=$(changed 02 "$sign_pin" "$new_sign")
		detail="verify:${r:- both work}; --change-pin 01: $c01, 02: $c02; tries $(all_tries)"
		if [ -n "$r" ] || [ "$(tries auth)" != 3 ] || [ "$(tries sign)" != 5 ]; then
			cell "$C_PINCMD" "$detail" "a PIN command failed or a try was lost"
		elif [ "$c01/$c02" = fails/fails ]; then
			cell "$C_PINCMD" "\`--verify-pin\` yes, \`--change-pin\` not supported" "$detail"
		elif [ "$c01/$c02" = works/works ]; then
			cell "$C_PINCMD" yes "$detail"
		else
			cell "$C_PINCMD" "$detail" "--change-pin"
		fi
	else
		change 01 "$auth_pin" "$new_auth" || r="$r change-01"
		verify 01 "$new_auth" || r="$r verify-new-01"
		change 01 "$new_auth" "$auth_pin" || r="$r change-back-01"
		change 02 "$sign_pin" "$new_sign" || r="$r change-02"
		verify 02 "$new_sign" || r="$r verify-new-02"
		change 02 "$new_sign" "$sign_pin" || r="$r change-back-02"
		verify 02 "$sign_pin" || r="$r verify-old-02"
		if [ -z "$r" ] && [ "$(tries auth)" = 3 ] && [ "$(tries sign)" = 5 ]; then
			ok "$C_PINCMD" "--verify-pin and --change-pin (there and back) for auth IDs 01 and 02; no try lost"
		else
			bad "$C_PINCMD" "failed:$r; tries $(all_tries)"
		fi
	fi
	;;

# ---- the small card: 512-bit authentication key, certificates under 256 bytes -------
small)
	auth_bits=$(cert_bits 000A)
	head4=$(od -An -tx1 -N2 "$JPKI_IDENTITY/jpki/000A" | tr -d ' ')
	[ "$auth_bits" = 512 ] && [ "$head4" = 3081 ] || bad prerequisites "the small identity's certificate 01 is $auth_bits bits, header $head4"
	pkcs15-tool --dump >"$work/dump" 2>&1 </dev/null
	dumped=$(awk '/^Private RSA Key \[User Authentication Key\]/ { f = 1 } f && /ModLength/ { print $NF; exit }' "$work/dump")
	p11 bits
	bits=$(p11v bits01)
	if is_builtin; then
		detail="key 01: ModLength $dumped in the dump, CKA_MODULUS_BITS '$bits'; its certificate says $auth_bits"
		if [ "$dumped" = 2048 ] && [ "$bits" = 2048 ]; then
			cell "$C_KEYSIZE" "hard-coded RSA-2048" "$detail"
		elif [ "$dumped" = "$auth_bits" ] && [ "$bits" = "$auth_bits" ]; then
			cell "$C_KEYSIZE" yes "$detail"
		else
			cell "$C_KEYSIZE" "$detail" "($(tail -n 2 "$work/p11.log" | tr '\n' ' '))"
		fi
	else
		[ "$dumped" = "$auth_bits" ] && [ "$bits" = "$auth_bits" ] &&
			ok "$C_KEYSIZE" "key 01 is $auth_bits bits in the dump and in CKA_MODULUS_BITS, as its certificate" ||
			bad "$C_KEYSIZE" "key 01: dump $dumped, CKA_MODULUS_BITS '$bits'; certificate $auth_bits"
	fi

	r1=no r3=no r4=no
	read_cert 1 000A && r1=yes
	read_cert 3 000B && r3=yes
	read_cert 4 0002 && r4=yes
	if is_builtin; then
		detail="byte-identical: 1 (30 81 ..) $r1, 3 (30 81 ..) $r3, 4 (30 82 ..) $r4 $(grep -m1 'failed' "$work/cert1.err")"
		# The built-in takes every certificate's size from bytes 3-4 as if
		# the header were 30 82 xx xx. Up to 0.23 the read of a 30 81 one
		# then runs past the EF and fails; from 0.26 OpenSC's read stops at
		# the card's end of file, which works for some lengths and not for
		# others (seen on 0.27.1: certificate 3 refused, 1 read, in one run
		# of random identities).
		if [ "$r1$r3$r4" = nonoyes ]; then
			cell "$C_DER" "\`30 82 xx xx\` only" "$detail"
		elif [ "$r4" = yes ] && [ "$r1$r3" != nono ]; then
			cell "$C_DER" "\`30 81\` ones only for some lengths" "$detail"
		else
			cell "$C_DER" "$detail" "certificates of the small card"
		fi
	else
		[ "$r1" = yes ] && [ "$r3" = yes ] && [ "$r4" = yes ] &&
			ok "$C_DER" "certificates 1 and 3 (30 81 ..) and 4 (30 82 ..) byte-identical" ||
			bad "$C_DER" "identical: 1 $r1, 3 $r3, 4 $r4"
	fi

	dump_serial "a second card"
	;;

# ---- PKCS#11 ----------------------------------------------------------------------
p11)
	SIGN_OK='^#[0-9]+ 80 2A .*=> [0-9]+ bytes \+ 90 00'
	# Consent: C_Login on the signature token, then C_Sign twice with key 02,
	# no context login; then another process's raw signature APDUs.
	client_start 02
	step login "$sign_pin" || bad "$C_CONSENT" "C_Login with the signature PIN: $reply"
	from=$(($(trace_lines) + 1))
	results=""
	for _ in 1 2; do
		new_message
		if step sign 02 "$msg" "$msg.sig"; then
			results="$results $(signer_of "$msg.sig" "$msg")"
		else
			results="$results ${reply#err }"
		fi
	done
	card_signed=$(trace_since "$from" "$SIGN_OK")
	new_message
	digest=$(openssl dgst -sha256 -binary "$msg" | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F')
	other_apdus 00A4020C02001A "802A0080333031300D060960864801650304020105000420${digest}00"
	raw_sw=$(apdus_last_sw)
	client_stop
	if is_builtin; then
		detail="after one C_Login(CKU_USER), two C_Sign with key 02 and no context login:$results (card signatures: $card_signed); another process's raw SELECT EF 001A + COMPUTE DIGITAL SIGNATURE with that session open: $raw_sw"
		if [ "$results" = " 02 02" ] && [ "$card_signed" = 2 ] && [ "$raw_sw" = 9000 ]; then
			cell "$C_CONSENT" "card signs after one \`C_Login\`" "$detail"
		else
			cell "$C_CONSENT" "$detail" "consent"
		fi
	else
		case $results in
			" CKR_USER_NOT_LOGGED_IN"*) c1=yes ;;
			*) c1=no ;;
		esac
		[ "$c1" = yes ] && [ "$card_signed" = 0 ] && [ "$raw_sw" != 9000 ] &&
			ok "$C_CONSENT" "after C_Login(CKU_USER) C_Sign with key 02 is CKR_USER_NOT_LOGGED_IN, nothing signed; another process's raw signature got $raw_sw" ||
			bad "$C_CONSENT" "signatures: $results; card signatures $card_signed; raw $raw_sw"
	fi

	# Signatures, both keys, four hashes; CKA_ALWAYS_AUTHENTICATE.
	p11 sigs || true
	sig_bad=""
	for kid in 01 02; do
		for h in sha1 sha256 sha384 sha512; do
			base=$work/p11.out.$kid.$h
			rv=$(p11v "sign${kid}_$h")
			if [ "$rv" != CKR_OK ] ||
				! openssl dgst -"$h" -verify "$work/cert$kid.pub" -signature "$base.sig" "$base.msg" >/dev/null 2>&1; then
				sig_bad="$sig_bad $kid/$h:${rv:-none}"
			fi
		done
	done
	always=$(p11v always02)
	# Both cells say yes: key 02 is marked CKA_ALWAYS_AUTHENTICATE by both
	# (whether that is enforced is the consent row's business).
	if [ -z "$sig_bad" ] && [ "$always" = yes ]; then
		detail="keys 01 and 02 sign SHA-1/256/384/512 RSA-PKCS, all verified with OpenSSL; key 02 is CKA_ALWAYS_AUTHENTICATE, a context login before each signature accepted"
		if is_builtin; then cell "$C_SIGS" yes "$detail"; else ok "$C_SIGS" "$detail"; fi
	else
		detail="signatures that failed:$sig_bad; key 02 CKA_ALWAYS_AUTHENTICATE '$always' ($(tail -n 2 "$work/p11.log" | tr '\n' ' '))"
		if is_builtin; then cell "$C_SIGS" "$detail" signatures; else bad "$C_SIGS" "$detail"; fi
	fi

	# Answers: impossible PIN, over-long input, random numbers; APDUs counted.
	p11 answers || true
	# shellcheck disable=SC2046 # two words each: the answer and the APDU count
	set -- $(p11v pin_chars) $(p11v pin_len) $(p11v too_long) $(p11v random)
	if [ $# -ne 8 ]; then
		bad "$C_ANSWERS" "the client failed: $(tail -n 3 "$work/p11.log" | tr '\n' ' ')"
	elif is_builtin; then
		if [ "$2" -gt 0 ]; then w1="impossible PIN: \`$1\` after a VERIFY (a try spent)"; else w1="impossible PIN: \`$1\`, no APDU"; fi
		if [ "$6" -gt 0 ]; then w2="over-long input: \`$5\` after APDUs"; else w2="over-long input: \`$5\`, no APDU"; fi
		challenges=$(grep -Ec '^#[0-9]+ 00 84 ' "$trace" || true)
		if [ "$challenges" -gt 0 ]; then w3="random: GET CHALLENGE sent, \`$7\`"; else w3="random: \`$7\`, no GET CHALLENGE"; fi
		cell "$C_ANSWERS" "$w1; $w2; $w3" "C_Login 12a4: $1 after $2 APDUs; C_Sign of 246 bytes: $5 after $6 APDUs; C_GenerateRandom: $7 after $8 APDUs"
		# Not in the cell: the same for the plugin and every built-in so far.
		[ "$3" = CKR_PIN_LEN_RANGE ] && [ "$4" = 0 ] &&
			ok "$C_ANSWERS" "a PIN of the wrong length (123) is $3 with no APDU, as with the plugin" ||
			bad "$C_ANSWERS" "123: $3 ($4 APDUs)"
	else
		[ "$1" = CKR_PIN_INCORRECT ] && [ "$2" = 0 ] && [ "$3" = CKR_PIN_LEN_RANGE ] && [ "$4" = 0 ] &&
			[ "$5" = CKR_DATA_LEN_RANGE ] && [ "$6" = 0 ] && [ "$7" != CKR_OK ] && [ "$8" = 0 ] &&
			ok "$C_ANSWERS" "12a4: $1, 123: $3, 246 bytes: $5, C_GenerateRandom: $7, all without an APDU" ||
			bad "$C_ANSWERS" "12a4: $1 ($2 APDUs); 123: $3 ($4); 246 bytes: $5 ($6); random: $7 ($8)"
	fi
	[ "$(tries auth)" = 3 ] || bad "$C_ANSWERS" "the authentication PIN has $(tries auth) tries after the right PIN"

	# The AP shared with another process between two steps of one session.
	client_start 01
	step login "$auth_pin" || bad "$C_SHARED" "C_Login: $reply"
	new_message
	base_ok=no
	step sign 01 "$msg" "$msg.sig" && [ "$(signer_of "$msg.sig" "$msg")" = 01 ] && base_ok=yes
	other select-text || true
	new_message
	after=""
	if step sign 01 "$msg" "$msg.sig"; then after=$(signer_of "$msg.sig" "$msg"); else after=${reply#err }; fi
	client_stop
	if is_builtin; then
		detail="baseline key-01 signature verified: $base_ok; after another process's raw SELECT of the text AP, the session's next key-01 signature: $after"
		if [ "$base_ok" = yes ] && [ "$after" != 01 ] && [ "$after" != 02 ]; then
			cell "$C_SHARED" "AP cached across transactions" "$detail"
		elif [ "$base_ok" = yes ] && [ "$after" = 01 ]; then
			cell "$C_SHARED" yes "$detail"
		else
			cell "$C_SHARED" "$detail" "shared card"
		fi
	else
		[ "$base_ok" = yes ] && [ "$after" = 01 ] &&
			ok "$C_SHARED" "after another process's raw SELECT of the text AP, the next key-01 signature verifies with certificate 01" ||
			bad "$C_SHARED" "baseline signature $base_ok, after the other process's SELECT: $after"
	fi
	;;

# ---- detection ----------------------------------------------------------------------
detect-*)
	name=$(opensc-tool -n 2>/dev/null </dev/null | tail -n 1)
	selects=$(grep -c "$AID_JPKI_SPACED => 90 00" "$trace" || true)
	atr=$(opensc-tool -a 2>/dev/null </dev/null | tail -n 1)
	case "$conf/$case_name" in
	builtin/detect-listed)
		if [ "$name" = jpki ] && [ "$selects" = 0 ]; then
			cell "$C_DETECT" "ATR list, then SELECT of the AID" "ATR $atr (the built-in's list) is claimed without a SELECT of the AID"
		else
			cell "$C_DETECT" "ATR $atr (in its list): card '$name', $selects SELECTs of the AID" "detection"
		fi ;;
	builtin/*)
		if [ "$name" = jpki ] && [ "$selects" = 1 ]; then
			cell "$C_DETECT" "ATR list, then SELECT of the AID" "ATR $atr (not in its list) is claimed after a SELECT of the AID answered 90 00"
		else
			cell "$C_DETECT" "ATR $atr: card '$name', $selects SELECTs of the AID" "detection"
		fi ;;
	*)
		[ "$name" = "My Number Card (JPKI)" ] &&
			ok "$C_DETECT" "ATR $atr (unknown) is claimed after a SELECT of the AID" ||
			bad "$C_DETECT" "ATR $atr: card '$name'" ;;
	esac
	;;

# ---- a 6F00 glitch during detection --------------------------------------------------
glitch)
	name=$(opensc-tool -n 2>/dev/null </dev/null | tail -n 1)
	first_aid=$(grep -m1 "$AID_JPKI_SPACED" "$trace" | sed 's/.*=> //')
	detect_lines=$(trace_lines)
	aid_in_detect=$(grep -c "$AID_JPKI_SPACED" "$trace" || true)
	# What a later process does with the same card: an impossible PIN.
	tries_before=$(tries auth)
	pkcs15-tool --verify-pin --auth-id 01 --pin 12a4 >/dev/null 2>&1 </dev/null
	tries_after=$(tries auth)
	if is_builtin; then
		detail="detection SELECT answered '$first_aid', asked $aid_in_detect times in $detect_lines APDUs; opensc-tool -n: '$name'; a later process without a glitch: 12a4 takes the tries $tries_before -> $tries_after"
		if [ "$first_aid" = "6F 00" ] && [ "$aid_in_detect" = 1 ] && [ "$name" != jpki ]; then
			cell "$C_GLITCH" "hands it on" "$detail"
		else
			cell "$C_GLITCH" "$detail" "a glitch in detection"
		fi
	else
		if [ "$first_aid" = "6F 00" ] && [ "$aid_in_detect" -ge 2 ] && [ "$name" = "My Number Card (JPKI)" ] &&
			[ "$tries_after" = "$tries_before" ]; then
			ok "$C_GLITCH" "the first SELECT answered 6F 00, asked again, the plugin claims the card; never the built-in (12a4 costs no try)"
		else
			bad "$C_GLITCH" "first SELECT '$first_aid', $aid_in_detect SELECTs; opensc-tool -n: '$name'; 12a4: tries $tries_before -> $tries_after"
		fi
	fi
	;;

# ---- OpenSC's file cache -------------------------------------------------------------
cache)
	grep -q 'use_file_caching = yes' "$OPENSC_CONF" || bad "$C_CERTS" "the configuration does not turn the file cache on"
	HOME=$work/home
	unset XDG_CACHE_HOME || true
	export HOME
	mkdir -p "$HOME"
	with_pin=no
	read_cert 1 000A >/dev/null
	read_cert 2 0001 "$sign_pin" && with_pin=yes
	cached=$(find "$HOME" -type f | wc -l | tr -d ' ')
	cert2_cached=no
	find "$HOME" -type f -exec cmp -s {} "$JPKI_IDENTITY/jpki/0001" \; -print >"$work/cached-cert2"
	[ -s "$work/cached-cert2" ] && cert2_cached=yes
	later=refused
	read_cert 2 0001 && later="read"
	if [ "$with_pin" = yes ] && [ "$cert2_cached" = no ] && [ "$later" = refused ]; then
		if is_builtin; then
			cell "$C_CERTS" yes "with use_file_caching = yes certificate 2 read with the PIN is not cached ($cached files in the cache), a later read without the PIN is refused"
		else
			ok "$C_CERTS" "with use_file_caching = yes certificate 2 is not in the cache ($cached files), a later read without the PIN is refused"
		fi
	elif is_builtin; then
		cell "$C_CERTS" "read with PIN: $with_pin; in the disk cache: $cert2_cached ($cached files); later read without PIN: $later" "use_file_caching = yes"
	else
		bad "$C_CERTS" "read with PIN: $with_pin; in the disk cache: $cert2_cached ($cached files); later read without PIN: $later"
	fi
	;;

# ---- TLS (p11-kit, gnutls-cli) and CMS (OpenSSL's pkcs11 engine) -----------------------
clients)
	p11tool --list-token-urls >"$work/tokens" 2>"$work/tokens.err" </dev/null
	want=00000000
	is_builtin || want=$(printf '%s' "$auth_serial" | tail -c 16)
	jpki_tokens=$(grep -c 'token=JPKI' "$work/tokens" || true)
	with_serial=$(grep 'token=JPKI' "$work/tokens" | grep -ci "serial=$want;" || true)
	tokens="$jpki_tokens JPKI tokens, $with_serial with serial $want"
	if ! is_builtin; then
		if [ "$jpki_tokens" -ge 2 ] && [ "$with_serial" = "$jpki_tokens" ]; then
			ok "$C_TLS" "p11tool lists the card's $jpki_tokens tokens with serial $want"
		else
			bad "$C_TLS" "expected serial $want on every JPKI token: $(tr '\n' ' ' <"$work/tokens")"
		fi
		[ "$failures" -eq 0 ] && exit 0 || exit 1
	fi
	zero=no
	[ "$jpki_tokens" -ge 2 ] && [ "$with_serial" = "$jpki_tokens" ] && zero=yes
	token_url=$(grep 'token=JPKI%20%28User%20Authentication%20PIN%29' "$work/tokens" | head -n 1)

	# TLS 1.2 client authentication against s_server trusting the card's CA.
	openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000B" -out "$work/auth-ca.pem"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout "$work/server.key" \
		-out "$work/server.pem" -addext subjectAltName=IP:127.0.0.1 2>/dev/null ||
		bad "$C_TLS" "cannot make a server certificate"
	server_pid=""
	attempt=0
	while [ -z "$server_pid" ] && [ "$attempt" -lt 5 ]; do
		attempt=$((attempt + 1))
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
		: >"$work/server.out"
		openssl s_server -accept "127.0.0.1:$port" -rev -cert "$work/server.pem" -key "$work/server.key" \
			-Verify 2 -verify_return_error -verifyCAfile "$work/auth-ca.pem" \
			</dev/null >>"$work/server.out" 2>>"$work/server.err" &
		pid=$!
		waited=0
		while [ "$waited" -lt 50 ] && kill -0 "$pid" 2>/dev/null && ! grep -q '^ACCEPT' "$work/server.out"; do
			sleep 0.1
			waited=$((waited + 1))
		done
		if grep -q '^ACCEPT' "$work/server.out"; then server_pid=$pid; else kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
	done
	if [ -n "$server_pid" ]; then
		nonce=tls$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
		rc=0
		{ printf '%s\n' "$nonce"; sleep 2; } |
			GNUTLS_PIN=$auth_pin timeout 30 gnutls-cli --x509cafile="$work/server.pem" \
				--priority=NORMAL:-VERS-TLS1.3 --x509certfile="$token_url;id=%01;type=cert" \
				--x509keyfile="$token_url;id=%01;type=private" -p "$port" 127.0.0.1 \
				>"$work/tls.out" 2>"$work/tls.err" || rc=$?
		reversed=$(printf '%s\n' "$nonce" | awk '{ r = ""; for (i = length($0); i > 0; i--) r = r substr($0, i, 1); print r }')
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		if [ "$rc" -eq 0 ] && grep -qx "$reversed" "$work/tls.out" && grep -aq '^Verification: OK' "$work/server.err"; then
			if [ "$zero" = yes ]; then
				cell "$C_TLS" "yes, but every card is token \`00000000\`" "$tokens; gnutls-cli (TLS 1.2) with the card's key from the token serial=00000000: accepted by s_server, data both ways"
			else
				cell "$C_TLS" "yes, token serial: $tokens" "gnutls-cli (TLS 1.2): accepted"
			fi
		else
			cell "$C_TLS" "gnutls-cli exit $rc: $(tail -n 3 "$work/tls.err" | tr '\n' ' ') server: $(tail -n 3 "$work/server.err" | tr '\n' ' ')" "$tokens"
		fi
	else
		bad "$C_TLS" "s_server did not start: $(tail -n 3 "$work/server.err" | tr '\n' ' ')"
	fi

	# CMS with the signature key through OpenSSL's pkcs11 engine.
	sign_token=$(grep 'token=JPKI%20%28Digital%20Signature%20PIN%29' "$work/tokens" | head -n 1)
	openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0001" -out "$work/sign.pem"
	openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0002" -out "$work/sign-ca.pem"
	printf 'CMS document %s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$work/doc.txt"
	# The token PIN from the URL (C_Login); the key PIN that libp11 asks for
	# before the signature (CKA_ALWAYS_AUTHENTICATE) from stdin: setsid, so
	# that OpenSSL's prompt finds no terminal to read from.
	rc=0
	printf '%s\n' "$sign_pin" | OPENSSL_CONF=/dev/null PKCS11_MODULE_PATH=$SHARED_MODULE timeout 30 setsid -w \
		openssl cms -sign -binary -md sha256 -engine pkcs11 -keyform engine \
		-inkey "$sign_token;id=%02;type=private;pin-value=$sign_pin" -signer "$work/sign.pem" \
		-in "$work/doc.txt" -outform DER -out "$work/doc.p7s" >"$work/cms.out" 2>&1 || rc=$?
	vrc=0
	openssl cms -verify -binary -inform DER -in "$work/doc.p7s" -content "$work/doc.txt" \
		-CAfile "$work/sign-ca.pem" -out "$work/verified.txt" >/dev/null 2>"$work/verify.err" || vrc=$?
	if [ "$rc" -eq 0 ] && [ "$vrc" -eq 0 ] && cmp -s "$work/verified.txt" "$work/doc.txt"; then
		cell "$C_CMS" yes "openssl cms -sign with key 02 through the pkcs11 engine; openssl cms -verify: successful"
	else
		cell "$C_CMS" "cms -sign exit $rc ($(tail -n 2 "$work/cms.out" | tr '\n' ' ')), verify exit $vrc ($(tail -n 2 "$work/verify.err" | tr '\n' ' '))" \
			"openssl cms -sign with key 02 through the pkcs11 engine"
	fi
	;;
*)
	bad usage "unknown case $case_name"
	;;
esac
[ "$failures" -eq 0 ]
