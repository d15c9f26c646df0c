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
# (HEAD). The chroots are made as scripts/release-matrix.sh makes them, from
# the same cached minbase tarballs (~/.cache/opensc-jpki/chroots/). Cached
# outside the repository, per release: downloaded .debs
# (~/.cache/opensc-jpki/apt-archives/RELEASE, bind-mounted as apt's archive
# cache) and the OpenSC source (~/.cache/opensc-jpki/deb-opensc/RELEASE, the
# build chroot's fetch-opensc-src.sh cache). Logs and the built packages:
# ~/.cache/opensc-jpki/deb-matrix/RELEASE/. Environment: MATRIX_KEEP=1 keeps
# the chroots, MATRIX_MIRROR as for release-matrix.sh, DEB_BUILD_OPTIONS is
# passed to the build (nocheck: without the unit tests). Exit status 0 when
# every release built, lintian found no error and no warning (overrides,
# each with its reason, in debian/) and the package tests passed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${OPENSC_JPKI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opensc-jpki}
mirror=${MATRIX_MIRROR:-http://deb.debian.org/debian}
note() { echo "deb-matrix: $*" >&2; }

[ "$(id -u)" = 0 ] || { note "needs root (debootstrap, chroot, mounts)"; exit 1; }
[ $# -gt 0 ] || set -- bookworm trixie sid
for suite in "$@"; do
	case "$suite" in bookworm|trixie|sid) ;; *) note "unknown release $suite (bookworm|trixie|sid)"; exit 2 ;; esac
done
command -v git >/dev/null 2>&1 || { note "needs git to clone the repository"; exit 1; }

root=""
# Unmounts everything under the chroot, and removes it only once nothing is
# mounted there any more: a bind-mounted /dev or cache must never be deleted
# through it.
teardown() {
	[ -n "$root" ] || return 0
	umount -R "$root" 2>/dev/null || umount -R -l "$root" 2>/dev/null || true
	if grep -q " ${root}[/ ]" /proc/self/mounts; then
		note "$root is still mounted; left in place"
	elif [ "${MATRIX_KEEP:-}" = 1 ]; then
		note "kept $root"
	else
		rm -rf "$root"
	fi
	root=""
}
trap teardown EXIT
trap 'exit 130' INT TERM HUP
status=0 # 1 once a release's build, lintian (an error) or package tests fail

base_of() { # suite -> the cached minbase tarball (release-matrix.sh's), made when missing
	base=$cache/chroots/$1-minbase.tar.gz
	if [ ! -f "$base" ]; then
		command -v debootstrap >/dev/null 2>&1 || { note "needs debootstrap"; return 1; }
		mkdir -p "$cache/chroots"
		dir=$(mktemp -d "${TMPDIR:-/var/tmp}/opensc-jpki-debootstrap.XXXXXX")
		note "debootstrap --variant=minbase $1 (once; kept as $base)"
		debootstrap --variant=minbase "$1" "$dir" "$mirror" > "$logs/debootstrap.log" 2>&1 || { rm -rf "$dir"; return 1; }
		rm -f "$dir"/var/cache/apt/archives/*.deb
		tar -C "$dir" --numeric-owner -czf "$base.part" . && mv "$base.part" "$base"
		rm -rf "$dir"
	fi
	echo "$base"
}

make_chroot() { # suite, purpose -> sets root
	root=$(mktemp -d "${TMPDIR:-/var/tmp}/opensc-jpki-deb-$1-$2.XXXXXX")
	# The chroot's "/": as on any system, every user may pass (mktemp gave 0700).
	chmod 755 "$root"
	tar -C "$root" --numeric-owner -xzf "$base"
	mount --bind "$root" "$root" # the harness's unshare -m needs / to be a mount point
	mount -t proc proc "$root/proc"
	mount --bind /sys "$root/sys"
	mount --bind /dev "$root/dev"
	mount --bind /dev/pts "$root/dev/pts"
	mkdir -p "$cache/apt-archives/$1/partial"
	mount --bind "$cache/apt-archives/$1" "$root/var/cache/apt/archives"
	# apt downloads as its user _apt (the chroot's uid), into partial/
	chroot "$root" chown _apt:root /var/cache/apt/archives/partial 2>/dev/null || true
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# A throwaway system: dpkg need not fsync every file it unpacks (halves
	# the time the build dependencies take to install).
	echo force-unsafe-io > "$root/etc/dpkg/dpkg.cfg.d/deb-matrix-unsafe-io"
}

in_chroot() { # command line for sh, run in the chroot as a login would
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-}" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin sh -c "$1"
}

for suite in "$@"; do
	logs=$cache/deb-matrix/$suite
	rm -rf "$logs/debs"
	mkdir -p "$logs/debs"
	start=$(date +%s)
	base=$(base_of "$suite") || { printf '%-9s debootstrap failed (%s)\n' "$suite" "$logs/debootstrap.log"; continue; }

	# ---- build, in a clean chroot, from a fresh clone ----
	make_chroot "$suite" build
	mkdir -p "$cache/deb-opensc/$suite" "$root/root/.cache/opensc-jpki"
	mount --bind "$cache/deb-opensc/$suite" "$root/root/.cache/opensc-jpki"
	git clone -q "$top" "$root/root/opensc-jpki"
	note "$suite: scripts/build-deb.sh --lint (log: $logs/build.log)"
	build=ok
	in_chroot 'cd /root/opensc-jpki && scripts/build-deb.sh --lint' > "$logs/build.log" 2>&1 || build=fail
	opensc=$(in_chroot "dpkg-query -W -f '\${Version}' opensc-pkcs11 2>/dev/null" || true)
	cp "$root"/root/opensc-jpki/dist/*.deb "$logs/debs/" 2>/dev/null || build=fail
	cp "$root"/root/opensc-jpki/build/deb/build.log "$logs/dpkg-buildpackage.log" 2>/dev/null || true
	teardown
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
		make_chroot "$suite" install
		mkdir -p "$root/root/debs"
		cp "$logs"/debs/*.deb "$root/root/debs/"
		cp "$top/tests/deb/test-packages.sh" "$top/scripts/apt-update.sh" "$root/root/"
		note "$suite: tests/deb/test-packages.sh (log: $logs/test.log)"
		in_chroot 'sh /root/apt-update.sh && sh /root/test-packages.sh /root/debs' > "$logs/test.log" 2>&1 || true
		summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/test.log" | tail -n 1)
		[ -n "$summary" ] || summary="no summary line ($(grep -v '^$' "$logs/test.log" | tail -n 1))"
		teardown
	fi
	end=$(date +%s)
	case "$build $lintian $summary" in
		"ok lintian 0E/0W "*" passed, 0 failed") ;;
		*) status=1 ;;
	esac
	printf '%-9s OpenSC %-12s build %-4s %s  packages: %s  build %ss, test %ss, total %ss\n' \
		"$suite" "${opensc:--}" "$build" "$lintian" "$summary" "$((built - start))" "$((end - built))" "$((end - start))"
done
exit "$status"
