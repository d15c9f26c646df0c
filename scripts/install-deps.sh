#!/bin/sh
# Installs everything the build and the tests need on Debian 12, then fetches the
# matching OpenSC source tree. Idempotent: packages already present are not asked for.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

packages="
build-essential autoconf automake libtool pkg-config dpkg-dev
libssl-dev libcmocka-dev libpcsclite-dev zlib1g-dev
opensc opensc-pkcs11 pcscd vsmartcard-vpcd openssl util-linux procps iproute2
clang libclang-rt-14-dev valgrind
"
[ -z "${OPENSC_JPKI_EXTRA_PACKAGES:-}" ] || packages="$packages $OPENSC_JPKI_EXTRA_PACKAGES"
if [ -f "$here/packages-extra.txt" ]; then
	packages="$packages $(grep -v '^#' "$here/packages-extra.txt" | tr '\n' ' ')"
fi

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || { echo "install-deps: missing packages:$missing (run as root)" >&2; exit 1; }
	echo "install-deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
"$here/fetch-opensc-src.sh" >/dev/null
