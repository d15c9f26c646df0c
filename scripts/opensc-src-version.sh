#!/bin/sh
# Prints the OpenSC version of a source tree, e.g. "0.23.0".
# Up to 0.26 the version is three define([PACKAGE_VERSION_*], [N]) lines in
# configure.ac; from 0.27 configure.ac reads them from VERSION.mk
# (PACKAGE_VERSION_MAJOR=0 ...), so that file wins when the tree has one.
set -eu
tree=${1:?usage: opensc-src-version.sh TREE}
if [ -f "$tree/VERSION.mk" ]; then
	version=$(for part in MAJOR MINOR FIX; do
		sed -n "s/^[[:space:]]*PACKAGE_VERSION_${part}[[:space:]]*=[[:space:]]*\([0-9]*\)[[:space:]]*$/\1/p" "$tree/VERSION.mk"
	done | paste -sd. -)
else
	version=$(for part in MAJOR MINOR FIX; do
		sed -n "s/^define(\[PACKAGE_VERSION_${part}\], *\[\([0-9]*\)\])/\1/p" "$tree/configure.ac"
	done | paste -sd. -)
fi
# Anything but N.N.N means the format changed again: better no answer than a wrong one.
case "$version" in
	*[!0-9.]*|.*|*.|*..*|"") ;;
	*.*.*.*) ;;
	*.*.*) echo "$version"; exit 0 ;;
esac
echo "opensc-src-version: cannot read the version of $tree (configure.ac, VERSION.mk)" >&2
exit 1
