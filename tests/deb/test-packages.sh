#!/bin/sh
# The binary packages on a clean Debian system (root; run by
# scripts/deb-matrix.sh in a fresh chroot of the release they were built for):
# install pulls only Debian packages, nothing is enabled on install,
# `opensc-jpki-config enable` makes the stock `pkcs15-tool --dump` (no
# OPENSC_CONF) show the plugin's dump of jpki-sim, an upgrade keeps it
# enabled, remove leaves opensc.conf alone (the opensc package's conffile:
# Debian policy 10.7.3) but warns, with the ways out, and pkcs15-tool works
# with OpenSC's built-in driver; purge leaves nothing of its own. The same
# with an opensc.conf with CRLF line ends, and with one that is a symbolic
# link (the backup is next to its target); an OpenSC upgrade that removes the
# package warns with a way out that still works then; every program
# jpki-sim-with-card runs is Essential or one of jpki-sim's dependencies.
# Also measures what stock OpenSC does when opensc.conf names a module that
# does not exist.
#   test-packages.sh DIR     DIR holds opensc-jpki_*.deb and jpki-sim_*.deb
# Ends with one "N passed, N failed" line; exit status 0 when none failed.
set -u
debs=$(cd "${1:?usage: test-packages.sh DIR}" && pwd)
conf=/etc/opensc/opensc.conf
work=$(mktemp -d "${TMPDIR:-/tmp}/test-packages.XXXXXX")
trap 'rm -rf "$work"' EXIT
export DEBIAN_FRONTEND=noninteractive
passed=0
failed=0
pass() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
check() { # description, command...
	what=$1; shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
contains() { grep -qF -- "$2" "$1"; }
show() { sed 's/^/     | /' "$1"; }
fact() { sed -n "s/^$1=//p" "$work/identity/facts"; }
# opensc.conf is byte for byte as the opensc package shipped it (the md5sum
# dpkg recorded for the conffile).
conf_pristine() {
	shipped_md5=$(dpkg-query -W -f '${Conffiles}\n' opensc 2>/dev/null | awk -v f="$conf" '$1 == f { print $2 }')
	[ -n "$shipped_md5" ] && [ "$(md5sum < "$conf" | cut -d' ' -f1)" = "$shipped_md5" ]
}
not_installed() { # package
	st=$(dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null || true)
	[ -z "$st" ] || [ "$st" = not-installed ]
}

opensc_jpki=$(ls "$debs"/opensc-jpki_*.deb | head -n 1)
jpki_sim=$(ls "$debs"/jpki-sim_*.deb | head -n 1)
[ -f "$opensc_jpki" ] && [ -f "$jpki_sim" ] || { echo "no opensc-jpki_*.deb and jpki-sim_*.deb in $debs"; echo "0 passed, 1 failed"; exit 1; }
version=$(dpkg-deb -f "$opensc_jpki" Version)

# ---- install: only Debian packages besides ours ------------------------------------
apt-get install -s -y "$opensc_jpki" "$jpki_sim" > "$work/plan" 2>&1
grep '^Inst ' "$work/plan" > "$work/inst"
# "Inst NAME (VERSION ORIGIN [ARCH])": ORIGIN is "Debian:..." for the archive.
grep -v -e '^Inst opensc-jpki ' -e '^Inst jpki-sim ' "$work/inst" | grep -v ' Debian[:-]' > "$work/foreign" || true
check "apt-get install pulls $(wc -l < "$work/inst") packages, all from Debian but ours" [ ! -s "$work/foreign" ]
[ ! -s "$work/foreign" ] || show "$work/foreign"
# A clean system has no opensc.conf before the install pulls opensc in; one
# that has, and has changed it, is not checked byte for byte.
was_pristine=yes
[ ! -e "$conf" ] || conf_pristine || was_pristine=no
if apt-get install -y -q "$opensc_jpki" "$jpki_sim" > "$work/install.log" 2>&1; then
	pass "apt-get install ./opensc-jpki_$version ./jpki-sim_*.deb"
else
	fail "apt-get install"; tail -n 20 "$work/install.log" | show /dev/stdin
	echo "$passed passed, $((failed)) failed"; exit 1
fi
module=$(dpkg -L opensc-jpki | grep '/opensc-jpki\.so$' | head -n 1)
# The multiarch directory: libopensc's (no dpkg-dev on a clean system).
libopensc=$(readlink -f "$(ls /usr/lib/*/libopensc.so.* | head -n 1)")
multiarch=$(basename "$(dirname "$libopensc")")
check "the module is $module, under the multiarch library directory" sh -c "[ -f '$module' ] && case '$module' in /usr/lib/$multiarch/*) true ;; *) false ;; esac"
for f in /usr/bin/opensc-jpki-config /usr/share/doc/opensc-jpki/examples/opensc-jpki.conf \
	/usr/share/doc/opensc-jpki/README.Debian /usr/bin/jpki-sim /usr/bin/jpki-sim-gen /usr/bin/jpki-sim-with-card; do
	check "installed: $f" [ -e "$f" ]
done
# The README and the pages it links (doc/), gzipped or not as dh_compress left them.
for f in README install releases pins clients comparison benchmark packages virtual-card; do
	case $f in README) f=/usr/share/doc/opensc-jpki/$f.md ;; *) f=/usr/share/doc/opensc-jpki/doc/$f.md ;; esac
	check "installed: $f (or .gz)" sh -c "[ -e '$f' ] || [ -e '$f.gz' ]"
done
check "the example names the installed module" contains /usr/share/doc/opensc-jpki/examples/opensc-jpki.conf "module = $module;"
depends=$(dpkg-query -W -f '${Depends}' opensc-jpki)
libopensc_pkg=$(dpkg-query -S "$libopensc" | sed -n '1s/[:,].*//p')
release=${version#*+opensc}
release=${release%%-*}
check "Depends pins $libopensc_pkg to OpenSC $release ($depends)" sh -c "
	echo '$depends' | grep -qF '$libopensc_pkg (>= $release)' &&
	echo '$depends' | grep -qE '$libopensc_pkg \\(<< [0-9.]+~\\)'"
breaks=$(dpkg-query -W -f '${Breaks}' opensc-jpki)
check "Breaks keeps dpkg from unpacking another release of $libopensc_pkg ($breaks)" sh -c "
	echo '$breaks' | grep -qF '$libopensc_pkg (<< $release)' &&
	echo '$breaks' | grep -qE '$libopensc_pkg \\(>= [0-9.]+~\\)'"
installed_opensc=$(dpkg-query -W -f '${Version}' "$libopensc_pkg")
check "the installed $libopensc_pkg $installed_opensc is OpenSC $release" sh -c "case '$installed_opensc' in $release-*|*:$release-*) true ;; *) false ;; esac"
check "installing enabled nothing: opensc-jpki-config status says disabled" sh -c "opensc-jpki-config status >/dev/null; [ \$? -eq 1 ]"
[ "$was_pristine" = no ] || check "and $conf is byte for byte as opensc shipped it" conf_pristine

jpki-sim-gen --out "$work/identity" > /dev/null 2>&1 || fail "jpki-sim-gen"
serial=$(fact auth_serial)
dump() { # output file: the stock pkcs15-tool with no OPENSC_CONF against jpki-sim
	jpki-sim-with-card --identity "$work/identity" --conf "$conf" -- \
		sh -c 'unset OPENSC_CONF; opensc-tool -n; pkcs15-tool --dump' > "$1" 2>&1
}

# ---- what stock OpenSC does when opensc.conf names a missing module ---------------
sed "s|$module|/nonexistent/opensc-jpki.so|g" /usr/share/doc/opensc-jpki/examples/opensc-jpki.conf > "$work/missing.conf"
rc=0
jpki-sim-with-card --identity "$work/identity" --conf "$work/missing.conf" -- \
	sh -c 'opensc-tool -n; pkcs15-tool --dump' > "$work/missing.out" 2>&1 || rc=$?
echo "     measured: a missing module in opensc.conf: exit $rc, $(grep -ci 'module\|jpki.so\|failed\|error' "$work/missing.out") lines about it, card name '$(sed -n 2p "$work/missing.out")', dump serial '$(sed -n 's/^[[:space:]]*Serial number *: *//p' "$work/missing.out" | head -n 1)'"
check "with a missing module, pkcs15-tool --dump still works (built-in driver)" sh -c "[ $rc -eq 0 ] && grep -q 'Serial number' '$work/missing.out'"

# ---- enable without OpenSC's configuration file: refused, and says where it comes from
mv "$conf" "$work/conf.moved"
rc=0
opensc-jpki-config enable > "$work/noconf.out" 2>&1 || rc=$?
mv "$work/conf.moved" "$conf"
check "enable with no $conf: exit 2, naming the package that installs it" sh -c "
	[ $rc -eq 2 ] && grep -qF 'cannot open $conf: No such file or directory' '$work/noconf.out' &&
	grep -qF 'apt-get install opensc' '$work/noconf.out' && [ ! -e '$conf.opensc-jpki.bak' ]"

# ---- enable, and the stock tools use the plugin ---------------------------------
opensc-jpki-config enable > "$work/enable.out" 2>&1
check "opensc-jpki-config enable" contains "$work/enable.out" "enabled 'mynumber' (module $module)"
check "status says enabled" sh -c "opensc-jpki-config status >/dev/null"
dump "$work/dump-enabled"
check "pkcs15-tool --dump shows the plugin's card name (My Number Card (JPKI))" contains "$work/dump-enabled" "My Number Card (JPKI)"
check "and the card's own serial $serial (the built-in says 00000000)" contains "$work/dump-enabled" "Serial number  : $serial"
check "and its four certificates" sh -c "[ \$(grep -c '^X.509 Certificate' '$work/dump-enabled') -eq 4 ]"
grep -q "Serial number  : $serial" "$work/dump-enabled" || show "$work/dump-enabled"

# ---- upgrade keeps it enabled --------------------------------------------------------
apt-get install -y -q --reinstall "$opensc_jpki" > "$work/reinstall.log" 2>&1 || fail "apt-get install --reinstall"
check "reinstalling (prerm upgrade) keeps it enabled" sh -c "opensc-jpki-config status >/dev/null"
# A newer version of the same package: the repacked .deb, its version bumped.
dpkg-deb -R "$opensc_jpki" "$work/newer"
sed -i "s/^Version: .*/Version: $version.1/" "$work/newer/DEBIAN/control"
dpkg-deb -b "$work/newer" "$work/opensc-jpki_newer.deb" > /dev/null
apt-get install -y -q "$work/opensc-jpki_newer.deb" > "$work/upgrade.log" 2>&1 || fail "apt-get install (upgrade to $version.1)"
check "upgrading to $version.1 keeps it enabled" sh -c "opensc-jpki-config status >/dev/null && [ \"\$(dpkg-query -W -f '\${Version}' opensc-jpki)\" = '$version.1' ]"
dump "$work/dump-upgraded"
check "and the plugin's dump after the upgrade" contains "$work/dump-upgraded" "Serial number  : $serial"

# ---- remove: opensc.conf untouched (policy 10.7.3), a warning, the built-in works --
cp "$conf" "$work/conf.enabled"
apt-get remove -y -q opensc-jpki > "$work/remove.log" 2>&1 || fail "apt-get remove opensc-jpki"
grep '^opensc-jpki' "$work/remove.log" | sed 's/^/     said: /'
check "remove warns that $conf still loads the module, and says how to take it out" sh -c \
	"grep -q 'opensc-jpki: warning: $conf still loads $module' '$work/remove.log' &&
	 grep -q 'opensc-jpki-config disable' '$work/remove.log' && grep -q '$conf.opensc-jpki.bak' '$work/remove.log'"
check "the module is gone" [ ! -e "$module" ]
check "$conf is not touched by the package (the opensc package's conffile)" cmp -s "$work/conf.enabled" "$conf"
dump "$work/dump-removed"
check "pkcs15-tool --dump works with the built-in driver" sh -c "grep -q 'Serial number' '$work/dump-removed' && ! grep -q 'Serial number  : $serial' '$work/dump-removed'"
echo "     measured: after remove, card name '$(sed -n 2p "$work/dump-removed")', dump serial '$(sed -n 's/^[[:space:]]*Serial number *: *//p' "$work/dump-removed" | head -n 1)'"
check "jpki-sim stays installed and usable" [ -x /usr/bin/jpki-sim ]
rc=0
jpki-sim-with-card --identity "$work/identity" -- true > "$work/noplugin.out" 2>&1 || rc=$?
check "jpki-sim-with-card without the plugin: exit 125, pointing at opensc-jpki and --conf builtin" sh -c "
	[ $rc -eq 125 ] && grep -qF 'install the opensc-jpki package' '$work/noplugin.out' &&
	grep -qF -- '--conf builtin' '$work/noplugin.out'"
# It speaks as itself: --help on stdout with exit 0 (even without the plugin),
# the harness's errors under its name.
rc=0
jpki-sim-with-card --help > "$work/help.out" 2> "$work/help.err" || rc=$?
check "jpki-sim-with-card --help: exit 0, its usage on stdout under its own name" sh -c "
	[ $rc -eq 0 ] && [ ! -s '$work/help.err' ] && grep -q '^  jpki-sim-with-card \[--identity DIR\]' '$work/help.out' &&
	! grep -q 'with-card.sh' '$work/help.out'"
rc=0
jpki-sim-with-card --conf builtin --bogus -- true > "$work/bogus.out" 2>&1 || rc=$?
check "jpki-sim-with-card with a wrong option: exit 125, the message under its own name" sh -c "
	[ $rc -eq 125 ] && grep -qx 'jpki-sim-with-card: unknown option --bogus (the command goes after --)' '$work/bogus.out'"
# The message's second way out: the backup made by enable, copied back.
check "the backup is kept" [ -f "$conf.opensc-jpki.bak" ]
cp "$conf.opensc-jpki.bak" "$conf"
check "copying the backup back leaves no trace of the plugin" sh -c "! grep -q 'mynumber\|opensc-jpki' '$conf'"
[ "$was_pristine" = no ] || check "and $conf is byte for byte as opensc shipped it" conf_pristine

# ---- purge -------------------------------------------------------------------------
apt-get purge -y -q opensc-jpki > "$work/purge.log" 2>&1 || fail "apt-get purge opensc-jpki"
check "purge removes the package" not_installed opensc-jpki
check "and the backup, now that $conf is clean" [ ! -e "$conf.opensc-jpki.bak" ]
# The message's first way out: disable before removing; then remove says nothing.
apt-get install -y -q "$opensc_jpki" > "$work/install2.log" 2>&1 || fail "apt-get install again"
opensc-jpki-config enable > /dev/null 2>&1
opensc-jpki-config disable > /dev/null 2>&1
apt-get remove -y -q opensc-jpki > "$work/remove2.log" 2>&1 || fail "apt-get remove after disable"
check "disabled before removal: remove says nothing" sh -c "! grep -q '^opensc-jpki: warning' '$work/remove2.log'"
[ "$was_pristine" = no ] || check "and $conf is byte for byte as opensc shipped it" conf_pristine
apt-get purge -y -q opensc-jpki > /dev/null 2>&1 || fail "apt-get purge"
# Purge straight from an enabled installation: the file and its backup stay.
apt-get install -y -q "$opensc_jpki" > "$work/install3.log" 2>&1 || fail "apt-get install a third time"
opensc-jpki-config enable > /dev/null 2>&1
cp "$conf" "$work/conf.enabled2"
apt-get purge -y -q opensc-jpki > "$work/purge2.log" 2>&1 || fail "apt-get purge opensc-jpki (enabled)"
check "purge of an enabled installation warns, leaves $conf, keeps the backup" sh -c \
	"grep -q 'opensc-jpki: warning: $conf still loads' '$work/purge2.log' && cmp -s '$work/conf.enabled2' '$conf' && [ -f '$conf.opensc-jpki.bak' ]"
cp "$conf.opensc-jpki.bak" "$conf"
rm -f "$conf.opensc-jpki.bak"
# Lines written by hand (no markers): the same warning.
apt-get install -y -q "$opensc_jpki" > "$work/install4.log" 2>&1 || fail "apt-get install a fourth time"
cp "$conf" "$work/conf.saved"
cp /usr/share/doc/opensc-jpki/examples/opensc-jpki.conf "$conf"
cp "$conf" "$work/conf.hand"
apt-get remove -y -q opensc-jpki > "$work/remove3.log" 2>&1 || fail "apt-get remove (hand-written lines)"
check "remove with hand-written blocks warns and leaves them alone" sh -c "grep -q 'opensc-jpki: warning: $conf still loads' '$work/remove3.log' && cmp -s '$work/conf.hand' '$conf'"
cp "$work/conf.saved" "$conf"
apt-get purge -y -q opensc-jpki > /dev/null 2>&1 || true

# ---- a CRLF opensc.conf: each line the tool adds ends in "# opensc-jpki\r" ------
backup=$conf.opensc-jpki.bak
said() { grep '^opensc-jpki' "$1" | sed 's/^/     said: /'; }
cp "$conf" "$work/conf.lf"
sed 's/$/\r/' "$work/conf.lf" > "$conf"
cp "$conf" "$work/conf.crlf"
apt-get install -y -q "$opensc_jpki" > "$work/install-crlf.log" 2>&1 || fail "apt-get install (CRLF)"
# Two enables: the backup is the first one's file, the plugin's lines in it.
opensc-jpki-config enable > /dev/null 2>&1
opensc-jpki-config enable --card-info > /dev/null 2>&1
check "enable, then enable --card-info, on a CRLF $conf" sh -c "opensc-jpki-config status >/dev/null && grep -q 'card_info = yes; # opensc-jpki' '$conf'"
apt-get remove -y -q opensc-jpki > "$work/remove-crlf.log" 2>&1 || fail "apt-get remove (CRLF)"
said "$work/remove-crlf.log"
crlf_remove_advice() {
	grep -qF "opensc-jpki: warning: $conf still loads $module" "$work/remove-crlf.log" &&
		grep -qF 'edit out the lines that end in "# opensc-jpki"' "$work/remove-crlf.log" &&
		! grep -qF "copy $backup over it" "$work/remove-crlf.log"
}
check "remove (CRLF file; its backup has the plugin's lines too): edit the lines out, not copy the backup back" crlf_remove_advice
# Taken out the first way: reinstall, disable; then enable once, and purge.
apt-get install -y -q "$opensc_jpki" > "$work/install-crlf2.log" 2>&1 || fail "apt-get install again (CRLF)"
opensc-jpki-config disable > /dev/null 2>&1
check "disable restores the CRLF file byte for byte" cmp -s "$work/conf.crlf" "$conf"
opensc-jpki-config enable > /dev/null 2>&1
apt-get purge -y -q opensc-jpki > "$work/purge-crlf.log" 2>&1 || fail "apt-get purge (CRLF, enabled)"
said "$work/purge-crlf.log"
crlf_purge_kept() {
	grep -qF "copy $backup over it" "$work/purge-crlf.log" &&
		grep -qF "opensc-jpki: $conf still has the plugin's lines; keeping $backup" "$work/purge-crlf.log" &&
		cmp -s "$work/conf.crlf" "$backup"
}
check "purge of an enabled CRLF file: copy the backup back, and it is kept" crlf_purge_kept
[ ! -f "$backup" ] || cp "$backup" "$conf"
check "copying it back gives the CRLF file as it was" cmp -s "$work/conf.crlf" "$conf"
rm -f "$backup"
cp "$work/conf.lf" "$conf"
[ "$was_pristine" = no ] || check "and with LF line ends again, $conf is byte for byte as opensc shipped it" conf_pristine

# ---- $conf a symbolic link: the tool edits its target, and backs up next to it --
site=/etc/opensc-site
mkdir -p "$site"
mv "$conf" "$site/opensc.conf"
ln -s "$site/opensc.conf" "$conf"
site_backup=$site/opensc.conf.opensc-jpki.bak
apt-get install -y -q "$opensc_jpki" > "$work/install-link.log" 2>&1 || fail "apt-get install (link)"
opensc-jpki-config enable > /dev/null 2>&1
check "enable through the link: the link stays, the backup is $site_backup" sh -c "
	[ -L '$conf' ] && [ -f '$site_backup' ] && [ ! -e '$backup' ] && opensc-jpki-config status >/dev/null"
apt-get remove -y -q opensc-jpki > "$work/remove-link.log" 2>&1 || fail "apt-get remove (link)"
said "$work/remove-link.log"
check "remove names that backup as the way back" grep -qF "copy $site_backup over it" "$work/remove-link.log"
apt-get purge -y -q opensc-jpki > "$work/purge-link.log" 2>&1 || fail "apt-get purge (link, enabled)"
said "$work/purge-link.log"
check "purge, still enabled: keeps $site_backup, and says so" sh -c "
	grep -qF 'keeping $site_backup' '$work/purge-link.log' && [ -f '$site_backup' ]"
[ ! -f "$site_backup" ] || cp "$site_backup" "$conf"
check "copying it back through the link leaves no trace of the plugin" sh -c "[ -L '$conf' ] && ! grep -q 'mynumber\|opensc-jpki' '$conf'"
apt-get install -y -q "$opensc_jpki" > "$work/install-link2.log" 2>&1 || fail "apt-get install again (link)"
opensc-jpki-config enable > /dev/null 2>&1
opensc-jpki-config disable > /dev/null 2>&1
apt-get purge -y -q opensc-jpki > "$work/purge-link2.log" 2>&1 || fail "apt-get purge (link, disabled)"
check "purge, disabled: $site_backup goes too (no backup left behind)" sh -c "[ ! -e '$site_backup' ] && [ ! -e '$backup' ]"
rm -f "$conf"
mv "$site/opensc.conf" "$conf"
rm -rf "$site"
[ "$was_pristine" = no ] || check "and $conf, a file again, is byte for byte as opensc shipped it" conf_pristine

# ---- an OpenSC upgrade removes opensc-jpki: the warning has a way out then too --
# The next OpenSC release, faked: the installed opensc and $libopensc_pkg
# repacked with the next upstream version (the exact dependencies between them
# rewritten to it).
next=${release%.*}.$((${release##*.} + 1))-0fake1
epoch=""
case "$installed_opensc" in *:*) epoch=${installed_opensc%%:*}: ;; esac
opensc_ver=$(dpkg-query -W -f '${Version}' opensc)
fake_ok=yes
mkdir -p "$work/fake"
for pkg in $(printf '%s\n' opensc "$libopensc_pkg" | sort -u); do
	ver=$(dpkg-query -W -f '${Version}' "$pkg")
	(cd "$work/fake" && apt-get download -q "$pkg=$ver") > "$work/fake/download.log" 2>&1 || { fake_ok=no; break; }
	dpkg-deb -R "$work/fake/${pkg}_"*.deb "$work/fake/$pkg" || { fake_ok=no; break; }
	sed -i -e "s/^Version: .*/Version: $epoch$next/" -e "s/(= $installed_opensc)/(= $epoch$next)/g" \
		-e "s/(= $opensc_ver)/(= $epoch$next)/g" "$work/fake/$pkg/DEBIAN/control"
	dpkg-deb -b "$work/fake/$pkg" "$work/fake/$pkg-next.deb" > /dev/null 2>&1 || { fake_ok=no; break; }
done
check "OpenSC $next faked (opensc, $libopensc_pkg)" [ "$fake_ok" = yes ]
apt-get install -y -q "$opensc_jpki" > "$work/install-next.log" 2>&1 || fail "apt-get install (before the OpenSC upgrade)"
opensc-jpki-config enable > /dev/null 2>&1
apt-get install -y -q -o Dpkg::Options::=--force-confold "$work"/fake/*-next.deb > "$work/upgrade-opensc.log" 2>&1 ||
	{ fail "apt-get install OpenSC $next"; tail -n 20 "$work/upgrade-opensc.log" | show /dev/stdin; }
said "$work/upgrade-opensc.log"
check "upgrading to OpenSC $next removes opensc-jpki" sh -c "
	[ \"\$(dpkg-query -W -f '\${db:Status-Status}' opensc-jpki)\" = config-files ] &&
	[ \"\$(dpkg-query -W -f '\${Version}' $libopensc_pkg)\" = '$epoch$next' ]"
upgrade_advice() {
	grep -qF "opensc-jpki: warning: $conf still loads $module" "$work/upgrade-opensc.log" &&
		grep -qF 'If a new OpenSC release is why opensc-jpki goes' "$work/upgrade-opensc.log" &&
		grep -qF 'install the opensc-jpki built for that release' "$work/upgrade-opensc.log" &&
		grep -qF 'scripts/build-deb.sh' "$work/upgrade-opensc.log" &&
		grep -qF "copy $backup over it" "$work/upgrade-opensc.log"
}
check "its warning says what to do now: the opensc-jpki built for that release, or the backup" upgrade_advice
# Back to the archive's OpenSC, and out the way the warning says.
apt-get install -y -q --allow-downgrades -o Dpkg::Options::=--force-confold "opensc=$opensc_ver" "$libopensc_pkg=$installed_opensc" \
	> "$work/downgrade-opensc.log" 2>&1 || { fail "apt-get install OpenSC $installed_opensc again"; tail -n 20 "$work/downgrade-opensc.log" | show /dev/stdin; }
[ ! -f "$backup" ] || cp "$backup" "$conf"
apt-get purge -y -q opensc-jpki > /dev/null 2>&1 || fail "apt-get purge (after the OpenSC upgrade)"
check "the archive's OpenSC again; the backup copied back, purged: no backup left" sh -c "
	[ \"\$(dpkg-query -W -f '\${Version}' $libopensc_pkg)\" = '$installed_opensc' ] && [ ! -e '$backup' ]"
[ "$was_pristine" = no ] || check "and $conf is byte for byte as opensc shipped it" conf_pristine

# ---- jpki-sim's Depends: each program its harness runs is Essential or a dependency --
sim_depends=$(dpkg-query -W -f '${Depends}' jpki-sim | sed -e 's/[,|]/\n/g' | sed -e 's/^ *//' -e 's/[ (:].*//')
pkg_of() { # path -> the package that ships it (under merged /usr, either spelling)
	for p in "$1" "${1#/usr}" "/usr$1"; do
		pkg=$(dpkg-query -S "$p" 2>/dev/null | grep -v '^diversion' | sed -n '1s/[:,].*//p')
		[ -z "$pkg" ] || { echo "$pkg"; return 0; }
	done
	return 1
}
harness_needs() { # program or absolute path
	case "$1" in
	/*) path=$1 ;;
	*) path=$(command -v "$1") || return 1 ;;
	esac
	pkg=$(pkg_of "$(readlink -f "$path")") || pkg=$(pkg_of "$path") || return 1
	[ "$(dpkg-query -W -f '${Essential}' "$pkg")" = yes ] && return 0
	printf '%s\n' "$sim_depends" | grep -qx "$pkg"
}
# with-card.sh's and opensc-conf.sh's programs (kill, printf, test: dash's).
for prog in sh unshare mount ip pcscd opensc-tool /usr/lib/pcsc/drivers/serial/libifdvpcd.so \
	basename dirname mkdir mktemp rm cat tail sleep id grep sed; do
	check "jpki-sim-with-card runs $prog: Essential, or in jpki-sim's Depends" harness_needs "$prog"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
