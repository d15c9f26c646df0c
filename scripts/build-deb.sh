#!/bin/sh
# Builds the Debian packages of opensc-jpki for the OpenSC release of this
# Debian system (bookworm, trixie or sid), as root:
#   build-deb.sh [--lint]
# installs the build dependencies (debian/control), fetches the OpenSC source
# of exactly the installed libopensc (scripts/fetch-opensc-src.sh, cached
# outside the repository), writes the two upstream tarballs of the source
# package (opensc-jpki itself, and OpenSC's source as the component "opensc";
# see debian/README.source), sets the version (UPSTREAM+openscRELEASE-1) and
# distribution of the first changelog entry, and runs dpkg-buildpackage.
# Writes dist/*.deb (the binary packages), dist/source/ (the source package,
# .changes, .buildinfo) and dist/debug/ (the -dbgsym packages); works in
# build/deb/. --lint: lintian on the result too (installed when missing);
# exits non-zero when it reports an error. The packages are built from the
# committed tree (git archive HEAD) when this is a git checkout.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
started=$(date +%s)
note() { echo "build-deb: [$(( $(date +%s) - started ))s] $*" >&2; }
fail() { note "$@"; exit 1; }
lint=no
for arg in "$@"; do
	case "$arg" in
		--lint) lint=yes ;;
		*) fail "usage: build-deb.sh [--lint]" ;;
	esac
done
[ "$(id -u)" = 0 ] || fail "needs root (apt-get build-dep)"
command -v apt-get >/dev/null 2>&1 || fail "not a Debian system"
export DEBIAN_FRONTEND=noninteractive

note "installing the build dependencies of debian/control"
"$top/scripts/apt-update.sh" --if-stale
apt-get build-dep -y -q "$top" >/dev/null
opensc=$("$top/scripts/opensc-version.sh")
"$top/scripts/opensc-supported.sh" "$opensc" || fail "cannot build for OpenSC $opensc"
note "fetching the OpenSC $opensc source (scripts/fetch-opensc-src.sh)"
opensc_tree=$("$top/scripts/fetch-opensc-src.sh")

upstream=$(sed -n 's/^AC_INIT(\[opensc-jpki\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
[ -n "$upstream" ] || fail "no version in configure.ac's AC_INIT"
version=$upstream+opensc$opensc
if grep -q '/sid$' /etc/debian_version; then
	distribution=unstable
else
	distribution=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$distribution" ] || fail "/etc/os-release names no VERSION_CODENAME"
fi
note "opensc-jpki $version-1 for $distribution"

work=$top/build/deb
rm -rf "$work"
mkdir -p "$work/orig" "$work/opensc"
# Both tarballs byte-reproducible: names sorted, owners and times fixed.
if git -C "$top" rev-parse --verify -q HEAD >/dev/null 2>&1; then
	epoch=$(git -C "$top" log -1 --format=%ct HEAD)
	git -C "$top" archive --format=tar --prefix="opensc-jpki-$version/" HEAD | tar -x -C "$work/orig"
else
	epoch=$(date +%s)
	mkdir "$work/orig/opensc-jpki-$version"
	tar -C "$top" --exclude=./.git --exclude=./build --exclude=./dist --exclude=./autom4te.cache -cf - . |
		tar -x -C "$work/orig/opensc-jpki-$version"
fi
rm -rf "$work/orig/opensc-jpki-$version/debian"
# OpenSC's tree without its debian/ (bookworm's apt-get source), the patch
# state, our features file, and doc/: the build needs none of it, and some
# releases ship generated HTML there without its source (lintian's
# source-is-missing).
tar -C "$opensc_tree" --exclude=./debian --exclude=./.pc --exclude=./opensc-jpki-features.txt --exclude=./doc -cf - . |
	(mkdir "$work/opensc/opensc-$opensc" && tar -x -C "$work/opensc/opensc-$opensc")
pack() { # directory, its subdirectory (the tarball's top), tarball
	tar -C "$1" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner -cf - "$2" | gzip -n -9 > "$3"
}
pack "$work/orig" "opensc-jpki-$version" "$work/opensc-jpki_$version.orig.tar.gz"
pack "$work/opensc" "opensc-$opensc" "$work/opensc-jpki_$version.orig-opensc.tar.gz"
rm -rf "$work/orig" "$work/opensc"

# The tree dpkg-source would unpack: both tarballs and debian/.
tree=$work/opensc-jpki-$version
mkdir "$tree" "$tree/opensc"
tar -xzf "$work/opensc-jpki_$version.orig.tar.gz" -C "$tree" --strip-components=1
tar -xzf "$work/opensc-jpki_$version.orig-opensc.tar.gz" -C "$tree/opensc" --strip-components=1
if git -C "$top" rev-parse --verify -q HEAD >/dev/null 2>&1; then
	git -C "$top" archive --format=tar HEAD debian | tar -x -C "$tree"
else
	cp -a "$top/debian" "$tree/debian"
fi
sed -i "1s/^opensc-jpki ([^)]*) [^;]*;/opensc-jpki ($version-1) $distribution;/" "$tree/debian/changelog"

note "dpkg-buildpackage (log: $work/build.log)"
jobs=$(nproc 2>/dev/null || echo 1)
if ! (cd "$tree" && DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} parallel=$jobs" dpkg-buildpackage -us -uc) > "$work/build.log" 2>&1; then
	tail -n 30 "$work/build.log" >&2
	fail "dpkg-buildpackage failed (whole log: $work/build.log)"
fi

dist=$top/dist
mkdir -p "$dist/source" "$dist/debug"
[ -f "$dist/.gitignore" ] || printf '# written by scripts/build-deb.sh\n*\n' > "$dist/.gitignore"
changes=opensc-jpki_${version}-1_$(dpkg-architecture -qDEB_HOST_ARCH).changes
for f in "$work"/*; do
	[ -f "$f" ] || continue
	case "$f" in
		*-dbgsym_*.deb) mv "$f" "$dist/debug/" ;;
		*.deb) mv "$f" "$dist/" ;;
		*.dsc|*.tar.*|*.changes|*.buildinfo) mv "$f" "$dist/source/" ;;
	esac
done
for f in "$dist"/*_"$version"-1_*.deb; do echo "$f"; done

[ "$lint" = yes ] || exit 0
if ! command -v lintian >/dev/null 2>&1; then
	note "installing lintian"
	apt-get install -y -q --no-install-recommends lintian >/dev/null
fi
note "lintian $(dpkg-query -W -f '${Version}' lintian) on $changes (and the packages it lists)"
# The .changes names the .debs in its own directory: look at them there.
cp "$dist"/*_"$version"-1_*.deb "$dist"/debug/*_"$version"-1_*.deb "$dist/source/"
rc=0
(cd "$dist/source" && lintian -I --show-overrides --fail-on error "$changes") || rc=$?
rm -f "$dist"/source/*.deb
exit "$rc"
