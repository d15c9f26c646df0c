#!/bin/sh
# Prints the OpenSC version of a source tree as its libopensc's sc_get_version()
# will say it: "0.23.0", and with a pre-release's suffix as the tree composes
# it ("0.25.0-rc1" from configure.ac's PACKAGE_SUFFIX [-rc1]; "0.27.0rc1" from
# VERSION.mk's PACKAGE_SUFFIX=rc1), so that configure compares like with like.
# Up to 0.26 the version is define([PACKAGE_VERSION_*], [N]) lines in
# configure.ac; from 0.27 configure.ac reads them from VERSION.mk
# (PACKAGE_VERSION_MAJOR=0 ...), so that file wins when the tree has one.
set -eu
tree=${1:?usage: opensc-src-version.sh TREE}
if [ ! -f "$tree/VERSION.mk" ] && [ ! -f "$tree/configure.ac" ]; then
	echo "opensc-src-version: $tree has neither configure.ac nor VERSION.mk: not an OpenSC source tree" >&2
	exit 1
fi
if [ -f "$tree/VERSION.mk" ]; then
	field() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\([^[:space:]]*\)[[:space:]]*$/\1/p" "$tree/VERSION.mk" | head -n 1; }
	grep -q '^[[:space:]]*PACKAGE_SUFFIX[[:space:]]*=' "$tree/VERSION.mk" && has_suffix=yes || has_suffix=no
else
	field() { sed -n "s/^define(\[$1\], *\[\([^]]*\)\])/\1/p" "$tree/configure.ac" | head -n 1; }
	grep -q '^define(\[PACKAGE_SUFFIX\]' "$tree/configure.ac" && has_suffix=yes || has_suffix=no
fi
version=$(field PACKAGE_VERSION_MAJOR).$(field PACKAGE_VERSION_MINOR).$(field PACKAGE_VERSION_FIX)
suffix=""
[ "$has_suffix" = no ] || suffix=$(field PACKAGE_SUFFIX)
# Anything but N.N.N (and a suffix of letters, digits, '-', '.' or '~') means
# the format changed again: better no answer than a wrong one.
case "$version" in
	*[!0-9.]*|.*|*.|*..*|*.*.*.*) ;;
	*.*.*)
		case "$suffix" in
			*[!A-Za-z0-9.~-]*) ;;
			*) echo "$version$suffix"; exit 0 ;;
		esac ;;
esac
echo "opensc-src-version: cannot read the version of $tree (configure.ac, VERSION.mk)" >&2
exit 1
