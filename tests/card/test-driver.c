/*
 * The driver and emulator through the in-process reader: every operation,
 * every PIN rule, the status words the card may send, each simulator switch
 * and each injected fault must end in the right result or a clean OpenSC
 * error. Counters and tries are read from the virtual card itself.
 *
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
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "libopensc/internal.h"
#include "libopensc/pkcs15.h"

#include "card-jpki/card-jpki.h"
#include "common/opensc-compat.h"
#include "card-jpki/card-link.h"
#include "sim/jpki-sim.h"
#include "tests/lib/sim-reader.h"
#include "tests/lib/test-world.h"

/* The bind asks each JPKI PIN's tries (a SELECT of its EF and a no-data
 * VERIFY) only where the release's pkcs15-tool shows what the bind found and
 * does not ask itself (src/common/opensc-compat.h): up to OpenSC 0.25. */
#define BIND_PIN_QUERIES (COMPAT_BIND_ASKS_TRIES ? 2 : 0)
#define BIND_TRIES_LEFT_SIGN (COMPAT_BIND_ASKS_TRIES ? 5 : -1)

/* The identity's PINs and authentication certificate serial, read once by setup. */
static char *auth_pin, *sign_pin, *text_pin, *auth_serial;

static unsigned long ins_count(struct test_world *w, unsigned ins)
{
	return jpki_sim_counters(w->sim)->by_ins[ins];
}

static unsigned long apdu_count(struct test_world *w)
{
	return jpki_sim_counters(w->sim)->apdus;
}

static int pin_cmd(struct test_world *w, int cmd, int ref, const char *pin, const char *new_pin, int *tries)
{
	struct sc_pin_cmd_data data;

	memset(&data, 0, sizeof data);
	data.cmd = cmd;
	data.pin_type = SC_AC_CHV;
	data.pin_reference = ref;
	data.pin1.data = (const u8 *)pin;
	data.pin1.len = pin != NULL ? strlen(pin) : 0;
	data.pin2.data = (const u8 *)new_pin;
	data.pin2.len = new_pin != NULL ? strlen(new_pin) : 0;
	return compat_pin_cmd(w->card, &data, tries);
}

/* READ BINARYs a short-APDU read of an identity file takes: 256 bytes each. */
static unsigned long short_reads(const char *name)
{
	size_t len;
	uint8_t *data = test_world_file(name, &len);

	free(data);
	return (unsigned long)((len + 255) / 256);
}

static sc_pkcs15_object_t *find_object(struct test_world *w, unsigned type, int id)
{
	sc_pkcs15_object_t *objs[16];
	int n, i;

	n = sc_pkcs15_get_objects(w->p15, type, objs, 16);
	for (i = 0; i < n; i++) {
		const struct sc_pkcs15_id *oid = NULL;

		switch (type & SC_PKCS15_TYPE_CLASS_MASK) {
		case SC_PKCS15_TYPE_CERT:
			oid = &((sc_pkcs15_cert_info_t *)objs[i]->data)->id;
			break;
		case SC_PKCS15_TYPE_PRKEY:
			oid = &((sc_pkcs15_prkey_info_t *)objs[i]->data)->id;
			break;
		case SC_PKCS15_TYPE_PUBKEY:
			oid = &((sc_pkcs15_pubkey_info_t *)objs[i]->data)->id;
			break;
		case SC_PKCS15_TYPE_AUTH:
			oid = &((sc_pkcs15_auth_info_t *)objs[i]->data)->auth_id;
			break;
		}
		if (oid != NULL && oid->len == 1 && oid->value[0] == id)
			return objs[i];
	}
	return NULL;
}

/* ---- detection ----------------------------------------------------------- */

static void detect_every_known_atr(void **state)
{
	char setting[48];
	int i;

	for (i = 0; i < 8; i++) {
		struct test_world w;
		const char *settings[] = { setting, NULL };

		snprintf(setting, sizeof setting, "atr_index=%d", i);
		test_world_open(&w, settings);
		test_world_connect(&w);
		assert_int_equal(w.card->type, MYNUMBER_CARD_TYPE);
		assert_string_equal(w.card->name, "My Number Card (JPKI)");
		assert_int_equal(mynumber_token_kind(w.card), JPKI_KIND_MY_NUMBER_CARD);
		test_world_close(&w);
	}
}

static void detect_unknown_atr_by_aid(void **state)
{
	const char *settings[] = { "atr=3B8F8001804F0CA000000306030001000000006A", NULL };
	struct test_world w;

	test_world_open(&w, settings);
	test_world_connect(&w);
	assert_int_equal(w.card->type, MYNUMBER_CARD_TYPE);
	test_world_close(&w);
}

static void never_claim_6a82(void **state)
{
	/* An ATR not in the list and a JPKI AID answering 6A82: a definite "not
	 * a JPKI card", handed on after one APDU. (A known ATR is asked again:
	 * tests/card/test-shared-card.c.) */
	const char *settings[] = { "atr=3B8F8001804F0CA000000306030001000000006A", "fail_apdu=1", "fail_sw=6A82",
		                   NULL };
	struct test_world w;

	test_world_open(&w, settings);
	assert_int_equal(simreader_keep_only_our_driver(w.ctx), SC_SUCCESS);
	assert_int_not_equal(simreader_connect(w.ctx, &w.card), SC_SUCCESS);
	assert_null(w.card);
	assert_int_equal(apdu_count(&w), 1);
	test_world_close(&w);
}

static void detect_forced_asks_again(void **state)
{
	const char *settings[] = { "fail_apdu=1", "fail_sw=6A82", NULL };
	struct test_world w;

	test_world_open(&w, settings);
	/* match_card says no (6A82 to the first SELECT) and OpenSC goes on with
	 * a forced driver; init selects the AID again, which now answers, and
	 * reads EF 0006 by its short identifier. */
	assert_int_equal(simreader_connect_forced(w.ctx, &w.card), SC_SUCCESS);
	assert_true(mynumber_card_is_ours(w.card));
	assert_int_equal(ins_count(&w, 0xA4), 2);
	assert_int_equal(ins_count(&w, 0xB0), 1);
	assert_int_equal(apdu_count(&w), 3);
	test_world_close(&w);
}

/* ---- binding: objects and the APDUs they cost ---------------------------- */

static void bind_objects_and_serial(void **state)
{
	struct test_world w;
	sc_pkcs15_object_t *obj;
	sc_pkcs15_cert_info_t *cert;
	sc_pkcs15_auth_info_t *pin;
	uint8_t *file;
	size_t len;

	test_world_open(&w, NULL);
	test_world_bind(&w);
	assert_string_equal(w.p15->tokeninfo->serial_number, auth_serial);
	assert_string_equal(w.p15->tokeninfo->label, "JPKI");
	assert_int_equal(sc_pkcs15_get_objects(w.p15, SC_PKCS15_TYPE_CERT_X509, NULL, 0), 4);
	assert_int_equal(sc_pkcs15_get_objects(w.p15, SC_PKCS15_TYPE_AUTH_PIN, NULL, 0), 2);
	assert_int_equal(sc_pkcs15_get_objects(w.p15, SC_PKCS15_TYPE_PRKEY_RSA, NULL, 0), 2);
	assert_int_equal(sc_pkcs15_get_objects(w.p15, SC_PKCS15_TYPE_PUBKEY_RSA, NULL, 0), 2);

	obj = find_object(&w, SC_PKCS15_TYPE_CERT_X509, 1);
	assert_non_null(obj);
	assert_string_equal(obj->label, "User Authentication Certificate");
	cert = obj->data;
	file = test_world_file("jpki/000A", &len);
	assert_int_equal(cert->value.len, len);
	assert_memory_equal(cert->value.value, file, len);
	free(file);

	obj = find_object(&w, SC_PKCS15_TYPE_CERT_X509, 2);
	assert_non_null(obj);
	assert_true(obj->flags & SC_PKCS15_CO_FLAG_PRIVATE);
	assert_null(((sc_pkcs15_cert_info_t *)obj->data)->value.value);

	/* the CA certificates: read in the bind's transaction, the card's bytes */
	for (int id = 3; id <= 4; id++) {
		uint8_t *ca_file;
		size_t ca_len;

		obj = find_object(&w, SC_PKCS15_TYPE_CERT_X509, id);
		assert_non_null(obj);
		cert = obj->data;
		assert_true(cert->authority);
		assert_false(obj->flags & SC_PKCS15_CO_FLAG_PRIVATE);
		ca_file = test_world_file(id == 3 ? "jpki/000B" : "jpki/0002", &ca_len);
		assert_int_equal(cert->value.len, ca_len);
		assert_memory_equal(cert->value.value, ca_file, ca_len);
		free(ca_file);
		assert_int_equal(cert->path.len, 2);
		assert_int_equal(cert->path.value[0], 0x00);
		assert_int_equal(cert->path.value[1], id == 3 ? 0x0B : 0x02);
	}

	obj = find_object(&w, SC_PKCS15_TYPE_AUTH_PIN, 2);
	assert_non_null(obj);
	pin = obj->data;
	assert_int_equal(pin->attrs.pin.type, SC_PKCS15_PIN_TYPE_UTF8);
	assert_int_equal(pin->attrs.pin.min_length, 6);
	assert_int_equal(pin->attrs.pin.max_length, 16);
	assert_int_equal(pin->tries_left, BIND_TRIES_LEFT_SIGN);

	obj = find_object(&w, SC_PKCS15_TYPE_PRKEY_RSA, 2);
	assert_non_null(obj);
	assert_int_equal(obj->user_consent, 1);
	assert_int_equal(((sc_pkcs15_prkey_info_t *)obj->data)->modulus_length, 2048);
	assert_true(((sc_pkcs15_prkey_info_t *)obj->data)->usage & SC_PKCS15_PRKEY_USAGE_NONREPUDIATION);
	test_world_close(&w);
}

static void each_public_file_read_once(void **state)
{
	const uint8_t *data;
	size_t len;
	unsigned long before;
	struct test_world w;
	sc_path_t path;

	test_world_open(&w, NULL);
	test_world_bind(&w);
	before = apdu_count(&w);
	/* What the bind read is in memory: no APDU for it or for probes. */
	assert_int_equal(mynumber_public_file(w.card, 0x000A, &data, &len), SC_SUCCESS);
	assert_int_equal(mynumber_public_file(w.card, 0x0006, &data, &len), SC_SUCCESS);
	assert_int_equal(mynumber_public_file(w.card, 0x0001, &data, &len), SC_ERROR_INVALID_ARGUMENTS);
	sc_format_path("3F002F00", &path);
	assert_int_equal(sc_select_file(w.card, &path, NULL), SC_ERROR_FILE_NOT_FOUND);
	sc_format_path("3F005015", &path);
	assert_int_equal(sc_select_file(w.card, &path, NULL), SC_ERROR_FILE_NOT_FOUND);
	sc_format_path("3F00", &path);
	assert_int_equal(sc_select_file(w.card, &path, NULL), SC_SUCCESS);
	assert_int_equal(apdu_count(&w), before);
	/* The CA certificates too: read in the bind, then memory. */
	assert_int_equal(mynumber_public_file(w.card, 0x000B, &data, &len), SC_SUCCESS);
	assert_int_equal(mynumber_public_file(w.card, 0x0002, &data, &len), SC_SUCCESS);
	assert_int_equal(apdu_count(&w), before);
	/* the connect's and the bind's transactions: one SELECT AID each */
	assert_int_equal(ins_count(&w, 0xA4), 2 + BIND_PIN_QUERIES);
	test_world_close(&w);
}

/* The CA certificates through OpenSC, as pkcs15-tool and opensc-pkcs11 read
 * them: the card's bytes, read in the bind, no APDU afterwards. */
static void ca_certificates_read_at_bind(void **state)
{
	static const struct { int id; const char *file; } cas[] = { { 3, "jpki/000B" }, { 4, "jpki/0002" } };
	struct test_world w;
	sc_pkcs15_cert_t *cert = NULL;
	unsigned long before;
	uint8_t *file;
	size_t len, i;
	int round;

	test_world_open(&w, NULL);
	test_world_bind(&w);
	before = apdu_count(&w);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < sizeof cas / sizeof cas[0]; i++) {
			file = test_world_file(cas[i].file, &len);
			assert_int_equal(compat_pkcs15_read_certificate(
			                         w.p15, find_object(&w, SC_PKCS15_TYPE_CERT_X509, cas[i].id)->data, 0, &cert),
			                 SC_SUCCESS);
			assert_int_equal(cert->data.len, len);
			assert_memory_equal(cert->data.value, file, len);
			sc_pkcs15_free_certificate(cert);
			cert = NULL;
			free(file);
		}
		assert_int_equal(apdu_count(&w), before);
		assert_int_equal(ins_count(&w, 0xB0), 1 + 1 + 2);
	}
	/* A login: a transaction of its own: SELECT AID, SELECT 0018, VERIFY */
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(apdu_count(&w), before + 3);
	test_world_close(&w);
}

/* A whole bind, APDU by APDU. Connect: SELECT AID, EF 0006 by SFI (short: the
 * driver turns extended length on only in init). Bind: the authentication
 * certificate by SFI (the CA certificates wait for a reader), then SELECT +
 * no-data VERIFY per PIN. */
static void bind_apdu_counts_sfi(void **state)
{
	struct simreader_options short_reader = { .refuse_extended = true };
	unsigned long certs_short;
	struct test_world w;

	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(apdu_count(&w), 2);
	assert_int_equal(ins_count(&w, 0xA4), 1);
	assert_int_equal(ins_count(&w, 0xB0), 1);
	assert_int_equal(simreader_bind(w.card, &w.p15), SC_SUCCESS);
	/* the bind is a transaction of its own: the AID is selected again;
	 * then the three public certificates by SFI and the two PINs' tries */
	assert_int_equal(apdu_count(&w), 2 + 1 + 3 + 2 * BIND_PIN_QUERIES);
	assert_int_equal(ins_count(&w, 0xA4), 1 + 1 + BIND_PIN_QUERIES);
	assert_int_equal(ins_count(&w, 0xB0), 1 + 3);
	assert_int_equal(ins_count(&w, 0x20), BIND_PIN_QUERIES);
	test_world_close(&w);

	certs_short = short_reads("jpki/000A") + short_reads("jpki/000B") + short_reads("jpki/0002");
	test_world_open_ex(&w, &(struct test_world_options){ .reader = &short_reader });
	test_world_bind(&w);
	assert_int_equal(apdu_count(&w), 2 + 1 + certs_short + 2 * BIND_PIN_QUERIES);
	assert_int_equal(ins_count(&w, 0xA4), 1 + 1 + BIND_PIN_QUERIES);
	assert_int_equal(ins_count(&w, 0xB0), 1 + certs_short);
	test_world_close(&w);
}

/* A card without SFI reads: one refused READ, then SELECT + READ for every EF
 * of the connection. */
static void bind_apdu_counts_no_sfi(void **state)
{
	const char *no_sfi[] = { "sfi=no", NULL };
	/* the SFI read of 0006 (APDU 2) answered 6B00 instead: the same fallback */
	const char *sfi_6b00[] = { "fail_apdu=2", "fail_sw=6B00", NULL };
	struct simreader_options short_reader = { .refuse_extended = true };
	unsigned long certs_short;
	struct test_world w;

	test_world_open(&w, no_sfi);
	test_world_connect(&w);
	/* SELECT AID, refused SFI READ, SELECT 0006, READ 0006 */
	assert_int_equal(apdu_count(&w), 4);
	assert_int_equal(ins_count(&w, 0xB0), 2);
	assert_int_equal(simreader_bind(w.card, &w.p15), SC_SUCCESS);
	/* the bind's own transaction: SELECT AID, SELECT + READ for each of
	 * the three certificates, the two PINs' tries */
	assert_int_equal(apdu_count(&w), 4 + 1 + 3 * 2 + 2 * BIND_PIN_QUERIES);
	assert_int_equal(ins_count(&w, 0xA4), 2 + 1 + 3 + BIND_PIN_QUERIES);
	assert_int_equal(ins_count(&w, 0xB0), 2 + 3);
	test_world_close(&w);

	test_world_open(&w, sfi_6b00);
	test_world_bind(&w);
	assert_int_equal(apdu_count(&w), 4 + 1 + 3 * 2 + 2 * BIND_PIN_QUERIES);
	assert_int_equal(ins_count(&w, 0xB0), 2 + 3);
	test_world_close(&w);

	certs_short = short_reads("jpki/000A") + short_reads("jpki/000B") + short_reads("jpki/0002");
	test_world_open_ex(&w, &(struct test_world_options){ .reader = &short_reader, .sim_settings = no_sfi });
	test_world_bind(&w);
	assert_int_equal(apdu_count(&w), 4 + 1 + 3 + certs_short + 2 * BIND_PIN_QUERIES);
	assert_int_equal(ins_count(&w, 0xB0), 2 + certs_short);
	test_world_close(&w);
}

/* SFI accepted for 0006, refused for 000A (APDU 4, after the bind's SELECT
 * AID, 6A82): SELECT from then on, for 000A itself and the files after it
 * (the CA certificates). */
static void sfi_refused_midway(void **state)
{
	const char *settings[] = { "fail_apdu=4", "fail_sw=6A82", NULL };
	struct test_world w;

	test_world_open(&w, settings);
	test_world_bind(&w);
	/* connect 2; bind: SELECT AID, the refused READ, then SELECT + READ
	 * for 000A, 000B and 0002 (no second try by SFI), the PINs' tries */
	assert_int_equal(apdu_count(&w), 2 + 1 + 1 + 3 * 2 + 2 * BIND_PIN_QUERIES);
	assert_int_equal(ins_count(&w, 0xA4), 1 + 1 + 3 + BIND_PIN_QUERIES);
	assert_int_equal(ins_count(&w, 0xB0), 1 + 1 + 3);
	test_world_close(&w);
}

/* An SFI read makes its EF the card's current one: a PIN EF selected before
 * must be selected again, or the VERIFY would go to the certificate. */
static void sfi_read_moves_current_ef(void **state)
{
	const uint8_t *data;
	size_t len;
	int tries = -1;
	struct test_world w;

	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 1, NULL, NULL, &tries), SC_SUCCESS);
	assert_int_equal(tries, 3);
	assert_int_equal(mynumber_public_file(w.card, 0x000A, &data, &len), SC_SUCCESS);
	tries = -1;
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 1, NULL, NULL, &tries), SC_SUCCESS);
	assert_int_equal(tries, 3);
	/* SELECT AID in each of the four transactions, SELECT 0018 twice;
	 * READs of 0006 and 000A by SFI */
	assert_int_equal(ins_count(&w, 0xA4), 4 + 2);
	assert_int_equal(ins_count(&w, 0xB0), 2);
	assert_int_equal(ins_count(&w, 0x20), 2);
	test_world_close(&w);
}

/* ---- certificates and public keys ---------------------------------------- */

static void signature_certificate_needs_pin(void **state)
{
	struct test_world w;
	sc_pkcs15_object_t *obj;
	sc_pkcs15_cert_t *cert = NULL;
	sc_pkcs15_pubkey_t *key = NULL;
	unsigned long before;
	uint8_t *file;
	size_t len;

	test_world_open(&w, NULL);
	test_world_bind(&w);
	obj = find_object(&w, SC_PKCS15_TYPE_CERT_X509, 2);
	before = ins_count(&w, 0xB0);
	assert_int_equal(compat_pkcs15_read_certificate(w.p15, obj->data, 1, &cert),
	                 SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
	assert_int_equal(ins_count(&w, 0xB0), before);
	assert_int_equal(sc_pkcs15_read_pubkey(w.p15, find_object(&w, SC_PKCS15_TYPE_PUBKEY_RSA, 2), &key),
	                 SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);

	before = apdu_count(&w);
	/* a transaction of its own: SELECT AID, SELECT 001B, VERIFY; the
	 * certificate is read for this process in the same transaction (one
	 * extended READ by SFI), then the card's PIN state is ended (SELECT of
	 * the text AP) */
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(apdu_count(&w), before + 5);
	assert_true(mynumber_link_pin_believed(w.card, JPKI_PIN_REF_SIGN));
	file = test_world_file("jpki/0001", &len);
	{
		u8 *data = NULL;
		size_t data_len = 0;

		before = apdu_count(&w);
		assert_int_equal(compat_pkcs15_read_file(w.p15, &((sc_pkcs15_cert_info_t *)obj->data)->path,
		                                     &data, &data_len, 1), SC_SUCCESS);
		assert_int_equal(data_len, len);
		assert_memory_equal(data, file, len);
		assert_int_equal(apdu_count(&w), before);
		free(data);
	}
	before = apdu_count(&w);
	assert_int_equal(sc_pkcs15_read_pubkey(w.p15, find_object(&w, SC_PKCS15_TYPE_PUBKEY_RSA, 2), &key),
	                 SC_SUCCESS);
	assert_int_equal(apdu_count(&w), before);
	assert_int_equal(key->u.rsa.modulus.len, 256);
	sc_pkcs15_free_pubkey(key);
	free(file);
	test_world_close(&w);
}

/* A transaction of this process that holds a JPKI PIN confirms the JPKI AP
 * by reading back the start of EF 000A, not by a SELECT that might drop the
 * PIN (the sim drops it on a re-SELECT by default). */
static void ap_confirmed_by_read_back(void **state)
{
	u8 digest[32] = { 0 }, signature[512];
	unsigned long before, selects;
	struct test_world w;

	test_world_open(&w, NULL);
	test_world_bind(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	before = apdu_count(&w);
	selects = ins_count(&w, 0xA4);
	assert_int_equal(compat_pkcs15_compute_signature(w.p15, find_object(&w, SC_PKCS15_TYPE_PRKEY_RSA, 1),
	                                             SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256,
	                                             digest, sizeof digest, signature, sizeof signature),
	                 256);
	/* READ BINARY 8A Le 40, SELECT 0017, COMPUTE DIGITAL SIGNATURE */
	assert_int_equal(apdu_count(&w), before + 3);
	assert_int_equal(ins_count(&w, 0xA4), selects + 1);
	test_world_close(&w);
}

static void public_key_1_without_pin(void **state)
{
	struct test_world w;
	sc_pkcs15_pubkey_t *key = NULL;
	unsigned long before;

	test_world_open(&w, NULL);
	test_world_bind(&w);
	before = apdu_count(&w);
	assert_int_equal(sc_pkcs15_read_pubkey(w.p15, find_object(&w, SC_PKCS15_TYPE_PUBKEY_RSA, 1), &key),
	                 SC_SUCCESS);
	assert_int_equal(key->u.rsa.modulus.len, 256);
	assert_int_equal(apdu_count(&w), before);
	sc_pkcs15_free_pubkey(key);
	test_world_close(&w);
}

/* ---- PIN rules: a value that cannot be right never reaches the card ------ */

static void impossible_pins_cost_nothing(void **state)
{
	/* expected: as the value to check; as a new value, a character the PIN
	 * cannot hold is invalid data (not "incorrect": the current one was
	 * right), a wrong length the same as to check */
	static const struct { int ref; const char *pin; int expected, expected_new; } cases[] = {
		{ 1, "123", SC_ERROR_INVALID_PIN_LENGTH, SC_ERROR_INVALID_PIN_LENGTH },
		{ 1, "12345", SC_ERROR_INVALID_PIN_LENGTH, SC_ERROR_INVALID_PIN_LENGTH },
		{ 1, "", SC_ERROR_INVALID_PIN_LENGTH, SC_ERROR_INVALID_PIN_LENGTH },
		{ 1, "12a4", SC_ERROR_PIN_CODE_INCORRECT, SC_ERROR_INVALID_DATA },
		{ 2, "ABC12", SC_ERROR_INVALID_PIN_LENGTH, SC_ERROR_INVALID_PIN_LENGTH },
		{ 2, "ABCDEFGHIJKLMNOPQ", SC_ERROR_INVALID_PIN_LENGTH, SC_ERROR_INVALID_PIN_LENGTH },
		{ 2, "ABC-123", SC_ERROR_PIN_CODE_INCORRECT, SC_ERROR_INVALID_DATA },
		{ 2, "abc 123", SC_ERROR_PIN_CODE_INCORRECT, SC_ERROR_INVALID_DATA },
		{ 3, "123", SC_ERROR_INVALID_PIN_LENGTH, SC_ERROR_INVALID_PIN_LENGTH },
		{ 3, "12.4", SC_ERROR_PIN_CODE_INCORRECT, SC_ERROR_INVALID_DATA },
	};
	struct test_world w;
	unsigned long before, changes, values;
	size_t i;

	test_world_open(&w, NULL);
	test_world_connect(&w);
	before = apdu_count(&w);
	changes = ins_count(&w, 0x24);
	values = jpki_sim_counters(w.sim)->pin_values;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, cases[i].ref, cases[i].pin, NULL, NULL),
		                 cases[i].expected);
		/* also as the new value of a change, with a right old value */
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, cases[i].ref,
		                         cases[i].ref == 1 ? auth_pin : cases[i].ref == 2 ? sign_pin : text_pin,
		                         cases[i].pin, NULL), cases[i].expected_new);
		/* and as the current value of a change, the new one right */
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, cases[i].ref, cases[i].pin,
		                         cases[i].ref == 1 ? auth_pin : cases[i].ref == 2 ? sign_pin : text_pin, NULL),
		                 cases[i].expected);
	}
	/* On OpenSC master the tries of a refused current value are read
	 * (VERIFYs without data): every caller there gets them. */
	if (!COMPAT_PIN_CMD_TRIES_ALWAYS_WANTED)
		assert_int_equal(apdu_count(&w), before);
	assert_int_equal(ins_count(&w, 0x24), changes);
	assert_int_equal(jpki_sim_counters(w.sim)->pin_values, values);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 3);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_SIGN), 5);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 4, "1234", NULL, NULL), SC_ERROR_INVALID_ARGUMENTS);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_UNBLOCK, 1, "1234", "1234", NULL), SC_ERROR_NOT_SUPPORTED);
	test_world_close(&w);
}

/* pkcs15-tool --change-pin prints the tries left after "PIN code incorrect":
 * for a current value refused before the card they are the card's count
 * (here 2, one try spent first), read with a VERIFY without data; no VERIFY
 * with data and no CHANGE REFERENCE DATA is sent. Without a tries pointer
 * nothing at all is sent (where the release has one). */
static void refused_current_pin_reports_card_tries(void **state)
{
	struct test_world w;
	char wrong[8];
	int tries = -9;
	unsigned long verifies, changes, before, values;

	snprintf(wrong, sizeof wrong, "%04d", (atoi(auth_pin) + 1) % 10000);
	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, wrong, NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 2);
	verifies = ins_count(&w, 0x20);
	changes = ins_count(&w, 0x24);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, "12a4", "5678", &tries), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(tries, 2);
	assert_int_equal(ins_count(&w, 0x20), verifies + 1);
	assert_int_equal(ins_count(&w, 0x24), changes);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 2);
	before = apdu_count(&w);
	verifies = ins_count(&w, 0x20);
	values = jpki_sim_counters(w.sim)->pin_values;
	tries = -9;
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, "5678", "12a4", &tries), SC_ERROR_INVALID_DATA);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, "12a4", "5678", NULL), SC_ERROR_PIN_CODE_INCORRECT);
	if (COMPAT_PIN_CMD_TRIES_ALWAYS_WANTED) {
		/* OpenSC master has no tries pointer: every caller gets the
		 * tries, read with a VERIFY without data. */
		assert_int_equal(ins_count(&w, 0x20), verifies + 1);
		assert_int_equal(jpki_sim_counters(w.sim)->pin_values, values);
	} else {
		assert_int_equal(apdu_count(&w), before);
	}
	assert_int_equal(tries, -1);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 3);
	test_world_close(&w);
}

/* ssh-agent logs in to every token with the one value typed: a value offered
 * for one PIN is never sent as another (whatever its format), so a 6-16
 * character value typed for the authentication PIN costs no signature-PIN
 * try, and the right authentication PIN no card-info try. */
static void value_for_one_pin_never_sent_as_another(void **state)
{
	struct test_world w;
	unsigned long before;

	test_world_open(&w, NULL);
	test_world_connect(&w);
	before = apdu_count(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, "ABC123", NULL, NULL), SC_ERROR_INVALID_PIN_LENGTH);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, "ABC123", NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(apdu_count(&w), before);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	before = ins_count(&w, 0x20);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 3, auth_pin, NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(ins_count(&w, 0x20), before);
	/* its own values still go through */
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 3, text_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 3);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_SIGN), 5);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	test_world_close(&w);
}

static void verify_right_wrong_and_tries(void **state)
{
	struct test_world w;
	char wrong[8], lower[32];
	int tries = -9;
	size_t i;

	snprintf(wrong, sizeof wrong, "%04d", (atoi(auth_pin) + 1) % 10000);
	assert_true(strlen(sign_pin) < sizeof lower);
	for (i = 0; sign_pin[i] != '\0'; i++)
		lower[i] = (char)((sign_pin[i] >= 'A' && sign_pin[i] <= 'Z') ? sign_pin[i] - 'A' + 'a' : sign_pin[i]);
	lower[i] = '\0';
	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 1, NULL, NULL, &tries), SC_SUCCESS);
	assert_int_equal(tries, 3);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, wrong, NULL, &tries), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(tries, 2);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 2);
	assert_false(mynumber_link_pin_believed(w.card, JPKI_PIN_REF_AUTH));
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, &tries), SC_SUCCESS);
	assert_int_equal(tries, 3);
	assert_true(mynumber_link_pin_believed(w.card, JPKI_PIN_REF_AUTH));
	/* lower case folded to upper before the card sees it */
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, lower, NULL, &tries), SC_SUCCESS);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_SIGN), 5);
	/* the text AP's PIN: another application, so the card drops the JPKI
	 * PINs; this process's logins stay (the card's 6982 will say when a
	 * PIN must be verified again, and OpenSC's PIN cache does it) */
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 3, text_pin, NULL, &tries), SC_SUCCESS);
	assert_true(mynumber_link_pin_believed(w.card, JPKI_PIN_REF_TEXT));
	assert_true(mynumber_link_pin_believed(w.card, JPKI_PIN_REF_AUTH));
	assert_true(mynumber_link_pin_believed(w.card, JPKI_PIN_REF_SIGN));
	test_world_close(&w);
}

static void blocked_pin(const char *blocked_sw)
{
	const char *settings[] = { blocked_sw, NULL };
	struct test_world w;
	char wrong[8];
	int tries = -9, i;

	snprintf(wrong, sizeof wrong, "%04d", (atoi(auth_pin) + 1) % 10000);
	test_world_open(&w, settings);
	test_world_connect(&w);
	for (i = 0; i < 2; i++)
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, wrong, NULL, &tries), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, wrong, NULL, &tries), SC_ERROR_AUTH_METHOD_BLOCKED);
	assert_int_equal(tries, 0);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, &tries), SC_ERROR_AUTH_METHOD_BLOCKED);
	assert_int_equal(tries, 0);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 1, NULL, NULL, &tries), SC_SUCCESS);
	assert_int_equal(tries, 0);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 0);
	test_world_close(&w);
}

static void blocked_pin_6983(void **state)
{
	blocked_pin("blocked_sw=6983");
}

static void blocked_pin_6984(void **state)
{
	blocked_pin("blocked_sw=6984");
}

static void change_pin(void **state)
{
	struct test_world w;
	char new_pin[8];

	snprintf(new_pin, sizeof new_pin, "%04d", (atoi(auth_pin) + 4321) % 10000);
	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, auth_pin, new_pin, NULL), SC_SUCCESS);
	assert_int_equal(ins_count(&w, 0x24), 1);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, new_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 2, sign_pin, "NEWPASS1", NULL), SC_SUCCESS);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, "newpass1", NULL, NULL), SC_SUCCESS);
	test_world_close(&w);
}

/* ---- signatures ---------------------------------------------------------- */

static void check_signature(struct test_world *w, int key_id, const char *cert_file, unsigned hash_flag,
                            const EVP_MD *md)
{
	static const u8 message[] = "message for the virtual card";
	u8 digest[EVP_MAX_MD_SIZE], signature[512];
	unsigned digest_len = 0;
	EVP_PKEY_CTX *verify_ctx;
	EVP_PKEY *public_key;
	X509 *x509;
	const unsigned char *cursor;
	uint8_t *cert;
	size_t cert_len;
	int r;

	assert_true(EVP_Digest(message, sizeof message, digest, &digest_len, md, NULL));
	r = compat_pkcs15_compute_signature(w->p15, find_object(w, SC_PKCS15_TYPE_PRKEY_RSA, key_id),
	                                SC_ALGORITHM_RSA_PAD_PKCS1 | hash_flag, digest, digest_len,
	                                signature, sizeof signature);
	assert_int_equal(r, 256);
	cert = test_world_file(cert_file, &cert_len);
	cursor = cert;
	x509 = d2i_X509(NULL, &cursor, (long)cert_len);
	assert_non_null(x509);
	public_key = X509_get0_pubkey(x509);
	verify_ctx = EVP_PKEY_CTX_new(public_key, NULL);
	assert_int_equal(EVP_PKEY_verify_init(verify_ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(verify_ctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(verify_ctx, md), 1);
	assert_int_equal(EVP_PKEY_verify(verify_ctx, signature, (size_t)r, digest, digest_len), 1);
	EVP_PKEY_CTX_free(verify_ctx);
	X509_free(x509);
	free(cert);
}

static void signatures_both_keys_all_hashes(void **state)
{
	struct test_world w;

	test_world_open(&w, NULL);
	test_world_bind(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	check_signature(&w, 1, "jpki/000A", SC_ALGORITHM_RSA_HASH_SHA1, EVP_sha1());
	check_signature(&w, 1, "jpki/000A", SC_ALGORITHM_RSA_HASH_SHA256, EVP_sha256());
	check_signature(&w, 1, "jpki/000A", SC_ALGORITHM_RSA_HASH_SHA384, EVP_sha384());
	check_signature(&w, 1, "jpki/000A", SC_ALGORITHM_RSA_HASH_SHA512, EVP_sha512());
	/* the Digital Signature Key: one VERIFY, one signature */
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
	check_signature(&w, 2, "jpki/0001", SC_ALGORITHM_RSA_HASH_SHA1, EVP_sha1());
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
	check_signature(&w, 2, "jpki/0001", SC_ALGORITHM_RSA_HASH_SHA256, EVP_sha256());
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
	check_signature(&w, 2, "jpki/0001", SC_ALGORITHM_RSA_HASH_SHA384, EVP_sha384());
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
	check_signature(&w, 2, "jpki/0001", SC_ALGORITHM_RSA_HASH_SHA512, EVP_sha512());
	assert_int_equal(ins_count(&w, 0x2A), 8);
	test_world_close(&w);
}

static void signature_without_pin_refused_by_card(void **state)
{
	struct test_world w;
	u8 digest[32] = { 0 }, signature[512];

	test_world_open(&w, NULL);
	test_world_bind(&w);
	assert_int_equal(compat_pkcs15_compute_signature(w.p15, find_object(&w, SC_PKCS15_TYPE_PRKEY_RSA, 1),
	                                             SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256,
	                                             digest, sizeof digest, signature, sizeof signature),
	                 SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
	test_world_close(&w);
}

/* ---- the signature PIN is left verified for nobody ------------------------- */

/* Another client, with no PIN: SELECT of the JPKI AP and of key 02's EF, then
 * COMPUTE DIGITAL SIGNATURE. Returns the signature's status word. */
static unsigned raw_sign_sw(struct test_world *w)
{
	static const uint8_t select_ap[] = { 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26,
		                             0x01, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t select_key[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1A };
	/* a SHA-256 DigestInfo of zeros, Le 00 */
	uint8_t sign[5 + 51 + 1] = { 0x80, 0x2A, 0x00, 0x80, 51, 0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86,
		                      0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
	uint8_t rapdu[600];
	size_t rapdu_len = 0;

	assert_int_equal(jpki_sim_transmit(w->sim, select_ap, sizeof select_ap, rapdu, sizeof rapdu, &rapdu_len), 0);
	assert_int_equal(jpki_sim_transmit(w->sim, select_key, sizeof select_key, rapdu, sizeof rapdu, &rapdu_len), 0);
	assert_int_equal(jpki_sim_transmit(w->sim, sign, sizeof sign, rapdu, sizeof rapdu, &rapdu_len), 0);
	assert_true(rapdu_len >= 2);
	return (unsigned)(rapdu[rapdu_len - 2] << 8 | rapdu[rapdu_len - 1]);
}

/* With a card that keeps the PIN state when the same AP is selected again
 * (so the other client's own SELECT does not end it), the signature PIN
 * typed here lets nobody else sign: after a key-02 signature, after a change
 * of the PIN, and after a process that verified it disconnects. */
static void sign_pin_left_for_nobody(void **state)
{
	const char *keeps[] = { "reselect_clears_pin=no", NULL };
	u8 digest[32] = { 0 }, signature[512];
	struct test_world w;

	test_world_open(&w, keeps);
	test_world_bind(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
	/* the consent's VERIFY ends the card's PIN state at once: the signature
	 * verifies the kept PIN again in its own transaction */
	assert_int_equal(raw_sign_sw(&w), 0x6982);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(compat_pkcs15_compute_signature(w.p15, find_object(&w, SC_PKCS15_TYPE_PRKEY_RSA, 2),
	                                             SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256,
	                                             digest, sizeof digest, signature, sizeof signature),
	                 256);
	assert_int_equal(raw_sign_sw(&w), 0x6982);
	/* one consent, one signature: the second asks for the PIN, no APDU */
	{
		unsigned long before = ins_count(&w, 0x2A);

		assert_int_equal(compat_pkcs15_compute_signature(w.p15, find_object(&w, SC_PKCS15_TYPE_PRKEY_RSA, 2),
		                                             SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256,
		                                             digest, sizeof digest, signature, sizeof signature),
		                 SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
		assert_int_equal(ins_count(&w, 0x2A), before);
	}
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 2, sign_pin, "NEWPASS1", NULL), SC_SUCCESS);
	assert_int_equal(raw_sign_sw(&w), 0x6982);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 2, "NEWPASS1", sign_pin, NULL), SC_SUCCESS);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
	simreader_unbind(&w.p15);
	simreader_disconnect(&w.card);
	assert_int_equal(raw_sign_sw(&w), 0x6982);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_SIGN), 5);
	test_world_close(&w);
}

/* ---- a change is no login: nothing left verified for others -------------- */

/* Another client, with no PIN, sends the hex C-APDUs in order; returns the
 * last one's status word. */
static unsigned other_client_sw(struct test_world *w, const char *const *apdus)
{
	uint8_t capdu[300], rapdu[600];
	size_t len, rapdu_len = 0;
	const char *p;
	unsigned byte;
	int used;

	for (; *apdus != NULL; apdus++) {
		for (len = 0, p = *apdus; sscanf(p, " %2x%n", &byte, &used) == 1; p += used) {
			assert_true(len < sizeof capdu);
			capdu[len++] = (uint8_t)byte;
		}
		assert_int_equal(jpki_sim_transmit(w->sim, capdu, len, rapdu, sizeof rapdu, &rapdu_len), 0);
		assert_true(rapdu_len >= 2);
	}
	return (unsigned)(rapdu[rapdu_len - 2] << 8 | rapdu[rapdu_len - 1]);
}

#define OTHER_SELECT_JPKI "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
#define OTHER_SELECT_TEXT "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"
#define OTHER_SIGN "80 2A 00 80 33 30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"

/* What the other client tries with PIN ref's state: a key-01 or key-02
 * signature, or the My Number (text AP EF 0001). 0x6982 when refused. */
static unsigned other_client_uses_pin(struct test_world *w, int ref)
{
	const char *auth[] = { OTHER_SELECT_JPKI, "00 A4 02 0C 02 00 17", OTHER_SIGN, NULL };
	const char *sign[] = { OTHER_SELECT_JPKI, "00 A4 02 0C 02 00 1A", OTHER_SIGN, NULL };
	const char *text[] = { OTHER_SELECT_TEXT, "00 A4 02 0C 02 00 01", "00 B0 00 00 11", NULL };

	return other_client_sw(w, ref == 1 ? auth : ref == 2 ? sign : text);
}

/* The trace's number of the first APDU with CLA 00 and INS ins, 0 when none. */
static unsigned long first_apdu(struct test_world *w, unsigned want_ins)
{
	char line[1024];
	unsigned long n;
	unsigned cla, ins;

	assert_non_null(w->trace);
	rewind(w->trace);
	while (fgets(line, sizeof line, w->trace) != NULL)
		if (sscanf(line, "#%lu %2x %2x", &n, &cla, &ins) == 3 && cla == 0x00 && ins == want_ins)
			return n;
	return 0;
}

static unsigned long first_change_apdu(struct test_world *w)
{
	return first_apdu(w, 0x24);
}

static const char *right_pin(int ref)
{
	return ref == 1 ? auth_pin : ref == 2 ? sign_pin : text_pin;
}

static const char *other_pin_value(int ref)
{
	return ref == 2 ? "NEWPASS7" : strcmp(right_pin(ref), "4826") != 0 ? "4826" : "5937";
}

/* A change of each PIN, by a process that had not verified it (a C_SetPIN
 * in a public session), ends the card's PIN state whether the card took the
 * new value or refused it (CHANGE REFERENCE DATA answered 6A80 after the
 * current value's VERIFY went through). On a card that keeps the PIN state
 * when the same application is selected again, so that the other client's
 * own SELECT cannot be what ends it. No try is spent. */
static void change_leaves_no_pin_for_others(void **state)
{
	int ref;

	for (ref = 1; ref <= 3; ref++) {
		const char *keeps[] = { "reselect_clears_pin=no", NULL };
		char fail_at[32];
		const char *refuses[] = { "reselect_clears_pin=no", fail_at, "fail_sw=6A80", NULL };
		struct test_world w;
		unsigned long change_at;

		test_world_open_ex(&w, &(struct test_world_options){ .sim_settings = keeps, .trace = true });
		test_world_connect(&w);
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, ref, right_pin(ref), other_pin_value(ref), NULL),
		                 SC_SUCCESS);
		assert_int_equal(other_client_uses_pin(&w, ref), 0x6982);
		change_at = first_change_apdu(&w);
		assert_true(change_at > 0);
		test_world_close(&w);

		snprintf(fail_at, sizeof fail_at, "fail_apdu=%lu", change_at);
		test_world_open(&w, refuses);
		test_world_connect(&w);
		assert_int_not_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, ref, right_pin(ref), other_pin_value(ref), NULL),
		                     SC_SUCCESS);
		assert_int_equal(ins_count(&w, 0x24), 1);
		assert_false(mynumber_link_pin_believed(w.card, ref));
		assert_int_equal(other_client_uses_pin(&w, ref), 0x6982);
		/* the card kept the old value */
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, ref, right_pin(ref), NULL, NULL), SC_SUCCESS);
		assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 3);
		assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_SIGN), 5);
		assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
		test_world_close(&w);
	}
}

/* A change of the authentication PIN by a process logged in with it keeps
 * the login: the key-01 signature after it sends no new VERIFY. */
static void change_keeps_a_login(void **state)
{
	u8 digest[32] = { 0 }, signature[512];
	struct test_world w;
	unsigned long verifies;

	test_world_open(&w, NULL);
	test_world_bind(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, auth_pin, other_pin_value(1), NULL), SC_SUCCESS);
	assert_true(mynumber_link_pin_believed(w.card, 1));
	verifies = ins_count(&w, 0x20);
	assert_int_equal(compat_pkcs15_compute_signature(w.p15, find_object(&w, SC_PKCS15_TYPE_PRKEY_RSA, 1),
	                                             SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256,
	                                             digest, sizeof digest, signature, sizeof signature),
	                 256);
	assert_int_equal(ins_count(&w, 0x20), verifies);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, other_pin_value(1), auth_pin, NULL), SC_SUCCESS);
	test_world_close(&w);
}

/* Both values of a change were typed for its PIN: a value set as the new
 * authentication PIN, or changed from, or offered for it, is never sent as
 * the card-info PIN (as current value of its change, or in a VERIFY). No
 * card-info try is spent, no VERIFY of it reaches the card. */
static void change_values_are_offers(void **state)
{
	struct test_world w;
	unsigned long verifies;
	int tries = -9;

	assert_string_not_equal(auth_pin, text_pin);
	/* B: auth changed to N, then N offered as the card-info PIN */
	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, auth_pin, other_pin_value(1), NULL), SC_SUCCESS);
	verifies = ins_count(&w, 0x20);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 3, other_pin_value(1), NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(ins_count(&w, 0x20), verifies);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, other_pin_value(1), auth_pin, NULL), SC_SUCCESS);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	test_world_close(&w);
	/* C: the authentication PIN verified, then offered as the card-info
	 * PIN's current value: refused before the card, the real tries told */
	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	verifies = ins_count(&w, 0x20);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 3, auth_pin, other_pin_value(3), &tries),
	                 SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(tries, 3);
	assert_int_equal(ins_count(&w, 0x24), 0);
	assert_int_equal(ins_count(&w, 0x20), verifies + 1); /* the no-data VERIFY for the tries */
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	test_world_close(&w);
	/* D: the authentication PIN changed to itself, then offered as the
	 * card-info PIN */
	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, auth_pin, auth_pin, NULL), SC_SUCCESS);
	verifies = ins_count(&w, 0x20);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 3, auth_pin, NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(ins_count(&w, 0x20), verifies);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	/* its own PIN still works */
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 3, text_pin, NULL, NULL), SC_SUCCESS);
	test_world_close(&w);
}

/* The offers outlast what a process does in between: values of the wrong
 * format (refused before the card) are not recorded and push nothing out, a
 * value offered again is the most recent, and four changes of the
 * authentication PIN (each offering two values) keep the first value. Each
 * time the authentication PIN's value then goes to the card-info PIN:
 * refused, no VERIFY sent, no try spent. */
static void offers_outlast_other_values(void **state)
{
	static const char *const changes[] = { "1001", "1002", "1003", "1004" };
	struct test_world w;
	unsigned long verifies;
	const char *from;
	size_t i;

	assert_string_not_equal(auth_pin, text_pin);
	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	/* more impossible values than are kept */
	for (i = 0; i <= MYNUMBER_OFFERS_KEPT; i++) {
		char value[8];

		snprintf(value, sizeof value, "12a%zu", i % 10);
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, value, NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	}
	verifies = ins_count(&w, 0x20);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 3, auth_pin, NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(ins_count(&w, 0x20), verifies);
	test_world_close(&w);

	test_world_open(&w, NULL);
	test_world_connect(&w);
	for (i = 0, from = auth_pin; i < sizeof changes / sizeof changes[0]; from = changes[i++])
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, from, changes[i], NULL), SC_SUCCESS);
	verifies = ins_count(&w, 0x20);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 3, auth_pin, NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(ins_count(&w, 0x20), verifies);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, from, auth_pin, NULL), SC_SUCCESS);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 3);
	test_world_close(&w);
}

/* What the driver is offered cheaply, refused before the card, pushes out
 * nothing: changes whose current value is impossible (their new values are
 * not recorded), and more values of the signature PIN's form offered for the
 * authentication PIN than are kept (a list of their own). Each time the
 * authentication PIN's value then goes to the card-info PIN: refused. */
static void cheap_offers_push_out_nothing(void **state)
{
	struct test_world w;
	unsigned long with_data;
	char value[16];
	int round;
	size_t i;

	for (round = 0; round < 2; round++) {
		test_world_open(&w, NULL);
		test_world_connect(&w);
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
		for (i = 0; i <= MYNUMBER_OFFERS_KEPT; i++) {
			if (round == 0) {
				snprintf(value, sizeof value, "1%03zu", i);
				assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, "12a4", value, NULL),
				                 SC_ERROR_PIN_CODE_INCORRECT);
			} else {
				snprintf(value, sizeof value, "ZZZZZ%zu", i);
				assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, value, NULL, NULL),
				                 SC_ERROR_INVALID_PIN_LENGTH);
			}
		}
		with_data = jpki_sim_counters(w.sim)->pin_values;
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 3, auth_pin, NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
		assert_int_equal(jpki_sim_counters(w.sim)->pin_values, with_data);
		assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
		test_world_close(&w);
	}
}

/* Offers are compared as the card sees the value: a signature password typed
 * in lower case for the authentication PIN is the same value in upper case
 * for the signature PIN (the driver folds it before sending). */
static void offers_compare_folded_case(void **state)
{
	struct test_world w;
	unsigned long with_data;

	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, "wrongpw1", NULL, NULL), SC_ERROR_INVALID_PIN_LENGTH);
	with_data = jpki_sim_counters(w.sim)->pin_values;
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, "WRONGPW1", NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(jpki_sim_counters(w.sim)->pin_values, with_data);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_SIGN), 5);
	test_world_close(&w);
}

/* One garbled answer to a tries query (63 C0 once, from a glitchy reader)
 * blocks nothing: before the right PIN is sent, the card is asked again, and
 * with tries left the VERIFY goes through. */
static void garbled_tries_answer_blocks_nothing(void **state)
{
	char fail_at[32];
	const char *garbles[] = { fail_at, "fail_sw=63C0", NULL };
	struct test_world w;
	unsigned long query_at;
	int tries = -9;

	test_world_open_ex(&w, &(struct test_world_options){ .trace = true });
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 1, NULL, NULL, &tries), SC_SUCCESS);
	query_at = first_apdu(&w, 0x20);
	assert_true(query_at > 0);
	test_world_close(&w);

	snprintf(fail_at, sizeof fail_at, "fail_apdu=%lu", query_at);
	test_world_open(&w, garbles);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 1, NULL, NULL, &tries), SC_SUCCESS);
	assert_int_equal(tries, 0);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 3);
	test_world_close(&w);

	/* the same, then a change: it really goes to the card (one CHANGE
	 * REFERENCE DATA, the new value verifies), and an impossible current
	 * value is still refused before the card */
	test_world_open(&w, garbles);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 1, NULL, NULL, &tries), SC_SUCCESS);
	assert_int_equal(tries, 0);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, "12a4", other_pin_value(1), NULL),
	                 SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(ins_count(&w, 0x24), 0);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, auth_pin, other_pin_value(1), NULL), SC_SUCCESS);
	assert_int_equal(ins_count(&w, 0x24), 1);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, other_pin_value(1), NULL, NULL), SC_SUCCESS);
	test_world_close(&w);
}

/* A change without the current value (the process verified it) on a PIN the
 * card has since said is blocked (another process spent its tries): no value
 * is sent, the answer is blocked. */
static void change_without_current_value_of_blocked_pin(void **state)
{
	const char *keeps[] = { "reselect_clears_pin=no", NULL };
	struct test_world w;
	unsigned long with_data;
	int tries = -9;

	test_world_open(&w, keeps);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	(void)other_client_sw(&w, (const char *[]){ OTHER_SELECT_JPKI, "00 A4 02 0C 02 00 18",
	                                            "00 20 00 80 04 39 39 39 39", "00 20 00 80 04 39 39 39 39",
	                                            "00 20 00 80 04 39 39 39 39", NULL });
	if (strcmp(auth_pin, "9999") != 0)
		assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 0);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 1, NULL, NULL, &tries), SC_SUCCESS);
	with_data = jpki_sim_counters(w.sim)->pin_values;
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, NULL, other_pin_value(1), NULL),
	                 strcmp(auth_pin, "9999") != 0 ? SC_ERROR_AUTH_METHOD_BLOCKED : SC_SUCCESS);
	if (strcmp(auth_pin, "9999") != 0) {
		assert_int_equal(jpki_sim_counters(w.sim)->pin_values, with_data);
		assert_int_equal(ins_count(&w, 0x24), 0);
	}
	test_world_close(&w);
}

/* A change whose current value the card refused sends no new value: the
 * new value is not recorded as offered (it may be another PIN's, which must
 * still verify on this connection). */
static void refused_change_records_no_new_value(void **state)
{
	struct test_world w;
	char wrong[8];

	snprintf(wrong, sizeof wrong, "%04d", (atoi(auth_pin) + 1) % 10000);
	if (strcmp(wrong, text_pin) == 0)
		snprintf(wrong, sizeof wrong, "%04d", (atoi(auth_pin) + 2) % 10000);
	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, wrong, text_pin, NULL), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(ins_count(&w, 0x24), 0);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 3, text_pin, NULL, NULL), SC_SUCCESS);
	test_world_close(&w);
}

/* Many people give two PINs one number. A process logged in with the
 * authentication PIN that sets the card-info PIN to that same number keeps
 * its login: the value stays the authentication PIN's (OpenSC's PIN cache
 * verifies it again once the change has moved the card to the text AP). */
static void same_number_for_two_pins(void **state)
{
	struct test_world w;

	test_world_open(&w, NULL);
	test_world_connect(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 3, text_pin, auth_pin, NULL), SC_SUCCESS);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 3);
	test_world_close(&w);
}

/* An impossible current value of a blocked PIN: answered as blocked (the
 * card's count, 0, read without a try), not as a typo that cost the last. */
static void impossible_current_pin_of_blocked_pin(void **state)
{
	struct test_world w;
	char wrong[8];
	int tries = -9, i;

	snprintf(wrong, sizeof wrong, "%04d", (atoi(auth_pin) + 1) % 10000);
	test_world_open(&w, NULL);
	test_world_connect(&w);
	for (i = 0; i < 3; i++)
		(void)pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, wrong, NULL, NULL);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 0);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, "12a4", "5678", &tries), SC_ERROR_AUTH_METHOD_BLOCKED);
	assert_int_equal(tries, 0);
	assert_int_equal(ins_count(&w, 0x24), 0);
	test_world_close(&w);
}

/* Once the card has said a PIN is blocked, no value is sent for it again on
 * this connection (only a municipal office unblocks it): a well-formed value,
 * the right one too, as a VERIFY or as a change's current value, is answered
 * blocked with tries 0 and no VERIFY with data reaches the card. Learnt from
 * a refused VERIFY and from a tries query alike. */
static void blocked_pin_gets_no_value(void **state)
{
	struct test_world w;
	char wrong[8];
	unsigned long with_data;
	int tries = -9, i, learn;

	snprintf(wrong, sizeof wrong, "%04d", (atoi(auth_pin) + 1) % 10000);
	for (learn = 0; learn < 2; learn++) {
		test_world_open(&w, NULL);
		test_world_connect(&w);
		for (i = 0; i < 2; i++)
			assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, wrong, NULL, NULL), SC_ERROR_PIN_CODE_INCORRECT);
		if (learn == 0) {
			assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, wrong, NULL, NULL), SC_ERROR_AUTH_METHOD_BLOCKED);
		} else {
			/* the last try spent by another process; this one asks */
			assert_int_equal(other_client_sw(&w, (const char *[]){ OTHER_SELECT_JPKI, "00 A4 02 0C 02 00 18",
			                                                       "00 20 00 80 04 39 39 39 39", NULL }),
			                 0x63C0);
			assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 1, NULL, NULL, &tries), SC_SUCCESS);
			assert_int_equal(tries, 0);
		}
		assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 0);
		with_data = jpki_sim_counters(w.sim)->pin_values;
		tries = -9;
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, &tries), SC_ERROR_AUTH_METHOD_BLOCKED);
		assert_int_equal(tries, 0);
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, auth_pin, "5678", NULL), SC_ERROR_AUTH_METHOD_BLOCKED);
		/* an impossible value too: the same answer, blocked */
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, "12a4", NULL, NULL), SC_ERROR_AUTH_METHOD_BLOCKED);
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 1, "12a4", "5678", NULL), SC_ERROR_AUTH_METHOD_BLOCKED);
		assert_int_equal(jpki_sim_counters(w.sim)->pin_values, with_data);
		assert_int_equal(ins_count(&w, 0x24), 0);
		/* the other PINs are not affected */
		assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
		test_world_close(&w);
	}
}

/* ---- reset: state dropped, the right application selected again ---------- */

/* Another client resets the card: OpenSC learns it at its next reader lock
 * (SC_ERROR_CARD_RESET, card_reader_lock_obtained's was_reset) on every
 * release, and the driver forgets the PIN it verified. */
static void reset_by_other_client_drops_state(void **state)
{
	struct test_world w;
	int tries = -1;

	test_world_open(&w, NULL);
	test_world_bind(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	assert_true(mynumber_link_pin_believed(w.card, JPKI_PIN_REF_AUTH));
	assert_int_equal(simreader_reset_by_other_client(w.ctx), SC_SUCCESS);
	assert_int_equal(sc_lock(w.card), SC_SUCCESS);
	sc_unlock(w.card);
	assert_false(mynumber_link_pin_believed(w.card, JPKI_PIN_REF_AUTH));
	/* works again: the JPKI AP is selected anew */
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 2, NULL, NULL, &tries), SC_SUCCESS);
	assert_int_equal(tries, 5);
	test_world_close(&w);
}

/* This process's own sc_reset reaches no driver callback. Up to 0.26 OpenSC
 * empties card->cache, which the driver watches: the belief goes at the next
 * lock. 0.27 leaves no trace (doc/pins.md, "The card is shared"): the card's
 * own answer is then the sign, so a signature is refused (6982) with no PIN
 * sent and no try spent, and the belief goes with it. */
static void own_reset_drops_state(void **state)
{
	struct test_world w;
	u8 digest[32] = { 0 }, signature[512];
	int tries = -1;

	test_world_open(&w, NULL);
	test_world_bind(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(sc_reset(w.card, 0), SC_SUCCESS);
	assert_int_equal(sc_lock(w.card), SC_SUCCESS);
	sc_unlock(w.card);
#ifdef HAVE_OPENSC_CARD_CACHE
	assert_false(mynumber_link_pin_believed(w.card, JPKI_PIN_REF_AUTH));
#else
	assert_int_equal(compat_pkcs15_compute_signature(w.p15, find_object(&w, SC_PKCS15_TYPE_PRKEY_RSA, 1),
	                                             SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256,
	                                             digest, sizeof digest, signature, sizeof signature),
	                 SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
	assert_false(mynumber_link_pin_believed(w.card, JPKI_PIN_REF_AUTH));
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 3);
#endif
	(void)digest;
	(void)signature;
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_GET_INFO, 2, NULL, NULL, &tries), SC_SUCCESS);
	assert_int_equal(tries, 5);
	test_world_close(&w);
}

/* ---- simulator switches -------------------------------------------------- */

static void bind_with(const char *const *settings, const struct simreader_options *reader, int expected)
{
	struct test_world w;
	uint8_t *file;
	size_t len;
	sc_pkcs15_object_t *obj;
	sc_pkcs15_cert_t *cert = NULL;

	test_world_open_ex(&w, &(struct test_world_options){ .reader = reader, .sim_settings = settings });
	if (expected == SC_SUCCESS) {
		test_world_bind(&w);
		obj = find_object(&w, SC_PKCS15_TYPE_CERT_X509, 3);
		file = test_world_file("jpki/000B", &len);
		assert_int_equal(compat_pkcs15_read_certificate(w.p15, obj->data, 0, &cert), SC_SUCCESS);
		assert_int_equal(cert->data.len, len);
		assert_memory_equal(cert->data.value, file, len);
		sc_pkcs15_free_certificate(cert);
		free(file);
	} else {
		int r = simreader_connect(w.ctx, &w.card);

		if (r == SC_SUCCESS)
			r = simreader_bind(w.card, &w.p15);
		assert_int_not_equal(r, SC_SUCCESS);
		assert_true(r < 0);
	}
	test_world_close(&w);
}

static void switches_all_bind(void **state)
{
	static const char *const settings[][3] = {
		{ "past_end=6282", NULL }, { "past_end=6B00", NULL }, { "reselect_clears_pin=no", NULL },
		{ "extended_length=no", NULL }, { "chain_61xx=yes", NULL }, { "wrong_le_6cxx=yes", NULL },
		{ "wrong_le_6cxx=yes", "past_end=6282", NULL }, { "chain_61xx=yes", "extended_length=no", NULL },
		{ "sfi=no", NULL }, { "sfi=no", "wrong_le_6cxx=yes", NULL }, { "sfi=no", "chain_61xx=yes", NULL },
	};
	struct simreader_options short_reader = { .refuse_extended = true };
	size_t i;

	for (i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		bind_with(settings[i], NULL, SC_SUCCESS);
		bind_with(settings[i], &short_reader, SC_SUCCESS);
	}
}

static void extended_refused_falls_back(void **state)
{
	const char *settings[] = { "extended_length=no", NULL };
	struct test_world w;
	unsigned long reads;

	test_world_open(&w, settings);
	test_world_bind(&w);
	reads = ins_count(&w, 0xB0);
	/* 0006 (short at connect), one refused extended READ of 000A, then
	 * short ones for good, the CA certificates' too */
	assert_int_equal(reads, 1 + 1 + short_reads("jpki/000A") + short_reads("jpki/000B") + short_reads("jpki/0002"));
	assert_false(w.card->caps & SC_CARD_CAP_APDU_EXT);
	test_world_close(&w);

	test_world_open(&w, NULL);
	test_world_bind(&w);
	/* whole files in one READ each: 0006, 000A, 000B, 0002 */
	assert_int_equal(ins_count(&w, 0xB0), 4);
	test_world_close(&w);
}

/* ---- injected faults: clean errors, nothing leaked (ASan) ---------------- */

static void faults_end_cleanly(void **state)
{
	char apdu_setting[32], sw_setting[32];
	static const char *const sws[] = { "6F00", "6982", "6A82", "6B00", "6700", "6D00", "9100", "6283" };
	struct simreader_options short_reader = { .refuse_extended = true };
	unsigned apdu;
	size_t i;

	/* Every APDU of a bind, answered with each unexpected status word. */
	for (apdu = 1; apdu <= 14; apdu++) {
		for (i = 0; i < sizeof sws / sizeof sws[0]; i++) {
			const char *settings[] = { apdu_setting, sw_setting, NULL };
			struct test_world w;
			int r;

			snprintf(apdu_setting, sizeof apdu_setting, "fail_apdu=%u", apdu);
			snprintf(sw_setting, sizeof sw_setting, "fail_sw=%s", sws[i]);
			test_world_open(&w, settings);
			r = simreader_connect(w.ctx, &w.card);
			if (r == SC_SUCCESS)
				r = simreader_bind(w.card, &w.p15);
			/* some faults are survived (a refused SFI read falls back
			 * to SELECT; APDUs past the bind's last are never sent);
			 * anything else must be a negative OpenSC error */
			assert_true(r <= 0);
			test_world_close(&w);
		}
	}
	/* Truncated responses to each READ of the authentication certificate
	 * (from APDU 4 with short APDUs: SELECT AID, READ 0006 by SFI, the
	 * bind's SELECT AID, READ 000A by SFI, then by offset). */
	for (apdu = 4; apdu < 4 + short_reads("jpki/000A"); apdu++) {
		const char *settings[] = { apdu_setting, "truncate_after=10", NULL };

		snprintf(apdu_setting, sizeof apdu_setting, "truncate_apdu=%u", apdu);
		bind_with(settings, &short_reader, SC_ERROR_CORRUPTED_DATA);
	}
	/* Card pulled at each point of a bind (SELECT AID, 0006, SELECT AID, the
	 * authentication certificate, two PIN queries of two APDUs each). */
	for (apdu = 1; apdu < 3 + short_reads("jpki/000A") + 4; apdu++) {
		const char *settings[] = { apdu_setting, NULL };

		snprintf(apdu_setting, sizeof apdu_setting, "remove_after=%u", apdu);
		bind_with(settings, &short_reader, SC_ERROR_CARD_REMOVED);
	}
}

/* The CA certificate read after the bind, under the same faults: a clean
 * error from sc_pkcs15_read_certificate, the bind's objects untouched. */
/* A fault while the bind reads a CA certificate: a card pulled fails the bind
 * with that error; a garbled answer leaves the certificate to be read when
 * asked (the bind goes on: the keys do not need it), and then it is the
 * card's bytes or a clean error. */
static void ca_certificate_fault(const char *const *settings, int bind_error)
{
	struct simreader_options short_reader = { .refuse_extended = true };
	sc_pkcs15_cert_t *cert = NULL;
	struct test_world w;
	uint8_t *file;
	size_t len;
	int r;

	test_world_open_ex(&w, &(struct test_world_options){ .reader = &short_reader, .sim_settings = settings });
	r = simreader_connect(w.ctx, &w.card);
	assert_int_equal(r, SC_SUCCESS);
	r = simreader_bind(w.card, &w.p15);
	if (bind_error != SC_SUCCESS) {
		assert_int_equal(r, bind_error);
		test_world_close(&w);
		return;
	}
	assert_int_equal(r, SC_SUCCESS);
	assert_non_null(find_object(&w, SC_PKCS15_TYPE_CERT_X509, 1));
	r = compat_pkcs15_read_certificate(w.p15, find_object(&w, SC_PKCS15_TYPE_CERT_X509, 3)->data, 0, &cert);
	if (r == SC_SUCCESS) {
		file = test_world_file("jpki/000B", &len);
		assert_int_equal(cert->data.len, len);
		assert_memory_equal(cert->data.value, file, len);
		free(file);
		sc_pkcs15_free_certificate(cert);
	} else {
		assert_true(r < 0);
		assert_null(cert);
	}
	test_world_close(&w);
}

static void ca_certificate_faults_end_cleanly(void **state)
{
	char setting[48];
	const char *removed[] = { setting, NULL };
	const char *truncated[] = { setting, "truncate_after=10", NULL };
	/* the APDUs before 000B's first READ: connect (SELECT AID, 0006), the
	 * bind's SELECT AID and 000A */
	unsigned long before_ca = 2 + 1 + short_reads("jpki/000A");
	unsigned long apdu;

	for (apdu = before_ca + 1; apdu <= before_ca + short_reads("jpki/000B"); apdu++) {
		/* gone once the APDU before this one is answered */
		snprintf(setting, sizeof setting, "remove_after=%lu", apdu - 1);
		ca_certificate_fault(removed, SC_ERROR_CARD_REMOVED);
		snprintf(setting, sizeof setting, "truncate_apdu=%lu", apdu);
		ca_certificate_fault(truncated, SC_SUCCESS);
	}
}

/* Binds, verifies PIN 1 and signs with key 01; returns the signature's result
 * and, in *sign_apdu, the number of the COMPUTE DIGITAL SIGNATURE APDU. */
static int bind_verify_sign(const char *const *settings, unsigned long *sign_apdu)
{
	u8 digest[32] = { 0 }, signature[512];
	struct test_world w;
	int r;

	test_world_open(&w, settings);
	test_world_bind(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 1, auth_pin, NULL, NULL), SC_SUCCESS);
	/* the read-back of 000A, SELECT 0017, then the signature */
	*sign_apdu = apdu_count(&w) + 3;
	r = compat_pkcs15_compute_signature(w.p15, find_object(&w, SC_PKCS15_TYPE_PRKEY_RSA, 1),
	                                SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256, digest,
	                                sizeof digest, signature, sizeof signature);
	test_world_close(&w);
	return r;
}

/* A signature answer cut short is no signature: an error, not zero-padded
 * bytes handed on as one. */
static void truncated_signature_is_no_signature(void **state)
{
	char setting[48];
	const char *truncated[] = { setting, "truncate_after=100", NULL };
	unsigned long sign_apdu = 0, again = 0;

	assert_int_equal(bind_verify_sign(NULL, &sign_apdu), 256);
	snprintf(setting, sizeof setting, "truncate_apdu=%lu", sign_apdu);
	assert_int_equal(bind_verify_sign(truncated, &again), SC_ERROR_UNKNOWN_DATA_RECEIVED);
	assert_int_equal(again, sign_apdu);
}

static void truncated_certificate_is_corrupt(void **state)
{
	/* APDU 4 is the READ of 000A by SFI (after SELECT AID and READ 0006 by
	 * SFI, and the bind's SELECT AID): cut to 100 bytes, the header says more. */
	const char *settings[] = { "truncate_apdu=4", "truncate_after=100", NULL };
	struct test_world w;
	int r;

	test_world_open(&w, settings);
	test_world_connect(&w);
	r = simreader_bind(w.card, &w.p15);
	assert_int_equal(r, SC_ERROR_CORRUPTED_DATA);
	test_world_close(&w);
}

/* ---- logging: no PIN byte below SC_LOG_DEBUG_PIN ------------------------- */

static void pin_never_logged(void **state)
{
	char conf[512], log_path[] = "/tmp/test-driver-log.XXXXXX";
	char hex[16];
	struct test_world w;
	FILE *log;
	char *text;
	long size;
	int fd;

	fd = mkstemp(log_path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(conf, sizeof conf, "app default { debug = %d; debug_file = %s; framework pkcs15 { } }",
	         SC_LOG_DEBUG_PIN - 1, log_path);
	test_world_open_ex(&w, &(struct test_world_options){ .conf_text = conf });
	test_world_bind(&w);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_VERIFY, 2, sign_pin, NULL, NULL), SC_SUCCESS);
	assert_int_equal(pin_cmd(&w, SC_PIN_CMD_CHANGE, 2, sign_pin, "ZZ9876", NULL), SC_SUCCESS);
	test_world_close(&w);
	log = fopen(log_path, "r");
	assert_non_null(log);
	fseek(log, 0, SEEK_END);
	size = ftell(log);
	fseek(log, 0, SEEK_SET);
	assert_true(size > 1000);      /* the log was written at all */
	text = calloc(1, (size_t)size + 1);
	assert_int_equal(fread(text, 1, (size_t)size, log), (size_t)size);
	fclose(log);
	unlink(log_path);
	assert_null(strstr(text, sign_pin));
	assert_null(strstr(text, "ZZ9876"));
	snprintf(hex, sizeof hex, "%02X %02X %02X", sign_pin[0], sign_pin[1], sign_pin[2]);
	assert_null(strstr(text, hex));
	assert_null(strstr(text, "5A 5A 39 38"));
	free(text);
}

static int setup(void **state)
{
	if (test_world_group_setup(state) != 0)
		return -1;
	auth_pin = test_identity_value(&test_world_identity, "pins", "auth");
	sign_pin = test_identity_value(&test_world_identity, "pins", "sign");
	text_pin = test_identity_value(&test_world_identity, "pins", "text");
	auth_serial = test_identity_value(&test_world_identity, "facts", "auth_serial");
	return auth_pin != NULL && sign_pin != NULL && text_pin != NULL && auth_serial != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	free(auth_pin);
	free(sign_pin);
	free(text_pin);
	free(auth_serial);
	return test_world_group_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect_every_known_atr),
		cmocka_unit_test(detect_unknown_atr_by_aid),
		cmocka_unit_test(never_claim_6a82),
		cmocka_unit_test(detect_forced_asks_again),
		cmocka_unit_test(bind_objects_and_serial),
		cmocka_unit_test(each_public_file_read_once),
		cmocka_unit_test(ca_certificates_read_at_bind),
		cmocka_unit_test(bind_apdu_counts_sfi),
		cmocka_unit_test(bind_apdu_counts_no_sfi),
		cmocka_unit_test(sfi_refused_midway),
		cmocka_unit_test(sfi_read_moves_current_ef),
		cmocka_unit_test(signature_certificate_needs_pin),
		cmocka_unit_test(ap_confirmed_by_read_back),
		cmocka_unit_test(public_key_1_without_pin),
		cmocka_unit_test(impossible_pins_cost_nothing),
		cmocka_unit_test(refused_current_pin_reports_card_tries),
		cmocka_unit_test(value_for_one_pin_never_sent_as_another),
		cmocka_unit_test(verify_right_wrong_and_tries),
		cmocka_unit_test(blocked_pin_6983),
		cmocka_unit_test(blocked_pin_6984),
		cmocka_unit_test(change_pin),
		cmocka_unit_test(signatures_both_keys_all_hashes),
		cmocka_unit_test(signature_without_pin_refused_by_card),
		cmocka_unit_test(sign_pin_left_for_nobody),
		cmocka_unit_test(change_leaves_no_pin_for_others),
		cmocka_unit_test(change_keeps_a_login),
		cmocka_unit_test(change_values_are_offers),
		cmocka_unit_test(offers_outlast_other_values),
		cmocka_unit_test(same_number_for_two_pins),
		cmocka_unit_test(cheap_offers_push_out_nothing),
		cmocka_unit_test(offers_compare_folded_case),
		cmocka_unit_test(garbled_tries_answer_blocks_nothing),
		cmocka_unit_test(change_without_current_value_of_blocked_pin),
		cmocka_unit_test(refused_change_records_no_new_value),
		cmocka_unit_test(impossible_current_pin_of_blocked_pin),
		cmocka_unit_test(blocked_pin_gets_no_value),
		cmocka_unit_test(reset_by_other_client_drops_state),
		cmocka_unit_test(own_reset_drops_state),
		cmocka_unit_test(switches_all_bind),
		cmocka_unit_test(extended_refused_falls_back),
		cmocka_unit_test(truncated_certificate_is_corrupt),
		cmocka_unit_test(truncated_signature_is_no_signature),
		cmocka_unit_test(ca_certificate_faults_end_cleanly),
		cmocka_unit_test(faults_end_cleanly),
		cmocka_unit_test(pin_never_logged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
