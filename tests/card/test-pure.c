/*
 * The driver's pure parts, without a card: DER headers, PIN rules, EF 0006,
 * certificate serial and key. Malformed inputs included; runs under ASan/UBSan.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "libopensc/errors.h"

#include "card-jpki/der-header.h"
#include "card-jpki/jpki-cert.h"
#include "card-jpki/jpki-pin.h"
#include "card-jpki/token-info.h"

/* ---- DER headers --------------------------------------------------------- */

static void der_short_form(void **state)
{
	static const uint8_t buf[] = { 0x30, 0x05, 1, 2, 3, 4, 5 };
	struct der_header h;

	assert_int_equal(der_header_parse(buf, sizeof buf, DER_HEADER_STRICT, &h), DER_HEADER_OK);
	assert_int_equal(h.tag, 0x30);
	assert_int_equal(h.header_len, 2);
	assert_int_equal(h.value_len, 5);
	assert_int_equal(h.total_len, 7);
}

static void der_long_forms(void **state)
{
	static const uint8_t one[] = { 0x30, 0x81, 0xC8 };
	static const uint8_t two[] = { 0x30, 0x82, 0x06, 0x2B };
	static const uint8_t three[] = { 0x30, 0x83, 0x01, 0x00, 0x00 };
	static const uint8_t four[] = { 0x30, 0x84, 0x01, 0x00, 0x00, 0x00 };
	struct der_header h;

	assert_int_equal(der_header_parse(one, sizeof one, DER_HEADER_STRICT, &h), DER_HEADER_OK);
	assert_int_equal(h.total_len, 3 + 0xC8);
	assert_int_equal(der_header_parse(two, sizeof two, DER_HEADER_STRICT, &h), DER_HEADER_OK);
	assert_int_equal(h.total_len, 1583);  /* jpki-card.md's example certificate */
	assert_int_equal(der_header_parse(three, sizeof three, DER_HEADER_STRICT, &h), DER_HEADER_OK);
	assert_int_equal(h.value_len, 0x10000);
	assert_int_equal(h.header_len, 5);
	assert_int_equal(der_header_parse(four, sizeof four, DER_HEADER_STRICT, &h), DER_HEADER_OK);
	assert_int_equal(h.value_len, 0x1000000);
}

static void der_multibyte_tags(void **state)
{
	static const uint8_t text_ef[] = { 0xFF, 0x10, 0x0C };
	static const uint8_t cv_cert[] = { 0x7F, 0x21, 0x82, 0x01, 0x00 };
	static const uint8_t three_byte[] = { 0xDF, 0x81, 0x01, 0x02 };
	static const uint8_t four_byte[] = { 0xDF, 0x81, 0x81, 0x01, 0x02 };
	struct der_header h;

	assert_int_equal(der_header_parse(text_ef, sizeof text_ef, 0, &h), DER_HEADER_OK);
	assert_int_equal(h.tag, 0xFF10);
	assert_int_equal(h.total_len, 3 + 12);
	assert_int_equal(der_header_parse(cv_cert, sizeof cv_cert, 0, &h), DER_HEADER_OK);
	assert_int_equal(h.tag, 0x7F21);
	assert_int_equal(h.total_len, 5 + 256);
	assert_int_equal(der_header_parse(three_byte, sizeof three_byte, 0, &h), DER_HEADER_OK);
	assert_int_equal(h.tag, 0xDF8101);
	assert_int_equal(der_header_parse(four_byte, sizeof four_byte, 0, &h), DER_HEADER_INVALID);
}

static void der_malformed(void **state)
{
	static const uint8_t indefinite[] = { 0x30, 0x80 };
	static const uint8_t five_bytes[] = { 0x30, 0x85, 1, 1, 1, 1, 1 };
	static const uint8_t nonminimal_81[] = { 0x30, 0x81, 0x05 };
	static const uint8_t nonminimal_82[] = { 0x30, 0x82, 0x00, 0x90 };
	static const uint8_t cut_long[] = { 0x30, 0x82, 0x06 };
	static const uint8_t cut_tag[] = { 0x7F };
	static const uint8_t only_tag[] = { 0x30 };
	struct der_header h = { 0 };

	assert_int_equal(der_header_parse(indefinite, sizeof indefinite, 0, &h), DER_HEADER_INVALID);
	assert_int_equal(der_header_parse(five_bytes, sizeof five_bytes, 0, &h), DER_HEADER_INVALID);
	assert_int_equal(der_header_parse(nonminimal_81, sizeof nonminimal_81, DER_HEADER_STRICT, &h),
	                 DER_HEADER_INVALID);
	assert_int_equal(der_header_parse(nonminimal_82, sizeof nonminimal_82, DER_HEADER_STRICT, &h),
	                 DER_HEADER_INVALID);
	/* BER allows them, and the text AP's files may use them. */
	assert_int_equal(der_header_parse(nonminimal_81, sizeof nonminimal_81, 0, &h), DER_HEADER_OK);
	assert_int_equal(h.total_len, 3 + 5);
	assert_int_equal(der_header_parse(cut_long, sizeof cut_long, 0, &h), DER_HEADER_TRUNCATED);
	assert_int_equal(der_header_parse(cut_tag, sizeof cut_tag, 0, &h), DER_HEADER_TRUNCATED);
	assert_int_equal(der_header_parse(only_tag, sizeof only_tag, 0, &h), DER_HEADER_TRUNCATED);
	assert_int_equal(der_header_parse(only_tag, 0, 0, &h), DER_HEADER_TRUNCATED);
	assert_int_equal(der_header_parse(NULL, 4, 0, &h), DER_HEADER_INVALID);
}

/* Every prefix of every byte pattern: no over-read (ASan watches). */
static void der_every_short_input(void **state)
{
	struct der_header h;
	uint8_t *buf;
	size_t len;
	unsigned first, second;

	for (first = 0; first < 256; first++) {
		for (second = 0; second < 256; second += 7) {
			for (len = 0; len <= 3; len++) {
				buf = malloc(len ? len : 1);
				assert_non_null(buf);
				if (len > 0)
					buf[0] = (uint8_t)first;
				if (len > 1)
					buf[1] = (uint8_t)second;
				if (len > 2)
					buf[2] = 0x84;
				(void)der_header_parse(buf, len, DER_HEADER_STRICT, &h);
				(void)der_header_parse(buf, len, 0, &h);
				free(buf);
			}
		}
	}
}

/* ---- PIN rules ----------------------------------------------------------- */

static enum jpki_pin_verdict check(int ref, const char *pin, char *out_text)
{
	uint8_t out[JPKI_PIN_MAX_LEN];
	size_t out_len = 0;
	enum jpki_pin_verdict verdict;

	memset(out, 0xAA, sizeof out);
	verdict = jpki_pin_normalize(jpki_pin_rule_for(ref), (const uint8_t *)pin, strlen(pin),
	                             out, sizeof out, &out_len);
	if (out_text != NULL) {
		memcpy(out_text, out, verdict == JPKI_PIN_ACCEPTABLE ? out_len : 0);
		out_text[verdict == JPKI_PIN_ACCEPTABLE ? out_len : 0] = '\0';
	}
	return verdict;
}

static void pin_rules_table(void **state)
{
	const struct jpki_pin_rule *rule;

	rule = jpki_pin_rule_for(JPKI_PIN_REF_AUTH);
	assert_non_null(rule);
	assert_int_equal(rule->pin_ef, 0x0018);
	assert_int_equal(rule->ap, JPKI_AP_JPKI);
	assert_int_equal(rule->max_tries, 3);
	rule = jpki_pin_rule_for(JPKI_PIN_REF_SIGN);
	assert_non_null(rule);
	assert_int_equal(rule->pin_ef, 0x001B);
	assert_int_equal(rule->min_len, 6);
	assert_int_equal(rule->max_len, 16);
	assert_int_equal(rule->max_tries, 5);
	rule = jpki_pin_rule_for(JPKI_PIN_REF_TEXT);
	assert_non_null(rule);
	assert_int_equal(rule->pin_ef, 0x0011);
	assert_int_equal(rule->ap, JPKI_AP_TEXT);
	assert_null(jpki_pin_rule_for(0));
	assert_null(jpki_pin_rule_for(4));
	assert_null(jpki_pin_rule_for(-1));
}

static void pin_auth_and_text(void **state)
{
	char out[32];
	int refs[] = { JPKI_PIN_REF_AUTH, JPKI_PIN_REF_TEXT };
	size_t i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(check(refs[i], "0123", out), JPKI_PIN_ACCEPTABLE);
		assert_string_equal(out, "0123");
		assert_int_equal(check(refs[i], "123", NULL), JPKI_PIN_WRONG_LENGTH);
		assert_int_equal(check(refs[i], "12345", NULL), JPKI_PIN_WRONG_LENGTH);
		assert_int_equal(check(refs[i], "", NULL), JPKI_PIN_WRONG_LENGTH);
		assert_int_equal(check(refs[i], "12a4", NULL), JPKI_PIN_WRONG_CHARACTER);
		assert_int_equal(check(refs[i], "12A4", NULL), JPKI_PIN_WRONG_CHARACTER);
		assert_int_equal(check(refs[i], "12 4", NULL), JPKI_PIN_WRONG_CHARACTER);
		assert_int_equal(check(refs[i], "\xef\xbc\x91\x32", NULL), JPKI_PIN_WRONG_CHARACTER);
	}
}

static void pin_signature_password(void **state)
{
	char out[32];

	assert_int_equal(check(JPKI_PIN_REF_SIGN, "ABC123", out), JPKI_PIN_ACCEPTABLE);
	assert_string_equal(out, "ABC123");
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "abc123xyz", out), JPKI_PIN_ACCEPTABLE);
	assert_string_equal(out, "ABC123XYZ");
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "0123456789ABCDEF", out), JPKI_PIN_ACCEPTABLE);
	assert_string_equal(out, "0123456789ABCDEF");
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "ABC12", NULL), JPKI_PIN_WRONG_LENGTH);
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "0123456789ABCDEFG", NULL), JPKI_PIN_WRONG_LENGTH);
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "ABC-123", NULL), JPKI_PIN_WRONG_CHARACTER);
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "ABC 123", NULL), JPKI_PIN_WRONG_CHARACTER);
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "ABC_123", NULL), JPKI_PIN_WRONG_CHARACTER);
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "ABC\xc3\xa9" "12", NULL), JPKI_PIN_WRONG_CHARACTER);
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "ABC[12", NULL), JPKI_PIN_WRONG_CHARACTER);
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "ABC@12", NULL), JPKI_PIN_WRONG_CHARACTER);
	assert_int_equal(check(JPKI_PIN_REF_SIGN, "abc{12", NULL), JPKI_PIN_WRONG_CHARACTER);
}

static void pin_output_untouched_on_refusal(void **state)
{
	uint8_t out[JPKI_PIN_MAX_LEN];
	size_t out_len = 99;
	size_t i;

	memset(out, 0x5A, sizeof out);
	assert_int_equal(jpki_pin_normalize(jpki_pin_rule_for(JPKI_PIN_REF_SIGN), (const uint8_t *)"abc-12", 6,
	                                    out, sizeof out, &out_len), JPKI_PIN_WRONG_CHARACTER);
	for (i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], 0x5A);
	assert_int_equal(out_len, 99);
	/* An output buffer smaller than the PIN is refused, not overrun. */
	assert_int_equal(jpki_pin_normalize(jpki_pin_rule_for(JPKI_PIN_REF_SIGN), (const uint8_t *)"ABCDEFGH", 8,
	                                    out, 7, &out_len), JPKI_PIN_WRONG_LENGTH);
	assert_int_equal(jpki_pin_normalize(NULL, (const uint8_t *)"1234", 4, out, sizeof out, &out_len),
	                 JPKI_PIN_WRONG_LENGTH);
	assert_int_equal(jpki_pin_normalize(jpki_pin_rule_for(JPKI_PIN_REF_AUTH), NULL, 4, out, sizeof out,
	                                    &out_len), JPKI_PIN_WRONG_LENGTH);
}

/* ---- EF 0006 ------------------------------------------------------------- */

static void token_info_kinds(void **state)
{
	assert_int_equal(jpki_token_info_classify((const uint8_t *)"JPKIAPICCTOKEN2     ", 20),
	                 JPKI_KIND_MY_NUMBER_CARD);
	assert_int_equal(jpki_token_info_classify((const uint8_t *)"JPKIAPICCTOKEN      ", 20),
	                 JPKI_KIND_JUKI_CARD);
	assert_int_equal(jpki_token_info_classify((const uint8_t *)"JPKIAPICCTOKEN2", 15),
	                 JPKI_KIND_MY_NUMBER_CARD);
	assert_int_equal(jpki_token_info_classify((const uint8_t *)"JPKIAPICCTOKEN3     ", 20), JPKI_KIND_UNKNOWN);
	assert_int_equal(jpki_token_info_classify((const uint8_t *)"JPKIAPICCTOKE", 13), JPKI_KIND_UNKNOWN);
	assert_int_equal(jpki_token_info_classify((const uint8_t *)" JPKIAPICCTOKEN2", 16), JPKI_KIND_UNKNOWN);
	assert_int_equal(jpki_token_info_classify((const uint8_t *)"JPKIAPICCTOKEN2X", 16), JPKI_KIND_UNKNOWN);
	assert_int_equal(jpki_token_info_classify((const uint8_t *)"", 0), JPKI_KIND_UNKNOWN);
	assert_int_equal(jpki_token_info_classify(NULL, 20), JPKI_KIND_UNKNOWN);
	assert_string_equal(jpki_token_kind_name(JPKI_KIND_MY_NUMBER_CARD), "My Number Card (JPKI)");
}

/* ---- certificates -------------------------------------------------------- */

/* A throwaway self-signed certificate with the given serial and RSA size. */
static uint8_t *make_cert(const uint8_t *serial, size_t serial_len, int negative, int bits, size_t *len)
{
	EVP_PKEY *key = EVP_RSA_gen((unsigned)bits);
	X509 *cert = X509_new();
	BIGNUM *bn = BN_bin2bn(serial, (int)serial_len, NULL);
	ASN1_INTEGER *serial_int;
	unsigned char *der = NULL;
	int der_len;

	assert_non_null(key);
	assert_non_null(cert);
	assert_non_null(bn);
	BN_set_negative(bn, negative);
	serial_int = BN_to_ASN1_INTEGER(bn, NULL);
	X509_set_version(cert, 2);
	X509_set_serialNumber(cert, serial_int);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
	                           (const unsigned char *)"test", -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	X509_set_pubkey(cert, key);
	assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
	der_len = i2d_X509(cert, &der);
	assert_true(der_len > 0);
	*len = (size_t)der_len;
	ASN1_INTEGER_free(serial_int);
	BN_free(bn);
	X509_free(cert);
	EVP_PKEY_free(key);
	return der;
}

static void cert_serial_and_key(void **state)
{
	static const uint8_t serial[] = { 0x0A, 0xBC, 0x00, 0xFF };
	struct jpki_cert_key key;
	char hex[64];
	uint8_t *raw = NULL, *spki = NULL;
	size_t len, raw_len = 0, spki_len = 0;
	uint8_t *der = make_cert(serial, sizeof serial, 0, 2048, &len);

	assert_int_equal(jpki_cert_serial_hex(der, len, hex, sizeof hex), SC_SUCCESS);
	assert_string_equal(hex, "0ABC00FF");
	assert_int_equal(jpki_cert_key_info(der, len, &key), SC_SUCCESS);
	assert_int_equal(key.type, JPKI_KEY_RSA);
	assert_int_equal(key.bits, 2048);
	assert_int_equal(jpki_cert_public_key_raw(der, len, &raw, &raw_len), SC_SUCCESS);
	assert_int_equal(raw[0], 0x30);          /* RSAPublicKey SEQUENCE */
	assert_int_equal(jpki_cert_spki(der, len, &spki, &spki_len), SC_SUCCESS);
	assert_int_equal(spki[0], 0x30);
	assert_true(spki_len > raw_len);
	/* the raw key is the tail of the SPKI's BIT STRING */
	assert_memory_equal(spki + spki_len - raw_len, raw, raw_len);
	/* too small an output buffer */
	assert_int_equal(jpki_cert_serial_hex(der, len, hex, 8), SC_ERROR_BUFFER_TOO_SMALL);
	assert_string_equal(hex, "");
	free(raw);
	free(spki);
	OPENSSL_free(der);
}

static void cert_small_key_size_from_cert(void **state)
{
	static const uint8_t serial[] = { 0x01 };
	struct jpki_cert_key key;
	size_t len;
	uint8_t *der = make_cert(serial, sizeof serial, 0, 1024, &len);

	assert_int_equal(jpki_cert_key_info(der, len, &key), SC_SUCCESS);
	assert_int_equal(key.bits, 1024);
	OPENSSL_free(der);
}

static void cert_rejects(void **state)
{
	static const uint8_t zero[] = { 0x00 };
	static const uint8_t serial[] = { 0x12, 0x34 };
	char hex[64];
	struct jpki_cert_key key;
	uint8_t *raw = NULL;
	size_t len, raw_len, cut;
	uint8_t *der = make_cert(zero, sizeof zero, 0, 1024, &len);
	uint8_t *padded;

	/* serial zero would collide like "00000000" */
	assert_int_equal(jpki_cert_serial_hex(der, len, hex, sizeof hex), SC_ERROR_INVALID_DATA);
	OPENSSL_free(der);
	der = make_cert(serial, sizeof serial, 1, 1024, &len);
	assert_int_equal(jpki_cert_serial_hex(der, len, hex, sizeof hex), SC_ERROR_INVALID_DATA);
	OPENSSL_free(der);

	der = make_cert(serial, sizeof serial, 0, 1024, &len);
	/* every truncation is refused, none over-reads */
	for (cut = 0; cut < len; cut += 13) {
		assert_int_equal(jpki_cert_serial_hex(der, cut, hex, sizeof hex), SC_ERROR_INVALID_ASN1_OBJECT);
		assert_int_equal(jpki_cert_key_info(der, cut, &key), SC_ERROR_INVALID_ASN1_OBJECT);
		assert_int_equal(jpki_cert_public_key_raw(der, cut, &raw, &raw_len), SC_ERROR_INVALID_ASN1_OBJECT);
	}
	/* trailing bytes: one certificate per file, nothing else */
	padded = malloc(len + 1);
	assert_non_null(padded);
	memcpy(padded, der, len);
	padded[len] = 0xFF;
	assert_int_equal(jpki_cert_serial_hex(padded, len + 1, hex, sizeof hex), SC_ERROR_INVALID_ASN1_OBJECT);
	free(padded);
	OPENSSL_free(der);
	assert_int_equal(jpki_cert_serial_hex(NULL, 10, hex, sizeof hex), SC_ERROR_INVALID_ASN1_OBJECT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(der_short_form),
		cmocka_unit_test(der_long_forms),
		cmocka_unit_test(der_multibyte_tags),
		cmocka_unit_test(der_malformed),
		cmocka_unit_test(der_every_short_input),
		cmocka_unit_test(pin_rules_table),
		cmocka_unit_test(pin_auth_and_text),
		cmocka_unit_test(pin_signature_password),
		cmocka_unit_test(pin_output_untouched_on_refusal),
		cmocka_unit_test(token_info_kinds),
		cmocka_unit_test(cert_serial_and_key),
		cmocka_unit_test(cert_small_key_size_from_cert),
		cmocka_unit_test(cert_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
