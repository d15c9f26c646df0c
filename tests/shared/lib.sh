# Shared by tests/shared/e2e-*.sh (sourced, POSIX sh): the card is shared
# (issue 10) and the signature key wants a PIN per signature (issue 11).
#
# Each script has an outer half (run by make check: makes an identity, runs one
# harness per case, prints PASS/FAIL) and an inner half (run by
# tests/harness/with-card.sh with --inside CASE DIR). Inside, a step-by-step
# PKCS#11 client (p11step.py, PyKCS11 over the stock opensc-pkcs11.so) holds
# one session open while "another process" - the stock opensc-tool,
# pkcs15-tool and pkcs15-crypt, each a new process through the same pcscd -
# uses the card between the client's steps.
#
# Inside, every check prints "ok: ..." or "FAIL[check]: why" and the case
# goes on where that still means something; its exit status is 1 when any
# check failed. Skips do not exist: a missing program is a failure.

# The stock module, where tests/clients finds it (CLIENTS_PKCS11_MODULE).
# shellcheck disable=SC2154 # $me is set by the sourcing script
SHARED_MODULE=${SHARED_PKCS11_MODULE:-${CLIENTS_PKCS11_MODULE:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}}
# Debian's interpreter, where python3-pykcs11 is installed (a pyenv or venv
# python3 earlier in PATH would not see it).
SHARED_PYTHON=${SHARED_PYTHON:-/usr/bin/python3}
# One harness run may take this long (seconds) before it is stopped.
SHARED_CASE_TIMEOUT=${SHARED_CASE_TIMEOUT:-120}

shared_failures=0
shared_ok() {
	echo "$me: ok: $*"
}
shared_bad() { # check, why
	echo "$me: FAIL[$1]: $2"
	shared_failures=$((shared_failures + 1))
}
# A failure after which the case cannot go on.
shared_die() { # check, why
	echo "$me: FAIL[$1]: $2"
	exit 1
}
shared_note() {
	echo "$me: $*"
}

# ---- outer half ----------------------------------------------------------------
# shellcheck disable=SC2120 # the arguments are optional: more tools to require
shared_outer_setup() { # [tool]...
	: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
	[ -n "${OPENSC_JPKI_MODULE:-}" ] && [ -f "$OPENSC_JPKI_MODULE" ] ||
		shared_die prerequisites "plugin module ${OPENSC_JPKI_MODULE:-(unset)} not built"
	harness=$top_srcdir/tests/harness/with-card.sh
	gen=$top_builddir/sim/jpki-sim-gen
	[ -f "$harness" ] || shared_die prerequisites "$harness missing"
	[ -x "$gen" ] || shared_die prerequisites "$gen not built"
	[ -f "$SHARED_MODULE" ] || shared_die prerequisites "no PKCS#11 module $SHARED_MODULE (apt-get install opensc-pkcs11)"
	"$SHARED_PYTHON" -c 'import PyKCS11' 2>/dev/null ||
		shared_die prerequisites "$SHARED_PYTHON cannot import PyKCS11 (apt-get install python3-pykcs11; scripts/packages-extra.txt)"
	for tool in opensc-tool pkcs15-tool pkcs15-crypt openssl timeout "$@"; do
		command -v "$tool" >/dev/null 2>&1 || shared_die prerequisites "$tool not found (scripts/install-deps.sh)"
	done
	outer_work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX")
	chmod 700 "$outer_work"
	# SHARED_KEEP_WORK=1 keeps the cases' directories (traces, client logs).
	if [ -n "${SHARED_KEEP_WORK:-}" ]; then
		echo "$me: keeping $outer_work"
	else
		trap 'rm -rf "$outer_work"' EXIT
	fi
	"$gen" --out "$outer_work/identity" >"$outer_work/gen.log" 2>&1 ||
		{ cat "$outer_work/gen.log"; shared_die prerequisites "jpki-sim-gen failed"; }
	cases_failed=""
	cases_run=0
}

# Runs one case in a fresh virtual card (fresh try counters) with the same
# identity. Harness options (--card-info, --set K=V) go after the case name.
shared_run_case() { # script, case, [harness options]
	script=$1
	case_name=$2
	shift 2
	cases_run=$((cases_run + 1))
	dir=$outer_work/case$cases_run
	mkdir -p "$dir"
	: >"$dir/trace"
	echo "$me: --- case $case_name ($*)"
	case_start=$(date +%s)
	rc=0
	timeout "$SHARED_CASE_TIMEOUT" sh "$harness" --identity "$outer_work/identity" --conf plugin-first \
		--trace "$dir/trace" "$@" -- sh "$script" --inside "$case_name" "$dir" || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "$me: --- case $case_name: passed ($(($(date +%s) - case_start)) s)"
	else
		[ "$rc" -ne 124 ] || echo "$me: FAIL[timeout]: case $case_name ran longer than $SHARED_CASE_TIMEOUT s"
		[ "$rc" -ne 125 ] || echo "$me: FAIL[harness]: the harness itself failed (exit 125)"
		echo "$me: --- case $case_name: FAILED (exit $rc, $(($(date +%s) - case_start)) s)"
		cases_failed="$cases_failed $case_name"
	fi
}

shared_outer_end() {
	if [ -z "$cases_failed" ]; then
		echo "$me: PASS ($cases_run cases)"
		exit 0
	fi
	echo "$me: FAIL: failed cases:$cases_failed (of $cases_run)"
	exit 1
}

# ---- inner half ----------------------------------------------------------------
# Sets work, trace, the PINs, the certificates' public keys; installs the trap
# that stops the client.
shared_inside_setup() { # dir
	: "${JPKI_IDENTITY:?run by tests/harness/with-card.sh}" "${JPKI_SIM_STATS:?run by tests/harness/with-card.sh}"
	work=$1
	trace=$work/trace
	client_pid=""
	# A client that died must not kill this shell with SIGPIPE on the next step.
	trap '' PIPE
	trap 'shared_client_kill' EXIT
	auth_pin=$(sed -n 's/^auth=//p' "$JPKI_IDENTITY/pins")
	sign_pin=$(sed -n 's/^sign=//p' "$JPKI_IDENTITY/pins")
	text_pin=$(sed -n 's/^text=//p' "$JPKI_IDENTITY/pins")
	my_number=$(sed -n 's/^my_number=//p' "$JPKI_IDENTITY/facts")
	[ -n "$auth_pin" ] && [ -n "$sign_pin" ] && [ -n "$text_pin" ] ||
		shared_die prerequisites "no PINs in $JPKI_IDENTITY/pins"
	openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000A" -noout -pubkey >"$work/cert01.pub" ||
		shared_die prerequisites "cannot read certificate 01 (jpki/000A)"
	openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0001" -noout -pubkey >"$work/cert02.pub" ||
		shared_die prerequisites "cannot read certificate 02 (jpki/0001)"
	msg_n=0
}

# The card's try counters, as jpki-sim reports them after every APDU.
tries() { # auth|sign|text
	sed -n "s/^tries_$1=//p" "$JPKI_SIM_STATS"
}
all_tries() { # one process: the soak calls this often
	awk -F= '/^tries_/ { v[$1] = $2 }
		END { printf "auth=%s sign=%s text=%s\n", v["tries_auth"], v["tries_sign"], v["tries_text"] }' "$JPKI_SIM_STATS"
}
# VERIFY commands with data the card refused (63 Cx: a try spent; 6983/6984:
# blocked), counted in the trace, so a later right PIN that resets the
# counter cannot hide them.
refused_verifies() {
	grep -Ec '^#[0-9]+ 00 20 00 80 [0-9A-F]{2} .*=> (63 C|69 8[34])' "$trace" || true
}

# The end of a case: every PIN with all its tries, and the card refused
# exactly EXPECTED (default 0) VERIFY commands with a PIN over the whole case.
shared_expect_pins_intact() { # [expected refused VERIFYs]
	tries_now=$(all_tries)
	[ "$tries_now" = "auth=3 sign=5 text=3" ] || shared_bad tries "tries at the end: $tries_now"
	refused=$(refused_verifies)
	[ "$refused" -eq "${1:-0}" ] ||
		shared_bad wrong-verify "$refused VERIFY command(s) with a PIN were refused by the card (expected ${1:-0})"
}
# Exit status of an inside case: 1 when any check failed.
shared_inside_end() {
	[ "$shared_failures" -eq 0 ] || exit 1
	exit 0
}

# Which counters went down between two all_tries snapshots (empty: none).
# A counter may go up: a right PIN, also another process's, resets it.
tries_lost() { # before, after
	# shellcheck disable=SC2086 # split on purpose: auth=N sign=N text=N twice
	set -- $1 $2
	[ "${4#*=}" -ge "${1#*=}" ] || printf 'auth %s->%s ' "${1#*=}" "${4#*=}"
	[ "${5#*=}" -ge "${2#*=}" ] || printf 'sign %s->%s ' "${2#*=}" "${5#*=}"
	[ "${6#*=}" -ge "${3#*=}" ] || printf 'text %s->%s ' "${3#*=}" "${6#*=}"
}

# APDU lines in the card's trace so far, and those of them matching a pattern.
trace_lines() {
	wc -l <"$trace" | tr -d ' '
}
trace_since() { # first line number (1-based), pattern (grep -E)
	tail -n +"$1" "$trace" | grep -Ec "$2" || true
}

# A fresh message file; sets msg.
new_message() {
	msg_n=$((msg_n + 1))
	msg=$work/msg$msg_n
	printf 'shared-card test message %s %s\n' "$msg_n" "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$msg"
}

# Which certificate a SHA-256 PKCS#1 v1.5 signature verifies with: 01, 02 or none.
signer_of() { # signature, message
	if openssl dgst -sha256 -verify "$work/cert01.pub" -signature "$1" "$2" >/dev/null 2>&1; then
		echo 01
	elif openssl dgst -sha256 -verify "$work/cert02.pub" -signature "$1" "$2" >/dev/null 2>&1; then
		echo 02
	else
		echo none
	fi
}

# ---- the step-by-step PKCS#11 client -------------------------------------------
client_start() { # key id
	rm -f "$work/client.in" "$work/client.out"
	mkfifo "$work/client.in" "$work/client.out"
	"$SHARED_PYTHON" "$top_srcdir/tests/shared/p11step.py" --module "$SHARED_MODULE" --key "$1" \
		<"$work/client.in" >"$work/client.out" 2>"$work/client.err" &
	client_pid=$!
	exec 3>"$work/client.in" 4<"$work/client.out"
	if ! read -r reply <&4; then
		shared_die client "p11step.py exited before it was ready: $(tail -n 5 "$work/client.err")"
	fi
	case $reply in
		"ok ready"*) shared_note "client: session open (${reply#ok ready })" ;;
		*) client_diagnosis
		   shared_die client "p11step.py: $reply $(tail -n 5 "$work/client.err")" ;;
	esac
}
# Why a client found no token, for the CI log: the card's last APDUs, the
# private pcscd's and the card's own logs, and the card detection's failures from OpenSC's debug log when OPENSC_CONF names one
# (test identities only: synthetic data).
client_diagnosis() {
	shared_note "client: the card's last APDUs:"
	tail -n 6 "$trace" | sed "s/^/$me:   /"
	if [ -s "${WITH_CARD_WORK:-/nonexistent}/pcscd.log" ]; then
		shared_note "client: card events and errors in the harness's pcscd.log:"
		grep -E 'Card (Removed|inserted)|ATR|rror|ailed' "$WITH_CARD_WORK/pcscd.log" | tail -n 12 | sed "s/^/$me:   /"
	fi
	if [ -s "${WITH_CARD_WORK:-/nonexistent}/jpki-sim.log" ]; then
		shared_note "client: the harness's jpki-sim.log ends:"
		tail -n 8 "$WITH_CARD_WORK/jpki-sim.log" | sed "s/^/$me:   /"
	fi
	log=$(sed -n 's/.*debug_file *= *\([^;]*\);.*/\1/p' "${OPENSC_CONF:-/dev/null}" 2>/dev/null | tail -n 1)
	[ -n "$log" ] && [ -f "$log" ] || return 0
	shared_note "client: card detection in $log:"
	grep -E 'card_detect|detect_card_presence|refresh_attributes.*(changed|absent)|returning with: -[0-9]' "$log" |
		tail -n 16 | sed "s/^/$me:   /"
}
# One command; sets reply to the client's answer line; status 0 when "ok".
step() {
	printf '%s\n' "$*" >&3 2>/dev/null
	if ! read -r reply <&4; then
		reply="err CLIENT-DIED $(tail -n 3 "$work/client.err" | tr '\n' ' ')"
	fi
	case $reply in
		ok*) return 0 ;;
		*) return 1 ;;
	esac
}
client_stop() {
	[ -n "$client_pid" ] || return 0
	step quit || true
	exec 3>&- 4<&-
	wait "$client_pid" 2>/dev/null || true
	client_pid=""
}
shared_client_kill() {
	if [ -n "${client_pid:-}" ]; then
		exec 3>&- 4<&-
		kill "$client_pid" 2>/dev/null || true
		wait "$client_pid" 2>/dev/null || true
		client_pid=""
	fi
}

# The client signs a new message with key 01: the signature must exist and
# verify with certificate 01 (never 02). Reports under the check name.
client_sign_01() { # check name
	new_message
	if ! step sign 01 "$msg" "$msg.sig"; then
		shared_bad "$1" "C_Sign with key 01 failed: $reply"
		return 1
	fi
	signer=$(signer_of "$msg.sig" "$msg")
	case $signer in
		01) shared_ok "$1: key-01 signature verifies with certificate 01"; return 0 ;;
		02) shared_bad "$1" "the key-01 signature verifies with certificate 02: the card signed with the signature key" ;;
		*) shared_bad "$1" "the key-01 signature verifies with neither certificate" ;;
	esac
	return 1
}

# ---- "another process": the stock tools, one new process each -------------------
# Raw APDUs with OpenSC's "default" card driver, so the only APDUs sent are
# the ones given (the plugin's card matching would select the JPKI AP first).
other_apdus() { # hex APDU...
	for apdu in "$@"; do
		set -- "$@" -s "$apdu"
		shift
	done
	opensc-tool -c default "$@" >"$work/other.out" 2>"$work/other.err"
}
# opensc-tool's answers: exactly N, each 90 00.
apdus_all_9000() { # N
	[ "$(grep -c '^Received (SW1=0x90, SW2=0x00)' "$work/other.out")" = "$1" ] &&
		[ "$(grep -c '^Received' "$work/other.out")" = "$1" ]
}
# The status word of the last APDU opensc-tool sent, as 4 hex digits.
apdus_last_sw() {
	grep '^Received' "$work/other.out" | tail -n 1 |
		sed -n 's/.*SW1=0x\([0-9A-Fa-f]*\), SW2=0x\([0-9A-Fa-f]*\).*/\1\2/p' | tr 'a-f' 'A-F'
}
AID_JPKI=D392F000260100000001
AID_TEXT=D3921000310001010408
SELECT_JPKI=00A4040C0A$AID_JPKI
SELECT_TEXT=00A4040C0A$AID_TEXT

# Each returns 0 when the tool did what it should; output in $work/other.out.
other_action() { # name
	case $1 in
		select-text) other_apdus "$SELECT_TEXT" && apdus_all_9000 1 ;;
		select-jpki) other_apdus "$SELECT_JPKI" && apdus_all_9000 1 ;;
		select-sign-pin-ef) other_apdus "$SELECT_JPKI" 00A4020C02001B && apdus_all_9000 2 ;;
		select-sign-key-ef) other_apdus "$SELECT_JPKI" 00A4020C02001A && apdus_all_9000 2 ;;
		select-text-pin-ef) other_apdus "$SELECT_TEXT" 00A4020C020011 && apdus_all_9000 2 ;;
		dump)
			pkcs15-tool --dump </dev/null >"$work/other.out" 2>"$work/other.err" &&
				grep -q 'User Authentication PIN' "$work/other.out" ;;
		verify-02)
			pkcs15-tool --verify-pin --auth-id 02 --pin "$sign_pin" </dev/null >"$work/other.out" 2>"$work/other.err" ;;
		sign-02)
			new_message
			openssl dgst -sha256 -binary "$msg" >"$msg.hash" &&
				pkcs15-crypt --sign --key 02 --sha-256 --pkcs1 --pin "$sign_pin" -R \
					-i "$msg.hash" -o "$msg.sig02" </dev/null >"$work/other.out" 2>"$work/other.err" &&
				[ "$(signer_of "$msg.sig02" "$msg")" = 02 ] ;;
		card-face)
			pkcs15-tool --read-data-object "My Number" --verify-pin --auth-id 03 --pin "$text_pin" --raw \
				</dev/null >"$work/other.out" 2>"$work/other.err" &&
				[ "$(tail -c 12 "$work/other.out")" = "$my_number" ] ;;
		*) shared_die usage "unknown other action $1" ;;
	esac
}
# Runs one; a failure of the other process is a failure too (it shares the card).
other() { # name
	if other_action "$1"; then
		return 0
	fi
	shared_bad "other-$1" "the other process's $1 failed: $(tail -n 3 "$work/other.out" "$work/other.err" 2>/dev/null | tr '\n' ' ')"
	return 1
}

# ---- for e2e-detection, e2e-logs and e2e-answers (issue 11) ----------------------
# Outer half: a private copy of the plugin module for the whole run. Another
# engineer may rebuild build/plain while the cases run, and OpenSC quietly
# falls back to its built-in jpki driver when the module it should load is
# missing or half written. Call after shared_outer_setup.
shared_private_module() {
	copy=$outer_work/opensc-jpki.so
	attempt=1
	while :; do
		cp "$OPENSC_JPKI_MODULE" "$copy" 2>/dev/null && sleep 1 && cmp -s "$OPENSC_JPKI_MODULE" "$copy" && break
		[ "$attempt" -lt 10 ] || shared_die prerequisites "$OPENSC_JPKI_MODULE keeps changing (a build running?)"
		attempt=$((attempt + 1))
	done
	OPENSC_JPKI_MODULE=$copy
	export OPENSC_JPKI_MODULE
}
# An opensc.conf, plugin-first with that module, and tests/lib/opensc-conf.sh's
# options (--card-info, --card-info-pkcs11, --debug N --debug-file F,
# --pin-cache-ignore-user-consent...). Outer or inner half.
shared_conf() { # file, [opensc-conf.sh option]...
	conf_file=$1
	shift
	sh "$top_srcdir/tests/lib/opensc-conf.sh" plugin-first "$@" >"$conf_file" ||
		shared_die prerequisites "tests/lib/opensc-conf.sh plugin-first $*: failed"
}

# Inner half: VERIFY commands with data (a PIN sent to the card) in the trace
# since a line, for one PIN EF: the EF selected last before them (0018
# authentication, 001B signature, 0011 text AP). An AP SELECT forgets the EF.
trace_verifies_since() { # first line (1-based), EF as 4 hex digits
	tail -n +"$1" "$trace" | awk -v ef="$2" '
		$2 == "00" && $3 == "A4" && $4 == "02" { cur = $7 $8 }
		$2 == "00" && $3 == "A4" && $4 == "04" { cur = "" }
		$2 == "00" && $3 == "20" && $4 == "00" && $5 == "80" && $6 ~ /^[0-9A-F][0-9A-F]$/ && $7 != "=>" { if (cur == ef) n++ }
		END { print n + 0 }'
}
# VERIFY commands with data in the whole trace, any PIN.
trace_verifies_all() {
	grep -Ec '^#[0-9]+ 00 20 00 80 [0-9A-F]{2} ' "$trace" || true
}

# ---- another process's raw attempts on what a PIN protects (commit ee0ff25) ------
# No PIN may be left verified on the card for another process to use: not the
# signature PIN between a consent and its C_Sign, not the text-AP PIN after a
# card-face read. Each attempt goes twice: first without an AP SELECT (with
# the default card, selecting the AP again drops its PINs by itself, so only
# this shows a PIN left verified in the AP that is current), then with it (on
# a card with reselect_clears_pin=no, where the AP SELECT keeps the PIN).
# Checks NAME-no-ap-select and NAME; the trace must show no answer 90 00.
RAW_SIGN_OK='^#[0-9]+ 80 2A .*=> [0-9]+ bytes \+ 90 00'
RAW_READ_OK='^#[0-9]+ 00 B0 .*=> [0-9]+ bytes \+ 90 00'
# One attempt: APDUs as given; the last one is the protected command, whose
# answers in the trace match ok_pattern when the card obeyed.
raw_attempt() { # check, what, ok pattern, want sw ('' = anything but 9000), APDU...
	# raw_*: the callers' variables (from, check, sw...) stay theirs.
	raw_check=$1
	raw_what=$2
	raw_ok_pattern=$3
	raw_want_sw=$4
	shift 4
	raw_from=$(($(trace_lines) + 1))
	other_apdus "$@" ||
		shared_bad "$raw_check" "opensc-tool failed: $(tail -n 3 "$work/other.err" | tr '\n' ' ')"
	raw_sw=$(apdus_last_sw)
	raw_obeyed=$(trace_since "$raw_from" "$raw_ok_pattern")
	raw_card_sw=$(tail -n +"$raw_from" "$trace" | tail -n 1 | sed 's/.*=> //')
	if [ "$raw_obeyed" -eq 0 ] && [ -n "$raw_sw" ] && [ "$raw_sw" != 9000 ] &&
		{ [ -z "$raw_want_sw" ] || [ "$raw_sw" = "$raw_want_sw" ]; }; then
		shared_ok "$raw_check: another process's $raw_what: refused ($raw_sw, trace '$raw_card_sw')"
	else
		shared_bad "$raw_check" "another process's $raw_what: opensc-tool '$raw_sw', trace '$raw_card_sw', answered 90 00 $raw_obeyed time(s) (expected a refusal${raw_want_sw:+ $raw_want_sw})"
	fi
}
# A key: [SELECT JPKI AP,] SELECT EF 001A (or the EF given: 0017 for key
# 01), 80 2A <SHA-256 DigestInfo> 00.
other_raw_sign() { # check name, [key EF, 4 hex digits]
	raw_key_ef=${2:-001A}
	printf 'raw signature attempt %s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$work/raw-sign.msg"
	raw_digest=$(openssl dgst -sha256 -binary "$work/raw-sign.msg" | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F')
	raw_sign_apdu=802A0080333031300D060960864801650304020105000420${raw_digest}00
	raw_attempt "$1-no-ap-select" "SELECT $raw_key_ef, 80 2A (no AP SELECT)" "$RAW_SIGN_OK" "" \
		00A4020C02"$raw_key_ef" "$raw_sign_apdu"
	raw_attempt "$1" "SELECT JPKI AP, SELECT $raw_key_ef, 80 2A" "$RAW_SIGN_OK" 6982 \
		"$SELECT_JPKI" 00A4020C02"$raw_key_ef" "$raw_sign_apdu"
}
# The card face: [SELECT text AP,] SELECT EF 0001 (My Number), READ BINARY 17 bytes.
other_raw_text_read() { # check name
	raw_attempt "$1-no-ap-select" "SELECT 0001, READ BINARY (no AP SELECT)" "$RAW_READ_OK" "" \
		00A4020C020001 00B0000011
	raw_attempt "$1" "SELECT text AP, SELECT 0001, READ BINARY" "$RAW_READ_OK" 6982 \
		"$SELECT_TEXT" 00A4020C020001 00B0000011
}
