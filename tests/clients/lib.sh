# Shared by the tests/clients/e2e-*.sh scenarios (sourced, POSIX sh).
#
# Each scenario runs twice through tests/harness/with-card.sh: once with the
# plugin (every step must pass) and once with Debian's stock configuration, where
# it must fail at the step that only the plugin can pass. Inside the card's
# namespace the scenario reports the first failing step as "FAILED[step]: why" so
# the outer run can tell an expected failure from an accidental one.

CLIENTS_PKCS11_MODULE=${CLIENTS_PKCS11_MODULE:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}

# Stops the scenario with the step that failed; the outer run greps for it.
clients_fail() { # step, message
	echo "FAILED[$1]: $2" >&2
	exit 1
}

clients_note() {
	echo "clients: $*" >&2
}

# Everything a scenario starts is registered here and stopped by clients_cleanup,
# which the scenario installs as its EXIT trap: by pid, never by name.
clients_pids=""
clients_tmp=""
clients_track_pid() {
	clients_pids="$clients_pids $1"
}
# For a process that has been waited for: its pid may be reused by now.
clients_untrack_pid() {
	kept=""
	for pid in $clients_pids; do
		[ "$pid" = "$1" ] || kept="$kept $pid"
	done
	clients_pids=$kept
}
clients_cleanup() {
	for pid in $clients_pids; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $clients_pids; do
		wait "$pid" 2>/dev/null || true
	done
	clients_pids=""
	if [ -n "$clients_tmp" ] && [ -d "$clients_tmp" ]; then
		rm -rf "$clients_tmp"
	fi
}
clients_install_trap() {
	trap 'rc=$?; clients_cleanup; exit $rc' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# A scratch directory only root can read: it holds private keys of the test
# identity's copies and server keys.
clients_mktemp() { # name
	clients_tmp=$(mktemp -d "${TMPDIR:-/tmp}/jpki-$1.XXXXXX")
	chmod 700 "$clients_tmp"
}

# A port number from the dynamic range nobody is listening on right now. A
# server started on it may still lose a race: callers retry with a new one.
clients_random_port() {
	while :; do
		n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		port=$((20000 + n % 40000))
		if ! ss -Htln 2>/dev/null | awk '{print $4}' | grep -q ":$port\$"; then
			echo "$port"
			return 0
		fi
	done
}

# Waits until FILE contains a line matching the extended regex, up to SECONDS.
# Fails early when PID (the process that should write it) has died.
clients_wait_for() { # file, regex, seconds, pid
	tries=$(($3 * 10))
	while [ "$tries" -gt 0 ]; do
		if [ -f "$1" ] && grep -aEq "$2" "$1"; then
			return 0
		fi
		kill -0 "$4" 2>/dev/null || return 1
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# Reads key=value from a file (the identity's pins and facts files).
clients_value() { # file, key
	sed -n "s/^$2=//p" "$1" | head -n 1
}

# A try counter of the PIN as the virtual card reports it.
clients_tries() { # auth|sign
	clients_value "$JPKI_SIM_STATS" "tries_$1"
}

# The p11tool token URL of the card with this PKCS#15 serial, for the PIN with
# this label, taken from p11tool's listing as a user would copy it; sets
# token_url (a function called in $(...) could not stop the scenario). One card
# shows as one token per PIN, all with the card's serial, each label ending in
# "(PIN label)". OpenSC keeps the last 16 characters of a longer serial (the
# token info field has 16).
clients_token_url() { # PKCS#15 serial, PIN label
	token_serial=$(printf '%s' "$1" | tail -c 16)
	token_label_suffix=$(printf '%%28%s%%29' "$2" | sed 's/ /%20/g')
	p11tool --list-token-urls >"$clients_tmp/tokens" 2>"$clients_tmp/tokens.err" ||
		clients_fail token "p11tool --list-token-urls failed: $(cat "$clients_tmp/tokens.err")"
	token_url=$(grep -i "serial=$token_serial;" "$clients_tmp/tokens" | grep -F "$token_label_suffix" | head -n 1 || true)
	[ -n "$token_url" ] ||
		clients_fail token "no $2 token with serial $token_serial; tokens: $(tr '\n' ' ' <"$clients_tmp/tokens")"
}

# The tools the scenarios need; a missing one is a failure, never a skip: a
# scenario that silently does not run proves nothing.
clients_require() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || [ -x "$tool" ] ||
			clients_fail prerequisites "$tool not found (run scripts/install-deps.sh; scripts/packages-extra.txt lists the client packages)"
	done
}

# The outer half of every scenario: checks what the run needs, makes a fresh
# identity, runs the scenario once with the plugin (must pass) and once with
# OpenSC's built-in driver (must fail at the step named). $1 is the scenario
# script, $2 the step that proves the plugin served the card.
clients_outer() { # script, plugin-only step
	script=$1
	plugin_step=$2
	: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
	[ -n "${OPENSC_JPKI_MODULE:-}" ] && [ -f "$OPENSC_JPKI_MODULE" ] ||
		clients_fail prerequisites "plugin module ${OPENSC_JPKI_MODULE:-(unset)} not built"
	harness=$top_srcdir/tests/harness/with-card.sh
	gen=$top_builddir/sim/jpki-sim-gen
	[ -f "$harness" ] || clients_fail prerequisites "$harness missing"
	[ -x "$gen" ] || clients_fail prerequisites "$gen not built"
	clients_require "$CLIENTS_PKCS11_MODULE"

	clients_install_trap
	clients_mktemp "$(basename "$script" .sh)"
	"$gen" --out "$clients_tmp/identity" >/dev/null ||
		clients_fail prerequisites "jpki-sim-gen failed"

	clients_note "with the plugin (plugin-first): every step must pass"
	rc=0
	sh "$harness" --identity "$clients_tmp/identity" --conf plugin-first -- \
		sh "$script" --in-card 2>"$clients_tmp/plugin.err" || rc=$?
	cat "$clients_tmp/plugin.err" >&2
	[ "$rc" -eq 0 ] || clients_fail plugin-run "the scenario failed with the plugin (exit $rc)"

	# Negative control: the stock configuration (OpenSC's own jpki driver, the
	# plugin not loaded). The scenario must not pass, and must fail exactly where
	# only the plugin can pass: anything else would mean the control proves
	# nothing (a broken harness fails too).
	clients_note "negative control with OpenSC's built-in driver (builtin): must fail at [$plugin_step]"
	rc=0
	sh "$harness" --identity "$clients_tmp/identity" --conf builtin -- \
		sh "$script" --in-card 2>"$clients_tmp/builtin.err" || rc=$?
	sed 's/^/  builtin| /' "$clients_tmp/builtin.err" >&2
	[ "$rc" -ne 0 ] || clients_fail negative-control "the scenario passed without the plugin: it does not prove the plugin is used"
	grep -q "^FAILED\[$plugin_step\]" "$clients_tmp/builtin.err" ||
		clients_fail negative-control "without the plugin the scenario failed, but not at [$plugin_step]"
	clients_note "PASS: passes with the plugin, fails at [$plugin_step] without it"
}

# How every scenario begins. Run by make check (no argument), it is the outer
# half (clients_outer), and the script ends here. Run by the harness with
# --in-card, it needs the harness's variables and gets its cleanup trap and a
# scratch directory ($clients_tmp, named NAME-in-card for e2e-NAME.sh).
clients_start() { # script, plugin-only step, the scenario's first argument
	if [ "${3:-}" != "--in-card" ]; then
		clients_outer "$1" "$2"
		exit 0
	fi
	: "${JPKI_IDENTITY:?run by tests/harness/with-card.sh}" "${JPKI_SIM_STATS:?run by tests/harness/with-card.sh}"
	clients_install_trap
	scenario=$(basename "$1" .sh)
	clients_mktemp "${scenario#e2e-}-in-card"
}
