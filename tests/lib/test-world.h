/*
 * One test's world for cmocka tests over the in-process reader: a virtual card
 * made from the group's identity with the given settings, a context, the one
 * reader holding it and, once connected, the card and its PKCS#15 binding.
 * Every step asserts, so a test body starts where the card is ready.
 *
 * Typical use:
 *
 *     cmocka_run_group_tests(tests, test_world_group_setup, test_world_group_teardown);
 *     ...
 *     struct test_world w;
 *     test_world_open(&w, NULL);         // default card, default conf
 *     test_world_bind(&w);               // our driver and our emulator
 *     ...
 *     test_world_close(&w);
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SIMREADER_TEST_WORLD_H
#define SIMREADER_TEST_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"

#include "tests/lib/sim-reader.h"
#include "tests/lib/test-identity.h"

struct test_world {
	struct jpki_sim *sim;
	FILE *trace;                 /* the sim's APDU trace, when asked for; else NULL */
	sc_context_t *ctx;
	sc_card_t *card;
	sc_pkcs15_card_t *p15;
};

/* What may differ between worlds; all-zero gives the defaults. */
struct test_world_options {
	const char *conf_text;                  /* NULL: simreader_context_new's default */
	const struct simreader_options *reader; /* NULL: simreader_attach's reader */
	const char *const *sim_settings;        /* NULL-terminated jpki_sim_options_set lines, or NULL */
	bool trace;                             /* keep the sim's trace in w->trace */
};

/* The identity every world's card is made from: acquired by the group setup. */
extern struct test_identity test_world_identity;

/* cmocka group fixtures: acquire and release test_world_identity. */
int test_world_group_setup(void **state);
int test_world_group_teardown(void **state);

/* Opens a world with the reader attached and no card connected yet. */
void test_world_open_ex(struct test_world *w, const struct test_world_options *opts);
void test_world_open(struct test_world *w, const char *const *sim_settings);

/* Connects with our linked driver first in line, which must claim the card. */
void test_world_connect(struct test_world *w);
/* test_world_connect, then binds our linked emulator. */
void test_world_bind(struct test_world *w);

/* Frees everything the world holds, in reverse order. Safe after a partial open. */
void test_world_close(struct test_world *w);

/* An identity file, whole and malloc'd; fails the test when it is missing. */
uint8_t *test_world_file(const char *relative_path, size_t *len);
/* A `key=value` value of an identity file, malloc'd; fails the test when missing. */
char *test_world_fact(const char *relative_path, const char *key);

#endif
