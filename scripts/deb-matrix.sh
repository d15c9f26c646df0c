#!/bin/sh
# The Debian packages, proven per release in clean chroots (issue #13): in one
# fresh chroot, scripts/build-deb.sh --lint on a fresh clone (binary packages,
# lintian); in a second fresh chroot, tests/deb/test-packages.sh on those
# packages (install from the Debian archive, enable, the stock pkcs15-tool's
# dump of jpki-sim through the plugin, upgrade, remove, purge). Prints one
# line per release: release, OpenSC version, build ok/fail, lintian's errors
# and warnings, the package tests' summary line, times.
#   deb-matrix.sh [bookworm|trixie|sid]...     (default: all three)
# Needs root and the network to the Debian archive; clones the current commit
# (HEAD). The chroots are made as scripts/release-matrix.sh makes them
# (scripts/chroot-lib.sh: the cached minbase tarballs in
# ~/.cache/opensc-jpki/chroots/, with the apt sources of an installed system,
# RELEASE-updates and RELEASE-security). Cached
# outside the repository, per release: downloaded .debs
# (~/.cache/opensc-jpki/apt-archives/RELEASE, bind-mounted as apt's archive
# cache) and the OpenSC source (~/.cache/opensc-jpki/deb-opensc/RELEASE, the
# build chroot's fetch-opensc-src.sh cache). Logs and the built packages:
# ~/.cache/opensc-jpki/deb-matrix/RELEASE/. Environment: MATRIX_KEEP=1 keeps
# the chroots, MATRIX_MIRROR and MATRIX_SECURITY_MIRROR as for release-matrix.sh,
# DEB_BUILD_OPTIONS is passed to the build (nocheck: without the unit tests).
# Exit status 0 when every release built, lintian found no error and no
# warning (overrides, each with its reason, in debian/) and the package tests
# passed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${OPENSC_JPKI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opensc-jpki}
note() { echo "deb-matrix: $*" >&2; }
# shellcheck source=scripts/chroot-lib.sh
. "$top/scripts/chroot-lib.sh"

[ $# -gt 0 ] || set -- bookworm trixie sid
chroot_check_suites "$@"
chroot_pass=DEB_BUILD_OPTIONS
status=0 # 1 once a release's build, lintian (an error) or package tests fail

for suite in "$@"; do
	logs=$cache/deb-matrix/$suite
	rm -rf "$logs/debs"
	mkdir -p "$logs/debs"
	start=$(date +%s)

	# ---- build, in a clean chroot, from a fresh clone ----
	if ! chroot_make "$suite" "deb-$suite-build"; then
		status=1
		verdict '%-9s no chroot (debootstrap or apt-get update failed; %s)\n' "$suite" "$cache/chroots/"
		continue
	fi
	chroot_keep_debs "$suite"
	mkdir -p "$cache/deb-opensc/$suite" "$root/root/.cache/opensc-jpki"
	mount --bind "$cache/deb-opensc/$suite" "$root/root/.cache/opensc-jpki"
	git clone -q "$top" "$root/root/opensc-jpki"
	note "$suite: scripts/build-deb.sh --lint (log: $logs/build.log)"
	build=ok
	in_chroot 'cd /root/opensc-jpki && scripts/build-deb.sh --lint' > "$logs/build.log" 2>&1 || build=fail
	opensc=$(in_chroot "dpkg-query -W -f '\${Version}' opensc-pkcs11 2>/dev/null" || true)
	cp "$root"/root/opensc-jpki/dist/*.deb "$logs/debs/" 2>/dev/null || build=fail
	cp "$root"/root/opensc-jpki/build/deb/build.log "$logs/dpkg-buildpackage.log" 2>/dev/null || true
	chroot_drop
	built=$(date +%s)
	# lintian's lines: those after build-deb's "lintian VERSION on ..." (apt
	# prints W: lines too). For the CI log on stderr, O: overridden tags with
	# N: the override's reason.
	sed -n '/^build-deb: .* lintian .* on /,$p' "$logs/build.log" > "$logs/lintian.txt"
	lintian="lintian $(grep -c '^E: ' "$logs/lintian.txt" || true)E/$(grep -c '^W: ' "$logs/lintian.txt" || true)W"
	[ -s "$logs/lintian.txt" ] || lintian="lintian not run"
	sed "s/^/deb-matrix: $suite: /" "$logs/lintian.txt" >&2

	# ---- install and use, in a second clean chroot ----
	summary="not run"
	if [ "$build" = ok ]; then
		if chroot_make "$suite" "deb-$suite-install"; then
			chroot_keep_debs "$suite"
			mkdir -p "$root/root/debs"
			cp "$logs"/debs/*.deb "$root/root/debs/"
			cp "$top/tests/deb/test-packages.sh" "$root/root/"
			note "$suite: tests/deb/test-packages.sh (log: $logs/test.log)"
			in_chroot 'sh /root/test-packages.sh /root/debs' > "$logs/test.log" 2>&1 || true
			summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/test.log" | tail -n 1)
			[ -n "$summary" ] || summary="no summary line ($(grep -v '^$' "$logs/test.log" | tail -n 1))"
		else
			summary="no chroot (apt-get update failed)"
		fi
		chroot_drop
	fi
	end=$(date +%s)
	case "$build $lintian $summary" in
		"ok lintian 0E/0W "*" passed, 0 failed") ;;
		*) status=1
			[ "$build" = ok ] || failure_excerpt "$suite build-deb.sh" "$logs/build.log"
			case "$lintian" in "lintian 0E/0W") ;; *)
				grep -E '^[EW]: ' "$logs/lintian.txt" > "$logs/lintian-ew.txt" || true
				failure_excerpt "$suite lintian" "$logs/lintian-ew.txt" ;;
			esac
			case "$summary" in *" passed, 0 failed") ;; *) failure_excerpt "$suite packages" "$logs/test.log" ;; esac ;;
	esac
	verdict '%-9s OpenSC %-12s build %-4s %s  packages: %s  build %ss, test %ss, total %ss\n' \
		"$suite" "${opensc:--}" "$build" "$lintian" "$summary" "$((built - start))" "$((end - built))" "$((end - start))"
done
exit "$status"
