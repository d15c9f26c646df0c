#!/bin/sh
# Issue #6: the APDU counts of `pkcs15-tool --dump` with the plugin stay within
# the targets (bench/check-counts.sh says which). Fails, never skips, when the
# module is missing: a benchmark of nothing must not pass.
set -eu
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
[ -f "${OPENSC_JPKI_MODULE:?}" ] || { echo "e2e-bench-counts: module $OPENSC_JPKI_MODULE missing" >&2; exit 1; }
exec sh "$top_srcdir/bench/check-counts.sh" --builddir "$top_builddir"
