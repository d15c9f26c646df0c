#!/bin/sh
# What debian/rules needs to know about the OpenSC release it builds against,
# asked of the build dependencies (opensc-pkcs11's libopensc, opensc's
# opensc-tool) and of the OpenSC tree in opensc/; nothing from the network.
#   opensc-release.sh lib                  libopensc's path
#   opensc-release.sh check RELEASE TREE   fail unless the installed libopensc,
#                                          the tree and the package version
#                                          (RELEASE) are one OpenSC release
#   opensc-release.sh features TREE        the feature macros that change
#                                          OpenSC's struct layouts, as the
#                                          installed libopensc was built
#   opensc-release.sh depends              the dependency that pins that release
set -eu
scripts=$(dirname "$0")/../scripts
fail() { echo "opensc-release: $*" >&2; exit 1; }
lib() { sh "$scripts/opensc-version.sh" --lib; }

case "${1:-}" in
lib)
	lib ;;
check)
	release=$2 tree=$3
	installed=$(sh "$scripts/opensc-version.sh")
	in_tree=$(sh "$scripts/opensc-src-version.sh" "$tree")
	[ "$installed" = "$release" ] && [ "$in_tree" = "$release" ] ||
		fail "this source package is for OpenSC $release, but the installed libopensc is $installed and opensc/ holds $in_tree"
	echo "opensc-release: OpenSC $release (libopensc $(lib), tree $tree)" ;;
features)
	macros=$(sh "$scripts/opensc-features.sh" "$2" | tr '\n' ' ')
	echo "opensc-release: feature macros: $macros" >&2
	echo "${macros% }" ;;
depends|breaks)
	# The package that holds the libopensc the module links against
	# (opensc-pkcs11 in bookworm, trixie and sid), pinned to its upstream
	# version: any Debian revision of it (a security update) is accepted,
	# the next upstream release is not. The module also refuses to load
	# into another libopensc version; this keeps apt from getting there.
	path=$(readlink -f "$(lib)")
	package=$(dpkg-query -S "$path" | sed -n '1s/[:,].*//p')
	[ -n "$package" ] || fail "no package holds $path"
	version=$(dpkg-query -W -f '${Version}' "$package")
	epoch=""
	case "$version" in *:*) epoch=${version%%:*}: ;; esac
	upstream=${version#*:}
	upstream=${upstream%-*}
	release=$(sh "$scripts/opensc-version.sh")
	case "$upstream" in
		"$release"|"$release"[+~]*) ;;
		*) fail "$package $version is not OpenSC $release" ;;
	esac
	# 0.26.1 -> 0.26.2~: below every version of the next release.
	last=${release##*.}
	next=${release%.*}.$((last + 1))
	if [ "$1" = depends ]; then
		echo "$package (>= $epoch$release), $package (<< $epoch$next~)"
	else
		# The same pin as Breaks: dpkg itself (dpkg -i, not only apt) then
		# refuses another release of libopensc while the module is installed.
		echo "$package (<< $epoch$release), $package (>= $epoch$next~)"
	fi ;;
*)
	fail "usage: opensc-release.sh lib|check RELEASE TREE|features TREE|depends|breaks" ;;
esac
