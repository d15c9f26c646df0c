#!/bin/sh
# Prints the OpenSC version of a source tree (from its configure.ac), e.g. "0.23.0".
set -eu
tree=${1:?usage: opensc-src-version.sh TREE}
sed -n 's/^define(\[PACKAGE_VERSION_\(MAJOR\|MINOR\|FIX\)\], *\[\([0-9]*\)\])/\2/p' "$tree/configure.ac" | paste -sd. -
