#!/bin/sh
# One benchmark session: runs inside tests/harness/with-card.sh (one virtual card,
# one private pcscd, one opensc.conf) and runs each workload REPS times.
#
#   session.sh --out TSV --label LABEL --reps N [--p11-sign PATH] [--p11-module PATH]
#              [--work DIR] [--trace FILE --apdus FILE] WORKLOAD...
#
# Appends one tab-separated line per run to TSV:
#   label workload run exit_code apdus bytes_in bytes_out resets wall_ns
# APDU and byte figures are deltas of the card's stats file around the command
# (the card counts what reached it; nothing else talks to it during a session).
# With --trace (the card's APDU trace, jpki-sim --trace) the APDUs of each run
# are appended to the --apdus file as: label workload run trace-line.
# After the workloads, one unmeasured `opensc-tool -n -v` records which card
# driver bound the card:  label driver - - ... NAME
#
# Needs from the harness: JPKI_SIM_STATS, JPKI_IDENTITY, OPENSC_CONF.
# The PINs come from $JPKI_IDENTITY/pins and travel to the tools only through
# the environment of the one command that needs them (`--pin env:VAR`).
set -eu

out=""
label=""
reps=1
p11_sign=""
p11_module=""
work=""
trace=""
apdus=""
while [ $# -gt 0 ]; do
	case "$1" in
		--out) out=$2; shift 2 ;;
		--label) label=$2; shift 2 ;;
		--reps) reps=$2; shift 2 ;;
		--p11-sign) p11_sign=$2; shift 2 ;;
		--p11-module) p11_module=$2; shift 2 ;;
		--work) work=$2; shift 2 ;;
		--trace) trace=$2; shift 2 ;;
		--apdus) apdus=$2; shift 2 ;;
		--) shift; break ;;
		-*) echo "session.sh: unknown option $1" >&2; exit 2 ;;
		*) break ;;
	esac
done
[ -n "$out" ] && [ -n "$label" ] && [ $# -gt 0 ] || { echo "session.sh: need --out, --label and workloads" >&2; exit 2; }
: "${JPKI_SIM_STATS:?session.sh: JPKI_SIM_STATS not set (run inside tests/harness/with-card.sh)}"
: "${JPKI_IDENTITY:?session.sh: JPKI_IDENTITY not set}"
: "${OPENSC_CONF:?session.sh: OPENSC_CONF not set}"
[ -n "$work" ] || work=$(dirname "$out")

# Reads one counter; the card rewrites the file after every APDU, so an empty
# read (caught mid-rewrite) is retried.
stat_value() {
	tries=0
	while :; do
		value=$(sed -n "s/^$1=//p" "$JPKI_SIM_STATS" 2>/dev/null | head -n 1)
		[ -z "$value" ] || { echo "$value"; return 0; }
		tries=$((tries + 1))
		[ $tries -lt 50 ] || { echo "session.sh: no $1= in $JPKI_SIM_STATS" >&2; return 1; }
		sleep 0.02
	done
}

snapshot() {
	echo "$(stat_value apdus) $(stat_value bytes_in) $(stat_value bytes_out) $(stat_value resets)"
}

pin_of() {
	sed -n "s/^$1=//p" "$JPKI_IDENTITY/pins" | head -n 1
}

# Runs one workload with its output in $work/LABEL.WORKLOAD.RUN.{out,err}.
run_workload() {
	workload=$1
	run=$2
	base="$work/$label.$workload.$run"
	case "$workload" in
		opensc-tool-n)
			opensc-tool -n >"$base.out" 2>"$base.err" ;;
		dump)
			pkcs15-tool --dump >"$base.out" 2>"$base.err" ;;
		read-cert-2)
			JPKI_BENCH_PIN=$(pin_of sign) \
			pkcs15-tool --read-certificate 2 --verify-pin --auth-id 02 --pin env:JPKI_BENCH_PIN \
				>"$base.out" 2>"$base.err" ;;
		sign-20)
			[ -n "$p11_sign" ] && [ -n "$p11_module" ] || { echo "session.sh: sign-20 needs --p11-sign and --p11-module" >&2; return 2; }
			JPKI_BENCH_PIN=$(pin_of auth) \
			"$p11_sign" --module "$p11_module" --id 01 --count 20 --pin-env JPKI_BENCH_PIN \
				--sig-out "$base.sig" >"$base.out" 2>"$base.err" ;;
		*) echo "session.sh: unknown workload $workload" >&2; return 2 ;;
	esac
}

# Checks the result is the right one, so a fast wrong answer cannot look good.
check_output() {
	workload=$1
	base="$work/$label.$workload.$2"
	case "$workload" in
		opensc-tool-n)
			[ -s "$base.out" ] ;;
		dump)
			grep -q "User Authentication Certificate" "$base.out" &&
			grep -q "Digital Signature Certificate" "$base.out" ;;
		read-cert-2)
			openssl x509 -in "$base.out" -outform DER -out "$base.der" 2>/dev/null &&
			cmp -s "$base.der" "$JPKI_IDENTITY/jpki/0001" ;;
		sign-20)
			openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000A" -pubkey -noout >"$base.pub" 2>/dev/null &&
			printf '%s' "opensc-jpki benchmark: the same message each time" |
				openssl dgst -sha256 -verify "$base.pub" -signature "$base.sig" >/dev/null 2>&1 ;;
	esac
}

# One result line from the counters before (4 values) and after (4 values) and
# the wall time; shell arithmetic is 64-bit, awk's printf %d is not everywhere.
run_line() {
	printf '%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n' "$label" "$workload" "$run" "$rc" \
		$(($5 - $1)) $(($6 - $2)) $(($7 - $3)) $(($8 - $4)) "$9"
}

# The trace lines of one run: APDU numbers after the "before" count up to the
# "after" count (the card numbers APDUs from 1 over its lifetime).
trace_slice() {
	awk -v first=$(($1 + 1)) -v last="$5" -v prefix="$label	$workload	$run" '
		/^#[0-9]+ / { n = substr($1, 2) + 0; if (n >= first && n <= last) print prefix "\t" $0 }
	' "$trace"
}

for workload in "$@"; do
	run=1
	while [ "$run" -le "$reps" ]; do
		before=$(snapshot)
		start_ns=$(date +%s%N)
		if run_workload "$workload" "$run"; then rc=0; else rc=$?; fi
		end_ns=$(date +%s%N)
		after=$(snapshot)
		if [ "$rc" -eq 0 ] && ! check_output "$workload" "$run"; then
			echo "session.sh: $label $workload run $run: wrong output" >&2
			rc=100
		fi
		if [ "$rc" -ne 0 ]; then
			echo "session.sh: $label $workload run $run failed ($rc):" >&2
			tail -n 5 "$work/$label.$workload.$run.err" >&2 2>/dev/null || true
		fi
		# shellcheck disable=SC2086
		run_line $before $after $((end_ns - start_ns)) >>"$out"
		# shellcheck disable=SC2086
		[ -z "$trace" ] || [ -z "$apdus" ] || trace_slice $before $after >>"$apdus"
		run=$((run + 1))
	done
done

# The driver's long name is what opensc-tool prints; its short name (the one
# opensc.conf uses) comes from the driver list, which needs no card.
driver_long=$(opensc-tool -n -v 2>/dev/null | sed -n 's/^Using card driver \(.*\)\.$/\1/p' | head -n 1)
driver=$(opensc-tool -D 2>/dev/null | awk -v long="$driver_long" '
	NR > 1 { short = $1; $1 = ""; sub(/^ +/, ""); if ($0 == long) { print short; exit } }')
printf '%s\tdriver\t-\t-\t-\t-\t-\t-\t%s\n' "$label" "${driver:-${driver_long:-none}}" >>"$out"
