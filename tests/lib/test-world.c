/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "card-jpki/card-jpki.h"
#include "sim/jpki-sim.h"

#include "tests/lib/test-world.h"

struct test_identity test_world_identity;

int test_world_group_setup(void **state)
{
	(void)state;
	return test_identity_acquire(&test_world_identity) == 0 ? 0 : -1;
}

int test_world_group_teardown(void **state)
{
	(void)state;
	test_identity_release(&test_world_identity);
	return 0;
}

void test_world_open_ex(struct test_world *w, const struct test_world_options *opts)
{
	struct jpki_sim_options sim_opts;
	char err[256];
	size_t i;

	memset(w, 0, sizeof *w);
	jpki_sim_options_init(&sim_opts);
	for (i = 0; opts->sim_settings != NULL && opts->sim_settings[i] != NULL; i++)
		if (jpki_sim_options_set(&sim_opts, opts->sim_settings[i], err, sizeof err) != 0)
			fail_msg("sim setting %s: %s", opts->sim_settings[i], err);
	if (opts->trace) {
		w->trace = tmpfile();
		assert_non_null(w->trace);
		sim_opts.trace = w->trace;
	}
	w->sim = jpki_sim_new(test_world_identity.dir, &sim_opts);
	assert_non_null(w->sim);
	assert_int_equal(simreader_context_new(&w->ctx, opts->conf_text), SC_SUCCESS);
	if (opts->reader != NULL)
		assert_int_equal(simreader_attach_ex(w->ctx, w->sim, opts->reader), SC_SUCCESS);
	else
		assert_int_equal(simreader_attach(w->ctx, w->sim), SC_SUCCESS);
	assert_int_equal(sc_ctx_get_reader_count(w->ctx), 1);
}

void test_world_open(struct test_world *w, const char *const *sim_settings)
{
	const struct test_world_options opts = { .sim_settings = sim_settings };

	test_world_open_ex(w, &opts);
}

void test_world_connect(struct test_world *w)
{
	assert_int_equal(simreader_connect(w->ctx, &w->card), SC_SUCCESS);
	assert_true(mynumber_card_is_ours(w->card));
}

void test_world_bind(struct test_world *w)
{
	test_world_connect(w);
	assert_int_equal(simreader_bind(w->card, &w->p15), SC_SUCCESS);
}

void test_world_close(struct test_world *w)
{
	simreader_unbind(&w->p15);
	simreader_disconnect(&w->card);
	simreader_context_free(&w->ctx);
	jpki_sim_free(&w->sim);
	assert_null(w->ctx);
	assert_null(w->sim);
	if (w->trace != NULL) {
		fclose(w->trace);
		w->trace = NULL;
	}
}

uint8_t *test_world_file(const char *relative_path, size_t *len)
{
	uint8_t *content = test_identity_read(&test_world_identity, relative_path, len);

	if (content == NULL)
		fail_msg("no identity file %s", relative_path);
	return content;
}

char *test_world_fact(const char *relative_path, const char *key)
{
	char *value = test_identity_value(&test_world_identity, relative_path, key);

	if (value == NULL)
		fail_msg("no %s in %s", key, relative_path);
	return value;
}
