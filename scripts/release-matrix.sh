#!/bin/sh
# Runs the README's two commands (scripts/demo.sh, then scripts/test.sh) on a
# fresh clone of this repository in a clean chroot of each Debian release, and
# prints one line per release: release, OpenSC version, demo ok/fail, the test
# summary line, times (all; making the chroot, the demo, the tests). Each
# chroot has the apt sources of an installed system (RELEASE-updates and
# RELEASE-security, scripts/chroot-lib.sh): its OpenSC is the one users get. Then each release's stock OpenSC is given the modules the
# other releases built (and this machine's own build/plain one, when there is
# one): every one must be refused, and the log must say why
# (tests/module/cross-load.sh); one line per release. Exit status 0 when every
# demo, every test summary ("N passed, 0 failed") and every cross-load check
# passed, 1 otherwise.
#   release-matrix.sh [bookworm|trixie|sid]...     (default: all three)
# Needs root and the network to the Debian archive. The clone is of the current
# commit (HEAD): commit what is to be tried. Environment:
#   MATRIX_TEST_ARGS  arguments for scripts/test.sh (e.g. --quick)
#   MATRIX_KEEP=1     keep each chroot (its path is printed) instead of removing it
#   MATRIX_MIRROR     the archive (default http://deb.debian.org/debian)
#   MATRIX_SECURITY_MIRROR  its security archive (default http://deb.debian.org/debian-security)
#   MATRIX_BENCH=1    also run the benchmark (bench/run.sh --reps 3 --latency 0)
#                     in each release; its run lines are kept as
#                     ~/.cache/opensc-jpki/matrix/RELEASE/bench.tsv, and
#                     bench/releases.sh puts them side by side
# The minbase system of each release is made once by debootstrap and kept as a
# tarball in ~/.cache/opensc-jpki/chroots/ (outside the repository); logs go to
# ~/.cache/opensc-jpki/matrix/RELEASE/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${OPENSC_JPKI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opensc-jpki}
note() { echo "release-matrix: $*" >&2; }
# shellcheck source=scripts/chroot-lib.sh
. "$top/scripts/chroot-lib.sh"

[ $# -gt 0 ] || set -- bookworm trixie sid
chroot_check_suites "$@"
made="" # suite=chroot of every release run, kept until the cross-load checks

status=0
for suite in "$@"; do
	logs=$cache/matrix/$suite
	mkdir -p "$logs"
	start=$(date +%s)
	if ! chroot_make "$suite" "$suite"; then
		status=1
		verdict '%-9s %-16s %-9s %s %ss\n' "$suite" "-" "-" "no chroot (debootstrap or apt-get update failed; $cache/chroots/)" "$(( $(date +%s) - start ))"
		continue
	fi
	made="$made $suite=$root"
	ready=$(date +%s)
	matrix_readme "$suite" "$logs" "" || status=1
	opensc=$(in_chroot "dpkg-query -W -f '\${Version}' opensc-pkcs11 2>/dev/null" || true)
	matrix_bench "$suite" "$logs" || status=1
	rm -f "$logs/opensc-jpki.so" "$logs/opensc-version"
	cp "$root/root/opensc-jpki/build/plain/src/.libs/opensc-jpki.so" "$logs/opensc-jpki.so" 2>/dev/null ||
		note "$suite: no module was built"
	echo "${opensc%%-*}" >"$logs/opensc-version"
	end=$(date +%s)
	verdict '%-9s OpenSC %-16s demo %-4s %s %ss (chroot %ss, demo %ss, test %ss)\n' "$suite" "${opensc:--}" "$demo" "$summary" \
		"$((end - start))" "$((ready - start))" "$demo_s" "$test_s"
done

# ---- each release's OpenSC and the other releases' modules --------------------
# The modules: each chroot's, and this machine's own build when it has one,
# each with the OpenSC version it was built for; a module meets only the
# OpenSC releases of other versions.
modules=""
for r in $made; do
	suite=${r%%=*}
	[ ! -f "$cache/matrix/$suite/opensc-jpki.so" ] ||
		modules="$modules $suite=$cache/matrix/$suite/opensc-jpki.so"
done
version_of() { # participant -> its OpenSC version
	if [ "$1" = "$host" ]; then
		opensc-tool --info 2>/dev/null | sed -n 's/^OpenSC \([^ ]*\) .*/\1/p'
	else
		cat "$cache/matrix/$1/opensc-version" 2>/dev/null
	fi
}
host=""
if [ -f "$top/build/plain/src/.libs/opensc-jpki.so" ] && command -v opensc-tool >/dev/null 2>&1; then
	host="this-machine-$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-unknown}")"
	modules="$modules $host=$top/build/plain/src/.libs/opensc-jpki.so"
fi
for r in $made; do
	suite=${r%%=*}
	root=${r#*=}
	args=""
	for m in $modules; do
		[ "$(version_of "${m%%=*}")" != "$(version_of "$suite")" ] || continue
		cp "${m#*=}" "$root/tmp/cross-${m%%=*}.so"
		args="$args ${m%%=*}=/tmp/cross-${m%%=*}.so"
	done
	[ -n "$args" ] || continue
	matrix_cross "$suite" "$(in_chroot "sh /root/opensc-jpki/tests/module/cross-load.sh $args" 2>&1)" || status=1
done
if [ -n "$host" ]; then
	args=""
	for m in $modules; do
		[ "$(version_of "${m%%=*}")" = "$(version_of "$host")" ] || args="$args $m"
	done
	# shellcheck disable=SC2086 # one word per module
	[ -z "$args" ] || matrix_cross "$host" "$(sh "$top/tests/module/cross-load.sh" $args 2>&1)" || status=1
fi
chroot_teardown
exit "$status"
