#!/bin/sh
# Builds one upstream OpenSC release from the tarballs in ../shared/opensc/
# (OpenSC-VERSION.tar.gz, its hash checked against SHA256SUMS there), with the
# feature macros Debian's and Ubuntu's packages use (SM, OpenSSL, zlib, PC/SC).
#   build-opensc.sh VERSION DIR [--install]
# Leaves in DIR:
#   DIR/src    the pristine source tree (what --with-opensc-src and
#              OPENSC_JPKI_OPENSC_SRC take)
#   DIR/root   the build installed there as DESTDIR (prefix /usr, config in
#              /etc/opensc, libraries in /usr/lib/<triplet>)
# --install: also install it into / as this system's OpenSC (for a chroot of
# scripts/upstream-matrix.sh; never on a machine whose OpenSC matters), with
# p11-kit's module file as a distribution's package has it.
# Idempotent: a DIR that already holds a finished build is left as it is.
# --disable-strict: 0.22.0 predates OpenSSL 3, whose deprecation warnings
# its strict mode makes errors (Ubuntu 22.04 builds it so too).
# Environment: OPENSC_JPKI_UPSTREAM (the tarballs' folder, default
# ../shared/opensc beside the repository); OPENSC_JPKI_OPENSC_CFLAGS (default
# -O0 -g0: only the interface matters to the plugin, and CI has 60 minutes).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
note() { echo "build-opensc: $*" >&2; }
fail() { note "$@"; exit 1; }
[ $# -ge 2 ] || fail "usage: build-opensc.sh VERSION DIR [--install]"
version=$1
dir=$2
install=${3:-}
upstream=${OPENSC_JPKI_UPSTREAM:-$top/../shared/opensc}
tarball=$upstream/OpenSC-$version.tar.gz
[ -f "$tarball" ] || fail "no $tarball (the upstream trees are in ../shared/opensc/; see its README)"
triplet=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)

# What OpenSC's configure needs to build it as distributions do; p11-kit's
# pkg-config file decides whether it installs its p11-kit module file
# (opensc.module), without which p11-kit clients never see OpenSC.
for pc in libpcsclite libcrypto zlib p11-kit-1; do
	pkg-config --exists "$pc" 2>/dev/null ||
		fail "pkg-config finds no $pc (Debian: build-essential autoconf automake libtool pkg-config libpcsclite-dev libssl-dev zlib1g-dev libp11-kit-dev)"
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ ! -f "$dir/done" ]; then
	expected=$(sed -n "s/^\([0-9a-f]\{64\}\)  OpenSC-$version\.tar\.gz\$/\1/p" "$upstream/SHA256SUMS")
	[ -n "$expected" ] || fail "$upstream/SHA256SUMS has no line for OpenSC-$version.tar.gz"
	actual=$(sha256sum "$tarball" | cut -d' ' -f1)
	[ "$actual" = "$expected" ] || fail "OpenSC-$version.tar.gz: SHA-256 $actual, SHA256SUMS says $expected"
	rm -rf "$dir/src" "$dir/build" "$dir/root"
	mkdir "$dir/src" "$dir/build"
	tar -xzf "$tarball" -C "$dir/src" --strip-components=1
	tar -xzf "$tarball" -C "$dir/build" --strip-components=1
	note "building OpenSC $version in $dir/build (log: $dir/build.log)"
	(
		cd "$dir/build"
		autoreconf -fi
		./configure --prefix=/usr --sysconfdir=/etc/opensc --libdir="/usr/lib/$triplet" \
			--enable-sm --enable-zlib --enable-pcsc --enable-openssl \
			--disable-doc --disable-tests --disable-notify --disable-strict \
			CFLAGS="${OPENSC_JPKI_OPENSC_CFLAGS:--O0 -g0}"
		make -j"$(nproc 2>/dev/null || echo 2)"
		make install DESTDIR="$dir/root"
	) > "$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; fail "OpenSC $version did not build"; }
	rm -rf "$dir/build"
	touch "$dir/done"
fi
if [ "$install" = --install ]; then
	[ "$(id -u)" = 0 ] || fail "--install needs root"
	cp -a "$dir/root/." /
	# OpenSC's own install registers its PKCS#11 module with p11-kit from 0.27
	# only (opensc.module); distributions' packages do it for every release
	# (Debian and Ubuntu: opensc-pkcs11.module), and p11-kit's clients find
	# OpenSC only so. As such a package, for the releases that do not.
	if ! grep -qs '^module: *opensc-pkcs11.so' /usr/share/p11-kit/modules/*.module; then
		mkdir -p /usr/share/p11-kit/modules
		printf 'module: opensc-pkcs11.so\n' > /usr/share/p11-kit/modules/opensc-pkcs11.module
		note "registered opensc-pkcs11.so with p11-kit (/usr/share/p11-kit/modules/opensc-pkcs11.module), as distributions' packages do"
	fi
	ldconfig
	note "installed OpenSC $version into /"
fi
echo "$dir"
