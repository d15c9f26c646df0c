#!/bin/sh
# The plugin against upstream OpenSC releases that Debian's archive does not
# serve here (what Ubuntu, Fedora and Arch ship; ../shared/opensc/README.md):
# for each VERSION, a clean bookworm chroot with the apt sources of an
# installed system (scripts/chroot-lib.sh), OpenSC's build dependencies, and
# that OpenSC built from its tarball and installed as the system's OpenSC
# (scripts/build-opensc.sh VERSION /opt/opensc --install). Then, on a fresh
# clone of HEAD, the README's two commands with
# OPENSC_JPKI_OPENSC_SRC=/opt/opensc/src: scripts/demo.sh and scripts/test.sh
# ${MATRIX_TEST_ARGS}. Then each version's OpenSC is given the modules the
# other versions built (tests/module/cross-load.sh): every one must be refused.
#   upstream-matrix.sh [--unit-only] [VERSION...]
#     VERSION: 0.22.0 0.24.0 0.25.0-rc1 0.25.1 0.26.0 0.27.0-rc1 0.27.1
#              master-14c80b0 (an OpenSC-VERSION.tar.gz beside SHA256SUMS in
#              OPENSC_JPKI_UPSTREAM, default ../shared/opensc); none: all
#     --unit-only: the VERSIONs get only the plugin's in-process unit tests
#              (configure --with-opensc-src, make, make check
#              TESTS='$(UNIT_TESTS)'), not demo.sh and test.sh
# UPSTREAM_MATRIX_UNIT_ONLY="VERSION..." names more versions for the unit tests
# alone (CI: the whole suite on some versions, the unit tests on the others); a
# version named both ways gets both, in one chroot, with OpenSC built once.
# Prints one line per version and way: VERSION, the OpenSC version its library
# reports, demo ok/fail (or "unit"), the test summary line ("N passed, N
# failed"), seconds (all; and each step). Then one cross-load line per
# version. Exit status 0 when every OpenSC built, every demo worked, every
# summary says 0 failed and every cross-load check passed, 1 otherwise.
# Needs root and the network to the Debian archive; clones the current commit
# (HEAD): commit what is to be tried. Logs: ~/.cache/opensc-jpki/upstream-matrix/VERSION/.
# UPSTREAM_MATRIX_OPENSC_BUILDS=DIR (never in CI) keeps each OpenSC this
# matrix built in its chroot (DIR/VERSION, scripts/build-opensc.sh's folder)
# and installs it from there in later runs instead of building it again: the
# plugin's side is what such a run tries, OpenSC's build takes 5 to 18 minutes.
# Environment as for release-matrix.sh: MATRIX_TEST_ARGS (e.g. --quick),
# MATRIX_KEEP=1, MATRIX_MIRROR, MATRIX_SECURITY_MIRROR, MATRIX_BENCH=1 (the
# benchmark after the tests, for the versions run end to end: LOGS/bench.tsv).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${OPENSC_JPKI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opensc-jpki}
upstream=${OPENSC_JPKI_UPSTREAM:-$top/../shared/opensc}
note() { echo "upstream-matrix: $*" >&2; }
# shellcheck source=scripts/chroot-lib.sh
. "$top/scripts/chroot-lib.sh"
suite=bookworm
matrix_width=14
all="0.22.0 0.24.0 0.25.0-rc1 0.25.1 0.26.0 0.27.0-rc1 0.27.1 master-14c80b0"

unit=${UPSTREAM_MATRIX_UNIT_ONLY:-}
builds=${UPSTREAM_MATRIX_OPENSC_BUILDS:-}
[ -z "$builds" ] || { mkdir -p "$builds" && builds=$(cd "$builds" && pwd); }
full=""
only_unit=no
[ "${1:-}" != --unit-only ] || { only_unit=yes; shift; }
# shellcheck disable=SC2086 # one word per version
[ $# -gt 0 ] || [ -n "$unit" ] || set -- $all
for v in "$@"; do
	if [ "$only_unit" = yes ]; then unit="$unit $v"; else full="$full $v"; fi
done
versions=$(echo "$unit $full" | tr ' ' '\n' | awk 'NF && !seen[$0]++')
[ -n "$versions" ] || { note "no version to run"; exit 2; }
for v in $versions; do
	[ -f "$upstream/OpenSC-$v.tar.gz" ] ||
		{ note "no $upstream/OpenSC-$v.tar.gz (versions: $all; OPENSC_JPKI_UPSTREAM names the folder)"; exit 2; }
done
[ -f "$upstream/SHA256SUMS" ] || { note "no $upstream/SHA256SUMS"; exit 2; }
chroot_check_suites "$suite"
has() { # list, word
	case " $1 " in *" $2 "*) return 0 ;; esac
	return 1
}

# What OpenSC's build needs (../shared/opensc/README.md), and what the plugin's
# unit tests need beside it (scripts/install-deps.sh installs the rest for
# demo.sh and test.sh). libp11-kit-dev: with it OpenSC's configure installs
# its p11-kit module file (opensc.module), as every distribution's package
# has it; p11-kit's clients (gnutls-cli, the tests' TLS and CMS cases) find
# OpenSC's PKCS#11 module through it.
opensc_deps="build-essential autoconf automake libtool pkg-config libssl-dev zlib1g-dev libpcsclite-dev libp11-kit-dev git"
unit_deps="libcmocka-dev openssl util-linux procps"

# Counts of an automake test-suite.log as scripts/test.sh counts them: a
# skipped test is a failure too.
summary_of() { # test-suite.log
	[ -f "$1" ] || { echo "no test-suite.log"; return; }
	awk '/^# (PASS|FAIL|XPASS|ERROR|SKIP): / { n[$2] = $3 }
		END { printf "%d passed, %d failed\n", n["PASS:"], n["FAIL:"] + n["XPASS:"] + n["ERROR:"] + n["SKIP:"] }' "$1"
}
seconds_since() { echo "$(( $(date +%s) - $1 ))"; }

status=0
made="" # version=chroot, kept until the cross-load checks
for v in $versions; do
	logs=$cache/upstream-matrix/$v
	rm -rf "$logs"
	mkdir -p "$logs"
	start=$(date +%s)
	steps=""
	if ! chroot_make "$suite" "upstream-$v"; then
		status=1
		verdict '%-14s no chroot (debootstrap or apt-get update failed; %s) %ss\n' "$v" "$cache/chroots/" "$(seconds_since "$start")"
		continue
	fi
	chroot_keep_debs "$suite"
	steps="chroot $(seconds_since "$start")s"

	t=$(date +%s)
	deps=$opensc_deps
	! has "$unit" "$v" || deps="$deps $unit_deps"
	note "$v: installing OpenSC's build dependencies (log: $logs/deps.log)"
	if ! in_chroot "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $deps" > "$logs/deps.log" 2>&1; then
		status=1
		failure_excerpt "$v deps" "$logs/deps.log"
		verdict '%-14s build dependencies not installed (%s) %ss\n' "$v" "$logs/deps.log" "$(seconds_since "$start")"
		chroot_drop
		continue
	fi
	steps="$steps, deps $(seconds_since "$t")s"

	# OpenSC from its tarball, hash checked, where build-opensc.sh looks
	# beside a clone: ../shared/opensc.
	t=$(date +%s)
	mkdir -p "$root/root/shared/opensc"
	cp "$upstream/OpenSC-$v.tar.gz" "$upstream/SHA256SUMS" "$root/root/shared/opensc/"
	if [ -n "$builds" ] && [ -f "$builds/$v/done" ]; then
		note "$v: OpenSC as an earlier run built it ($builds/$v), installed only"
		mkdir -p "$root/opt/opensc"
		cp -a "$builds/$v/." "$root/opt/opensc/"
	fi
	git clone -q "$top" "$root/root/opensc-build"
	note "$v: building and installing OpenSC $v (log: $logs/opensc.log)"
	if ! in_chroot "cd /root/opensc-build && scripts/build-opensc.sh $v /opt/opensc --install" > "$logs/opensc.log" 2>&1; then
		cp "$root/opt/opensc/build.log" "$logs/opensc-build.log" 2>/dev/null || true
		status=1
		failure_excerpt "$v OpenSC build" "$logs/opensc.log"
		verdict '%-14s OpenSC did not build (%s) %ss (%s)\n' "$v" "$logs/opensc.log" "$(seconds_since "$start")" "$steps"
		chroot_drop
		continue
	fi
	if [ -n "$builds" ] && [ ! -f "$builds/$v/done" ]; then
		rm -rf "$builds/$v.part" && mkdir -p "$builds/$v.part" &&
			cp -a "$root/opt/opensc/." "$builds/$v.part/" && mv "$builds/$v.part" "$builds/$v"
	fi
	made="$made $v=$root"
	steps="$steps, opensc $(seconds_since "$t")s"
	opensc=$(in_chroot "opensc-tool --info 2>/dev/null" | sed -n 's/^OpenSC \([^ ]*\) .*/\1/p')
	echo "${opensc:-unknown}" > "$logs/opensc-version"

	module="" tool=""
	# ---- the plugin's unit tests alone ----
	if has "$unit" "$v"; then
		t=$(date +%s)
		git clone -q "$top" "$root/root/opensc-jpki-unit"
		note "$v: unit tests against OpenSC $opensc (log: $logs/unit.log)"
		# shellcheck disable=SC2016 # make's $(UNIT_TESTS), for the chroot's shell
		in_chroot 'cd /root/opensc-jpki-unit && autoreconf -fi && mkdir build && cd build &&
			../configure -q --with-opensc-src=/opt/opensc/src && make -s -j"$(nproc)" &&
			make -s -j"$(nproc)" check TESTS="\$(UNIT_TESTS)"' > "$logs/unit.log" 2>&1 || true
		cp "$root/root/opensc-jpki-unit/build/test-suite.log" "$logs/unit-test-suite.log" 2>/dev/null || true
		summary=$(summary_of "$logs/unit-test-suite.log")
		[ -f "$logs/unit-test-suite.log" ] || summary="no summary line ($(grep -v '^$' "$logs/unit.log" | tail -n 1))"
		case "$summary" in
			*" passed, 0 failed") ;;
			*) status=1
				if [ -f "$logs/unit-test-suite.log" ]; then failure_excerpt "$v unit" "$logs/unit-test-suite.log"
				else failure_excerpt "$v unit" "$logs/unit.log"; fi ;;
		esac
		verdict '%-14s OpenSC %-12s unit      %s %ss (%s, unit %ss)\n' "$v" "${opensc:--}" "$summary" \
			"$(seconds_since "$start")" "$steps" "$(seconds_since "$t")"
		steps="$steps, unit $(seconds_since "$t")s"
		module=$root/root/opensc-jpki-unit/build/src/.libs/opensc-jpki.so
		tool=/root/opensc-jpki-unit/build/tools/opensc-jpki-config
	fi

	# ---- the README's two commands ----
	if has "$full" "$v"; then
		matrix_readme "$v" "$logs" OPENSC_JPKI_OPENSC_SRC=/opt/opensc/src || status=1
		matrix_bench "$v" "$logs" || status=1
		verdict '%-14s OpenSC %-12s demo %-4s %s %ss (%s, demo %ss, test %ss)\n' "$v" "${opensc:--}" "$demo" "$summary" \
			"$(seconds_since "$start")" "$steps" "$demo_s" "$test_s"
		module=$root/root/opensc-jpki/build/plain/src/.libs/opensc-jpki.so
		tool=/root/opensc-jpki/build/plain/tools/opensc-jpki-config
	fi
	rm -f "$logs/opensc-jpki.so"
	cp "$module" "$logs/opensc-jpki.so" 2>/dev/null || note "$v: no module was built"
	echo "$tool" > "$logs/config-tool"
done

# ---- each version's OpenSC and the other versions' modules --------------------
# Other versions by name, not by what the library reports: the master snapshot
# reports 0.27.1 too, and its pin_cmd differs.
for r in $made; do
	v=${r%%=*}
	root=${r#*=}
	args=""
	for o in $made; do
		o=${o%%=*}
		[ "$o" != "$v" ] && [ -f "$cache/upstream-matrix/$o/opensc-jpki.so" ] || continue
		cp "$cache/upstream-matrix/$o/opensc-jpki.so" "$root/tmp/cross-$o.so"
		args="$args $o=/tmp/cross-$o.so"
	done
	[ -n "$args" ] || continue
	tool=$(cat "$cache/upstream-matrix/$v/config-tool" 2>/dev/null || true)
	out=$(in_chroot "OPENSC_JPKI_CONFIG_TOOL=$tool sh /root/opensc-build/tests/module/cross-load.sh $args" 2>&1 || true)
	printf '%s\n' "$out" > "$cache/upstream-matrix/$v/cross-load.log"
	matrix_cross "$v" "$out" || status=1
done
chroot_teardown
exit "$status"
