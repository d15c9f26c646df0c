#!/bin/sh
# The main job: install what is needed, build, and show the stock `pkcs15-tool
# --dump` of the bundled virtual My Number Card through the plugin.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh" plain
b=$top/build/plain
identity=$b/demo-identity
[ -f "$identity/facts" ] || "$b/sim/jpki-sim-gen" --out "$identity" >/dev/null
export top_srcdir="$top" top_builddir="$b" OPENSC_JPKI_MODULE="$b/src/.libs/opensc-jpki.so"
exec "$top/tests/harness/with-card.sh" --identity "$identity" --conf plugin-first -- pkcs15-tool --dump
