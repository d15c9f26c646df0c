#!/bin/sh
# Writes an opensc.conf for tests and benchmarks on stdout.
#   opensc-conf.sh MODE [--module PATH] [--card-info] [--card-info-pkcs11]
#                       [--debug N --debug-file F] [--file-cache no|public|yes]
#                       [--pin-cache-ignore-user-consent] [--name NAME] [--reader-ext]
# MODE: plugin-first  the plugin before OpenSC's built-in drivers (recommended setup)
#       plugin-only   the plugin alone
#       builtin       Debian's stock configuration: OpenSC's own jpki driver
# --card-info-pkcs11: card_info_pkcs11 = yes (the card-face token in PKCS#11
# applications too; goes with --card-info).
# --pin-cache-ignore-user-consent: OpenSC's pin_cache_ignore_user_consent = true
# (framework pkcs15): the PIN cache also serves keys that want user consent.
# --reader-ext: the PC/SC reader carries extended-length APDUs. OpenSC's pcsc
# reader driver assumes short APDUs only (255 / 256 bytes) unless the reader
# reports larger sizes through PC/SC part 10, which vpcd does not, or
# opensc.conf declares them (reader_driver pcsc { max_send_size; max_recv_size; }).
set -eu
mode=${1:?usage: opensc-conf.sh plugin-first|plugin-only|builtin [options]}
shift
module=${OPENSC_JPKI_MODULE:-}
name=mynumber
card_info=""
card_info_pkcs11=""
pin_cache=""
debug=0
debug_file=""
file_cache=""
reader=""
while [ $# -gt 0 ]; do
	case "$1" in
		--module) module=$2; shift 2 ;;
		--name) name=$2; shift 2 ;;
		--card-info) card_info="card_info = yes;"; shift ;;
		--card-info-pkcs11) card_info_pkcs11="card_info_pkcs11 = yes;"; shift ;;
		--pin-cache-ignore-user-consent) pin_cache="pin_cache_ignore_user_consent = true;"; shift ;;
		--debug) debug=$2; shift 2 ;;
		--debug-file) debug_file=$2; shift 2 ;;
		--file-cache) file_cache="use_file_caching = $2;"; shift 2 ;;
		--reader-ext) reader="reader_driver pcsc { max_send_size = 65535; max_recv_size = 65536; }"; shift ;;
		*) echo "opensc-conf.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
logging="debug = $debug;"
[ -z "$debug_file" ] || logging="$logging debug_file = $debug_file;"

case "$mode" in
	builtin)
		printf 'app default {\n\t%s\n\t%s\n\tframework pkcs15 {\n\t\t%s\n\t\t%s\n\t}\n}\n' "$logging" "$reader" "$file_cache" "$pin_cache"
		exit 0 ;;
	plugin-first) drivers="$name, internal" ;;
	plugin-only) drivers="$name" ;;
	*) echo "opensc-conf.sh: unknown mode $mode" >&2; exit 2 ;;
esac
[ -n "$module" ] || { echo "opensc-conf.sh: no module (set OPENSC_JPKI_MODULE or pass --module)" >&2; exit 2; }
[ -f "$module" ] || { echo "opensc-conf.sh: module $module does not exist" >&2; exit 1; }
cat <<CONF
app default {
	$logging
	$reader
	card_drivers = $drivers;
	card_driver $name {
		module = $module;
		$card_info
		$card_info_pkcs11
	}
	framework pkcs15 {
		$file_cache
		$pin_cache
		emulate $name {
			module = $module;
		}
	}
}
CONF
