#!/bin/sh
# The OpenSC releases this source tree is proven on, in one place (configure,
# demo.sh and build-deb.sh ask here), and how each is proven:
#   0.23.0, 0.26.1, 0.27.1    Debian 12, 13 and sid's own packages: the whole
#                             suite (scripts/release-matrix.sh, deb-matrix.sh)
#   0.22.0 ... 0.27.1, and    the upstream release built from source in a
#   pre-releases 0.25.0-rc1,  clean chroot (scripts/upstream-matrix.sh), the
#   0.27.0-rc1                pre-releases being what Ubuntu 24.04 and 26.04
#                             ship (0.25.0~rc1, 0.27.0~rc1)
# OpenSC master as of 14c80b0 reports 0.27.1 and is proven the same way; what
# tells it from 0.27.1 is asked of the headers (configure) and of the running
# library (src/module-guard.h), not of the version.
#   opensc-supported.sh VERSION   exit 0: proven (silent), or within the range
#                                 but not proven (a warning on stderr);
#                                 exit 1: refused, with the reason on stderr
#   opensc-supported.sh --list    prints the proven releases, one line
# VERSION is what a libopensc says (0.27.0rc1, 0.25.0-rc1) or a package
# version (1:0.26.1-3+b1, 0.25.0~rc1-1ubuntu0.2): the epoch and a
# distribution's revision go; a pre-release stays one.
# Releases outside the range are refused because struct layouts and signatures
# change between OpenSC releases (doc/releases.md): a module built against a
# release nobody compiled it for does not fail cleanly, it corrupts memory.
set -eu
supported="0.22.0 0.23.0 0.24.0 0.25.0-rc1 0.25.1 0.26.0 0.26.1 0.27.0-rc1 0.27.1"
oldest=0.22.0
newest=0.27.1

list() { echo "$supported" | awk '{ for (i = 1; i <= NF; i++) printf "%s%s", $i, (i == NF ? "\n" : i == NF - 1 ? " and " : ", ") }'; }

# 0.26.1 -> 26001 (major*1000000 + minor*1000 + fix); fails on anything else.
number() {
	case "$1" in
		*[!0-9.]*|.*|*.|*..*|*.*.*.*) return 1 ;;
		*.*.*) ;;
		*) return 1 ;;
	esac
	major=${1%%.*} rest=${1#*.}
	minor=${rest%%.*} fix=${rest#*.}
	# Leading zeros would make the shell read octal (08 is no number at all).
	set -- $(echo "$major $minor $fix" | sed 's/\(^\| \)0*\([0-9]\)/\1\2/g')
	echo $(( $1 * 1000000 + $2 * 1000 + $3 ))
}

# VERSION as "N.N.N" or "N.N.N-TAG" for a pre-release (rc1, beta2...), however
# it was written; nothing for a form it cannot read.
normalise() {
	echo "$1" | sed 's/^[0-9]*://' | sed -n '
		s/^\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)[~-]\{0,1\}\(\(rc\|alpha\|beta\|pre\)[0-9]*\)\([^0-9].*\)\{0,1\}$/\1-\2/p; t
		s/^\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)\([-+~].*\)\{0,1\}$/\1/p'
}

[ $# -eq 1 ] || { echo "usage: opensc-supported.sh VERSION|--list" >&2; exit 2; }
if [ "$1" = --list ]; then
	list
	exit 0
fi
version=$(normalise "$1")
release=${version%%-*}
n=$(number "$release") || { echo "OpenSC version '$1' is not of the form N.N.N; opensc-jpki is made for OpenSC $(list)" >&2; exit 1; }
if [ "$n" -lt "$(number $oldest)" ] || [ "$n" -gt "$(number $newest)" ]; then
	echo "OpenSC $1 is not supported: opensc-jpki is made for OpenSC $(list) (struct layouts differ between releases)" >&2
	exit 1
fi
# A package of a git snapshot (0.27.1+git20260601.14c80b0-1, 0.27.1-14-g14c80b0)
# names the release it follows, not one that was tested: OpenSC master as of
# 14c80b0 still says 0.27.1 and its interface differs (the load-time check
# catches that; this says it before a build).
case "$1" in
	*[+~-]git*|*[+~.-]g[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*)
		echo "OpenSC $1 is a snapshot between releases, untested as such: opensc-jpki is made for OpenSC $(list); the module refuses to load where the library's interface differs from its build's" >&2
		exit 0 ;;
esac
for s in $supported; do
	[ "$version" != "$s" ] || exit 0
done
if [ "$version" != "$release" ]; then
	echo "OpenSC $1 is a pre-release of $release, untested: opensc-jpki is made for OpenSC $(list)" >&2
else
	echo "OpenSC $1 is untested: opensc-jpki is made for OpenSC $(list)" >&2
fi
exit 0
