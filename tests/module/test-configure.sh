#!/bin/sh
# configure must refuse an OpenSC source tree whose version differs from the
# installed libopensc's (the struct layouts would not match), and say so; and
# refuse, in its first lines, a libopensc of a release this tree is not made for.
set -eu
: "${top_srcdir:?}" "${OPENSC_JPKI_VERSION:?}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0
checks=0
check() { # description, condition...
	what=$1; shift
	checks=$((checks + 1))
	if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; failures=$((failures + 1)); fi
}

# A tree that claims another release: configure.ac's version macros, a header.
fake=$scratch/opensc-other
mkdir -p "$fake/src/libopensc"
printf 'define([PACKAGE_VERSION_MAJOR], [0])\ndefine([PACKAGE_VERSION_MINOR], [19])\ndefine([PACKAGE_VERSION_FIX], [0])\n' > "$fake/configure.ac"
: > "$fake/src/libopensc/opensc.h"
echo "-DENABLE_SM" > "$fake/opensc-jpki-features.txt"

rc=0
(cd "$scratch" && "$top_srcdir/configure" --with-opensc-lib="${OPENSC_JPKI_LIB:?}" --with-opensc-src="$fake" > configure.out 2>&1) || rc=$?
check "configure fails on a 0.19.0 tree" [ "$rc" -ne 0 ]
check "and says which versions differ" \
	grep -q "OpenSC source tree $fake is version 0.19.0 but the installed libopensc is $OPENSC_JPKI_VERSION" "$scratch/configure.out"

# Negative control: a tree of the right version gets past that check (it then
# stops later, at the missing real headers, or succeeds; either way not there).
base=$(echo "$OPENSC_JPKI_VERSION" | sed 's/^\([0-9]*\.[0-9]*\.[0-9]*\).*/\1/')
suffix=${OPENSC_JPKI_VERSION#"$base"}
printf 'define([PACKAGE_VERSION_MAJOR], [%s])\ndefine([PACKAGE_VERSION_MINOR], [%s])\ndefine([PACKAGE_VERSION_FIX], [%s])\ndefine([PACKAGE_SUFFIX], [%s])\n' \
	"$(echo "$base" | cut -d. -f1)" "$(echo "$base" | cut -d. -f2)" "$(echo "$base" | cut -d. -f3)" "$suffix" > "$fake/configure.ac"
(cd "$scratch" && "$top_srcdir/configure" --with-opensc-lib="$OPENSC_JPKI_LIB" --with-opensc-src="$fake" > configure2.out 2>&1) || true
check "a tree of the installed version is not refused for its version" \
	sh -c "! grep -q 'struct layouts would not match' '$scratch/configure2.out'"
check "and is recognised as $OPENSC_JPKI_VERSION" \
	grep -q "which OpenSC version the tree at .* is\.\.\. $OPENSC_JPKI_VERSION" "$scratch/configure2.out"

# The same tree reached through a path with a space: refused as such, not as
# headers that do not compile (the -I flag would split at the space).
mkdir "$scratch/with space"
ln -s "$fake" "$scratch/with space/opensc"
rc=0
(cd "$scratch" && "$top_srcdir/configure" --with-opensc-lib="$OPENSC_JPKI_LIB" \
	--with-opensc-src="$scratch/with space/opensc" > configure-space.out 2>&1) || rc=$?
check "configure refuses a tree path with a space" [ "$rc" -ne 0 ]
check "and says the space is why" grep -q "path \"$scratch/with space/opensc\" holds a space" "$scratch/configure-space.out"

# A libopensc that answers another release: a stand-in library whose
# sc_get_version() is all configure asks of it.
supported=$(sh "$top_srcdir/scripts/opensc-supported.sh" --list)
for other in 0.21.0 0.28.0 0.27.2; do
	printf 'const char *sc_get_version(void) { return "%s"; }\n' "$other" > "$scratch/fake.c"
	${CC:-cc} -shared -fPIC -o "$scratch/libopensc.so.$other" "$scratch/fake.c"
	rc=0
	(cd "$scratch" && "$top_srcdir/configure" --with-opensc-lib="$scratch/libopensc.so.$other" > "configure-$other.out" 2>&1) || rc=$?
	check "configure refuses a libopensc $other" [ "$rc" -ne 0 ]
	check "within its first 3 lines, naming the supported releases ($supported)" \
		sh -c "head -n 3 '$scratch/configure-$other.out' | grep -q 'error: OpenSC $other is not supported: .*$supported'"
done
check "0.22.0 to 0.27.1 with Ubuntu's two pre-releases are the supported releases" \
	[ "$supported" = "0.22.0, 0.23.0, 0.24.0, 0.25.0-rc1, 0.25.1, 0.26.0, 0.26.1, 0.27.0-rc1 and 0.27.1" ]
# As libopensc says them, and as Debian and Ubuntu version their packages.
for v in 0.22.0 0.23.0 0.26.1 0.27.1 1:0.26.1-3+b1 0.23.0-0.3+deb12u3 0.25.0-rc1 0.25.0~rc1-1ubuntu0.2 0.27.0rc1 0.27.0~rc1-1; do
	check "opensc-supported.sh accepts $v, silently" sh -c "[ -z \"\$(sh '$top_srcdir/scripts/opensc-supported.sh' '$v' 2>&1)\" ]"
done
for v in 0.21.0 0.27.2 0.28.0 1.0.0 0.26 x 0.27.1x; do
	check "opensc-supported.sh refuses $v" sh -c "! sh '$top_srcdir/scripts/opensc-supported.sh' '$v' 2>/dev/null"
done
check "a release between two supported ones is allowed, with a warning" \
	sh -c "sh '$top_srcdir/scripts/opensc-supported.sh' 0.25.0 2>&1 | grep -q 'untested'"
for v in 1:0.27.1~rc1-1 0.27.1-rc1 0.27.1rc1; do
	check "a pre-release ($v) is not taken for the release: a warning" \
		sh -c "sh '$top_srcdir/scripts/opensc-supported.sh' '$v' 2>&1 | grep -q 'pre-release of 0.27.1, untested'"
done
for v in 0.27.1+git20260601.14c80b0-1 0.27.1-14-g14c80b0 0.26.0~git20250101-1; do
	check "a git snapshot's package ($v) is not taken for the release: a warning" \
		sh -c "sh '$top_srcdir/scripts/opensc-supported.sh' '$v' 2>&1 | grep -q 'snapshot between releases, untested'"
done
check "0.25.0-rc1 is not taken for 0.25.1" \
	sh -c "sh '$top_srcdir/scripts/opensc-supported.sh' 0.25.0-rc2 2>&1 | grep -q 'pre-release of 0.25.0, untested'"

# OpenSC 0.27 moved its version from configure.ac to VERSION.mk.
mk=$scratch/opensc-mk
mkdir -p "$mk"
printf 'dnl reads VERSION.mk\n' > "$mk/configure.ac"
printf 'PRODUCT_NAME=OpenSC\nPACKAGE_VERSION_MAJOR=0\nPACKAGE_VERSION_MINOR=27\nPACKAGE_VERSION_FIX=1\nPACKAGE_VERSION_REVISION=0\n' > "$mk/VERSION.mk"
check "opensc-src-version.sh reads VERSION.mk (0.27)" [ "$(sh "$top_srcdir/scripts/opensc-src-version.sh" "$mk")" = 0.27.1 ]
# A pre-release's suffix, composed as the library will say it.
printf 'PACKAGE_SUFFIX=rc1\n' >> "$mk/VERSION.mk"
check "opensc-src-version.sh keeps VERSION.mk's suffix (0.27.1rc1)" [ "$(sh "$top_srcdir/scripts/opensc-src-version.sh" "$mk")" = 0.27.1rc1 ]
ac=$scratch/opensc-ac
mkdir -p "$ac"
printf 'define([PACKAGE_VERSION_MAJOR], [0])\ndefine([PACKAGE_VERSION_MINOR], [25])\ndefine([PACKAGE_VERSION_FIX], [0])\ndefine([PACKAGE_SUFFIX], [-rc1])\n' > "$ac/configure.ac"
check "opensc-src-version.sh keeps configure.ac's suffix (0.25.0-rc1)" [ "$(sh "$top_srcdir/scripts/opensc-src-version.sh" "$ac")" = 0.25.0-rc1 ]
rm "$mk/VERSION.mk"
check "and fails on a tree that holds no version" sh -c "! sh '$top_srcdir/scripts/opensc-src-version.sh' '$mk' 2>/dev/null"

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
