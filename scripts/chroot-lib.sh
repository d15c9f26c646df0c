# shellcheck shell=sh disable=SC2154,SC2034 # $top, $cache: the sourcing script's; $demo_s...: set for it
# Clean Debian chroots for the matrices (release-matrix.sh, deb-matrix.sh,
# upstream-matrix.sh), sourced by them. Each chroot is a fresh copy of the
# release's debootstrap minbase system, with the apt sources an installed
# system has (SUITE-updates and SUITE-security beside SUITE) and apt's lists
# updated: what users' apt sees, CI sees.
# The caller sets $top (the repository), $cache (OPENSC_JPKI_CACHE or
# ~/.cache/opensc-jpki) and defines note(). Environment: MATRIX_MIRROR (default
# http://deb.debian.org/debian), MATRIX_SECURITY_MIRROR (default
# http://deb.debian.org/debian-security), MATRIX_KEEP=1 (keep the chroots).
#   chroot_make SUITE LABEL   a fresh chroot in $root (also kept in $chroot_roots)
#   in_chroot 'COMMAND'       COMMAND run by sh in $root as a login would; the
#                             variables named in $chroot_pass go along
#   chroot_drop [ROOT]        unmount and remove one chroot (default $root)
#   chroot_teardown           all of them (on exit, too)
#   matrix_readme LABEL LOGS ENV  demo.sh and test.sh on a fresh clone
#   matrix_cross LABEL OUTPUT tests/module/cross-load.sh's lines as one line
#                             (LABEL padded to $matrix_width, default 9)
#   matrix_bench LABEL LOGS   with MATRIX_BENCH=1, the benchmark in the
#                             clone matrix_readme built: LOGS/bench.tsv
#   verdict FORMAT ARGS...    a release's result line, on stdout and appended
#                             to $MATRIX_VERDICTS when set (.ci/run repeats
#                             them at the end of its log)
#   failure_excerpt LABEL LOG a failed step's FAIL lines and last lines, the
#                             same two ways (stderr for the first)
mirror=${MATRIX_MIRROR:-http://deb.debian.org/debian}
security_mirror=${MATRIX_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
root=""
chroot_roots=""
chroot_pass=""

verdict() { # printf format, arguments
	# shellcheck disable=SC2059 # the format is the caller's
	printf "$@"
	# shellcheck disable=SC2059
	[ -z "${MATRIX_VERDICTS:-}" ] || printf "$@" >> "$MATRIX_VERDICTS"
}

# CI shows the end of its log only: what failed has to be said there, not
# only in a log that went with the machine.
failure_excerpt() { # label, log
	[ -f "$2" ] || return 0
	excerpt=$( { echo "  $1: what $2 says:"
		{ grep -E '^(FAIL|ERROR|XPASS)[: ]|^not ok ' "$2" | head -n 12; echo "    ..."; tail -n 12 "$2"; } | sed 's/^/    /'; } )
	printf '%s\n' "$excerpt" >&2
	[ -z "${MATRIX_VERDICTS:-}" ] || printf '%s\n' "$excerpt" >> "$MATRIX_VERDICTS"
}

chroot_check_suites() { # suite... -> exit 2 on one the matrices do not know
	for suite in "$@"; do
		case "$suite" in bookworm|trixie|sid) ;; *) note "unknown release $suite (bookworm|trixie|sid)"; exit 2 ;; esac
	done
	[ "$(id -u)" = 0 ] || { note "needs root (debootstrap, chroot, mounts)"; exit 1; }
	command -v git >/dev/null 2>&1 || { note "needs git to clone the repository"; exit 1; }
}

# The minbase system of a release is made once by debootstrap and kept as a
# tarball outside the repository: later chroots are an unpacking away.
chroot_base() { # suite -> path of the cached minbase tarball, made when missing
	base=$cache/chroots/$1-minbase.tar.gz
	mkdir -p "$cache/chroots"
	# Matrices may run side by side (.ci/run): one makes the tarball, the
	# others wait for it.
	exec 9>"$cache/chroots/.$1.lock"
	flock 9
	if [ ! -f "$base" ]; then
		if ! command -v debootstrap >/dev/null 2>&1; then
			note "installing debootstrap"
			"$top/scripts/apt-update.sh" --if-stale
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
		fi
		mkdir -p "$cache/chroots"
		dir=$(mktemp -d "${TMPDIR:-/var/tmp}/opensc-jpki-debootstrap.XXXXXX")
		note "debootstrap --variant=minbase $1 (once; kept as $base, log $cache/chroots/$1-debootstrap.log)"
		if ! debootstrap --variant=minbase "$1" "$dir" "$mirror" > "$cache/chroots/$1-debootstrap.log" 2>&1; then
			failure_excerpt "$1 debootstrap" "$cache/chroots/$1-debootstrap.log"
			rm -rf "$dir"
			return 1
		fi
		rm -f "$dir"/var/cache/apt/archives/*.deb # debootstrap leaves the .debs it installed
		tar -C "$dir" --numeric-owner -czf "$base.part" . && mv "$base.part" "$base"
		rm -rf "$dir"
	fi
	exec 9>&-
	echo "$base"
}

# The sources Debian's installer writes beside the release itself: its
# point-release updates and its security archive (sid has neither). Without
# them a chroot gets the release as first published, which no installed system
# runs (bookworm's opensc came from bookworm-security, 2026).
chroot_apt_sources() { # suite
	case "$1" in
		sid|unstable) return 0 ;;
	esac
	{
		echo "deb $mirror $1-updates main"
		echo "deb $security_mirror $1-security main"
	} >> "$root/etc/apt/sources.list"
}

# The chroot's own /dev: a small tmpfs with the few nodes a build and the test
# harness use, its own devpts instance and /dev/shm. Never the host's /dev
# bound in: a chroot left mounted by a killed run would let any `rm -rf` of
# it delete the host's device nodes.
chroot_mount_dev() {
	mount -t tmpfs -o mode=755,size=1m,nosuid tmpfs "$root/dev"
	mknod -m 666 "$root/dev/null" c 1 3
	mknod -m 666 "$root/dev/zero" c 1 5
	mknod -m 666 "$root/dev/full" c 1 7
	mknod -m 666 "$root/dev/random" c 1 8
	mknod -m 666 "$root/dev/urandom" c 1 9
	mknod -m 666 "$root/dev/tty" c 5 0
	ln -s /proc/self/fd "$root/dev/fd"
	ln -s /proc/self/fd/0 "$root/dev/stdin"
	ln -s /proc/self/fd/1 "$root/dev/stdout"
	ln -s /proc/self/fd/2 "$root/dev/stderr"
	ln -s pts/ptmx "$root/dev/ptmx"
	mkdir "$root/dev/pts" "$root/dev/shm"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
}

chroot_make() { # suite, label -> sets $root; 1 when the release has no minbase system
	base=$(chroot_base "$1") || return 1
	root=$(mktemp -d "${TMPDIR:-/var/tmp}/opensc-jpki-$2.XXXXXX")
	chroot_roots="$chroot_roots $root"
	# The chroot's "/": as on any system, every user may pass (mktemp gave 0700).
	chmod 755 "$root"
	tar -C "$root" --numeric-owner -xzf "$base"
	mount --bind "$root" "$root" # the test harness's unshare -m needs / to be a mount point
	mount -t proc proc "$root/proc"
	mount --bind /sys "$root/sys"
	chroot_mount_dev
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# A throwaway system: dpkg need not fsync every file it unpacks (halves
	# the time build dependencies take to install).
	echo force-unsafe-io > "$root/etc/dpkg/dpkg.cfg.d/opensc-jpki-unsafe-io"
	chroot_apt_sources "$1"
	cp "$top/scripts/apt-update.sh" "$root/tmp/apt-update.sh"
	if ! in_chroot 'sh /tmp/apt-update.sh' > "$root/tmp/apt-update.log" 2>&1; then
		cat "$root/tmp/apt-update.log" >&2
		failure_excerpt "$1 apt-get update" "$root/tmp/apt-update.log"
		return 1
	fi
	cat "$root/tmp/apt-update.log" >&2
}

# Downloaded .debs kept per release outside the chroot: chroots made one
# after another then download each package once. Hard links in and out (cp
# where the chroot is on another file system), not the folder bind-mounted as
# apt's archive cache: matrices that run side by side would share apt's lock
# on it, and one's apt-get install fails ("Could not get lock").
chroot_keep_debs() { # suite
	mkdir -p "$cache/apt-archives/$1"
	echo "$cache/apt-archives/$1" > "$root/.opensc-jpki-debs"
	debs_copy "$cache/apt-archives/$1" "$root/var/cache/apt/archives"
}
debs_copy() { # from, to: the .debs that are not there yet (apt checks each one's hash before use)
	find "$1" -maxdepth 1 -name '*.deb' | while read -r deb; do
		[ -e "$2/${deb##*/}" ] || cp -l "$deb" "$2/" 2>/dev/null || cp "$deb" "$2/" 2>/dev/null || true
	done
}

in_chroot() { # command line for sh
	cmd=$1
	set --
	for name in $chroot_pass; do
		value=""
		eval "value=\${$name:-}"
		set -- "$@" "$name=$value"
	done
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" sh -c "$cmd"
}

# Unmounts everything under a chroot, and removes it only once nothing is
# mounted there any more: nothing mounted in it (/sys, a cache) must ever be
# deleted through it.
chroot_drop() { # [chroot]
	r=${1:-$root}
	[ -n "$r" ] || return 0
	if [ -f "$r/.opensc-jpki-debs" ] && [ -d "$r/var/cache/apt/archives" ]; then
		debs_copy "$r/var/cache/apt/archives" "$(cat "$r/.opensc-jpki-debs")"
	fi
	umount -R "$r" 2>/dev/null || umount -R -l "$r" 2>/dev/null || true
	if grep -q " ${r}[/ ]" /proc/self/mounts; then
		note "$r is still mounted; left in place"
	elif [ "${MATRIX_KEEP:-}" = 1 ]; then
		note "kept $r"
	else
		rm -rf "$r"
	fi
	chroot_roots=$(echo "$chroot_roots" | tr ' ' '\n' | grep -vFx -- "$r" | tr '\n' ' ')
	[ "$r" != "$root" ] || root=""
}

# The README's two commands on a fresh clone in the chroot's
# /root/opensc-jpki: scripts/demo.sh, then scripts/test.sh ${MATRIX_TEST_ARGS}.
# Sets $demo (ok/fail), $summary (test.sh's last line, and how many tests
# passed only a second run, which test.sh gives where pcsc-race.sh shows
# pcsc-lite's fault), $demo_s and $test_s (seconds); 1 unless the demo worked
# and the summary says 0 failed.
matrix_readme() { # label, logs folder, environment words for both commands (or "")
	git clone -q "$top" "$root/root/opensc-jpki"
	t=$(date +%s)
	note "$1: scripts/demo.sh (log: $2/demo.log)"
	demo=ok
	in_chroot "cd /root/opensc-jpki && $3 scripts/demo.sh" > "$2/demo.log" 2>&1 || demo=fail
	demo_s=$(( $(date +%s) - t ))
	t=$(date +%s)
	note "$1: scripts/test.sh ${MATRIX_TEST_ARGS:-} (log: $2/test.log)"
	in_chroot "cd /root/opensc-jpki && $3 scripts/test.sh ${MATRIX_TEST_ARGS:-}" > "$2/test.log" 2>&1 || true
	test_s=$(( $(date +%s) - t ))
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2/test.log" | tail -n 1)
	[ -n "$summary" ] || summary="no summary line ($(grep -v '^$' "$2/test.log" | tail -n 1))"
	second=$(grep -c 'then passed its second run' "$2/test.log" || true)
	[ "$second" -eq 0 ] || summary="$summary ($second passed a second run: pcsc-lite's race)"
	[ "$demo" = ok ] || failure_excerpt "$1 demo" "$2/demo.log"
	case "$summary" in *" passed, 0 failed"*) ;; *) failure_excerpt "$1 test.sh" "$2/test.log" ;; esac
	case "$demo $summary" in "ok "*" passed, 0 failed"*) ;; *) return 1 ;; esac
}

# The benchmark (bench/run.sh --reps 3 --latency 0) in the clone that
# matrix_readme built, when MATRIX_BENCH=1: its run lines go to LOGS/bench.tsv
# for bench/releases.sh. 1 when it was asked for and failed.
matrix_bench() { # label, logs folder
	rm -f "$2/bench.tsv"
	[ "${MATRIX_BENCH:-}" = 1 ] || return 0
	note "$1: bench/run.sh --reps 3 --latency 0 (log: $2/bench.log)"
	if in_chroot "cd /root/opensc-jpki/build/plain && sh ../../bench/run.sh --reps 3 --latency 0 --tsv /tmp/bench.tsv" \
		> "$2/bench.log" 2>&1 && cp "$root/tmp/bench.tsv" "$2/bench.tsv"; then
		return 0
	fi
	failure_excerpt "$1 benchmark" "$2/bench.log"
	return 1
}

# cross-load.sh's output (a module built against one OpenSC, given to
# another) as one summary line; 1 unless every module was refused and
# opensc-jpki-config status said so too (told=0: it was not asked).
matrix_cross() { # label, cross-load.sh's output
	okay=$(printf '%s\n' "$2" | grep '^ok: ' | grep -vc 'opensc-jpki-config status' || true)
	told=$(printf '%s\n' "$2" | grep '^ok: ' | grep -c 'opensc-jpki-config status' || true)
	bad=$(printf '%s\n' "$2" | grep -c '^FAIL: ' || true)
	printf '%s\n' "$2" | sed "s/^/  $1| /" >&2
	verdict '%-*s cross-load: %s foreign module(s) refused, %s not; opensc-jpki-config status said so for %s\n' \
		"${matrix_width:-9}" "$1" "$okay" "$bad" "$told"
	[ "$bad" -eq 0 ] && [ "$okay" -gt 0 ] && [ "$told" -gt 0 ] && return 0
	[ -z "${MATRIX_VERDICTS:-}" ] || printf '%s\n' "$2" | grep '^FAIL: ' | sed "s/^/    $1| /" >> "$MATRIX_VERDICTS"
	return 1
}

chroot_teardown() {
	for r in $chroot_roots; do chroot_drop "$r"; done
	chroot_roots=""
	root=""
}
trap chroot_teardown EXIT
trap 'exit 130' INT TERM HUP
