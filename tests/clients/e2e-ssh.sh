#!/bin/sh
# Issue #7, SSH: public-key login with the card's authentication key, by Debian's
# unmodified ssh-keygen, ssh and sshd, through pcscd and opensc-pkcs11.so.
#
# With the plugin every step below passes. The outer run also runs it with
# OpenSC's built-in driver (the negative control) and requires it to fail
# exactly at the first step only the plugin passes on this OpenSC release.
# Which step that is comes from doc/comparison.md's built-in column for the
# release (tests/lib/builtin-cells.sh), itself checked against the built-in by
# tests/e2e/e2e-builtin-compare.sh: [keys] where `ssh-keygen -D` reports an
# error for the PIN-protected signature certificate's key (0.23), else [typo]
# where the built-in sends a PIN with a letter to the card and loses a try.
#
# Steps (run inside the card's namespace, in this order):
#   keys      ssh-keygen -D: exit 0, nothing on stderr, first key = the
#             authentication certificate's public key
#   sshd      a throw-away sshd on a free loopback port trusts only that key
#   login     ssh -I logs in with the authentication PIN (askpass) and runs a
#             command; no try is spent
#   typo      the authentication PIN with a letter in it (a typo): login
#             refused before the card, no try spent
#   wrong-pin a wrong authentication PIN: login refused, tries_auth drops by 1
#   sign-pin  the signature PIN typed at the authentication prompt: refused
#             before the card, no try of either PIN spent
#   recover   the right PIN again: login works and the counter is back to 3
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ "${1:-}" != "--in-card" ]; then
	. "$top_srcdir/tests/lib/builtin-cells.sh"
	ssh_cell=$(builtin_cell '`ssh-keygen -D` without errors') || clients_fail prerequisites "$ssh_cell"
	burn_cell=$(builtin_cell 'impossible PINs') || clients_fail prerequisites "$burn_cell"
	if [ "$ssh_cell" != yes ]; then
		plugin_step=keys
	elif [ "${burn_cell#wrong characters burn a try}" != "$burn_cell" ]; then
		plugin_step=typo
	else
		clients_fail prerequisites "no step of this scenario is the plugin's alone with OpenSC $OPENSC_JPKI_VERSION's built-in (doc/comparison.md: ssh '$ssh_cell'; impossible PINs '$burn_cell'): the negative control could not prove the plugin is used"
	fi
fi
clients_start "$here/e2e-ssh.sh" "${plugin_step:-}" "${1:-}"
clients_require ssh ssh-keygen /usr/sbin/sshd openssl
module=$CLIENTS_PKCS11_MODULE

auth_pin=$(clients_value "$JPKI_IDENTITY/pins" auth)
sign_pin=$(clients_value "$JPKI_IDENTITY/pins" sign)
[ -n "$auth_pin" ] && [ -n "$sign_pin" ] || clients_fail prerequisites "no PINs in $JPKI_IDENTITY/pins"
# A wrong PIN that is still well-formed (4 digits), so it does reach the card.
# (Last digit changed; arithmetic on the whole PIN would read a leading 0 as octal.)
last_digit=${auth_pin#"${auth_pin%?}"}
wrong_auth_pin=${auth_pin%?}$(( (last_digit + 1) % 10 ))

# --- keys ----------------------------------------------------------------------
# What the card's authentication key must look like to OpenSSH.
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000A" -noout -pubkey >"$clients_tmp/auth.pub.pem" ||
	clients_fail prerequisites "cannot read the authentication certificate"
auth_key=$(ssh-keygen -i -m PKCS8 -f "$clients_tmp/auth.pub.pem") ||
	clients_fail prerequisites "ssh-keygen cannot convert the authentication key"
auth_key_blob=$(echo "$auth_key" | awk '{print $1" "$2}')

rc=0
ssh-keygen -D "$module" >"$clients_tmp/keys.out" 2>"$clients_tmp/keys.err" </dev/null || rc=$?
[ "$rc" -eq 0 ] || clients_fail keys "ssh-keygen -D exited $rc: $(cat "$clients_tmp/keys.err")"
[ ! -s "$clients_tmp/keys.err" ] || clients_fail keys "ssh-keygen -D printed errors: $(cat "$clients_tmp/keys.err")"
first_key=$(head -n 1 "$clients_tmp/keys.out" | awk '{print $1" "$2}')
[ "$first_key" = "$auth_key_blob" ] ||
	clients_fail keys "first key from ssh-keygen -D is not the authentication key: $(head -n 1 "$clients_tmp/keys.out")"
clients_note "keys: ssh-keygen -D lists $(wc -l <"$clients_tmp/keys.out") key(s), the authentication key first, no error"

# --- sshd ----------------------------------------------------------------------
# sshd's privilege separation directory is compiled in; Debian's ssh.service
# creates it at start, which never happened here.
[ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 755 /run/sshd; }
ssh-keygen -q -t ed25519 -N '' -f "$clients_tmp/host_key" ||
	clients_fail sshd "cannot make a host key"
# Only the card's authentication key may log in.
printf '%s jpki-auth\n' "$auth_key_blob" >"$clients_tmp/authorized_keys"
user=$(id -un)

sshd_pid=""
attempt=0
while [ -z "$sshd_pid" ]; do
	attempt=$((attempt + 1))
	[ "$attempt" -le 5 ] || clients_fail sshd "sshd did not start: $(cat "$clients_tmp/sshd.log")"
	port=$(clients_random_port)
	cat >"$clients_tmp/sshd_config" <<EOF
ListenAddress 127.0.0.1:$port
HostKey $clients_tmp/host_key
PidFile none
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile $clients_tmp/authorized_keys
LogLevel VERBOSE
EOF
	# -D: stay in the foreground so the pid is sshd's own and the trap stops it.
	/usr/sbin/sshd -D -e -f "$clients_tmp/sshd_config" 2>"$clients_tmp/sshd.log" &
	pid=$!
	clients_track_pid "$pid"
	if clients_wait_for "$clients_tmp/sshd.log" "Server listening on 127.0.0.1 port $port" 10 "$pid"; then
		sshd_pid=$pid
	fi
done
printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$clients_tmp/host_key.pub")" >"$clients_tmp/known_hosts"
clients_note "sshd: pid $sshd_pid on 127.0.0.1:$port"

# The PIN reaches ssh only through the askpass helper, which prints it from the
# environment: it is in no file, no argv and no log. The helper records the
# prompts (never the answers) so the test can count how often the PIN was asked.
cat >"$clients_tmp/askpass" <<'EOF'
#!/bin/sh
printf '%s\n' "$1" >>"$CLIENTS_ASKPASS_LOG"
printf '%s\n' "$CLIENTS_ASKPASS_PIN"
EOF
chmod 700 "$clients_tmp/askpass"

# Runs ssh with the card; the PIN to answer comes as $1. Only the card's keys
# may be offered: no agent, and "IdentityFile none" so that ssh's default
# ~/.ssh/id_* files (found through the password database, not $HOME) are not
# tried. (IdentitiesOnly=yes would drop the PKCS#11 keys too, in OpenSSH 9.2.)
ssh_with_card() { # pin, command
	: >"$clients_tmp/askpass.log"
	HOME=$clients_tmp CLIENTS_ASKPASS_PIN=$1 CLIENTS_ASKPASS_LOG=$clients_tmp/askpass.log \
	SSH_ASKPASS=$clients_tmp/askpass SSH_ASKPASS_REQUIRE=force  \
	timeout 60 ssh -F none -p "$port" -I "$module" \
		-o BatchMode=no \
		-o IdentityAgent=none \
		-o IdentityFile=none \
		-o PreferredAuthentications=publickey \
		-o UserKnownHostsFile="$clients_tmp/known_hosts" -o StrictHostKeyChecking=yes \
		-o ConnectTimeout=20 \
		"$user@127.0.0.1" "$2" </dev/null
}

# --- login ---------------------------------------------------------------------
tries_auth_before=$(clients_tries auth)
[ "$tries_auth_before" = 3 ] || clients_fail login "authentication PIN has $tries_auth_before tries before the test, expected 3"
nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
rc=0
out=$(ssh_with_card "$auth_pin" "echo logged-in-$nonce; id -un" 2>"$clients_tmp/ssh.err") || rc=$?
[ "$rc" -eq 0 ] || clients_fail login "ssh exited $rc: $(cat "$clients_tmp/ssh.err")"
[ "$out" = "logged-in-$nonce
$user" ] || clients_fail login "the remote command printed '$out'"
grep -q "Accepted publickey for $user from 127.0.0.1" "$clients_tmp/sshd.log" ||
	clients_fail login "sshd did not log a public-key login"
prompts=$(wc -l <"$clients_tmp/askpass.log" | tr -d ' ')
[ "$prompts" -eq 1 ] || clients_fail login "the PIN was asked $prompts times, expected once"
[ "$(clients_tries auth)" = 3 ] || clients_fail login "a good login changed tries_auth to $(clients_tries auth)"
clients_note "login: ssh -I ran a command as $user; PIN asked once ($(cat "$clients_tmp/askpass.log"))"

# --- typo ----------------------------------------------------------------------
# The PIN with its last digit typed as a letter: never a PIN this card can hold.
typo_pin=${auth_pin%?}a
accepted_before=$(grep -c "Accepted publickey" "$clients_tmp/sshd.log" || true)
rc=0
ssh_with_card "$typo_pin" "echo should-not-run" >"$clients_tmp/typo.out" 2>"$clients_tmp/typo.err" || rc=$?
[ "$rc" -ne 0 ] || clients_fail typo "ssh logged in with '$typo_pin'"
[ ! -s "$clients_tmp/typo.out" ] || clients_fail typo "the remote command ran: $(cat "$clients_tmp/typo.out")"
[ "$(grep -c "Accepted publickey" "$clients_tmp/sshd.log" || true)" = "$accepted_before" ] ||
	clients_fail typo "sshd accepted a login"
[ "$(clients_tries auth)" = 3 ] || clients_fail typo "a PIN with a letter reached the card: tries_auth 3 -> $(clients_tries auth)"
clients_note "typo: a PIN with a letter refused (ssh exit $rc), no try spent"

# --- wrong-pin -----------------------------------------------------------------
accepted_before=$(grep -c "Accepted publickey" "$clients_tmp/sshd.log" || true)
rc=0
ssh_with_card "$wrong_auth_pin" "echo should-not-run" >"$clients_tmp/wrong.out" 2>"$clients_tmp/wrong.err" || rc=$?
[ "$rc" -ne 0 ] || clients_fail wrong-pin "ssh logged in with a wrong PIN"
[ ! -s "$clients_tmp/wrong.out" ] || clients_fail wrong-pin "the remote command ran: $(cat "$clients_tmp/wrong.out")"
[ "$(grep -c "Accepted publickey" "$clients_tmp/sshd.log" || true)" = "$accepted_before" ] ||
	clients_fail wrong-pin "sshd accepted a login"
[ "$(clients_tries auth)" = 2 ] || clients_fail wrong-pin "one wrong PIN left tries_auth at $(clients_tries auth), expected 2"
clients_note "wrong-pin: refused (ssh exit $rc), tries_auth 3 -> 2"

# --- sign-pin ------------------------------------------------------------------
tries_sign_before=$(clients_tries sign)
rc=0
ssh_with_card "$sign_pin" "echo should-not-run" >"$clients_tmp/signpin.out" 2>"$clients_tmp/signpin.err" || rc=$?
[ "$rc" -ne 0 ] || clients_fail sign-pin "ssh logged in with the signature PIN"
[ ! -s "$clients_tmp/signpin.out" ] || clients_fail sign-pin "the remote command ran"
[ "$(clients_tries auth)" = 2 ] || clients_fail sign-pin "the signature PIN reached the authentication PIN: tries_auth $(clients_tries auth)"
[ "$(clients_tries sign)" = "$tries_sign_before" ] || clients_fail sign-pin "tries_sign changed from $tries_sign_before to $(clients_tries sign)"
clients_note "sign-pin: refused (ssh exit $rc), no try spent (tries_auth 2, tries_sign $tries_sign_before)"

# --- recover -------------------------------------------------------------------
rc=0
out=$(ssh_with_card "$auth_pin" "echo again-$nonce" 2>"$clients_tmp/ssh2.err") || rc=$?
[ "$rc" -eq 0 ] && [ "$out" = "again-$nonce" ] ||
	clients_fail recover "ssh with the right PIN failed (exit $rc): $(cat "$clients_tmp/ssh2.err")"
[ "$(clients_tries auth)" = 3 ] || clients_fail recover "after a good PIN tries_auth is $(clients_tries auth), expected 3"
clients_note "recover: logged in again, tries_auth back to 3"

# Stopped here, not only by the trap, so a hang in sshd's exit shows in this step.
kill "$sshd_pid"
wait "$sshd_pid" 2>/dev/null || true
clients_pids=""
clients_note "PASS ssh"
