#!/bin/sh
# The whole test suite: unit tests (also under ASan/UBSan), end-to-end tests with
# the stock OpenSC tools through pcscd and the virtual card, the fuzzers for a
# bounded time, and `make distcheck`. Ends with one "N passed, N failed" line.
#   scripts/test.sh [--quick]    --quick: skip fuzzing and distcheck
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
quick=no
[ "${1:-}" = "--quick" ] && quick=yes
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${FUZZ_SECONDS:-30}

"$top/scripts/install-deps.sh"

passed=0
group_failed=0
failed=0
failures=""
record() { # name, exit code
	if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures $1"; fi
}
# An automake test-suite.log holds the logs of the tests that failed: shows them.
show_failures() { # test-suite.log
	sed -n '/^FAIL:\|^ERROR:\|^XPASS:/,$p' "$1" | head -n 400 >&2
}
# Adds the counts of an automake test-suite.log to the totals and shows failures.
tally() { # builddir, label
	log=$1/test-suite.log
	if [ ! -f "$log" ]; then
		echo "== $2: no test-suite.log" >&2
		failed=$((failed + 1)); failures="$failures $2"
		return
	fi
	p=$(sed -n 's/^# PASS: *//p' "$log"); f=$(sed -n 's/^# FAIL: *//p' "$log")
	x=$(sed -n 's/^# XPASS: *//p' "$log"); e=$(sed -n 's/^# ERROR: *//p' "$log")
	s=$(sed -n 's/^# SKIP: *//p' "$log")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${x:-0} + ${e:-0}))
	[ "${s:-0}" -eq 0 ] || { echo "== $2: ${s} skipped tests count as failures" >&2; failed=$((failed + s)); }
	if [ $(( ${f:-0} + ${x:-0} + ${e:-0} )) -ne 0 ]; then
		failures="$failures $2"
		show_failures "$log"
	fi
	echo "== $2: ${p:-0} passed, $(( ${f:-0} + ${x:-0} + ${e:-0} )) failed"
	group_failed=$(( ${f:-0} + ${x:-0} + ${e:-0} ))
}

# pcsc-lite 2.5 (Debian sid) now and then answers OpenSC's status query about a
# present reader with "unknown reader"; OpenSC then drops the card's tokens,
# and their sessions, until it lists the readers again. An end-to-end test that
# failed runs a second time only where tests/harness/pcsc-race.sh shows this
# system's pcsc-lite doing that. The first run's failure stays in this output
# and in test-suite-first-run.log; the lines below say which test passed the
# second time and why it had one.
second_runs() { # builddir, label
	again=""
	for t in $(cd "$1" && make -s print-e2e-tests); do
		! grep -qx ':test-result: FAIL' "$1/$t.trs" 2>/dev/null || again="$again $t"
	done
	[ -n "$again" ] || return 0
	rc=0
	verdict=$(cd "$1" && sh "$top/tests/harness/pcsc-race.sh") || rc=$?
	echo "== pcsc-race.sh: $verdict"
	[ "$rc" -eq 0 ] || return 0
	cp "$1/test-suite.log" "$1/test-suite-first-run.log"
	for t in $again; do
		if (cd "$1" && make -s check TESTS="$t" >/dev/null 2>&1); then
			echo "== $2: $t failed, then passed its second run (pcsc-lite's race above)"
			passed=$((passed + 1)); failed=$((failed - 1)); group_failed=$((group_failed - 1))
		else
			echo "== $2: $t failed its second run too" >&2
			show_failures "$1/test-suite.log"
		fi
	done
	[ "$group_failed" -ne 0 ] || failures=$(echo "$failures" | sed "s/ $2\$//; s/ $2 / /")
}

# A build that fails counts as one failure, and the run goes on to its summary
# line (scripts/release-matrix.sh reads it, on releases the tree may not build on).
build() { # flavour
	rc=0
	"$top/scripts/build.sh" "$1" || rc=$?
	[ "$rc" -eq 0 ] || { echo "== build ($1) failed" >&2; record "build-$1" "$rc"; }
	return "$rc"
}

echo "== build (plain)"
if build plain; then
	(cd "$top/build/plain" && make -s -j"$jobs" check >/dev/null 2>&1) || true
	tally "$top/build/plain" "unit+e2e"
	second_runs "$top/build/plain" "unit+e2e"
fi

echo "== build (ASan/UBSan)"
if build sanitizers; then
	# The module loaded into the stock tools cannot carry ASan; the unit tests do.
	(cd "$top/build/sanitizers" && ASAN_OPTIONS=detect_leaks=1 make -s -j"$jobs" check 'TESTS=$(UNIT_TESTS)' >/dev/null 2>&1) || true
	# UBSan alone where this OpenSC loads libpcsclite with RTLD_DEEPBIND
	# (configure says so; 0.27.0-rc1).
	sanitizers=$(sed -n 's/^SANITIZERS = //p' "$top/build/sanitizers/Makefile")
	[ "$sanitizers" = address,undefined ] || echo "== sanitizers: $sanitizers only (configure: this OpenSC loads libpcsclite with RTLD_DEEPBIND, which AddressSanitizer refuses)"
	tally "$top/build/sanitizers" "unit (sanitizers)"
fi

if [ "$quick" = no ]; then
	echo "== fuzzing (${fuzz_seconds}s per target)"
	if build fuzz; then
		rc=0
		"$top/fuzz/run-fuzzers.sh" "$fuzz_seconds" "$top/build/fuzz" || rc=$?
		record fuzzing "$rc"
	fi

	echo "== distcheck"
	rc=0
	if [ ! -f "$top/build/plain/Makefile" ]; then
		rc=1 # not even configured: the build's failure says why
	elif ! (cd "$top/build/plain" && make -s distcheck 'TESTS=$(UNIT_TESTS)' >distcheck.log 2>&1); then
		rc=1
		tail -30 "$top/build/plain/distcheck.log" >&2
	fi
	record distcheck "$rc"
fi

[ -z "$failures" ] || echo "failed:$failures" >&2
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
