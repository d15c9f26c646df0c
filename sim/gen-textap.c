/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-textap.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/sha.h>

#include "gen-cert.h"

#define FIELD_COUNT 4  /* DF 22 .. DF 25 */
#define SIGNATURE_LEN 256

static void report(const char *what)
{
	fprintf(stderr, "jpki-sim-gen: text AP: %s\n", what);
	ERR_print_errors_fp(stderr);
}

static int sign_sha256(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t sig[SIGNATURE_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t sig_len = SIGNATURE_LEN;
	int ret = -1;

	if (ctx != NULL && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(ctx, sig, &sig_len, data, len) == 1 && sig_len == SIGNATURE_LEN)
		ret = 0;
	EVP_MD_CTX_free(ctx);
	return ret;
}

static int make_my_number(const struct gen_person *person, struct gen_buf *ef)
{
	static const uint8_t trailing[2] = { 0x00, 0x00 };

	if (gen_tlv(ef, 0xFF10, person->my_number, GEN_MY_NUMBER_LEN) != 0 ||
	    gen_buf_append(ef, trailing, sizeof trailing) != 0)
		return -1;
	return 0;
}

/* Returns the offset of the first field TLV in *first_offset. */
static int make_basic_info(const struct gen_person *person, bool long_address,
                           struct gen_buf *ef, size_t *first_offset)
{
	const unsigned tags[FIELD_COUNT] = { 0xDF22, 0xDF23, 0xDF24, 0xDF25 };
	const char sex[1] = { person->sex };
	const struct {
		const void *value;
		size_t len;
	} values[FIELD_COUNT] = {
		{ person->name, strlen(person->name) },
		{ person->address, strlen(person->address) },
		{ person->birth, strlen(person->birth) },
		{ sex, 1 },
	};
	struct gen_buf fields = { 0 };
	uint8_t offsets[2 * FIELD_COUNT];
	size_t offsets_tlv_len = gen_tlv_header_size(0xDF21, sizeof offsets) + sizeof offsets;
	size_t field_start[FIELD_COUNT];
	int ret = -1;

	for (size_t i = 0; i < FIELD_COUNT; i++) {
		field_start[i] = fields.len;
		if (gen_tlv(&fields, tags[i], values[i].value, values[i].len) != 0)
			goto out;
	}
	size_t content_len = offsets_tlv_len + fields.len;
	size_t header_len = gen_tlv_header_size(0xFF20, content_len);
	for (size_t i = 0; i < FIELD_COUNT; i++) {
		size_t offset = header_len + offsets_tlv_len + field_start[i];
		if (offset > 0xFFFF)
			goto out;
		offsets[2 * i] = (uint8_t)(offset >> 8);
		offsets[2 * i + 1] = (uint8_t)offset;
	}
	if (gen_tlv_header(ef, 0xFF20, content_len) != 0 ||
	    gen_tlv(ef, 0xDF21, offsets, sizeof offsets) != 0 ||
	    gen_buf_append(ef, fields.data, fields.len) != 0)
		goto out;
	/* The tests and the driver's parser rely on both long forms occurring. */
	if (ef->data[2] != (long_address ? 0x82 : 0x81)) {
		fprintf(stderr, "jpki-sim-gen: text AP: EF 0002 length form %02X, expected %02X\n",
		        ef->data[2], long_address ? 0x82 : 0x81);
		goto out;
	}
	*first_offset = header_len + offsets_tlv_len;
	ret = 0;
out:
	gen_buf_clear(&fields);
	return ret;
}

static int make_integrity(const struct gen_buf *my_number, const struct gen_buf *basic_info,
                          size_t first_offset, EVP_PKEY *signer, struct gen_buf *ef)
{
	/* DF 31 and DF 32 values side by side: what DF 33 signs. */
	uint8_t hashes[2 * SHA256_DIGEST_LENGTH];
	uint8_t signature[SIGNATURE_LEN];
	size_t my_number_tlv_len = my_number->len - 2;
	size_t content_len = 3 + SHA256_DIGEST_LENGTH + 3 + SHA256_DIGEST_LENGTH +
	                     gen_tlv_header_size(0xDF33, SIGNATURE_LEN) + SIGNATURE_LEN;

	if (first_offset >= basic_info->len)
		return -1;
	SHA256(my_number->data, my_number_tlv_len, hashes);
	SHA256(basic_info->data + first_offset, basic_info->len - first_offset,
	       hashes + SHA256_DIGEST_LENGTH);
	if (sign_sha256(signer, hashes, sizeof hashes, signature) != 0) {
		report("signing the hashes failed");
		return -1;
	}
	if (gen_tlv_header(ef, 0xFF30, content_len) != 0 ||
	    gen_tlv(ef, 0xDF31, hashes, SHA256_DIGEST_LENGTH) != 0 ||
	    gen_tlv(ef, 0xDF32, hashes + SHA256_DIGEST_LENGTH, SHA256_DIGEST_LENGTH) != 0 ||
	    gen_tlv(ef, 0xDF33, signature, sizeof signature) != 0)
		return -1;
	return ef->len == 336 ? 0 : -1;
}

static int make_cvc(EVP_PKEY *signer, struct gen_buf *ef)
{
	static const uint8_t profile[1] = { 0x00 };
	BIGNUM *modulus = NULL, *exponent = NULL;
	uint8_t modulus_bytes[SIGNATURE_LEN], exponent_bytes[8];
	uint8_t signature[SIGNATURE_LEN];
	struct gen_buf key = { 0 }, body = { 0 }, signed_part = { 0 }, all = { 0 };
	int exponent_len, ret = -1;

	if (!EVP_PKEY_get_bn_param(signer, OSSL_PKEY_PARAM_RSA_N, &modulus) ||
	    !EVP_PKEY_get_bn_param(signer, OSSL_PKEY_PARAM_RSA_E, &exponent) ||
	    BN_bn2binpad(modulus, modulus_bytes, sizeof modulus_bytes) < 0 ||
	    (exponent_len = BN_num_bytes(exponent)) <= 0 || exponent_len > (int)sizeof exponent_bytes ||
	    BN_bn2bin(exponent, exponent_bytes) != exponent_len)
		goto out;
	if (gen_tlv(&key, 0x81, modulus_bytes, sizeof modulus_bytes) != 0 ||
	    gen_tlv(&key, 0x82, exponent_bytes, (size_t)exponent_len) != 0 ||
	    gen_tlv(&body, 0x5F29, profile, sizeof profile) != 0 ||
	    gen_tlv(&body, 0x42, GEN_TEXT_KEY_ID, strlen(GEN_TEXT_KEY_ID)) != 0 ||
	    gen_tlv(&body, 0x7F49, key.data, key.len) != 0 ||
	    gen_tlv(&body, 0x5F20, GEN_TEXT_KEY_ID, strlen(GEN_TEXT_KEY_ID)) != 0 ||
	    gen_tlv(&signed_part, 0x5F4E, body.data, body.len) != 0)
		goto out;
	if (sign_sha256(signer, signed_part.data, signed_part.len, signature) != 0) {
		report("signing the CVC failed");
		goto out;
	}
	if (gen_buf_append(&all, signed_part.data, signed_part.len) != 0 ||
	    gen_tlv(&all, 0x5F37, signature, sizeof signature) != 0 ||
	    gen_tlv(ef, 0x7F21, all.data, all.len) != 0)
		goto out;
	ret = 0;
out:
	BN_free(modulus);
	BN_free(exponent);
	gen_buf_clear(&key);
	gen_buf_clear(&body);
	gen_buf_clear(&signed_part);
	gen_buf_clear(&all);
	return ret;
}

static int make_ap_info(struct gen_buf *ef)
{
	static const uint8_t version_info[4] = { 0x01, 0x01, 0x00, 0x00 };
	struct gen_buf content = { 0 };
	int ret = -1;

	if (gen_tlv(&content, 0xDF41, version_info, sizeof version_info) == 0 &&
	    gen_tlv(&content, 0xDF42, GEN_TEXT_KEY_ID, strlen(GEN_TEXT_KEY_ID)) == 0 &&
	    gen_tlv(ef, 0xFF40, content.data, content.len) == 0)
		ret = 0;
	gen_buf_clear(&content);
	return ret;
}

int gen_text_ap_make(const struct gen_person *person, bool long_address, struct gen_text_ap *text)
{
	size_t first_offset = 0;

	memset(text, 0, sizeof *text);
	text->signer_key = gen_rsa_key(2048);
	if (text->signer_key == NULL)
		goto fail;
	if (make_my_number(person, &text->ef[GEN_TEXT_EF_MY_NUMBER]) != 0 ||
	    make_basic_info(person, long_address, &text->ef[GEN_TEXT_EF_BASIC_INFO], &first_offset) != 0 ||
	    make_integrity(&text->ef[GEN_TEXT_EF_MY_NUMBER], &text->ef[GEN_TEXT_EF_BASIC_INFO],
	                   first_offset, text->signer_key, &text->ef[GEN_TEXT_EF_INTEGRITY]) != 0 ||
	    make_cvc(text->signer_key, &text->ef[GEN_TEXT_EF_CVC]) != 0 ||
	    make_ap_info(&text->ef[GEN_TEXT_EF_AP_INFO]) != 0) {
		report("building the files failed");
		goto fail;
	}
	return 0;
fail:
	gen_text_ap_free(text);
	return -1;
}

void gen_text_ap_free(struct gen_text_ap *text)
{
	for (size_t i = 0; i < GEN_TEXT_EF_COUNT; i++)
		gen_buf_clear(&text->ef[i]);
	EVP_PKEY_free(text->signer_key);
	text->signer_key = NULL;
}
