/*
 * The text AP through libopensc, in process: our driver and emulator over the
 * virtual card (tests/lib/sim-reader.h). What the issue asks of the layer:
 * opt-in objects, the PIN in front of every byte, the integrity check, and the
 * JPKI keys still usable around it, with no PIN believed verified across an
 * application change.
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

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "libopensc/internal.h"
#include "libopensc/pkcs15.h"

#include "card-jpki/text-ap.h"
#include "common/opensc-compat.h"
#include "sim/jpki-sim.h"

#include "tests/lib/sim-reader.h"
#include "tests/lib/test-world.h"

#define CONF_CARD_INFO \
	"app default {\n" \
	"  card_driver mynumber { card_info = yes; }\n" \
	"  framework pkcs15 { }\n" \
	"}\n"
#define CONF_CARD_INFO_NO_PIN_CACHE \
	"app default {\n" \
	"  card_driver mynumber { card_info = yes; }\n" \
	"  framework pkcs15 { use_pin_caching = no; }\n" \
	"}\n"
#define CONF_CARD_INFO_CACHE_ALL \
	"app default {\n" \
	"  card_driver mynumber { card_info = yes; }\n" \
	"  framework pkcs15 { use_file_caching = yes; }\n" \
	"}\n"
#define CONF_DEFAULT \
	"app default {\n" \
	"  card_driver mynumber { }\n" \
	"  framework pkcs15 { }\n" \
	"}\n"

/* The text AP's SELECT as the sim's trace prints it. */
#define TRACE_TEXT_AP_SELECT "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"

static const char *const labels[MYNUMBER_FIELD_COUNT] = {
	"My Number", "Name", "Address", "Date of Birth", "Sex"
};
static const char *const fact_keys[MYNUMBER_FIELD_COUNT] = {
	"my_number", "name", "address", "birth", "sex"
};

/* Every world here is bound by our emulator, with the sim's trace kept to
 * count the APDUs it saw. */
static void world_open(struct test_world *w, const char *conf_text, const char *setting)
{
	const char *const settings[] = { setting, NULL };
	const struct test_world_options opts = { .conf_text = conf_text, .sim_settings = settings, .trace = true };

	test_world_open_ex(w, &opts);
	test_world_bind(w);
}

/* How many trace lines contain needle. */
static int trace_count(struct test_world *w, const char *needle)
{
	char line[1024];
	int count = 0;

	fflush(w->trace);
	rewind(w->trace);
	while (fgets(line, sizeof(line), w->trace) != NULL)
		if (strstr(line, needle) != NULL)
			count++;
	fseek(w->trace, 0, SEEK_END);
	return count;
}

static struct sc_pkcs15_object *pin_object(struct test_world *w, unsigned auth_id)
{
	struct sc_pkcs15_id id = { .len = 1 };
	struct sc_pkcs15_object *obj = NULL;

	id.value[0] = (u8)auth_id;
	assert_int_equal(sc_pkcs15_find_pin_by_auth_id(w->p15, &id, &obj), SC_SUCCESS);
	return obj;
}

static int verify_pin(struct test_world *w, unsigned auth_id, const char *pin)
{
	return sc_pkcs15_verify_pin(w->p15, pin_object(w, auth_id), (const u8 *)pin, strlen(pin));
}

static int verify_pin_from_file(struct test_world *w, unsigned auth_id, const char *which)
{
	char *pin = test_world_fact("pins", which);
	int r = verify_pin(w, auth_id, pin);

	free(pin);
	return r;
}

static struct sc_pkcs15_object *data_object(struct test_world *w, enum mynumber_text_field field)
{
	struct sc_pkcs15_object *objs[16];
	int count = sc_pkcs15_get_objects(w->p15, SC_PKCS15_TYPE_DATA_OBJECT, objs, 16);
	int i;

	for (i = 0; i < count; i++)
		if (strcmp(objs[i]->label, labels[field]) == 0)
			return objs[i];
	fail_msg("no data object '%s'", labels[field]);
	return NULL;
}

/* Reads a field the way pkcs15-tool does, but leaves nothing behind in the
 * object (sc_pkcs15_read_data_object keeps what it read in the object's info,
 * which would answer the next read without the card). */
static int read_field(struct test_world *w, enum mynumber_text_field field, u8 **value, size_t *len)
{
	struct sc_pkcs15_object *obj = data_object(w, field);
	struct sc_pkcs15_data_info *info = obj->data;
	struct sc_pkcs15_data *data = NULL;
	int r;

	*value = NULL;
	*len = 0;
	r = compat_pkcs15_read_data_object(w->p15, info, 1, &data);
	if (info->data.value != NULL) {
		memset(info->data.value, 0, info->data.len);
		free(info->data.value);
		info->data.value = NULL;
		info->data.len = 0;
	}
	if (r == SC_SUCCESS) {
		*value = data->data;
		*len = data->data_len;
		data->data = NULL;
		sc_pkcs15_free_data_object(data);
	}
	return r;
}

static void assert_field_is_fact(struct test_world *w, enum mynumber_text_field field)
{
	char *expected = test_world_fact("facts", fact_keys[field]);
	u8 *value = NULL;
	size_t len = 0;

	assert_int_equal(read_field(w, field, &value, &len), SC_SUCCESS);
	assert_int_equal(len, strlen(expected));
	assert_memory_equal(value, expected, len);
	free(value);
	free(expected);
}

static void assert_field_refused(struct test_world *w, enum mynumber_text_field field, int expected_error)
{
	u8 *value = NULL;
	size_t len = 0;

	assert_int_equal(read_field(w, field, &value, &len), expected_error);
	assert_null(value);
}

/* Signs a SHA-256 digest with the authentication key (ID 01) and checks the
 * signature against the authentication certificate from the identity. */
static int sign_with_auth_key(struct test_world *w)
{
	static const u8 digest[32] = { 0x5A, 0x01, 0x02, 0x03 };
	struct sc_pkcs15_id key_id = { .value = { 0x01 }, .len = 1 };
	struct sc_pkcs15_object *key = NULL;
	u8 signature[512];
	size_t cert_len = 0;
	uint8_t *cert_der;
	const unsigned char *p;
	X509 *cert;
	EVP_PKEY_CTX *verify_ctx;
	int r;

	assert_int_equal(sc_pkcs15_find_prkey_by_id(w->p15, &key_id, &key), SC_SUCCESS);
	r = compat_pkcs15_compute_signature(w->p15, key, SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256,
	                                digest, sizeof(digest), signature, sizeof(signature));
	if (r < 0)
		return r;
	assert_int_equal(r, 256);

	cert_der = test_world_file("jpki/000A", &cert_len);
	p = cert_der;
	cert = d2i_X509(NULL, &p, (long)cert_len);
	assert_non_null(cert);
	verify_ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(cert), NULL);
	assert_non_null(verify_ctx);
	assert_int_equal(EVP_PKEY_verify_init(verify_ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(verify_ctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(verify_ctx, EVP_sha256()), 1);
	assert_int_equal(EVP_PKEY_verify(verify_ctx, signature, 256, digest, sizeof(digest)), 1);
	EVP_PKEY_CTX_free(verify_ctx);
	X509_free(cert);
	free(cert_der);
	return SC_SUCCESS;
}

/* ---- opt-in ------------------------------------------------------------------ */

static void test_card_info_objects_listed(void **state)
{
	static const u8 text_aid[] = { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
	struct sc_pkcs15_object *objs[16];
	struct sc_pkcs15_object *pin;
	struct sc_pkcs15_auth_info *pin_info;
	struct test_world w;
	int count;
	int i;

	world_open(&w, CONF_CARD_INFO, NULL);
	pin = pin_object(&w, 0x03);
	pin_info = pin->data;
	assert_string_equal(pin->label, "Card Info Input Support PIN");
	assert_int_equal(pin_info->attrs.pin.reference, 3);
	assert_int_equal(pin_info->attrs.pin.min_length, 4);
	assert_int_equal(pin_info->attrs.pin.max_length, 4);
	assert_int_equal(pin_info->max_tries, 3);
	/* Asked from the card at bind, without spending a try, where the
	 * release's pkcs15-tool does not ask itself (opensc-compat.h). */
	assert_int_equal(pin_info->tries_left, COMPAT_BIND_ASKS_TRIES ? 3 : -1);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);

	count = sc_pkcs15_get_objects(w.p15, SC_PKCS15_TYPE_DATA_OBJECT, objs, 16);
	assert_int_equal(count, MYNUMBER_FIELD_COUNT);
	for (i = 0; i < count; i++) {
		struct sc_pkcs15_data_info *info = objs[i]->data;

		assert_string_equal(objs[i]->label, labels[i]);
		assert_true(objs[i]->flags & SC_PKCS15_CO_FLAG_PRIVATE);
		assert_int_equal(objs[i]->auth_id.len, 1);
		assert_int_equal(objs[i]->auth_id.value[0], 0x03);
		assert_int_equal(info->path.len, 2);
		assert_int_equal((info->path.value[0] << 8) | info->path.value[1], MYNUMBER_TEXT_VFID_FIRST + i);
		assert_int_equal(info->path.aid.len, sizeof(text_aid));
		assert_memory_equal(info->path.aid.value, text_aid, sizeof(text_aid));
		assert_null(info->data.value);
	}
	test_world_close(&w);
}

static void test_nothing_without_card_info(void **state)
{
	struct sc_pkcs15_object *objs[16];
	struct sc_pkcs15_id text_id = { .value = { 0x03 }, .len = 1 };
	struct sc_pkcs15_object *pin = NULL;
	struct test_world w;

	world_open(&w, CONF_DEFAULT, NULL);
	assert_int_equal(sc_pkcs15_get_objects(w.p15, SC_PKCS15_TYPE_DATA_OBJECT, objs, 16), 0);
	assert_int_equal(sc_pkcs15_find_pin_by_auth_id(w.p15, &text_id, &pin), SC_ERROR_OBJECT_NOT_FOUND);
	/* The JPKI PINs are there: the emulator did bind. */
	assert_non_null(pin_object(&w, 0x01));
	assert_true(trace_count(&w, " 00 A4 ") > 0);
	assert_int_equal(trace_count(&w, TRACE_TEXT_AP_SELECT), 0);
	test_world_close(&w);
}

/* use_file_caching = yes would put private files on disk: turned down. */
static void test_file_cache_kept_to_public(void **state)
{
	struct test_world w;

	world_open(&w, CONF_CARD_INFO_CACHE_ALL, NULL);
	assert_int_equal(w.p15->opts.use_file_cache, COMPAT_FILE_CACHE_PUBLIC);
	test_world_close(&w);
}

/* ---- the PIN in front of every byte ------------------------------------------ */

static void test_no_pin_no_data_no_apdu(void **state)
{
	struct test_world w;
	unsigned long reads_before;
	int field;

	world_open(&w, CONF_CARD_INFO, NULL);
	reads_before = jpki_sim_counters(w.sim)->by_ins[0xB0];
	for (field = 0; field < MYNUMBER_FIELD_COUNT; field++)
		assert_field_refused(&w, field, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
	assert_int_equal(jpki_sim_counters(w.sim)->by_ins[0xB0], reads_before);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	test_world_close(&w);
}

static void test_each_field_with_the_pin(void **state)
{
	struct test_world w;
	int field;

	world_open(&w, CONF_CARD_INFO, NULL);
	assert_int_equal(verify_pin_from_file(&w, 0x03, "text"), SC_SUCCESS);
	for (field = 0; field < MYNUMBER_FIELD_COUNT; field++)
		assert_field_is_fact(&w, field);
	assert_true(trace_count(&w, TRACE_TEXT_AP_SELECT) > 0);
	test_world_close(&w);
}

static void test_decoded_once_per_verification(void **state)
{
	struct test_world w;
	unsigned long reads_after_first;
	int field;

	world_open(&w, CONF_CARD_INFO, NULL);
	assert_int_equal(verify_pin_from_file(&w, 0x03, "text"), SC_SUCCESS);
	assert_field_is_fact(&w, MYNUMBER_FIELD_NAME);
	reads_after_first = jpki_sim_counters(w.sim)->by_ins[0xB0];
	for (field = 0; field < MYNUMBER_FIELD_COUNT; field++)
		assert_field_is_fact(&w, field);
	assert_int_equal(jpki_sim_counters(w.sim)->by_ins[0xB0], reads_after_first);
	test_world_close(&w);
}

static void test_wrong_pin_discloses_nothing(void **state)
{
	struct test_world w;
	char *right = test_world_fact("pins", "text");
	char wrong[5];

	memcpy(wrong, right, 5);
	wrong[0] = (char)('0' + (right[0] - '0' + 1) % 10);
	world_open(&w, CONF_CARD_INFO, NULL);
	assert_int_equal(verify_pin(&w, 0x03, wrong), SC_ERROR_PIN_CODE_INCORRECT);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 2);
	assert_field_refused(&w, MYNUMBER_FIELD_NAME, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
	assert_int_equal(verify_pin(&w, 0x03, right), SC_SUCCESS);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	assert_field_is_fact(&w, MYNUMBER_FIELD_NAME);
	/* A wrong PIN after a right one takes the verified state away again. */
	assert_int_equal(verify_pin(&w, 0x03, wrong), SC_ERROR_PIN_CODE_INCORRECT);
	assert_field_refused(&w, MYNUMBER_FIELD_ADDRESS, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
	free(right);
	test_world_close(&w);
}

/* No value reaches the card. OpenSC 0.22's sc_pkcs15_verify_pin asks the
 * tries (a VERIFY without data) before an empty PIN; that carries none. */
static void test_impossible_pins_never_reach_the_card(void **state)
{
	static const char *const impossible[] = { "", "123", "12345", "12a4", "１２３４", "12 4" };
	struct test_world w;
	unsigned long values_before;
	size_t i;

	world_open(&w, CONF_CARD_INFO, NULL);
	values_before = jpki_sim_counters(w.sim)->pin_values;
	for (i = 0; i < sizeof(impossible) / sizeof(impossible[0]); i++)
		assert_int_not_equal(verify_pin(&w, 0x03, impossible[i]), SC_SUCCESS);
	assert_int_equal(jpki_sim_counters(w.sim)->pin_values, values_before);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	test_world_close(&w);
}

/* ---- integrity ---------------------------------------------------------------- */

static void test_tampered_basic_info_is_corrupted_data(void **state)
{
	struct test_world w;
	int field;

	world_open(&w, CONF_CARD_INFO, "tamper_text_basic_info=yes");
	assert_int_equal(verify_pin_from_file(&w, 0x03, "text"), SC_SUCCESS);
	/* All or nothing: EF 0001 is intact, but no field of a card that fails
	 * its own check is handed out. */
	for (field = 0; field < MYNUMBER_FIELD_COUNT; field++)
		assert_field_refused(&w, field, SC_ERROR_CORRUPTED_DATA);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	test_world_close(&w);
}

/* ---- switching between the text AP and the JPKI AP ---------------------------- */

static void test_signing_after_card_info_with_pin_cache(void **state)
{
	struct test_world w;

	world_open(&w, CONF_CARD_INFO, NULL);
	assert_int_equal(verify_pin_from_file(&w, 0x01, "auth"), SC_SUCCESS);
	assert_int_equal(sign_with_auth_key(&w), SC_SUCCESS);

	assert_int_equal(verify_pin_from_file(&w, 0x03, "text"), SC_SUCCESS);
	assert_field_is_fact(&w, MYNUMBER_FIELD_MY_NUMBER);

	/* Back in the JPKI AP the card forgot PIN 1; OpenSC's PIN cache
	 * verifies it again on the driver's "not verified". */
	assert_int_equal(sign_with_auth_key(&w), SC_SUCCESS);

	/* The text AP was left, but what this process was shown under the PIN
	 * (read in the VERIFY's transaction) stays until logout: no APDU. */
	{
		unsigned long before = jpki_sim_counters(w.sim)->apdus;

		assert_field_is_fact(&w, MYNUMBER_FIELD_NAME);
		assert_int_equal(jpki_sim_counters(w.sim)->apdus, before);
	}
	assert_int_equal(verify_pin_from_file(&w, 0x03, "text"), SC_SUCCESS);
	assert_field_is_fact(&w, MYNUMBER_FIELD_NAME);
	assert_int_equal(sign_with_auth_key(&w), SC_SUCCESS);
	test_world_close(&w);
}

static void test_values_outlive_ap_change(void **state)
{
	struct test_world w;

	world_open(&w, CONF_CARD_INFO_NO_PIN_CACHE, NULL);
	assert_int_equal(verify_pin_from_file(&w, 0x01, "auth"), SC_SUCCESS);
	assert_int_equal(verify_pin_from_file(&w, 0x03, "text"), SC_SUCCESS);
	assert_field_is_fact(&w, MYNUMBER_FIELD_ADDRESS);
	/* Without the PIN cache nothing re-verifies PIN 1: the signature must be
	 * refused, not attempted on a card that forgot the PIN. */
	assert_int_equal(sign_with_auth_key(&w), SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
	assert_int_equal(verify_pin_from_file(&w, 0x01, "auth"), SC_SUCCESS);
	assert_int_equal(sign_with_auth_key(&w), SC_SUCCESS);
	/* the values read under the text PIN stay this process's */
	assert_field_is_fact(&w, MYNUMBER_FIELD_ADDRESS);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_AUTH), 3);
	assert_int_equal(jpki_sim_tries_left(w.sim, JPKI_SIM_PIN_TEXT), 3);
	test_world_close(&w);
}

static void test_logout_forgets(void **state)
{
	struct test_world w;

	world_open(&w, CONF_CARD_INFO, NULL);
	assert_int_equal(verify_pin_from_file(&w, 0x03, "text"), SC_SUCCESS);
	assert_field_is_fact(&w, MYNUMBER_FIELD_SEX);
	assert_int_equal(sc_logout(w.card), SC_SUCCESS);
	assert_field_refused(&w, MYNUMBER_FIELD_SEX, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
	test_world_close(&w);
}

/* ---- the layer's own argument checks ------------------------------------------ */

static void test_read_field_arguments(void **state)
{
	struct test_world w;
	unsigned char out[64];
	size_t out_len = 99;

	world_open(&w, CONF_CARD_INFO, NULL);
	assert_int_equal(mynumber_text_read_field(w.card, MYNUMBER_FIELD_COUNT, out, sizeof(out), &out_len),
	                 SC_ERROR_INVALID_ARGUMENTS);
	assert_int_equal(mynumber_text_read_field(w.card, MYNUMBER_FIELD_NAME, NULL, 0, &out_len),
	                 SC_ERROR_INVALID_ARGUMENTS);
	assert_int_equal(out_len, 99);
	assert_int_equal(verify_pin_from_file(&w, 0x03, "text"), SC_SUCCESS);
	assert_int_equal(mynumber_text_read_field(w.card, MYNUMBER_FIELD_MY_NUMBER, out, 11, &out_len),
	                 SC_ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(mynumber_text_read_field(w.card, MYNUMBER_FIELD_MY_NUMBER, out, 12, &out_len),
	                 SC_SUCCESS);
	assert_int_equal(out_len, 12);
	test_world_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_card_info_objects_listed),
		cmocka_unit_test(test_nothing_without_card_info),
		cmocka_unit_test(test_file_cache_kept_to_public),
		cmocka_unit_test(test_no_pin_no_data_no_apdu),
		cmocka_unit_test(test_each_field_with_the_pin),
		cmocka_unit_test(test_decoded_once_per_verification),
		cmocka_unit_test(test_wrong_pin_discloses_nothing),
		cmocka_unit_test(test_impossible_pins_never_reach_the_card),
		cmocka_unit_test(test_tampered_basic_info_is_corrupted_data),
		cmocka_unit_test(test_signing_after_card_info_with_pin_cache),
		cmocka_unit_test(test_values_outlive_ap_change),
		cmocka_unit_test(test_logout_forgets),
		cmocka_unit_test(test_read_field_arguments),
	};

	return cmocka_run_group_tests(tests, test_world_group_setup, test_world_group_teardown);
}
