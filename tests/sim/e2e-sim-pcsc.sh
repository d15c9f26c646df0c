#!/bin/sh
# jpki-sim through the whole stack: a private pcscd with vpcd, the plugin in
# OPENSC_CONF, and stock opensc-tool sending APDUs. Checks the ATRs, the status
# words and data of raw APDUs, the stats file, and that the harness leaves no
# process behind.
set -eu
: "${top_srcdir:?run from make check}"
: "${top_builddir:?run from make check}"
: "${OPENSC_JPKI_MODULE:?run from make check}"
harness=$top_srcdir/tests/harness/with-card.sh

[ -f "$OPENSC_JPKI_MODULE" ] || { echo "FAIL: no module at $OPENSC_JPKI_MODULE" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/e2e-sim-pcsc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
check_eq() { # what, expected, actual
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		fail "$1: expected '$2', got '$3'"
	fi
}

# The processes of one harness run must be gone once it returns.
check_stopped() { # pid file written by the command
	[ -s "$1" ] || { fail "the command did not record the harness's processes"; return; }
	for pid in $(cat "$1"); do
		if kill -0 "$pid" 2>/dev/null; then
			fail "process $pid ($(cat /proc/"$pid"/comm 2>/dev/null)) still runs after the harness"
			kill -TERM "$pid" 2>/dev/null || true
		fi
	done
	echo "ok: harness processes $(tr '\n' ' ' < "$1")gone"
}

# Colon-separated lower-case hex, as opensc-tool --atr prints it.
atr_test() { # label, --set value, expected ATR
	rc=0
	sh "$harness" --set "$2" -- sh -c 'opensc-tool --atr > "$1/atr.out" 2>&1; echo "$JPKI_SIM_PID $JPKI_PCSCD_PID" > "$1/pids"' \
		sh "$tmp" || rc=$?
	check_eq "harness exit code ($1)" 0 "$rc"
	check_eq "opensc-tool --atr, $1 card" "$3" "$(grep -i '^3b' "$tmp/atr.out" | head -n 1)"
	check_stopped "$tmp/pids"
}

atr_test contact atr_index=0 "3b:da:13:ff:81:31:fb:46:80:12:39:2f:31:c1:73:c6:01:c0:3b"
atr_test contactless atr_index=5 "3b:88:80:01:00:00:41:e0:b3:81:a1:00:3b"
atr_test unknown atr=3B:8A:80:01:80:31:F8:73:F7:41:E0:82:90:00:75 "3b:8a:80:01:80:31:f8:73:f7:41:e0:82:90:00:75"

# ---- raw APDUs in one session -------------------------------------------------
cat > "$tmp/apdus.sh" <<'SCRIPT'
#!/bin/sh
# Runs inside the harness: $1 is where to leave the results.
set -eu
out=$1
echo "$JPKI_SIM_PID $JPKI_PCSCD_PID" > "$out/pids"
od -An -tx1 -N16 "$JPKI_IDENTITY/jpki/000A" | tr -d ' \n' > "$out/cert_head"
auth_pin=$(sed -n 's/^auth=//p' "$JPKI_IDENTITY/pins")
# A PIN of the right format that is not the card's.
wrong_pin=0000
[ "$auth_pin" != 0000 ] || wrong_pin=1111
ascii_hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
jpki=00A4040C0AD392F000260100000001
opensc-tool \
	-s $jpki \
	-s 00A4040C0AD392F000260100000002 \
	-s $jpki \
	-s 00A4020C02000A \
	-s 00B0000010 \
	-s 00A4020C020001 \
	-s 00B0000004 \
	-s 00A4020C020018 \
	-s 00200080 \
	-s "0020008004$(ascii_hex "$wrong_pin")" \
	-s 00200080 \
	-s 0084000008 \
	> "$out/apdus.out" 2>&1
cp "$JPKI_SIM_STATS" "$out/stats.after-wrong"
opensc-tool -s $jpki -s 00A4020C020018 -s "0020008004$(ascii_hex "$auth_pin")" -s 00200080 \
	> "$out/verify.out" 2>&1
cp "$JPKI_SIM_STATS" "$out/stats.after-right"
SCRIPT

rc=0
sh "$harness" --trace "$tmp/trace" -- sh "$tmp/apdus.sh" "$tmp" || rc=$?
check_eq "harness exit code (APDUs)" 0 "$rc"
check_stopped "$tmp/pids"

# The status words, in order.
sws() { sed -n 's/^Received (SW1=0x\(..\), SW2=0x\(..\)).*/\1\2/p' "$1" | tr '\n' ' '; }
check_eq "status words" "9000 6A82 9000 9000 9000 9000 6982 9000 63C3 63C2 63C2 6D00 " "$(sws "$tmp/apdus.out")"
check_eq "status words (right PIN)" "9000 9000 9000 63C3 " "$(sws "$tmp/verify.out")"

# READ BINARY of EF 000A: the first 16 bytes of the identity's certificate.
expected=$(cat "$tmp/cert_head")
actual=$(sed -n '/^Sending: 00 B0 00 00 10/,/^Sending/{/^[0-9A-F][0-9A-F] /p}' "$tmp/apdus.out" \
	| head -n 1 | cut -c1-47 | tr -d ' ' | tr 'A-F' 'a-f')
[ ${#expected} -eq 32 ] || fail "could not read the identity's certificate"
check_eq "EF 000A bytes 0-15 = the identity's certificate" "$expected" "$actual"

stat_of() { sed -n "s/^$2=//p" "$1"; }
check_eq "stats: tries_auth after a wrong PIN" 2 "$(stat_of "$tmp/stats.after-wrong" tries_auth)"
check_eq "stats: tries_sign untouched" 5 "$(stat_of "$tmp/stats.after-wrong" tries_sign)"
check_eq "stats: VERIFYs counted" 3 "$(stat_of "$tmp/stats.after-wrong" ins_20)"
check_eq "stats: GET CHALLENGE counted" 1 "$(stat_of "$tmp/stats.after-wrong" ins_84)"
check_eq "stats: tries_auth after the right PIN" 3 "$(stat_of "$tmp/stats.after-right" tries_auth)"
check_eq "stats: VERIFYs counted after" 5 "$(stat_of "$tmp/stats.after-right" ins_20)"

# The trace never shows a PIN value.
if grep -q '00 20 00 80 04 \*\* \*\* \*\* \*\*' "$tmp/trace" && ! grep -q '00 20 00 80 04 3' "$tmp/trace"; then
	echo "ok: trace masks the PIN bytes"
else
	fail "trace does not mask the PIN bytes: $(grep ' 00 20 00 80 04' "$tmp/trace" | head -n 2)"
fi

# ---- latency from a --config file, and exit codes --------------------------------
printf '# jpki-sim settings\nlatency_ms = 150   # per APDU\n' > "$tmp/slow.conf"
cat > "$tmp/slow.sh" <<'SCRIPT'
set -eu
echo "$JPKI_SIM_PID $JPKI_PCSCD_PID" > "$1/pids"
start=$(date +%s%N)
opensc-tool -s 00A4040C0AD392F000260100000001 -s 00A4020C020006 -s 00B0000014 > "$1/slow.out" 2>&1
end=$(date +%s%N)
echo $(( (end - start) / 1000000 )) > "$1/elapsed_ms"
cp "$JPKI_SIM_STATS" "$1/stats.slow"
exit 7
SCRIPT
rc=0
sh "$harness" --sim-config "$tmp/slow.conf" -- sh "$tmp/slow.sh" "$tmp" || rc=$?
check_eq "harness returns the command's exit code" 7 "$rc"
check_stopped "$tmp/pids"
apdus=$(stat_of "$tmp/stats.slow" apdus)
elapsed=$(cat "$tmp/elapsed_ms")
if [ -n "$apdus" ] && [ "$apdus" -ge 3 ] && [ "$elapsed" -ge $((apdus * 150)) ]; then
	echo "ok: latency_ms=150 from the config file: $apdus APDUs took $elapsed ms"
else
	fail "latency_ms=150: $apdus APDUs took $elapsed ms"
fi
check_eq "status words (slow card)" "9000 9000 9000 " "$(sws "$tmp/slow.out")"

rc=0
sh "$harness" --identity "$tmp/no-such-identity" -- true 2>"$tmp/harness.err" || rc=$?
check_eq "harness failure exit code" 125 "$rc"
grep -q "no-such-identity" "$tmp/harness.err" || fail "harness error does not name the identity: $(cat "$tmp/harness.err")"

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed" >&2; exit 1; }
echo "all checks passed"
