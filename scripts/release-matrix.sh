#!/bin/sh
# Runs the README's two commands (scripts/demo.sh, then scripts/test.sh) on a
# fresh clone of this repository in a clean chroot of each Debian release, and
# prints one line per release: release, OpenSC version, demo ok/fail, the test
# summary line, time. Then each release's stock OpenSC is given the modules the
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
mirror=${MATRIX_MIRROR:-http://deb.debian.org/debian}
note() { echo "release-matrix: $*" >&2; }

[ "$(id -u)" = 0 ] || { note "needs root (debootstrap, chroot, mounts)"; exit 1; }
[ $# -gt 0 ] || set -- bookworm trixie sid
for suite in "$@"; do
	case "$suite" in bookworm|trixie|sid) ;; *) note "unknown release $suite (bookworm|trixie|sid)"; exit 2 ;; esac
done
if ! command -v debootstrap >/dev/null 2>&1; then
	note "installing debootstrap"
	"$top/scripts/apt-update.sh" --if-stale
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi
command -v git >/dev/null 2>&1 || { note "needs git to clone the repository"; exit 1; }

root=""
roots="" # every chroot made so far, kept until the cross-load checks
# Unmounts everything under a chroot, and removes it only once nothing is
# mounted there any more: a bind-mounted /dev must never be deleted through it.
teardown_one() { # chroot
	umount -R "$1" 2>/dev/null || umount -R -l "$1" 2>/dev/null || true
	if grep -q " ${1}[/ ]" /proc/self/mounts; then
		note "$1 is still mounted; left in place"
	elif [ "${MATRIX_KEEP:-}" = 1 ]; then
		note "kept $1"
	else
		rm -rf "$1"
	fi
}
teardown() {
	for r in $roots; do teardown_one "${r#*=}"; done
	roots=""
	root=""
}
trap teardown EXIT
trap 'exit 130' INT TERM HUP

base_of() { # suite -> path of the cached minbase tarball, made when missing
	base=$cache/chroots/$1-minbase.tar.gz
	if [ ! -f "$base" ]; then
		mkdir -p "$cache/chroots" "$cache/matrix/$1"
		dir=$(mktemp -d "${TMPDIR:-/var/tmp}/opensc-jpki-debootstrap.XXXXXX")
		note "debootstrap --variant=minbase $1 (once; kept as $base)"
		if ! debootstrap --variant=minbase "$1" "$dir" "$mirror" > "$cache/matrix/$1/debootstrap.log" 2>&1; then
			tail -n 5 "$cache/matrix/$1/debootstrap.log" >&2
			rm -rf "$dir"
			return 1
		fi
		rm -f "$dir"/var/cache/apt/archives/*.deb # debootstrap leaves the .debs it installed
		tar -C "$dir" --numeric-owner -czf "$base.part" . && mv "$base.part" "$base"
		rm -rf "$dir"
	fi
	echo "$base"
}

in_chroot() { # command line for sh, run in the chroot ($root) as a login would
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin sh -c "$1"
}

status=0
for suite in "$@"; do
	logs=$cache/matrix/$suite
	mkdir -p "$logs"
	start=$(date +%s)
	base=$(base_of "$suite") || { status=1; printf '%-9s %-16s %-9s %s %ss\n' "$suite" "-" "-" "debootstrap failed ($logs/debootstrap.log)" "$(( $(date +%s) - start ))"; continue; }
	root=$(mktemp -d "${TMPDIR:-/var/tmp}/opensc-jpki-$suite.XXXXXX")
	# The chroot's "/": as on any system, every user may pass (mktemp gave 0700).
	chmod 755 "$root"
	roots="$roots $suite=$root"
	tar -C "$root" --numeric-owner -xzf "$base"
	# / a mount point of its own: the test harness's `unshare -m` needs it.
	mount --bind "$root" "$root"
	mount -t proc proc "$root/proc"
	mount --bind /sys "$root/sys"
	mount --bind /dev "$root/dev"
	mount --bind /dev/pts "$root/dev/pts"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	git clone -q "$top" "$root/root/opensc-jpki"

	note "$suite: scripts/demo.sh (log: $logs/demo.log)"
	demo=ok
	in_chroot 'cd /root/opensc-jpki && scripts/demo.sh' > "$logs/demo.log" 2>&1 || demo=fail
	opensc=$(in_chroot "dpkg-query -W -f '\${Version}' opensc-pkcs11 2>/dev/null" || true)
	note "$suite: scripts/test.sh ${MATRIX_TEST_ARGS:-} (log: $logs/test.log)"
	in_chroot "cd /root/opensc-jpki && scripts/test.sh ${MATRIX_TEST_ARGS:-}" > "$logs/test.log" 2>&1 || true
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/test.log" | tail -n 1)
	[ -n "$summary" ] || summary="no summary line ($(grep -v '^$' "$logs/test.log" | tail -n 1))"
	case "$demo $summary" in "ok "*" passed, 0 failed") ;; *) status=1 ;; esac
	# scripts/test.sh's second runs, where pcsc-race.sh showed the fault: named here too.
	second=$(grep -c 'then passed its second run' "$logs/test.log" || true)
	[ "$second" -eq 0 ] || summary="$summary ($second passed a second run: pcsc-lite's race)"
	if [ "${MATRIX_BENCH:-}" = 1 ]; then
		note "$suite: bench/run.sh --reps 3 --latency 0 (log: $logs/bench.log)"
		rm -f "$logs/bench.tsv"
		in_chroot "cd /root/opensc-jpki/build/plain && sh ../../bench/run.sh --reps 3 --latency 0 --tsv /tmp/bench.tsv" \
			>"$logs/bench.log" 2>&1 && cp "$root/tmp/bench.tsv" "$logs/bench.tsv" || { note "$suite: the benchmark failed"; status=1; }
	fi
	rm -f "$logs/opensc-jpki.so" "$logs/opensc-version"
	cp "$root/root/opensc-jpki/build/plain/src/.libs/opensc-jpki.so" "$logs/opensc-jpki.so" 2>/dev/null ||
		note "$suite: no module was built"
	echo "${opensc%%-*}" >"$logs/opensc-version"
	printf '%-9s OpenSC %-16s demo %-4s %s %ss\n' "$suite" "${opensc:--}" "$demo" "$summary" "$(( $(date +%s) - start ))"
done

# ---- each release's OpenSC and the other releases' modules --------------------
# The modules: each chroot's, and this machine's own build when it has one,
# each with the OpenSC version it was built for; a module meets only the
# OpenSC releases of other versions.
modules=""
for r in $roots; do
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
cross() { # label, cross-load.sh's output -> one summary line
	out=$2
	okay=$(printf '%s\n' "$out" | grep '^ok: ' | grep -vc 'opensc-jpki-config status' || true)
	told=$(printf '%s\n' "$out" | grep '^ok: ' | grep -c 'opensc-jpki-config status' || true)
	bad=$(printf '%s\n' "$out" | grep -c '^FAIL: ' || true)
	printf '%s\n' "$out" | sed "s/^/  $1| /" >&2
	# Every module refused, and opensc-jpki-config status said so too: a run
	# where it said nothing (told=0) did not check it.
	[ "$bad" -eq 0 ] && [ "$okay" -gt 0 ] && [ "$told" -gt 0 ] || status=1
	printf '%-9s cross-load: %s foreign module(s) refused, %s not; opensc-jpki-config status said so for %s\n' \
		"$1" "$okay" "$bad" "$told"
}
for r in $roots; do
	suite=${r%%=*}
	root=${r#*=}
	args=""
	for m in $modules; do
		[ "$(version_of "${m%%=*}")" != "$(version_of "$suite")" ] || continue
		cp "${m#*=}" "$root/tmp/cross-${m%%=*}.so"
		args="$args ${m%%=*}=/tmp/cross-${m%%=*}.so"
	done
	[ -n "$args" ] || continue
	cross "$suite" "$(in_chroot "sh /root/opensc-jpki/tests/module/cross-load.sh $args" 2>&1)"
done
if [ -n "$host" ]; then
	args=""
	for m in $modules; do
		[ "$(version_of "${m%%=*}")" = "$(version_of "$host")" ] || args="$args $m"
	done
	# shellcheck disable=SC2086 # one word per module
	[ -z "$args" ] || cross "$host" "$(sh "$top/tests/module/cross-load.sh" $args 2>&1)"
fi
teardown
exit "$status"
