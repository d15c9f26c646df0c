#!/bin/sh
# A module built on one Debian release, loaded by another release's stock
# OpenSC: it must be refused, OpenSC must go on with its built-in drivers, and
# OpenSC's debug log must say why. Run by scripts/release-matrix.sh in each
# release's chroot with the modules the other releases built (test-load.sh
# covers the same refusal inside one release with pretend versions).
#
#   tests/module/cross-load.sh RELEASE=MODULE...
# RELEASE names where MODULE was built (for the messages). Prints one line per
# module, "ok: ..." or "FAIL: ..."; exit 0 when every module was refused as
# it should be, 1 otherwise, 2 on a usage or set-up error. Also one line per
# module for the "status" of this tree's opensc-jpki-config (build/plain/tools,
# or OPENSC_JPKI_CONFIG_TOOL) of a file enabling MODULE: exit 3 and a warning
# that names the other release's libopensc or version; without the tool built,
# a FAIL line (the release matrix always builds it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
conf_gen=$here/../lib/opensc-conf.sh
[ $# -gt 0 ] || { echo "usage: cross-load.sh RELEASE=MODULE..." >&2; exit 2; }
command -v opensc-tool >/dev/null 2>&1 || { echo "cross-load: no opensc-tool" >&2; exit 2; }
running=$(opensc-tool --info 2>/dev/null | sed -n 's/^OpenSC \([^ ]*\) .*/\1/p')
[ -n "$running" ] || { echo "cross-load: opensc-tool --info names no version" >&2; exit 2; }
config_tool=${OPENSC_JPKI_CONFIG_TOOL:-$here/../../build/plain/tools/opensc-jpki-config}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/cross-load.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# What opensc-jpki-config status says of a file that enables the foreign
# module: 3 and the reason, never "usable". 0 when it does, 1 when not (or
# when there is no tool to ask). The module is a copy in a directory only root
# can write: run as root (in the chroots), status loads nothing else, and the
# matrix leaves the modules in /tmp.
config_status() { # what, module, n
	if [ ! -x "$config_tool" ]; then
		echo "FAIL: $1: no $config_tool built; its status not checked"
		return 1
	fi
	if ! { mkdir -m 755 "$scratch/$3.lib" && cp "$2" "$scratch/$3.lib/opensc-jpki.so" &&
		chmod 644 "$scratch/$3.lib/opensc-jpki.so"; }; then
		echo "FAIL: $1: cannot copy $2 for opensc-jpki-config status"
		return 1
	fi
	conf=$scratch/$3.status.conf
	printf 'app default {\n}\n' >"$conf"
	"$config_tool" --module "$scratch/$3.lib/opensc-jpki.so" enable "$conf" >/dev/null 2>&1 ||
		{ echo "FAIL: $1: opensc-jpki-config enable failed"; return 1; }
	src=0
	"$config_tool" status "$conf" >"$scratch/$3.status.out" 2>"$scratch/$3.status.err" || src=$?
	warning=$(grep -m1 'warning: ' "$scratch/$3.status.err")
	case "$src:$warning" in
		"3:"*"built for another OpenSC release"*|"3:"*"was built for OpenSC "*", but the installed OpenSC is $running"*|\
		"3:"*"was built for OpenSC $running, and the installed OpenSC says $running too, but the module refuses it"*)
			echo "ok: $1: opensc-jpki-config status exit 3: ${warning#*warning: }"
			return 0 ;;
	esac
	echo "FAIL: $1: opensc-jpki-config status exit $src: $(tr '\n' ' ' <"$scratch/$3.status.out") $(tr '\n' ' ' <"$scratch/$3.status.err")"
	return 1
}

status=0
n=0
for arg in "$@"; do
	release=${arg%%=*}
	module=${arg#*=}
	n=$((n + 1))
	what="the module built on $release, in OpenSC $running"
	if [ ! -f "$module" ]; then
		echo "FAIL: $what: $module does not exist"
		status=1
		continue
	fi
	log=$scratch/$n.log
	OPENSC_JPKI_MODULE=$module sh "$conf_gen" plugin-first --debug 9 --debug-file "$log" >"$scratch/$n.conf" ||
		{ echo "FAIL: $what: opensc-conf.sh failed"; status=1; continue; }
	rc=0
	OPENSC_CONF=$scratch/$n.conf opensc-tool -D >"$scratch/$n.out" 2>"$scratch/$n.err" || rc=$?
	drivers=$(sed -n 's/^  \([^ ]*\)  *.*$/\1/p' "$scratch/$n.out" | tr '\n' ' ')
	# OpenSC's loader: a version it does not accept, or a library the dynamic
	# linker cannot load here (a newer C library); the plugin's own guard:
	# the refusing driver, named in the listing.
	why=$(grep -m1 -e "dynamic library '$module': invalid module version" \
		-e "Module mynumber: cannot load $module library" "$log" 2>/dev/null)
	case " $drivers " in
		*" mynumber "*)
			echo "FAIL: $what: loaded as a card driver (drivers: $drivers)"
			status=1 ;;
		*" jpki-refused "*)
			echo "ok: $what: refused by the plugin's own guard (listed as jpki-refused)" ;;
		*)
			if [ "$rc" -ne 0 ]; then
				echo "FAIL: $what: opensc-tool -D exit $rc: $(head -n 2 "$scratch/$n.err" | tr '\n' ' ')"
				status=1
			elif ! echo " $drivers " | grep -q ' jpki '; then
				echo "FAIL: $what: OpenSC's built-in drivers are gone too (drivers: $drivers)"
				status=1
			elif [ -z "$why" ]; then
				echo "FAIL: $what: not loaded, but the debug log does not say why"
				status=1
			else
				echo "ok: $what: refused, the built-in drivers still there; OpenSC's log: $(echo "$why" | sed 's/^.*\] //')"
			fi ;;
	esac
	config_status "$what" "$module" "$n" || status=1
done
exit "$status"
