#!/bin/sh
# Fetches the OpenSC source tree of exactly the installed libopensc version into a
# cache outside version control and records the feature macros that libopensc
# was built with, so our structs have the same layout as the library's.
# Prints the tree's path on stdout. Idempotent: a tree already in the cache is
# reused while the installed package revision is the one it was fetched for.
#
# The source: `apt-get source` (Debian's tree, patches applied) where the archive
# serves the installed revision's whole source package. Where it does not (this
# archive has only the .orig.tar.gz of trixie's and sid's opensc; the security
# archive's pool, none of bookworm-security's files), the release's upstream
# tarball from whichever archive's pool has it, plus Debian's patches of that
# revision, else of the nearest revision that can be had (said on stderr).
# OPENSC_JPKI_FETCH=pool skips apt-get source (to test that path).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=$("$here/opensc-version.sh")
cache=${OPENSC_JPKI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opensc-jpki}
tree=$cache/opensc-$version
features=$tree/opensc-jpki-features.txt
note() { echo "fetch-opensc-src: $*" >&2; }
fail() { note "$@"; exit 1; }

command -v dpkg-query >/dev/null || fail "not a Debian system: set OPENSC_JPKI_OPENSC_SRC to the source tree of OpenSC $version (doc/install.md)"
pkg_version=$(dpkg-query -W -f '${Version}' opensc-pkcs11 2>/dev/null) ||
	fail "package opensc-pkcs11 is not installed, though a libopensc $version is: for an OpenSC not from this system's packages set OPENSC_JPKI_OPENSC_SRC to its source tree (doc/install.md)"

# The tree records the package revision it was fetched for, and from where:
# a later revision (a security update) may patch a struct, so its tree is
# fetched again rather than the older one reused.
origin=$tree/opensc-jpki-origin.txt
if [ -f "$features" ] && [ -f "$tree/src/libopensc/opensc.h" ] && [ -f "$origin" ] &&
	[ "$(sed -n 1p "$origin")" = "opensc-pkcs11 $pkg_version" ]; then
	sed -n '2s/^/fetch-opensc-src: cached tree: /p' "$origin" >&2
	echo "$tree"
	exit 0
fi
[ ! -d "$tree" ] || note "the cached tree $tree was not fetched for opensc-pkcs11 $pkg_version: fetching again"
# The package's upstream part against the library's version, a pre-release
# written either way: Ubuntu's 0.25.0~rc1 is the library's 0.25.0-rc1, its
# 0.27.0~rc1 the library's 0.27.0rc1.
bare() { echo "$1" | sed 's/^[0-9]*://; s/-[^-]*$//; s/[~-]//g'; }
[ "$(bare "$pkg_version")" = "$(echo "$version" | tr -d '~-')" ] || case "$pkg_version" in
	"$version"|*:"$version") ;;
	*) fail "package opensc-pkcs11 is $pkg_version but libopensc says $version" ;;
esac

# Adds deb-src entries mirroring the binary ones, in whichever format the system
# uses: deb822 (*.sources, Debian 12 containers) or one-line (sources.list,
# Debian 12 installed from an image, debootstrap).
add_deb_src() {
	[ "$(id -u)" = 0 ] || fail "needs root to add a deb-src entry to apt's sources"
	deb822=/etc/apt/sources.list.d/opensc-jpki-src.sources
	oneline=/etc/apt/sources.list.d/opensc-jpki-src.list
	# Only stanzas of binary packages alone: one that lists deb-src already
	# (Types: deb deb-src) would be there twice, and apt warns of each
	# source "configured multiple times".
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$deb822" ] || continue
		awk 'function flush() { if (n && types == "deb" && enabled != "no") { for (i = 1; i <= n; i++) print lines[i]; print "" } n = 0; types = ""; enabled = "" }
			/^#/ { next }
			/^[[:space:]]*$/ { flush(); next }
			tolower($1) == "types:" { types = $2; for (i = 3; i <= NF; i++) types = types " " $i; $0 = "Types: deb-src" }
			tolower($1) == "enabled:" { enabled = tolower($2) }
			{ lines[++n] = $0 }
			END { flush() }' "$f"
	done > "$deb822"
	grep -q '^Types: deb-src' "$deb822" || rm -f "$deb822"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && [ "$f" != "$oneline" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"
	done | awk '!seen[$0]++' > "$work/derived"
	# Lines already there as deb-src (for another suite than the one whose
	# Sources were missing) are left out, as above.
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && [ "$f" != "$oneline" ] || continue
		sed -n 's/^[[:space:]]*deb-src[[:space:]]/deb-src /p' "$f"
	done > "$work/existing"
	grep -vxF -f "$work/existing" "$work/derived" > "$oneline" || true
	[ -s "$oneline" ] || rm -f "$oneline"
	[ -f "$deb822" ] || [ -f "$oneline" ] || fail "found no binary apt source to derive a deb-src entry from"
	for f in "$deb822" "$oneline"; do
		[ ! -f "$f" ] || note "added deb-src entries for apt-get source in $f (delete it to undo)"
	done
	"$here/apt-update.sh"
	deb_src_added=yes
}

mkdir -p "$cache"
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Asked by source package and source version: a binNMU's binary version
# (0.26.1-3+b1) names no source.
src=$(dpkg-query -W -f '${source:Package}' opensc-pkcs11)
src_version=$(dpkg-query -W -f '${source:Version}' opensc-pkcs11)
upstream=${src_version#*:}
upstream=${upstream%-*}

# Every revision of the installed upstream release that apt's signed Sources
# indexes list, with its files: lines "VERSION URI NAME SIZE SHA256:HASH".
# An installed system lists two or more (bookworm and bookworm-security), and
# an archive may serve the files of one but not of another.
list_revisions() {
	apt-cache showsrc "$src" 2>/dev/null | sed -n 's/^Version: //p' | sort -u | while read -r v; do
		u=${v#*:}
		[ "${u%-*}" = "$upstream" ] || continue
		apt-get source -qq --print-uris "$src=$v" 2>/dev/null | tr -d "'" | sed "s|^|$v |"
	done
}

# Debian versions on stdin, one a line, in dpkg's order (sort -V gets ~ wrong).
ascending() {
	sorted=""
	while read -r v; do
		out="" placed=no
		for s in $sorted; do
			if [ "$placed" = no ] && dpkg --compare-versions "$v" lt "$s"; then out="$out $v"; placed=yes; fi
			out="$out $s"
		done
		[ "$placed" = yes ] || out="$out $v"
		sorted=$out
	done
	# shellcheck disable=SC2086 # one word per version
	[ -z "$sorted" ] || printf '%s\n' $sorted
}

# Downloads one file the Sources indexes list into $work, its SHA-256 checked
# (a file name in the pool always holds the same bytes, so any archive's copy
# will do): first where an index places it, then in each archive's pool
# directories that any index names, and in the main pool by the package's name
# (pool/main/o/opensc: the security archive's is pool/updates/main). Sets
# $why to the answers when no address served it.
fetch_file() { # NAME HASH
	why=""
	first=$(awk -v n="$1" '$3 == n { print $2; exit }' "$work/listed")
	encoded=${first##*/} # as the index's address spells it (+ is %2b)
	{
		awk -v n="$1" '$3 == n { print $2 }' "$work/listed"
		for base in $bases; do
			for dir in $dirs; do echo "$base$dir/$encoded"; done
		done
	} | awk '!seen[$0]++' > "$work/addresses"
	: > "$work/answers"
	while read -r uri; do
		rm -f "$work/$1"
		if /usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$uri" "$work/$1" "$2" < /dev/null > "$work/dl.log" 2>&1; then
			return 0
		fi
		grep -o '[0-9][0-9][0-9] \+[A-Z][A-Za-z ]*[a-z]\|Hash Sum mismatch' "$work/dl.log" | head -n 1 | tr -s ' ' >> "$work/answers" ||
			echo "no answer" >> "$work/answers"
	done < "$work/addresses"
	rm -f "$work/$1"
	why=$(sort "$work/answers" | uniq -c | awk '{ n = $1; $1 = ""; printf "%s%s from %d address%s", (NR > 1 ? ", " : ""), substr($0, 2), n, (n > 1 ? "es" : "") }')
	return 1
}

# The upstream tarball and Debian's patches, straight from the archives' pools,
# each file checked against the hash a signed Sources index gives for it. The
# patches are the installed revision's, else the nearest revision's that can be
# had: the highest below it (what the installed one was made from), else the
# lowest above it.
fetch_from_pool() {
	list_revisions > "$work/listed"
	if [ ! -s "$work/listed" ] && [ "$(id -u)" = 0 ] && [ "${deb_src_added:-}" != yes ]; then
		add_deb_src
		list_revisions > "$work/listed"
	fi
	[ -s "$work/listed" ] ||
		fail "no signed Sources index lists opensc $upstream, so its upstream tarball cannot be checked (a deb-src entry for the archive of opensc-pkcs11 $pkg_version, and apt-get update, are needed)"
	case "$src" in lib?*) prefix=$(echo "$src" | cut -c1-4) ;; *) prefix=$(echo "$src" | cut -c1) ;; esac
	# shellcheck disable=SC2016 # apt's format, not the shell's
	bases=$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Sources' 2>/dev/null | awk '!seen[$0]++')
	dirs=$(
		cut -d' ' -f2 "$work/listed" | while read -r uri; do
			for base in $bases; do
				case "$uri" in "$base"*) rest=${uri#"$base"}; echo "${rest%/*}" ;; esac
			done
		done
		echo "pool/main/$prefix/$src"
	)
	dirs=$(echo "$dirs" | awk '!seen[$0]++')

	# The upstream tarball: the name the installed revision lists, else any
	# revision's (they all name the same one).
	orig_name=$(awk -v v="$src_version" -v n="${src}_$upstream.orig.tar." \
		'index($3, n) == 1 && $3 !~ /\.asc$/ { print ($1 == v ? 0 : 1), $3 }' "$work/listed" | sort | head -n 1 | cut -d' ' -f2)
	[ -n "$orig_name" ] || fail "the Sources indexes list no upstream tarball for opensc $upstream"
	orig_hash=$(awk -v n="$orig_name" '$3 == n { print $5 }' "$work/listed" | sort -u)
	[ "$(echo "$orig_hash" | wc -l)" -eq 1 ] ||
		fail "the Sources indexes disagree on the SHA-256 of $orig_name: $(echo "$orig_hash" | tr '\n' ' ')"
	fetch_file "$orig_name" "$orig_hash" || fail "no archive serves $orig_name ($why)"
	orig=$work/$orig_name

	# Debian's patches: the installed revision first, then the lower ones from
	# the highest down, then the higher ones from the lowest up.
	revisions=$(cut -d' ' -f1 "$work/listed" | sort -u)
	{
		echo "$revisions" | grep -Fx -- "$src_version" || true
		echo "$revisions" | while read -r v; do ! dpkg --compare-versions "$v" lt "$src_version" || echo "$v"; done | ascending | tac
		echo "$revisions" | while read -r v; do ! dpkg --compare-versions "$v" gt "$src_version" || echo "$v"; done | ascending
	} > "$work/order"
	debian="" patched_by="" missed=""
	while read -r v; do
		line=$(awk -v v="$v" '$1 == v && $3 ~ /\.debian\.tar\.[a-z0-9]+$/ { print $3, $5; exit }' "$work/listed")
		[ -n "$line" ] || continue
		if fetch_file "${line% *}" "${line#* }"; then
			debian=$work/${line% *} patched_by=$v
			break
		fi
		missed="$missed${missed:+; }$v ($why)"
	done < "$work/order"
	grep -qFx -- "$src_version" "$work/order" || missed="$src_version (not in the Sources indexes)${missed:+; }$missed"

	mkdir "$work/unpack"
	tar -xf "$orig" -C "$work/unpack"
	unpacked=$(find "$work/unpack" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	[ -n "$unpacked" ] || fail "$orig holds no directory"
	if [ -z "$debian" ]; then
		note "Debian's patches for opensc $upstream could not be had from any revision the Sources indexes list: $missed; building against the unpatched upstream $upstream source"
		source_said="the unpatched upstream $upstream source (no revision's Debian patches could be had)"
		return 0
	fi
	tar -xf "$debian" -C "$unpacked"
	if [ -f "$unpacked/debian/patches/series" ]; then
		# The series as dpkg-source applies it (format 3.0 (quilt), -p1).
		sed 's/#.*//' "$unpacked/debian/patches/series" | while read -r patch _; do
			[ -n "$patch" ] || continue
			patch -s -p1 -d "$unpacked" --no-backup-if-mismatch < "$unpacked/debian/patches/$patch" ||
				fail "Debian patch $patch (of opensc $patched_by) does not apply"
		done
	fi
	if [ "$patched_by" = "$src_version" ]; then
		note "applied Debian's patches of opensc $src_version to the upstream $upstream source"
		source_said="the upstream $upstream source with Debian's patches of opensc $src_version"
	else
		note "Debian's patches of opensc $src_version could not be had ($missed); applied those of opensc $patched_by, the nearest revision the archive serves, to the upstream $upstream source"
		source_said="the upstream $upstream source with Debian's patches of opensc $patched_by, the nearest revision the archive served (not $src_version's)"
	fi
}

unpacked=""
source_said=""
if [ "${OPENSC_JPKI_FETCH:-}" != pool ]; then
	if ! apt-get source --print-uris "$src=$src_version" >/dev/null 2>&1; then
		add_deb_src
	fi
	if (cd "$work" && apt-get source -q "$src=$src_version" >/dev/null 2>"$work/log"); then
		unpacked=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$src-*" | head -n 1)
		[ -n "$unpacked" ] || fail "apt-get source left no tree"
		source_said="Debian's source package opensc $src_version (apt-get source)"
	else
		note "apt-get source $src=$src_version failed ($(grep '^E:' "$work/log" | head -n 1)); taking the release's files from the archives' pools instead"
		rm -rf "$work/${src:?}"* "$work/log"
	fi
fi
[ -n "$unpacked" ] || fetch_from_pool

tree_version=$("$here/opensc-src-version.sh" "$unpacked")
[ "$tree_version" = "$version" ] || fail "source is $tree_version, library is $version"

# The macros that change struct layouts, as the installed libopensc was built.
"$here/opensc-features.sh" "$unpacked" > "$work/features"
# Where Debian's packaging came along, it must tell the same: debian/rules
# passes --enable-sm/--enable-zlib/--enable-pcsc, and OpenSSL is enabled by
# configure whenever libssl-dev is a build dependency.
if [ -f "$unpacked/debian/rules" ] && [ -f "$unpacked/debian/control" ]; then
	{
		grep -q -- '--enable-sm' "$unpacked/debian/rules" && echo "-DENABLE_SM"
		grep -q 'libssl-dev' "$unpacked/debian/control" && echo "-DENABLE_OPENSSL"
		grep -q -- '--enable-zlib' "$unpacked/debian/rules" && echo "-DENABLE_ZLIB"
		grep -q -- '--enable-pcsc' "$unpacked/debian/rules" && echo "-DENABLE_PCSC"
		true
	} > "$work/features.debian"
	cmp -s "$work/features" "$work/features.debian" ||
		fail "the installed OpenSC reports $(tr '\n' ' ' < "$work/features")but its Debian packaging says $(tr '\n' ' ' < "$work/features.debian")"
fi
mv "$work/features" "$unpacked/opensc-jpki-features.txt"
printf 'opensc-pkcs11 %s\n%s\n' "$pkg_version" "$source_said" > "$unpacked/opensc-jpki-origin.txt"

rm -rf "$tree"
mv "$unpacked" "$tree"
echo "$tree"
