#!/bin/sh
# Prints, one a line, the feature macros that change OpenSC's struct layouts
# (-DENABLE_SM, -DENABLE_OPENSSL, -DENABLE_ZLIB, -DENABLE_PCSC) as the
# installed libopensc was built, each checked against the source tree.
#   opensc-features.sh TREE
# `opensc-tool --info` lists zlib, openssl and pcsc; secure messaging it does
# not list, but only a libopensc built with ENABLE_SM holds the message of its
# SM module loader (card.c, 0.22 to master). The library is the one
# scripts/opensc-version.sh finds (OPENSC_LIB overrides); opensc-tool is the
# one beside it on PATH. Exit 1, with the reason on stderr, when either cannot
# tell or a macro is not one of that tree's.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tree=${1:?usage: opensc-features.sh TREE}
fail() { echo "opensc-features: $*" >&2; exit 1; }
lib=$("$here/opensc-version.sh" --lib)
sm_marker="try to load SM module"
grep -q "$sm_marker" "$tree/src/libopensc/card.c" ||
	fail "$tree's card.c does not say \"$sm_marker\": cannot tell whether $lib was built with ENABLE_SM"
info=$(opensc-tool --info 2>/dev/null | sed -n 's/^Enabled features://p')
[ -n "$info" ] || fail "opensc-tool --info printed no 'Enabled features' line"
macros=$(
	grep -q "$sm_marker" "$lib" && echo "-DENABLE_SM"
	case " $info " in *" openssl "*) echo "-DENABLE_OPENSSL" ;; esac
	case " $info " in *" zlib "*) echo "-DENABLE_ZLIB" ;; esac
	case " $info " in *" pcsc("*|*" pcsc "*) echo "-DENABLE_PCSC" ;; esac
	true
)
for macro in $macros; do
	grep -q "AC_DEFINE(\[${macro#-D}\]" "$tree/configure.ac" ||
		fail "$macro, from the installed OpenSC, is not a macro of the OpenSC source at $tree"
done
[ -z "$macros" ] || echo "$macros"
