#!/bin/sh
# Issue #6: the plugin's card link stays lean. bench/check-counts.sh runs every
# benchmark workload once with the plugin and with the built-in driver and
# asserts the APDU targets of `pkcs15-tool --dump` (<= 20 with extended length,
# <= 24 without, <= 0.30 of the built-in's), that the plugin bound the card,
# and no re-read / 6A82 probe / reset in plugin runs. Never wall times.
# Fails, never skips, when the module is missing: a benchmark of nothing must
# not pass.
set -eu
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
[ -f "${OPENSC_JPKI_MODULE:?}" ] || { echo "e2e-bench-counts: module $OPENSC_JPKI_MODULE missing" >&2; exit 1; }
exec sh "$top_srcdir/bench/check-counts.sh" --builddir "$top_builddir"
