/*
 * jpki-sim: a virtual My Number Card in pcscd, through vsmartcard's vpcd.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jpki-sim.h"
#include "vpcd-link.h"

#define DEFAULT_PORT 0x8C7B /* Debian's /etc/reader.conf.d/vpcd */

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signo)
{
	(void)signo;
	stop_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
"NAME\n"
"    jpki-sim - a virtual Japanese My Number Card (JPKI) for pcscd\n"
"\n"
"SYNOPSIS\n"
"    jpki-sim --identity DIR [--port N] [--set KEY=VALUE]... [--config FILE]\n"
"             [--stats FILE] [--trace FILE] [--pidfile FILE]\n"
"    jpki-sim --find-port\n"
"    jpki-sim --help | --version\n"
"\n"
"DESCRIPTION\n"
"    Plays a My Number Card with the certificates, keys and PINs of an identity\n"
"    directory (as written by jpki-sim-gen) in a pcscd reader served by\n"
"    vsmartcard's vpcd IFD handler. jpki-sim connects to vpcd at 127.0.0.1:PORT,\n"
"    answers APDUs until it gets SIGTERM or SIGINT, and reconnects whenever vpcd\n"
"    drops the connection (pcscd restarted). Any PC/SC application - OpenSC's\n"
"    tools, a browser, your own - then sees the card in reader \"Virtual PCD\".\n"
"    All data is synthetic test data; nothing of a real card is involved.\n"
"\n"
"    The card applies the access rules and PIN try counters of a real card: a\n"
"    wrong PIN costs a try and a blocked PIN stays blocked for the life of the\n"
"    process. Try counters survive card resets and reconnections.\n"
"\n"
"OPTIONS\n"
"    --identity DIR   identity directory (see IDENTITY.md in the sources).\n"
"    --port N         vpcd's TCP port (DEVICENAME /dev/null:0xPORT in reader.conf);\n"
"                     default %u.\n"
"    --set KEY=VALUE  one card setting (below); repeatable, applied in order.\n"
"    --config FILE    settings as KEY=VALUE lines; '#' starts a comment.\n"
"    --stats FILE     after every APDU, rewrite FILE atomically with KEY=VALUE\n"
"                     lines: apdus, bytes_in, bytes_out, ins_XX (APDUs per INS),\n"
"                     resets, pin_values (VERIFYs with data and CHANGE\n"
"                     REFERENCE DATAs), tries_auth, tries_sign, tries_text.\n"
"    --trace FILE     one line per APDU (PIN bytes shown as **).\n"
"    --pidfile FILE   write the process id to FILE (removed on exit).\n"
"    --find-port      print a TCP port in 20000-60000 that is free right now, and\n"
"                     exit (for scripts that write a reader.conf).\n"
"\n"
"CARD SETTINGS\n"
"    atr_index=N             one of the known ATRs: 0-3 contact, 4-7 contactless.\n"
"    atr=HEX                 any ATR (2-33 bytes), e.g. an unknown card's.\n"
"    blocked_sw=6983|6984    status word of a blocked PIN (default 6983).\n"
"    past_end=6B00|6282      READ BINARY with Le beyond the end: data + 9000\n"
"                            (6B00, the default) or data + 6282. An offset at or\n"
"                            past the end is 6B00 in both.\n"
"    reselect_clears_pin=yes|no  selecting the current AP again drops the PIN\n"
"                            state (default yes).\n"
"    extended_length=yes|no  accept extended-length APDUs (default yes; no: 6700).\n"
"    sfi=yes|no              READ BINARY by short EF identifier, P1 = 80 | SFI\n"
"                            (default yes; no: 6A86).\n"
"    chain_61xx=yes|no       answer data with 61xx, to fetch with GET RESPONSE.\n"
"    wrong_le_6cxx=yes|no    short READ BINARY with Le beyond the end: 6Cxx.\n"
"    latency_ms=N            delay every APDU by N ms.\n"
"    truncate_apdu=K truncate_after=N   cut the K-th response's data after N bytes.\n"
"    fail_apdu=K fail_sw=XXXX           answer the K-th APDU with XXXX (default 6F00).\n"
"    remove_after=K          the card disappears after K APDUs.\n"
"    tamper_text_basic_info=yes  flip one byte of the text AP's EF 0002.\n"
"    APDUs are counted from 1 over the life of the process.\n"
"\n"
"EXIT STATUS\n"
"    0 after SIGTERM/SIGINT, 1 when the identity cannot be loaded or a file\n"
"    cannot be written, 2 on a usage error.\n"
"\n"
"EXAMPLE\n"
"    printf 'FRIENDLYNAME \"Virtual PCD\"\\nDEVICENAME /dev/null:0x%%x\\n"
"LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\\nCHANNELID 0x%%x\\n' $PORT $PORT \\\n"
"        > /etc/reader.conf.d/vpcd    # then restart pcscd\n"
"    jpki-sim-gen --out card1 && jpki-sim --identity card1 --port $PORT &\n"
"    opensc-tool --atr\n",
		DEFAULT_PORT);
}

struct program_args {
	const char *identity_dir;
	const char *stats_path;
	const char *trace_path;
	const char *pidfile_path;
	uint16_t port;
};

static void trim(char **text)
{
	char *end;

	while (**text == ' ' || **text == '\t')
		(*text)++;
	end = *text + strlen(*text);
	while (end > *text && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
}

static int apply_setting(struct jpki_sim_options *opts, const char *setting, const char *origin)
{
	char err[200];

	if (jpki_sim_options_set(opts, setting, err, sizeof(err)) != 0) {
		fprintf(stderr, "jpki-sim: %s: %s\n", origin, err);
		return -1;
	}
	return 0;
}

static int apply_config_file(struct jpki_sim_options *opts, const char *path)
{
	char line[512], origin[600], setting[512];
	unsigned line_number = 0;
	FILE *file = fopen(path, "r");
	int rc = 0;

	if (file == NULL) {
		fprintf(stderr, "jpki-sim: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), file) != NULL) {
		char *text = line, *key, *value, *eq;

		line_number++;
		text[strcspn(text, "#")] = '\0';
		trim(&text);
		if (*text == '\0')
			continue;
		snprintf(origin, sizeof(origin), "%s:%u", path, line_number);
		eq = strchr(text, '=');
		if (eq == NULL) {
			fprintf(stderr, "jpki-sim: %s: expected key=value\n", origin);
			rc = -1;
			break;
		}
		*eq = '\0';
		key = text;
		value = eq + 1;
		trim(&key);
		trim(&value);
		snprintf(setting, sizeof(setting), "%s=%s", key, value);
		rc = apply_setting(opts, setting, origin);
	}
	fclose(file);
	return rc;
}

static int parse_port(const char *text, uint16_t *port)
{
	char *end = NULL;
	long value = strtol(text, &end, 10);

	if (end == text || *end != '\0' || value < 1 || value > 65535)
		return -1;
	*port = (uint16_t)value;
	return 0;
}

/* Writes the stats to a temporary file and renames it: readers never see half. */
static int write_stats_file(const struct jpki_sim *sim, const char *path)
{
	char tmp_path[4096];
	FILE *file;
	int rc;

	if (path == NULL)
		return 0;
	if (snprintf(tmp_path, sizeof(tmp_path), "%s.tmp", path) >= (int)sizeof(tmp_path))
		return -1;
	file = fopen(tmp_path, "w");
	if (file == NULL)
		return -1;
	rc = jpki_sim_write_stats(sim, file);
	if (fclose(file) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp_path, path) != 0)
		rc = -1;
	if (rc != 0)
		unlink(tmp_path);
	return rc;
}

static void sleep_ms(unsigned ms)
{
	struct timespec left = { ms / 1000, (long)(ms % 1000) * 1000000L };

	/* An interrupted sleep is cut short on purpose: SIGTERM must not wait. */
	while (nanosleep(&left, &left) != 0 && errno == EINTR && !stop_requested)
		;
}

enum serve_result { SERVE_DISCONNECTED, SERVE_CARD_REMOVED, SERVE_FAILED };

/* Answers vpcd until it disconnects, the card is removed, or a stop signal. */
static enum serve_result serve(int fd, struct jpki_sim *sim, const struct jpki_sim_options *opts,
                               const struct program_args *args)
{
	static uint8_t frame[VPCD_MAX_FRAME];
	static uint8_t rapdu[JPKI_SIM_MAX_APDU];
	size_t frame_len, rapdu_len, atr_len;

	while (!stop_requested) {
		int rc = vpcd_read_frame(fd, frame, sizeof(frame), &frame_len);

		if (rc != 0)
			return SERVE_DISCONNECTED;
		if (frame_len == 0)
			continue;
		if (frame_len == 1) {
			switch (frame[0]) {
			case VPCD_CTRL_ON:
			case VPCD_CTRL_RESET:
				if (jpki_sim_reset(sim, &atr_len) == NULL)
					return SERVE_CARD_REMOVED;
				break;
			case VPCD_CTRL_ATR:
				/* vpcd polls the ATR to see whether a card is present. */
				if (vpcd_write_frame(fd, opts->atr, opts->atr_len) != 0)
					return SERVE_DISCONNECTED;
				break;
			case VPCD_CTRL_OFF:
				jpki_sim_power_off(sim);
				break;
			default: /* unknown codes: nothing to do */
				break;
			}
			if (write_stats_file(sim, args->stats_path) != 0) {
				fprintf(stderr, "jpki-sim: cannot write %s\n", args->stats_path);
				return SERVE_FAILED;
			}
			continue;
		}
		if (opts->latency_ms > 0)
			sleep_ms(opts->latency_ms);
		if (jpki_sim_transmit(sim, frame, frame_len, rapdu, sizeof(rapdu), &rapdu_len) != 0)
			return SERVE_CARD_REMOVED;
		if (write_stats_file(sim, args->stats_path) != 0) {
			fprintf(stderr, "jpki-sim: cannot write %s\n", args->stats_path);
			return SERVE_FAILED;
		}
		if (vpcd_write_frame(fd, rapdu, rapdu_len) != 0)
			return SERVE_DISCONNECTED;
	}
	return SERVE_DISCONNECTED;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "identity", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "set", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "stats", required_argument, NULL, 'S' },
		{ "trace", required_argument, NULL, 't' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ "find-port", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct program_args args = { NULL, NULL, NULL, NULL, DEFAULT_PORT };
	struct jpki_sim_options opts;
	struct jpki_sim *sim = NULL;
	struct sigaction action;
	FILE *trace = NULL;
	bool announced_wait = false, pidfile_written = false;
	int option, exit_code = 1;

	jpki_sim_options_init(&opts);
	while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (option) {
		case 'i': args.identity_dir = optarg; break;
		case 'p':
			if (parse_port(optarg, &args.port) != 0) {
				fprintf(stderr, "jpki-sim: --port: '%s' is no TCP port\n", optarg);
				return 2;
			}
			break;
		case 's':
			if (apply_setting(&opts, optarg, "--set") != 0)
				return 2;
			break;
		case 'c':
			if (apply_config_file(&opts, optarg) != 0)
				return 2;
			break;
		case 'S': args.stats_path = optarg; break;
		case 't': args.trace_path = optarg; break;
		case 'P': args.pidfile_path = optarg; break;
		case 'f': {
			int port = vpcd_find_free_port(20000, 60000);
			if (port < 0) {
				fprintf(stderr, "jpki-sim: no free port found\n");
				return 1;
			}
			printf("%d\n", port);
			return 0;
		}
		case 'h': usage(stdout); return 0;
		case 'V': printf("jpki-sim %s\n", PACKAGE_VERSION); return 0;
		default:
			fprintf(stderr, "Try 'jpki-sim --help'.\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "jpki-sim: unexpected argument '%s'\nTry 'jpki-sim --help'.\n", argv[optind]);
		return 2;
	}
	if (args.identity_dir == NULL) {
		fprintf(stderr, "jpki-sim: --identity DIR is required\nTry 'jpki-sim --help'.\n");
		return 2;
	}

	memset(&action, 0, sizeof(action));
	action.sa_handler = on_stop_signal;
	sigemptyset(&action.sa_mask);
	/* No SA_RESTART: a blocking read must return so the loop sees the stop. */
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (args.trace_path != NULL) {
		trace = fopen(args.trace_path, "w");
		if (trace == NULL) {
			fprintf(stderr, "jpki-sim: cannot open %s: %s\n", args.trace_path, strerror(errno));
			goto out;
		}
		opts.trace = trace;
	}
	sim = jpki_sim_new(args.identity_dir, &opts);
	if (sim == NULL)
		goto out;
	if (write_stats_file(sim, args.stats_path) != 0) {
		fprintf(stderr, "jpki-sim: cannot write %s\n", args.stats_path);
		goto out;
	}
	if (args.pidfile_path != NULL) {
		FILE *pidfile = fopen(args.pidfile_path, "w");
		if (pidfile == NULL || fprintf(pidfile, "%ld\n", (long)getpid()) < 0 || fclose(pidfile) != 0) {
			fprintf(stderr, "jpki-sim: cannot write %s\n", args.pidfile_path);
			goto out;
		}
		pidfile_written = true;
	}

	while (!stop_requested) {
		enum serve_result result;
		int fd = vpcd_connect(args.port);

		if (fd < 0) {
			if (!announced_wait) {
				fprintf(stderr, "jpki-sim: waiting for vpcd on 127.0.0.1:%u\n", args.port);
				announced_wait = true;
			}
			sleep_ms(100);
			continue;
		}
		announced_wait = false;
		result = serve(fd, sim, &opts, &args);
		close(fd);
		if (result == SERVE_FAILED)
			goto out;
		/* pcscd sees an empty reader until the next connection: say so, for
		 * a test that finds its token gone. */
		if (result == SERVE_DISCONNECTED && !stop_requested)
			fprintf(stderr, "jpki-sim: vpcd closed the connection; reconnecting\n");
		if (result == SERVE_CARD_REMOVED) {
			/* A removed card stays out: without a connection vpcd reports an
			 * empty reader. Wait for the stop signal. */
			while (!stop_requested)
				sleep_ms(200);
		}
	}
	exit_code = 0;
out:
	jpki_sim_free(&sim);
	if (trace != NULL)
		fclose(trace);
	if (pidfile_written)
		unlink(args.pidfile_path);
	return exit_code;
}
