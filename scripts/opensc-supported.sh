#!/bin/sh
# The OpenSC releases this source tree is made for, in one place (configure and
# demo.sh ask here).
#   opensc-supported.sh VERSION   exit 0: supported (silent), or between two
#                                 supported releases (a warning on stderr);
#                                 exit 1: refused, with the reason on stderr
#   opensc-supported.sh --list    prints the supported releases, one line
# VERSION may be a Debian package version (1:0.26.1-3+b1): the upstream part counts.
# Releases outside the range are refused because struct layouts and signatures
# change between OpenSC releases (see README): a module built against a release
# nobody compiled it for does not fail cleanly, it corrupts memory.
set -eu
supported="0.23.0 0.26.1 0.27.1"
oldest=0.23.0
newest=0.27.1

list() { echo "$supported" | sed 's/ \([^ ]*\)$/ and \1/; s/ \([^ ]*\) and/, \1 and/g'; }

# 0.26.1 -> 26001 (major*1000000 + minor*1000 + fix); fails on anything else.
number() {
	case "$1" in
		*[!0-9.]*|.*|*.|*..*|*.*.*.*) return 1 ;;
		*.*.*) ;;
		*) return 1 ;;
	esac
	major=${1%%.*} rest=${1#*.}
	minor=${rest%%.*} fix=${rest#*.}
	echo $(( major * 1000000 + minor * 1000 + fix ))
}

[ $# -eq 1 ] || { echo "usage: opensc-supported.sh VERSION|--list" >&2; exit 2; }
if [ "$1" = --list ]; then
	list
	exit 0
fi
# Debian's epoch and revision, and suffixes such as +dfsg or ~rc1, go.
version=$(echo "$1" | sed 's/^[0-9]*://; s/[^0-9.].*$//')
n=$(number "$version") || { echo "OpenSC version '$1' is not of the form N.N.N; opensc-jpki is made for OpenSC $(list)" >&2; exit 1; }
for s in $supported; do
	[ "$version" = "$s" ] || continue
	# A pre-release (Debian's 0.27.1~rc1, upstream's 0.27.1-rc1) is not the release.
	case "$1" in
		*~*|*rc[0-9]*) echo "OpenSC $1 is a pre-release of $s, untested: opensc-jpki is made for OpenSC $(list)" >&2 ;;
	esac
	exit 0
done
if [ "$n" -lt "$(number $oldest)" ] || [ "$n" -gt "$(number $newest)" ]; then
	echo "OpenSC $version is not supported: opensc-jpki is made for OpenSC $(list) (struct layouts differ between releases)" >&2
	exit 1
fi
echo "OpenSC $version is untested: opensc-jpki is made for OpenSC $(list)" >&2
exit 0
