/*
 * The in-process reader: raw APDUs reach the virtual card and come back intact,
 * reader limits and card removal surface as OpenSC errors, and a connect runs
 * our driver's match_card and our emulator.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libopensc/internal.h"
#include "libopensc/pkcs15.h"

#include "card-jpki/card-jpki.h"
#include "sim/jpki-sim.h"

#include "sim-reader.h"
#include "test-world.h"
#include "common/opensc-compat.h"

static const uint8_t jpki_aid[] = { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t unknown_aid[] = { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x7F };
static const uint8_t first_contact_atr[] = { 0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12,
	0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6, 0x01, 0xC0, 0x3B };

static void world_connect_raw(struct test_world *w)
{
	assert_int_equal(simreader_connect_with_driver(w->ctx, sc_get_iso7816_driver(), &w->card), SC_SUCCESS);
	assert_non_null(w->card);
}

static int transmit_select_aid(sc_card_t *card, const uint8_t *aid, size_t aid_len,
                               unsigned *sw1, unsigned *sw2)
{
	sc_apdu_t apdu;
	int r;

	sc_format_apdu(card, &apdu, SC_APDU_CASE_3_SHORT, 0xA4, 0x04, 0x0C);
	apdu.data = aid;
	apdu.datalen = aid_len;
	apdu.lc = aid_len;
	r = sc_transmit_apdu(card, &apdu);
	*sw1 = apdu.sw1;
	*sw2 = apdu.sw2;
	return r;
}

static void select_ef(sc_card_t *card, unsigned fid)
{
	const uint8_t fid_bytes[2] = { (uint8_t)(fid >> 8), (uint8_t)fid };
	sc_apdu_t apdu;

	sc_format_apdu(card, &apdu, SC_APDU_CASE_3_SHORT, 0xA4, 0x02, 0x0C);
	apdu.data = fid_bytes;
	apdu.datalen = sizeof fid_bytes;
	apdu.lc = sizeof fid_bytes;
	assert_int_equal(sc_transmit_apdu(card, &apdu), SC_SUCCESS);
	assert_int_equal(apdu.sw1, 0x90);
	assert_int_equal(apdu.sw2, 0x00);
}

static void select_jpki_ap(sc_card_t *card)
{
	unsigned sw1 = 0, sw2 = 0;

	assert_int_equal(transmit_select_aid(card, jpki_aid, sizeof jpki_aid, &sw1, &sw2), SC_SUCCESS);
	assert_int_equal(sw1, 0x90);
	assert_int_equal(sw2, 0x00);
}

static void test_connect_gives_the_sims_atr(void **state)
{
	struct test_world w;

	test_world_open(&w, NULL);
	world_connect_raw(&w);
	assert_int_equal(w.card->atr.len, sizeof first_contact_atr);
	assert_memory_equal(w.card->atr.value, first_contact_atr, sizeof first_contact_atr);
	assert_int_equal(jpki_sim_counters(w.sim)->apdus, 0);
	test_world_close(&w);
}

static void test_select_known_and_unknown_aid(void **state)
{
	unsigned sw1 = 0, sw2 = 0;
	struct test_world w;

	test_world_open(&w, NULL);
	world_connect_raw(&w);
	assert_int_equal(transmit_select_aid(w.card, jpki_aid, sizeof jpki_aid, &sw1, &sw2), SC_SUCCESS);
	assert_int_equal(sw1, 0x90);
	assert_int_equal(sw2, 0x00);
	assert_int_equal(transmit_select_aid(w.card, unknown_aid, sizeof unknown_aid, &sw1, &sw2), SC_SUCCESS);
	assert_int_equal(sw1, 0x6A);
	assert_int_equal(sw2, 0x82);
	assert_int_equal(jpki_sim_counters(w.sim)->apdus, 2);
	assert_int_equal(jpki_sim_counters(w.sim)->by_ins[0xA4], 2);
	/* 4 + 1 + 10 bytes each way in, 2 status bytes each out. */
	assert_int_equal(jpki_sim_counters(w.sim)->bytes_in, 30);
	assert_int_equal(jpki_sim_counters(w.sim)->bytes_out, 4);
	test_world_close(&w);
}

static void test_short_read_returns_the_file(void **state)
{
	uint8_t resp[256];
	size_t cert_len = 0;
	uint8_t *cert = test_world_file("jpki/000A", &cert_len);
	sc_apdu_t apdu;
	struct test_world w;

	assert_non_null(cert);
	assert_true(cert_len > 256);
	test_world_open(&w, NULL);
	world_connect_raw(&w);
	select_jpki_ap(w.card);
	select_ef(w.card, 0x000A);
	sc_format_apdu(w.card, &apdu, SC_APDU_CASE_2_SHORT, 0xB0, 0x00, 0x10);
	apdu.le = sizeof resp;
	apdu.resp = resp;
	apdu.resplen = sizeof resp;
	assert_int_equal(sc_transmit_apdu(w.card, &apdu), SC_SUCCESS);
	assert_int_equal(apdu.sw1, 0x90);
	assert_int_equal(apdu.resplen, 256);
	assert_memory_equal(resp, cert + 0x10, 256);
	free(cert);
	test_world_close(&w);
}

/* One extended READ BINARY of the whole certificate. */
static int read_cert_extended(struct test_world *w, uint8_t *resp, size_t resp_cap, sc_apdu_t *apdu)
{
	w->card->caps |= SC_CARD_CAP_APDU_EXT;
	sc_format_apdu(w->card, apdu, SC_APDU_CASE_2_EXT, 0xB0, 0x00, 0x00);
	apdu->le = resp_cap;
	apdu->resp = resp;
	apdu->resplen = resp_cap;
	return sc_transmit_apdu(w->card, apdu);
}

static void test_extended_read_returns_whole_file(void **state)
{
	static uint8_t resp[65536];
	size_t cert_len = 0;
	uint8_t *cert = test_world_file("jpki/000A", &cert_len);
	sc_apdu_t apdu;
	struct test_world w;

	assert_non_null(cert);
	test_world_open(&w, NULL);
	world_connect_raw(&w);
	select_jpki_ap(w.card);
	select_ef(w.card, 0x000A);
	assert_int_equal(read_cert_extended(&w, resp, sizeof resp, &apdu), SC_SUCCESS);
	assert_int_equal(apdu.resplen, cert_len);
	assert_memory_equal(resp, cert, cert_len);
	/* Whatever the card says about reading short of Le, the data is there. */
	assert_true(apdu.sw1 == 0x90 || apdu.sw1 == 0x62);
	free(cert);
	test_world_close(&w);
}

static void test_short_only_reader_refuses_extended(void **state)
{
	static uint8_t resp[65536];
	const struct simreader_options short_only = { .refuse_extended = true,
	                                              .removal = SIMREADER_REMOVAL_CARD };
	unsigned long apdus_before;
	sc_apdu_t apdu;
	struct test_world w;

	test_world_open_ex(&w, &(struct test_world_options){ .reader = &short_only });
	world_connect_raw(&w);
	select_jpki_ap(w.card);
	select_ef(w.card, 0x000A);
	assert_int_equal(w.card->reader->max_recv_size, 256);
	apdus_before = jpki_sim_counters(w.sim)->apdus;
	assert_int_equal(read_cert_extended(&w, resp, sizeof resp, &apdu), SC_ERROR_TRANSMIT_FAILED);
	/* The reader, not the card, refused: nothing reached the sim. */
	assert_int_equal(jpki_sim_counters(w.sim)->apdus, apdus_before);
	test_world_close(&w);
}

static void test_card_without_extended_says_6700(void **state)
{
	static uint8_t resp[65536];
	const char *const settings[] = { "extended_length=no", NULL };
	sc_apdu_t apdu;
	struct test_world w;

	test_world_open(&w, settings);
	world_connect_raw(&w);
	select_jpki_ap(w.card);
	select_ef(w.card, 0x000A);
	assert_int_equal(read_cert_extended(&w, resp, sizeof resp, &apdu), SC_SUCCESS);
	assert_int_equal(apdu.sw1, 0x67);
	assert_int_equal(apdu.sw2, 0x00);
	assert_int_equal(apdu.resplen, 0);
	test_world_close(&w);
}

static void expect_removal(const struct simreader_options *reader_opts, int expected_error)
{
	const char *const settings[] = { "remove_after=1", NULL };
	unsigned sw1 = 0, sw2 = 0;
	sc_card_t *again = NULL;
	struct test_world w;

	test_world_open_ex(&w, &(struct test_world_options){ .reader = reader_opts, .sim_settings = settings });
	world_connect_raw(&w);
	assert_int_equal(transmit_select_aid(w.card, jpki_aid, sizeof jpki_aid, &sw1, &sw2), SC_SUCCESS);
	assert_int_equal(sw1, 0x90);
	assert_int_equal(transmit_select_aid(w.card, jpki_aid, sizeof jpki_aid, &sw1, &sw2), expected_error);
	/* Gone stays gone, for the next APDU and for a new connection. */
	assert_int_equal(transmit_select_aid(w.card, jpki_aid, sizeof jpki_aid, &sw1, &sw2), expected_error);
	assert_int_equal(sc_lock(w.card), expected_error);
	assert_int_not_equal(simreader_connect_with_driver(w.ctx, sc_get_iso7816_driver(), &again), SC_SUCCESS);
	assert_null(again);
	assert_int_equal(sc_detect_card_presence(w.card->reader), 0);
	test_world_close(&w);
}

static void test_card_removal_is_card_removed(void **state)
{
	const struct simreader_options opts = { .refuse_extended = false, .removal = SIMREADER_REMOVAL_CARD };

	expect_removal(&opts, SC_ERROR_CARD_REMOVED);
}

static void test_reader_unplugged_is_reader_detached(void **state)
{
	const struct simreader_options opts = { .refuse_extended = false, .removal = SIMREADER_REMOVAL_READER };

	expect_removal(&opts, SC_ERROR_READER_DETACHED);
}

static void test_reset_reaches_the_sim(void **state)
{
	struct test_world w;

	test_world_open(&w, NULL);
	world_connect_raw(&w);
	assert_int_equal(jpki_sim_counters(w.sim)->resets, 0);
	assert_int_equal(sc_reset(w.card, 0), SC_SUCCESS);
	assert_int_equal(jpki_sim_counters(w.sim)->resets, 1);
	test_world_close(&w);
}

static void test_conf_text_reaches_the_context(void **state)
{
	const char conf[] = "app default {\n\tdebug = 0;\n\tframework pkcs15 {\n\t\tuse_pin_caching = false;\n\t}\n}\n";
	scconf_block *block;
	struct test_world w;

	test_world_open_ex(&w, &(struct test_world_options){ .conf_text = conf });
	block = sc_get_conf_block(w.ctx, "framework", "pkcs15", 1);
	assert_non_null(block);
	assert_int_equal(scconf_get_bool(block, "use_pin_caching", 1), 0);
	/* Nothing of the caller's environment is left changed. */
	assert_null(getenv("OPENSC_CONF"));
	test_world_close(&w);
}

/* Needs the real driver: with the placeholder, match_card says no. */
static void test_connect_runs_our_driver(void **state)
{
	struct test_world w;

	test_world_open(&w, NULL);
	assert_int_equal(simreader_connect(w.ctx, &w.card), SC_SUCCESS);
	assert_non_null(w.card);
	assert_ptr_equal(w.card->driver, mynumber_get_driver());
	assert_string_equal(w.card->driver->short_name, MYNUMBER_DRIVER_SHORT_NAME);
	assert_int_equal(w.card->type, MYNUMBER_CARD_TYPE);
	test_world_close(&w);
}

/* Needs the real driver and emulator. */
static void test_bind_lists_the_cards_certificates(void **state)
{
	sc_pkcs15_object_t *certs[8];
	sc_pkcs15_cert_info_t *info = NULL;
	sc_pkcs15_der_t der = { NULL, 0 };
	size_t cert_len = 0;
	uint8_t *cert = test_world_file("jpki/000A", &cert_len);
	struct sc_pkcs15_id auth_id;
	sc_pkcs15_object_t *auth_cert = NULL;
	struct test_world w;
	int count;

	assert_non_null(cert);
	test_world_open(&w, NULL);
	assert_int_equal(simreader_connect(w.ctx, &w.card), SC_SUCCESS);
	assert_int_equal(simreader_bind(w.card, &w.p15), SC_SUCCESS);
	count = sc_pkcs15_get_objects(w.p15, SC_PKCS15_TYPE_CERT_X509, certs, 8);
	assert_int_equal(count, 4);
	sc_pkcs15_format_id("01", &auth_id);
	assert_int_equal(sc_pkcs15_find_cert_by_id(w.p15, &auth_id, &auth_cert), SC_SUCCESS);
	info = (sc_pkcs15_cert_info_t *)auth_cert->data;
	assert_int_equal(compat_pkcs15_read_file(w.p15, &info->path, &der.value, &der.len, 0), SC_SUCCESS);
	assert_int_equal(der.len, cert_len);
	assert_memory_equal(der.value, cert, cert_len);
	free(der.value);
	free(cert);
	test_world_close(&w);
}

/* The built module, loaded as the stock tools load it: its driver through
 * card_drivers and its emulator through OpenSC's own sc_pkcs15_bind. Fails
 * when the module is missing. */
static void test_bind_through_opensc_finds_the_module(void **state)
{
	const char *module = getenv("OPENSC_JPKI_MODULE");
	sc_pkcs15_object_t *certs[8];
	char conf[8192];
	struct test_world w;
	int n;

	if (module == NULL || module[0] == '\0')
		fail_msg("OPENSC_JPKI_MODULE is not set (run through make check)");
	n = snprintf(conf, sizeof conf,
	             "app default {\n"
	             "\tcard_drivers = mynumber, internal;\n"
	             "\tcard_driver mynumber {\n\t\tmodule = %s;\n\t}\n"
	             "\tframework pkcs15 {\n\t\temulate mynumber {\n\t\t\tmodule = %s;\n\t\t}\n\t}\n"
	             "}\n",
	             module, module);
	assert_true(n > 0 && (size_t)n < sizeof conf);
	test_world_open_ex(&w, &(struct test_world_options){ .conf_text = conf });
	assert_int_equal(simreader_connect_config(w.ctx, &w.card), SC_SUCCESS);
	/* The module's own driver, not the linked copy, holds the card. */
	assert_string_equal(w.card->driver->short_name, MYNUMBER_DRIVER_SHORT_NAME);
	assert_ptr_not_equal(w.card->driver, mynumber_get_driver());
	assert_int_equal(w.card->type, MYNUMBER_CARD_TYPE);
	assert_int_equal(simreader_bind_config(w.card, &w.p15), SC_SUCCESS);
	assert_true((w.p15->flags & SC_PKCS15_CARD_FLAG_EMULATED) != 0);
	assert_int_equal(sc_pkcs15_get_objects(w.p15, SC_PKCS15_TYPE_CERT_X509, certs, 8), 4);
	test_world_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_gives_the_sims_atr),
		cmocka_unit_test(test_select_known_and_unknown_aid),
		cmocka_unit_test(test_short_read_returns_the_file),
		cmocka_unit_test(test_extended_read_returns_whole_file),
		cmocka_unit_test(test_short_only_reader_refuses_extended),
		cmocka_unit_test(test_card_without_extended_says_6700),
		cmocka_unit_test(test_card_removal_is_card_removed),
		cmocka_unit_test(test_reader_unplugged_is_reader_detached),
		cmocka_unit_test(test_reset_reaches_the_sim),
		cmocka_unit_test(test_conf_text_reaches_the_context),
		cmocka_unit_test(test_connect_runs_our_driver),
		cmocka_unit_test(test_bind_lists_the_cards_certificates),
		cmocka_unit_test(test_bind_through_opensc_finds_the_module),
	};

	/* The test must not depend on the machine's opensc.conf or OPENSC_DRIVER. */
	unsetenv("OPENSC_CONF");
	unsetenv("OPENSC_DRIVER");
	return cmocka_run_group_tests(tests, test_world_group_setup, test_world_group_teardown);
}
