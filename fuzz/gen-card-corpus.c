/*
 * Records seeds for fuzz_card_responses: runs card-scenario.c against the
 * virtual card under several settings and writes each session's ATR and
 * R-APDUs in the fuzzer's input format (response-chunks.h).
 *
 *   gen-card-corpus OUTDIR
 *
 * The identity is a fresh one from sim/jpki-sim-gen (found through
 * $top_builddir, default "."), its pins file rewritten to the scenario's fixed
 * PIN values. Prints one line per seed: name, bytes, steps reached.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libopensc/opensc.h"

#include "sim/jpki-sim.h"
#include "tests/lib/sim-reader.h"
#include "tests/lib/test-identity.h"

#include "card-scenario.h"

/* Seeds stay small: the fuzzer mutates them, it does not need whole sessions. */
#define SEED_MAX (64 * 1024)

struct recording {
	uint8_t bytes[SEED_MAX];
	size_t len;
	int overflow;
};

static void record(void *arg, enum simreader_event event, const uint8_t *bytes, size_t len)
{
	struct recording *rec = arg;

	if (len > 0xFFFF || len + 2 > sizeof rec->bytes - rec->len) {
		rec->overflow = 1;
		return;
	}
	rec->bytes[rec->len++] = (uint8_t)(len >> 8);
	rec->bytes[rec->len++] = (uint8_t)len;
	memcpy(rec->bytes + rec->len, bytes, len);
	rec->len += len;
}

struct variant {
	const char *name;
	const char *settings[4];
	const char *pins;       /* the card's pins file for this seed */
};

static const char scenario_pins[] =
	"auth=" CARD_SCENARIO_AUTH_PIN "\nsign=" CARD_SCENARIO_SIGN_PIN "\ntext=" CARD_SCENARIO_TEXT_PIN "\n";
/* The scenario's PINs are wrong for this card: the 63Cx paths. */
static const char other_pins[] = "auth=9999\nsign=ZZZ999\ntext=9999\n";

static const struct variant variants[] = {
	{ "session-extended", { NULL }, scenario_pins },
	{ "session-short", { "extended_length=no", NULL }, scenario_pins },
	{ "session-61xx", { "chain_61xx=yes", "extended_length=no", NULL }, scenario_pins },
	{ "session-6cxx-6282", { "wrong_le_6cxx=yes", "past_end=6282", "extended_length=no", NULL }, scenario_pins },
	{ "session-wrong-pins", { NULL }, other_pins },
	{ "session-contactless-atr", { "atr_index=4", NULL }, scenario_pins },
	{ "session-removed", { "remove_after=6", NULL }, scenario_pins },
	/* READ BINARY by short EF identifier refused: the SELECT fallback. */
	{ "session-no-sfi", { "sfi=no", "extended_length=no", NULL }, scenario_pins },
};

static int write_file(const char *path, const void *bytes, size_t len)
{
	FILE *file = fopen(path, "wb");
	int ok;

	if (file == NULL)
		return -1;
	ok = fwrite(bytes, 1, len, file) == len;
	ok = (fclose(file) == 0) && ok;
	return ok ? 0 : -1;
}

static int record_variant(const struct test_identity *id, const struct variant *v, const char *outdir)
{
	static struct recording rec;
	struct jpki_sim_options opts;
	struct simreader_options reader_opts = { .refuse_extended = false, .removal = SIMREADER_REMOVAL_CARD,
	                                         .observe = record, .observe_arg = &rec };
	struct jpki_sim *sim = NULL;
	sc_context_t *ctx = NULL;
	char path[4352], err[256];
	unsigned steps;
	size_t i;

	snprintf(path, sizeof path, "%s/pins", id->dir);
	if (write_file(path, v->pins, strlen(v->pins)) != 0)
		return -1;
	jpki_sim_options_init(&opts);
	for (i = 0; v->settings[i] != NULL; i++) {
		if (jpki_sim_options_set(&opts, v->settings[i], err, sizeof err) != 0) {
			fprintf(stderr, "gen-card-corpus: %s: %s\n", v->settings[i], err);
			return -1;
		}
	}
	sim = jpki_sim_new(id->dir, &opts);
	if (sim == NULL)
		return -1;
	memset(&rec, 0, sizeof rec);
	if (simreader_context_new(&ctx, CARD_SCENARIO_CONF) != SC_SUCCESS ||
	    simreader_keep_only_our_driver(ctx) != SC_SUCCESS ||
	    simreader_attach_ex(ctx, sim, &reader_opts) != SC_SUCCESS) {
		simreader_context_free(&ctx);
		jpki_sim_free(&sim);
		return -1;
	}
	steps = card_scenario_run(ctx);
	simreader_context_free(&ctx);
	jpki_sim_free(&sim);
	if (rec.overflow)
		fprintf(stderr, "gen-card-corpus: %s: cut at %zu bytes\n", v->name, rec.len);
	snprintf(path, sizeof path, "%s/%s", outdir, v->name);
	if (write_file(path, rec.bytes, rec.len) != 0)
		return -1;
	printf("%s\t%zu bytes\tsteps 0x%03x\n", v->name, rec.len, steps);
	return 0;
}

int main(int argc, char **argv)
{
	struct test_identity id;
	size_t i;
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: gen-card-corpus OUTDIR\n");
		return 2;
	}
	/* Rewriting pins is only fine in an identity made for us. */
	unsetenv("JPKI_IDENTITY");
	unsetenv("OPENSC_CONF");
	unsetenv("OPENSC_DRIVER");
	if (test_identity_acquire(&id) != 0)
		return 1;
	for (i = 0; i < sizeof variants / sizeof variants[0]; i++) {
		if (record_variant(&id, &variants[i], argv[1]) != 0) {
			fprintf(stderr, "gen-card-corpus: %s failed\n", variants[i].name);
			status = 1;
		}
	}
	test_identity_release(&id);
	return status;
}
