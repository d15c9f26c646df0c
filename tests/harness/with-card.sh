#!/bin/sh
# Runs a command against a virtual My Number Card through the whole stack:
# a private pcscd (own mount and network namespaces, own reader.conf.d) with vsmartcard's
# vpcd reader, jpki-sim as the card, and an OPENSC_CONF loading the plugin.
#
#   with-card.sh [--identity DIR] [--set KEY=VALUE]... [--sim-config FILE]
#                [--conf plugin-first|plugin-only|builtin|FILE] [--card-info]
#                [--debug-file FILE] [--stats FILE] [--trace FILE]
#                -- COMMAND [ARG]...
#
# COMMAND runs with OPENSC_CONF (the generated or given opensc.conf),
# JPKI_SIM_STATS (the card's counters and PIN tries, rewritten after every APDU;
# see jpki-sim --help), JPKI_IDENTITY (the identity directory: its "pins" and
# "facts" files are what the card holds), and JPKI_SIM_PID / JPKI_PCSCD_PID (the
# processes the harness stops afterwards). Without --identity, a fresh identity
# is made with jpki-sim-gen. --set and --sim-config are jpki-sim's card settings.
#
# Exit status: COMMAND's, or 125 when the harness itself fails (no card, a
# process that would not stop, a missing program).
#
# From `make check` the built programs are found through $top_builddir; run by
# hand, from the build directory (or with top_builddir set).
set -eu

# WITH_CARD_NAME: the name to speak as (jpki-sim-with-card, the installed wrapper).
me=${WITH_CARD_NAME:-$(basename "$0")}
die() {
	echo "$me: $*" >&2
	exit 125
}

# ---- inside the private mount and network namespaces -------------------------------------
if [ "${1:-}" = "--in-namespace" ]; then
	shift
	work=$WITH_CARD_WORK
	sim_pid=""
	pcscd_pid=""

	# Stops one process this script started, and checks that it is gone.
	stop_process() { # pid, name
		[ -n "$1" ] || return 0
		kill -TERM "$1" 2>/dev/null || true
		waited=0
		while kill -0 "$1" 2>/dev/null; do
			# reap it if it is our child and already exited
			if [ "$waited" -ge 50 ]; then
				echo "$me: $2 (pid $1) ignores SIGTERM; killing it" >&2
				kill -KILL "$1" 2>/dev/null || true
				sleep 0.2
				if kill -0 "$1" 2>/dev/null; then
					echo "$me: $2 (pid $1) is still running" >&2
					return 1
				fi
				break
			fi
			sleep 0.1
			waited=$((waited + 1))
		done
		wait "$1" 2>/dev/null || true
		return 0
	}
	stop_all() {
		stopped=0
		stop_process "$sim_pid" jpki-sim || stopped=1
		sim_pid=""
		stop_process "$pcscd_pid" pcscd || stopped=1
		pcscd_pid=""
		return $stopped
	}
	on_signal() {
		stop_all || true
		exit 125
	}
	trap on_signal INT TERM HUP

	# A network namespace of our own: vpcd's port and jpki-sim's connection
	# are on this loopback only, so harnesses running side by side (make -j)
	# can never reach each other's card.
	ip link set lo up || die "cannot bring up the loopback of the private network namespace"

	# pcscd 1.9.9 always uses /run/pcscd: a tmpfs over it, in this namespace
	# only, keeps the system's pcscd (if any) out of sight and untouched.
	mkdir -p /run/pcscd
	mount -t tmpfs -o mode=0755,size=1m with-card /run/pcscd || die "cannot mount a tmpfs on /run/pcscd"

	card_present() {
		OPENSC_CONF=$work/empty.conf opensc-tool -l 2>/dev/null | grep -q '^[0-9][0-9]* *Yes'
	}

	attempt=1
	ready=no
	while [ "$attempt" -le 3 ]; do
		port=$("$WITH_CARD_SIM" --find-port) || die "jpki-sim --find-port failed"
		mkdir -p "$work/readers"
		printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x%x\nLIBPATH %s\nCHANNELID 0x%x\n' \
			"$port" "$WITH_CARD_VPCD_LIB" "$port" > "$work/readers/vpcd"
		# --info: pcscd logs each card insertion and removal, which a test
		# that lost its token prints (tests/shared/lib.sh, client_diagnosis).
		# shellcheck disable=SC2086
		"$WITH_CARD_PCSCD" -f --info -c "$work/readers" $WITH_CARD_PCSCD_ARGS > "$work/pcscd.log" 2>&1 &
		pcscd_pid=$!
		# shellcheck disable=SC2086
		"$WITH_CARD_SIM" --identity "$WITH_CARD_IDENTITY" --port "$port" \
			--stats "$WITH_CARD_STATS" --pidfile "$work/jpki-sim.pid" \
			$WITH_CARD_SIM_ARGS > "$work/jpki-sim.log" 2>&1 &
		sim_pid=$!
		tries=0
		while [ "$tries" -lt "$WITH_CARD_TIMEOUT" ]; do
			if ! kill -0 "$sim_pid" 2>/dev/null; then
				cat "$work/jpki-sim.log" >&2
				stop_all || true
				die "jpki-sim exited before the card was ready"
			fi
			kill -0 "$pcscd_pid" 2>/dev/null || break
			if card_present; then
				ready=yes
				break
			fi
			sleep 0.1
			tries=$((tries + 1))
		done
		[ "$ready" = yes ] && break
		# Most likely someone took the port between the check and vpcd's bind.
		stop_all || die "could not stop the processes of attempt $attempt"
		attempt=$((attempt + 1))
	done
	if [ "$ready" != yes ]; then
		echo "$me: no card in the private pcscd after $((WITH_CARD_TIMEOUT / 10)) s (3 attempts); pcscd said:" >&2
		tail -20 "$work/pcscd.log" >&2
		tail -5 "$work/jpki-sim.log" >&2
		die "timed out waiting for the virtual card"
	fi

	rc=0
	OPENSC_CONF=$WITH_CARD_OPENSC_CONF JPKI_SIM_STATS=$WITH_CARD_STATS JPKI_IDENTITY=$WITH_CARD_IDENTITY \
		JPKI_SIM_PID=$sim_pid JPKI_PCSCD_PID=$pcscd_pid "$@" || rc=$?

	trap - INT TERM HUP
	stop_all || die "processes started by the harness did not stop"
	exit "$rc"
fi

# ---- outside: gather the pieces, then re-enter in mount and network namespaces ------------
usage() { # [exit status]: --help prints to stdout and exits 0, a wrong call 125
	status=${1:-125}
	if [ "$status" -eq 0 ]; then exec 3>&1; else exec 3>&2; fi
	sed -n '2,19s/^# \{0,1\}//p' "$0" | sed "s/with-card\.sh/$me/g" >&3
	exit "$status"
}

identity=""
conf=plugin-first
card_info=""
debug_file=""
stats_file=""
sim_args=""
while [ $# -gt 0 ]; do
	case "$1" in
		--identity) [ $# -ge 2 ] || usage; identity=$2; shift 2 ;;
		--set) [ $# -ge 2 ] || usage
			case "$2" in *[!A-Za-z0-9_=:.-]*) die "--set '$2': unexpected characters" ;; esac
			sim_args="$sim_args --set $2"; shift 2 ;;
		--sim-config) [ $# -ge 2 ] || usage; [ -f "$2" ] || die "no file $2"
			case "$2" in *[!A-Za-z0-9_/.-]*) die "--sim-config: use a path without spaces" ;; esac
			sim_args="$sim_args --config $(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
		--conf) [ $# -ge 2 ] || usage; conf=$2; shift 2 ;;
		--card-info) card_info=--card-info; shift ;;
		--debug-file) [ $# -ge 2 ] || usage; debug_file=$2; shift 2 ;;
		--stats) [ $# -ge 2 ] || usage; stats_file=$2; shift 2 ;;
		--trace) [ $# -ge 2 ] || usage
			case "$2" in *[!A-Za-z0-9_/.-]*) die "--trace: use a path without spaces" ;; esac
			sim_args="$sim_args --trace $2"; shift 2 ;;
		-h|--help) usage 0 ;;
		--) shift; break ;;
		*) die "unknown option $1 (the command goes after --)" ;;
	esac
done
[ $# -gt 0 ] || usage

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
if [ -z "${top_builddir:-}" ]; then
	top_builddir=$(pwd)
fi
find_program() { # name
	if [ -x "$top_builddir/$1" ]; then
		echo "$top_builddir/$1"
	elif [ -x "$top_builddir/sim/$1" ]; then
		echo "$top_builddir/sim/$1"
	else
		command -v "$1" 2>/dev/null || true
	fi
}
sim=$(find_program jpki-sim)
[ -n "$sim" ] || die "no jpki-sim in $top_builddir or PATH (run from the build directory or set top_builddir)"
pcscd=${PCSCD:-}
[ -n "$pcscd" ] || pcscd=$(PATH=$PATH:/usr/sbin:/sbin command -v pcscd 2>/dev/null || true)
[ -n "$pcscd" ] && [ -x "$pcscd" ] || die "no pcscd (apt-get install pcscd)"
# pcscd 2.x (trixie, sid) asks polkit whether each client may connect, and no
# polkit answers inside the harness: its private pcscd does without. pcscd
# 1.9.9 (bookworm) has no such option and would refuse to start with it.
pcscd_args=""
if "$pcscd" --help 2>&1 | grep -q -- '--disable-polkit'; then
	pcscd_args="--disable-polkit"
fi
vpcd_lib=${JPKI_VPCD_LIB:-/usr/lib/pcsc/drivers/serial/libifdvpcd.so}
[ -f "$vpcd_lib" ] || die "no vpcd IFD handler at $vpcd_lib (apt-get install vsmartcard-vpcd)"
command -v opensc-tool >/dev/null 2>&1 || die "no opensc-tool (apt-get install opensc)"
command -v unshare >/dev/null 2>&1 || die "no unshare (apt-get install util-linux)"
command -v ip >/dev/null 2>&1 || die "no ip (apt-get install iproute2)"
[ "$(id -u)" = 0 ] || die "needs root: a private pcscd runs in its own mount and network namespaces"

work=$(mktemp -d "${TMPDIR:-/tmp}/with-card.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 125' INT TERM HUP

if [ -z "$identity" ]; then
	gen=$(find_program jpki-sim-gen)
	[ -n "$gen" ] || die "no --identity and no jpki-sim-gen to make one"
	"$gen" --out "$work/identity" > "$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; die "jpki-sim-gen failed"; }
	identity=$work/identity
fi
[ -d "$identity" ] || die "identity $identity is not a directory"
identity=$(cd "$identity" && pwd)

case "$conf" in
	plugin-first|plugin-only|builtin)
		set_debug=""
		[ -z "$debug_file" ] || set_debug="--debug 7 --debug-file $debug_file" # 7: everything below SC_LOG_DEBUG_PIN, where OpenSC starts logging PINs
		module=${OPENSC_JPKI_MODULE:-$top_builddir/src/.libs/opensc-jpki.so}
		[ "$conf" = builtin ] || [ -f "$module" ] || die "no module $module (build it, or set OPENSC_JPKI_MODULE)"
		# shellcheck disable=SC2086
		OPENSC_JPKI_MODULE=$module sh "$top_srcdir/tests/lib/opensc-conf.sh" "$conf" $card_info $set_debug \
			> "$work/opensc.conf" || die "cannot write an opensc.conf"
		opensc_conf=$work/opensc.conf ;;
	*)
		[ -f "$conf" ] || die "--conf: no file $conf (or plugin-first|plugin-only|builtin)"
		[ -z "$debug_file$card_info" ] || die "--debug-file and --card-info go with a generated configuration"
		opensc_conf=$(cd "$(dirname "$conf")" && pwd)/$(basename "$conf") ;;
esac
printf 'app default {\n}\n' > "$work/empty.conf"
[ -n "$stats_file" ] || stats_file=$work/stats

export WITH_CARD_WORK="$work" WITH_CARD_SIM="$sim" WITH_CARD_PCSCD="$pcscd" WITH_CARD_PCSCD_ARGS="$pcscd_args"
export WITH_CARD_VPCD_LIB="$vpcd_lib" WITH_CARD_IDENTITY="$identity" WITH_CARD_STATS="$stats_file"
export WITH_CARD_SIM_ARGS="$sim_args" WITH_CARD_OPENSC_CONF="$opensc_conf"
export WITH_CARD_TIMEOUT="${WITH_CARD_TIMEOUT:-150}" # tenths of a second per attempt

rc=0
unshare -m -n -- sh "$0" --in-namespace "$@" || rc=$?
exit "$rc"
