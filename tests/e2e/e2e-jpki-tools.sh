#!/bin/sh
# The stock pkcs15-tool, opensc-tool, pkcs11-tool and opensc-pkcs11.so against
# the virtual card through pcscd, with the plugin alone and before `internal`.
set -eu
: "${top_builddir:?}" "${top_srcdir:?}" "${OPENSC_JPKI_MODULE:?}"
[ -f "$OPENSC_JPKI_MODULE" ] || { echo "no module at $OPENSC_JPKI_MODULE" >&2; exit 1; }
harness=$top_srcdir/tests/harness/with-card.sh
checks=$top_srcdir/tests/e2e/jpki-checks.sh
gen=$top_builddir/sim/jpki-sim-gen
[ -x "$gen" ] || gen=$top_builddir/jpki-sim-gen
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-jpki.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
for mode in plugin-first plugin-only; do
	# A fresh card each time: the checks end by blocking a PIN.
	"$gen" --out "$work/$mode" > "$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; exit 99; }
	sh "$harness" --identity "$work/$mode" --conf "$mode" -- sh "$checks" "$mode" || status=1
done
# A reader that declares extended length (as CCID readers do through their
# TLV properties; vpcd cannot, so the conf says it): whole files per APDU.
"$gen" --out "$work/extended" > "$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; exit 99; }
sh "$top_srcdir/tests/lib/opensc-conf.sh" plugin-first \
	| sed 's/^app default {/app default {\n\treader_driver pcsc { max_recv_size = 65536; max_send_size = 65535; }/' \
	> "$work/extended.conf"
JPKI_DUMP_APDU_MAX=20 sh "$harness" --identity "$work/extended" --conf "$work/extended.conf" -- \
	sh "$checks" plugin-first-extended || status=1
exit $status
