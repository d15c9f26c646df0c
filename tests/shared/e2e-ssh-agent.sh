#!/bin/sh
# Issues 10 and 11 with a real long-lived client: Debian's ssh-agent holds the
# card's authentication key through ssh-pkcs11-helper and the stock
# opensc-pkcs11.so (plugin-first, --card-info), logged in once by `ssh-add -s`,
# while other processes use the same card through pcscd.
#
#   add-1         ssh-add -s with the right authentication PIN (askpass): ok,
#                 and no try of any of the three PINs spent (OpenSSH sends that
#                 PIN to every token that wants a login, the text-AP one too)
#   baseline      ssh-add -T auth.pub (auth.pub: `ssh-keygen -D`'s key for the
#                 authentication certificate): the agent signs with the card
#   after-ACTION  the agent still signs (ssh-add -T) after another process's
#                 pkcs15-tool --dump, a card-face read (My Number, text-AP
#                 PIN), a pkcs15-crypt key-02 signature, a raw SELECT of the
#                 text AP; no try spent by any of them
#   add-2         ssh-add -e, then ssh-add -s again with the right PIN: ok, no
#                 try spent; the agent signs again
#   other-value-sign-pin  (before add-1) ssh-add -s where the value typed is
#                 the card's signature PIN: OpenSSH offers it to every token;
#                 no try of any PIN is spent, and afterwards another process's
#                 raw signature is refused (the card's PIN state was ended).
#                 (A wrong 6-16 character value typed there does reach the
#                 signature PIN: OpenSC refuses it for the authentication
#                 token before the plugin sees it; doc/pins.md, "A PIN is spent
#                 only on the PIN it was typed for".)
#
# Exit status 0 when every check passes, 1 otherwise (never 77).
set -eu
me=e2e-ssh-agent
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ "${1:-}" != "--inside" ]; then
	shared_outer_setup ssh-agent ssh-add ssh-keygen
	shared_run_case "$here/e2e-ssh-agent.sh" agent --card-info
	shared_outer_end
fi

# ---- inside the harness ---------------------------------------------------------
shared_inside_setup "$3"
agent_pid=""
stop_agent() {
	if [ -n "$agent_pid" ]; then
		kill "$agent_pid" 2>/dev/null || true
		wait "$agent_pid" 2>/dev/null || true
		agent_pid=""
	fi
}
trap 'stop_agent; shared_client_kill' EXIT

tries_at_start=$(all_tries)
[ "$tries_at_start" = "auth=3 sign=5 text=3" ] || shared_die start "the fresh card's tries are $tries_at_start"

# auth.pub: the key ssh-keygen -D lists for the authentication certificate.
ssh-keygen -i -m PKCS8 -f "$work/cert01.pub" >"$work/cert01.ssh" ||
	shared_die prerequisites "ssh-keygen cannot convert certificate 01's key"
auth_blob=$(awk '{print $1" "$2}' "$work/cert01.ssh")
ssh-keygen -D "$SHARED_MODULE" </dev/null >"$work/keys.out" 2>"$work/keys.err" ||
	shared_die keys "ssh-keygen -D failed: $(cat "$work/keys.err")"
grep -F "$auth_blob" "$work/keys.out" | head -n 1 >"$work/auth.pub"
[ -s "$work/auth.pub" ] || shared_die keys "ssh-keygen -D does not list the authentication key: $(cat "$work/keys.out")"

# The agent, in the foreground of its own background job so its pid is ours.
ssh-agent -D -a "$work/agent.sock" >"$work/agent.log" 2>&1 &
agent_pid=$!
waited=0
while [ ! -S "$work/agent.sock" ]; do
	kill -0 "$agent_pid" 2>/dev/null || shared_die agent "ssh-agent exited: $(cat "$work/agent.log")"
	[ "$waited" -lt 100 ] || shared_die agent "no agent socket after 10 s"
	sleep 0.1
	waited=$((waited + 1))
done
SSH_AUTH_SOCK=$work/agent.sock
export SSH_AUTH_SOCK

# The PIN reaches ssh-add only through askpass (never argv or a file); the
# helper records the prompts, not the answers.
cat >"$work/askpass" <<'EOF'
#!/bin/sh
printf '%s\n' "$1" >>"$SHARED_ASKPASS_LOG"
printf '%s\n' "$SHARED_ASKPASS_PIN"
EOF
chmod 700 "$work/askpass"

add_card() { # check name
	before=$(all_tries)
	refused_before=$(refused_verifies)
	rc=0
	SHARED_ASKPASS_PIN=$auth_pin SHARED_ASKPASS_LOG=$work/askpass.log \
		SSH_ASKPASS=$work/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=${DISPLAY:-:0} \
		timeout 60 ssh-add -s "$SHARED_MODULE" </dev/null >"$work/add.out" 2>&1 || rc=$?
	after=$(all_tries)
	refused=$(($(refused_verifies) - refused_before))
	if [ "$rc" -ne 0 ]; then
		shared_bad "$1" "ssh-add -s exited $rc: $(tr '\n' ' ' <"$work/add.out"); tries $before -> $after"
	elif [ "$after" != "$before" ] || [ "$refused" -ne 0 ]; then
		shared_bad "$1" "ssh-add -s with the right authentication PIN spent tries: $before -> $after ($refused VERIFY refused in the trace: $(grep -E '^#[0-9]+ 00 20 00 80 [0-9A-F]{2} .*=> (63 C|69 8[34])' "$trace" | tail -n "$refused" | tr '\n' ';'))"
	else
		shared_ok "$1: ssh-add -s with the right authentication PIN, tries unchanged ($after)"
	fi
}
agent_signs() { # check name
	rc=0
	timeout 60 ssh-add -T "$work/auth.pub" </dev/null >"$work/test.out" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then
		shared_ok "$1: ssh-add -T: the agent signs with the card's authentication key"
	else
		hint=""
		! grep -q 'Signature verification failed' "$work/test.out" ||
			hint=" (the agent's signature does not verify with the authentication key: the card signed with another key)"
		shared_bad "$1" "ssh-add -T exited $rc: $(tr '\n' ' ' <"$work/test.out")$hint"
	fi
}

# A value typed that is not the authentication PIN but the signature PIN:
# no try spent, nothing left verified on the card.
add_other_value() { # check name, value
	before=$(all_tries)
	from=$(($(trace_lines) + 1))
	rc=0
	SHARED_ASKPASS_PIN=$2 SHARED_ASKPASS_LOG=$work/askpass.log \
		SSH_ASKPASS=$work/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=${DISPLAY:-:0} \
		timeout 60 ssh-add -s "$SHARED_MODULE" </dev/null >"$work/add.out" 2>&1 || rc=$?
	after=$(all_tries)
	if [ "$after" = "$before" ]; then
		shared_ok "$1: ssh-add -s with the ${#2}-character signature PIN (exit $rc): tries unchanged ($after)"
	else
		shared_bad "$1" "ssh-add -s with the ${#2}-character signature PIN (exit $rc): tries $before -> $after"
	fi
	raw=$(opensc-tool -c default -s 00A4040C0AD392F00026010000000001 -s 00A4020C02001A \
		-s 802A0080333031300D060960864801650304020105000420$(printf '%064d' 0)00 \
		2>&1 </dev/null | tail -n 1)
	case $raw in
		*"0x90, SW2=0x00"* | *"90 00"* | "") shared_bad "$1" "another process's raw signature afterwards: '$raw', expected a refusal" ;;
		*) shared_ok "$1: another process's raw signature afterwards: refused ($raw)" ;;
	esac
	# Whatever the agent took, it holds nothing of the card now.
	ssh-add -e "$SHARED_MODULE" </dev/null >/dev/null 2>&1 || true
}
add_other_value other-value-sign-pin "$sign_pin"
add_card add-1
agent_signs baseline
for action in dump card-face sign-02 select-text; do
	before=$(all_tries)
	if other "$action"; then
		agent_signs "after-$action"
	fi
	lost=$(tries_lost "$before" "$(all_tries)")
	[ -z "$lost" ] || shared_bad "tries-$action" "tries lost around the other process's $action: $lost"
done

ssh-add -e "$SHARED_MODULE" </dev/null >"$work/remove.out" 2>&1 ||
	shared_bad remove "ssh-add -e: $(tr '\n' ' ' <"$work/remove.out")"
add_card add-2
agent_signs after-add-2
stop_agent

shared_note "PIN prompts: $(wc -l <"$work/askpass.log" | tr -d ' ') ($(sort -u "$work/askpass.log" | tr '\n' ' '))"
shared_inside_end
