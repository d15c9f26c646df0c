/*
 * Unit tests of the text AP parser and hash check (src/common/text-ap-tlv.c).
 *
 * The files are built here byte by byte from a synthetic identity, so each test
 * can break exactly one thing (a missing element, a length one off, one flipped
 * byte) and see that exactly that is refused.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "common/text-ap-tlv.h"

#define MY_NUMBER "123456789018"
#define NAME      "\xE6\x97\xA5\xE6\x9C\xAC \xE8\x8A\xB1\xE5\xAD\x90" /* 日本 花子 */
#define ADDRESS   "\xE6\x9D\xB1\xE4\xBA\xAC\xE9\x83\xBD\xE5\x8D\x83\xE4\xBB\xA3\xE7\x94\xB0\xE5\x8C\xBA 1-1"
#define BIRTH     "19800401"
#define SEX       "2"

struct file {
	uint8_t bytes[2048];
	size_t len;
};

/* How a length is written: the shortest form, or a forced 81 / 82 form. */
enum len_form { LEN_SHORTEST, LEN_81, LEN_82 };

static void put(struct file *f, const void *data, size_t len)
{
	assert_true(len <= sizeof(f->bytes) - f->len);
	memcpy(f->bytes + f->len, data, len);
	f->len += len;
}

static void put_byte(struct file *f, unsigned b)
{
	uint8_t byte = (uint8_t)b;

	put(f, &byte, 1);
}

static void put_header(struct file *f, unsigned tag, size_t len, enum len_form form)
{
	put_byte(f, tag >> 8);
	put_byte(f, tag & 0xFF);
	if (form == LEN_SHORTEST && len < 0x80) {
		put_byte(f, len);
	} else if ((form == LEN_SHORTEST || form == LEN_81) && len < 0x100) {
		put_byte(f, 0x81);
		put_byte(f, len);
	} else {
		put_byte(f, 0x82);
		put_byte(f, len >> 8);
		put_byte(f, len & 0xFF);
	}
}

static void put_tlv(struct file *f, unsigned tag, const void *value, size_t len, enum len_form form)
{
	put_header(f, tag, len, form);
	put(f, value, len);
}

static size_t header_size(size_t len, enum len_form form)
{
	if (form == LEN_SHORTEST && len < 0x80)
		return 3;
	if ((form == LEN_SHORTEST || form == LEN_81) && len < 0x100)
		return 4;
	return 5;
}

struct basic_info_values {
	const char *name;
	const char *address;
	const char *birth;
	const char *sex;
	enum len_form outer_form;
	enum len_form field_form;
};

static const struct basic_info_values default_values = {
	NAME, ADDRESS, BIRTH, SEX, LEN_SHORTEST, LEN_SHORTEST
};

/* EF 0002 as the card lays it out; offsets point at each field's TLV, counted
 * from the start of the file. *hashed_from says where DF 32's range starts. */
static void build_basic_info(struct file *ef, const struct basic_info_values *v, size_t *hashed_from)
{
	const char *values[4] = { v->name, v->address, v->birth, v->sex };
	const unsigned tags[4] = { 0xDF22, 0xDF23, 0xDF24, 0xDF25 };
	struct file body = { .len = 0 };
	size_t field_pos[4];
	size_t outer_header;
	size_t offsets_size = 3 + 8;
	size_t body_len = offsets_size;
	size_t i;
	uint8_t offsets[8];

	for (i = 0; i < 4; i++)
		body_len += header_size(strlen(values[i]), v->field_form) + strlen(values[i]);
	outer_header = header_size(body_len, v->outer_form);

	field_pos[0] = outer_header + offsets_size;
	for (i = 1; i < 4; i++)
		field_pos[i] = field_pos[i - 1] + header_size(strlen(values[i - 1]), v->field_form) +
		               strlen(values[i - 1]);
	for (i = 0; i < 4; i++) {
		offsets[2 * i] = (uint8_t)(field_pos[i] >> 8);
		offsets[2 * i + 1] = (uint8_t)(field_pos[i] & 0xFF);
	}
	put_tlv(&body, 0xDF21, offsets, sizeof(offsets), LEN_SHORTEST);
	for (i = 0; i < 4; i++)
		put_tlv(&body, tags[i], values[i], strlen(values[i]), v->field_form);
	assert_int_equal(body.len, body_len);

	ef->len = 0;
	put_tlv(ef, 0xFF20, body.bytes, body.len, v->outer_form);
	*hashed_from = field_pos[0];
}

static void build_my_number(struct file *ef, const char *digits, int trailer)
{
	ef->len = 0;
	put_tlv(ef, 0xFF10, digits, strlen(digits), LEN_SHORTEST);
	if (trailer) {
		put_byte(ef, 0xFF);
		put_byte(ef, 0xFF);
	}
}

static void sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
	unsigned int out_len = 0;

	assert_int_equal(EVP_Digest(data, len, out, &out_len, EVP_sha256(), NULL), 1);
	assert_int_equal(out_len, 32);
}

/* EF 0003 over the given files, hashing what the card notes say is hashed. */
static void build_integrity(struct file *ef, const struct file *my_number, size_t my_number_tlv_len,
                            const struct file *basic_info, size_t hashed_from)
{
	uint8_t my_number_hash[32];
	uint8_t basic_info_hash[32];
	uint8_t signature[256];
	struct file body = { .len = 0 };

	sha256(my_number->bytes, my_number_tlv_len, my_number_hash);
	sha256(basic_info->bytes + hashed_from, basic_info->len - hashed_from, basic_info_hash);
	memset(signature, 0x5A, sizeof(signature));
	put_tlv(&body, 0xDF31, my_number_hash, sizeof(my_number_hash), LEN_SHORTEST);
	put_tlv(&body, 0xDF32, basic_info_hash, sizeof(basic_info_hash), LEN_SHORTEST);
	put_tlv(&body, 0xDF33, signature, sizeof(signature), LEN_SHORTEST);
	ef->len = 0;
	put_tlv(ef, 0xFF30, body.bytes, body.len, LEN_SHORTEST);
}

struct card_files {
	struct file my_number;
	struct file basic_info;
	struct file integrity;
	size_t hashed_from;
};

static void build_card(struct card_files *c, const struct basic_info_values *v)
{
	build_my_number(&c->my_number, MY_NUMBER, 1);
	build_basic_info(&c->basic_info, v, &c->hashed_from);
	build_integrity(&c->integrity, &c->my_number, 15, &c->basic_info, c->hashed_from);
}

static int decode(const struct card_files *c, struct text_ap_card_face *face, unsigned *mismatch)
{
	return text_ap_decode(c->my_number.bytes, c->my_number.len, c->basic_info.bytes,
	                      c->basic_info.len, c->integrity.bytes, c->integrity.len, face, mismatch);
}

static void assert_span(const struct text_ap_span *s, const char *expected)
{
	assert_non_null(s->data);
	assert_int_equal(s->len, strlen(expected));
	assert_memory_equal(s->data, expected, s->len);
}

static void assert_face(const struct text_ap_card_face *face, const struct basic_info_values *v)
{
	assert_span(&face->my_number.digits, MY_NUMBER);
	assert_span(&face->basic_info.name, v->name);
	assert_span(&face->basic_info.address, v->address);
	assert_span(&face->basic_info.birth, v->birth);
	assert_span(&face->basic_info.sex, v->sex);
}

/* ---- good data ------------------------------------------------------------ */

static void test_good_card_decodes_every_field(void **state)
{
	struct card_files c;
	struct text_ap_card_face face;
	unsigned mismatch = 99;

	build_card(&c, &default_values);
	assert_int_equal(decode(&c, &face, &mismatch), TEXT_AP_OK);
	assert_int_equal(mismatch, 0);
	assert_face(&face, &default_values);
	/* The hashed ranges are exactly what the card notes name. */
	assert_ptr_equal(face.my_number.hashed.data, c.my_number.bytes);
	assert_int_equal(face.my_number.hashed.len, 15);
	assert_ptr_equal(face.basic_info.hashed.data, c.basic_info.bytes + c.hashed_from);
	assert_int_equal(face.basic_info.hashed.len, c.basic_info.len - c.hashed_from);
	assert_int_equal(face.integrity.signature.len, 256);
}

static void test_my_number_without_trailer(void **state)
{
	struct card_files c;
	struct text_ap_card_face face;

	build_card(&c, &default_values);
	c.my_number.len = 15;
	assert_int_equal(decode(&c, &face, NULL), TEXT_AP_OK);
	assert_span(&face.my_number.digits, MY_NUMBER);
}

static void test_my_number_longer_trailer_refused(void **state)
{
	struct file ef;
	struct text_ap_my_number mn;

	build_my_number(&ef, MY_NUMBER, 1);
	put_byte(&ef, 0x00);
	assert_int_equal(text_ap_parse_my_number(ef.bytes, ef.len, &mn), TEXT_AP_ERR_MALFORMED);
	assert_null(mn.digits.data);
}

/* An address long enough for the 81 form, and a file long enough for 82. */
static void test_long_form_lengths(void **state)
{
	char long_address[301];
	struct basic_info_values v = default_values;
	struct card_files c;
	struct text_ap_card_face face;

	memset(long_address, 'A', 240);
	long_address[240] = '\0';
	v.address = long_address;
	build_card(&c, &v);
	assert_int_equal(c.basic_info.bytes[2], 0x82);          /* outer: > 255 */
	assert_int_equal(decode(&c, &face, NULL), TEXT_AP_OK);
	assert_face(&face, &v);

	memset(long_address, 'B', 150);
	long_address[150] = '\0';
	v.outer_form = LEN_82;
	build_card(&c, &v);
	assert_int_equal(decode(&c, &face, NULL), TEXT_AP_OK);
	assert_face(&face, &v);
}

/* BER allows 81 / 82 even where the short form would do; the card may use them. */
static void test_non_minimal_long_forms_accepted(void **state)
{
	struct basic_info_values v = default_values;
	struct card_files c;
	struct text_ap_card_face face;

	v.outer_form = LEN_82;
	v.field_form = LEN_81;
	build_card(&c, &v);
	assert_int_equal(c.basic_info.bytes[2], 0x82);
	assert_int_equal(decode(&c, &face, NULL), TEXT_AP_OK);
	assert_face(&face, &v);

	v.field_form = LEN_82;
	build_card(&c, &v);
	assert_int_equal(decode(&c, &face, NULL), TEXT_AP_OK);
	assert_face(&face, &v);
}

/* ---- each element missing ------------------------------------------------- */

/* Rebuilds EF 0002 without the element at index skip (0 = DF 21 .. 4 = DF 25);
 * offsets of the remaining fields stay right, so only the absence is wrong. */
static void build_basic_info_without(struct file *ef, size_t skip)
{
	const char *values[4] = { NAME, ADDRESS, BIRTH, SEX };
	const unsigned tags[4] = { 0xDF22, 0xDF23, 0xDF24, 0xDF25 };
	struct file body = { .len = 0 };
	uint8_t offsets[8] = { 0 };
	size_t pos;
	size_t i;
	size_t k = 0;
	size_t body_len = skip == 0 ? 0 : 11;

	for (i = 0; i < 4; i++)
		if (i + 1 != skip)
			body_len += 3 + strlen(values[i]);
	pos = 3 + (skip == 0 ? 0 : 11);
	for (i = 0; i < 4; i++) {
		if (i + 1 == skip)
			continue;
		offsets[2 * k] = (uint8_t)(pos >> 8);
		offsets[2 * k + 1] = (uint8_t)pos;
		k++;
		pos += 3 + strlen(values[i]);
	}
	if (skip != 0)
		put_tlv(&body, 0xDF21, offsets, sizeof(offsets), LEN_SHORTEST);
	for (i = 0; i < 4; i++)
		if (i + 1 != skip)
			put_tlv(&body, tags[i], values[i], strlen(values[i]), LEN_SHORTEST);
	assert_int_equal(body.len, body_len);
	assert_true(body.len < 0x80);
	ef->len = 0;
	put_tlv(ef, 0xFF20, body.bytes, body.len, LEN_SHORTEST);
}

static void test_each_basic_info_element_missing(void **state)
{
	size_t skip;

	for (skip = 0; skip <= 4; skip++) {
		struct file ef;
		struct text_ap_basic_info bi;

		build_basic_info_without(&ef, skip);
		assert_int_equal(text_ap_parse_basic_info(ef.bytes, ef.len, &bi), TEXT_AP_ERR_MALFORMED);
		assert_null(bi.name.data);
		assert_null(bi.hashed.data);
	}
}

static void test_each_integrity_element_missing(void **state)
{
	const unsigned tags[3] = { 0xDF31, 0xDF32, 0xDF33 };
	const size_t lens[3] = { 32, 32, 256 };
	size_t skip;

	for (skip = 0; skip < 3; skip++) {
		struct file body = { .len = 0 };
		struct file ef = { .len = 0 };
		uint8_t value[256];
		struct text_ap_integrity integ;
		size_t i;

		memset(value, 0x11, sizeof(value));
		for (i = 0; i < 3; i++)
			if (i != skip)
				put_tlv(&body, tags[i], value, lens[i], LEN_SHORTEST);
		put_tlv(&ef, 0xFF30, body.bytes, body.len, LEN_SHORTEST);
		assert_int_equal(text_ap_parse_integrity(ef.bytes, ef.len, &integ), TEXT_AP_ERR_MALFORMED);
		assert_null(integ.my_number_hash.data);
	}
}

static void test_empty_and_absent_files(void **state)
{
	struct text_ap_card_face face;
	struct card_files c;
	const uint8_t empty_my_number[] = { 0xFF, 0x10, 0x00 };

	build_card(&c, &default_values);
	assert_int_equal(text_ap_decode(NULL, 0, c.basic_info.bytes, c.basic_info.len,
	                                c.integrity.bytes, c.integrity.len, &face, NULL),
	                 TEXT_AP_ERR_ARGS);
	assert_int_equal(text_ap_decode(c.my_number.bytes, 0, c.basic_info.bytes, c.basic_info.len,
	                                c.integrity.bytes, c.integrity.len, &face, NULL),
	                 TEXT_AP_ERR_TRUNCATED);
	assert_int_equal(text_ap_decode(empty_my_number, sizeof(empty_my_number), c.basic_info.bytes,
	                                c.basic_info.len, c.integrity.bytes, c.integrity.len, &face, NULL),
	                 TEXT_AP_ERR_MALFORMED);
	assert_null(face.basic_info.name.data);
}

/* ---- lengths off by one --------------------------------------------------- */

static void test_my_number_length_off_by_one(void **state)
{
	struct file ef;
	struct text_ap_my_number mn;

	build_my_number(&ef, MY_NUMBER, 0);
	ef.bytes[2] = 0x0B; /* 11 digits claimed, 12 there: the 12th becomes trailer */
	assert_int_equal(text_ap_parse_my_number(ef.bytes, ef.len, &mn), TEXT_AP_ERR_MALFORMED);
	ef.bytes[2] = 0x0D; /* 13 claimed, 12 there */
	assert_int_equal(text_ap_parse_my_number(ef.bytes, ef.len, &mn), TEXT_AP_ERR_TRUNCATED);
	build_my_number(&ef, "1234567890123", 0); /* 13 digits, consistently encoded */
	assert_int_equal(text_ap_parse_my_number(ef.bytes, ef.len, &mn), TEXT_AP_ERR_MALFORMED);
	build_my_number(&ef, "12345678901", 0);
	assert_int_equal(text_ap_parse_my_number(ef.bytes, ef.len, &mn), TEXT_AP_ERR_MALFORMED);
}

/* Every length byte of EF 0002 in turn, one up and one down: each is refused. */
static void test_basic_info_every_length_off_by_one(void **state)
{
	struct card_files c;
	struct text_ap_basic_info bi;
	/* Positions of the length bytes in the shortest-form layout. */
	size_t length_at[6];
	size_t n = 0;
	size_t pos;
	size_t i;
	int delta;

	build_card(&c, &default_values);
	assert_int_equal(c.basic_info.bytes[2], c.basic_info.len - 3); /* short outer form */
	length_at[n++] = 2;
	pos = 3;
	while (pos < c.basic_info.len) {
		length_at[n++] = pos + 2;
		pos += 3 + c.basic_info.bytes[pos + 2];
	}
	assert_int_equal(n, 6);

	for (i = 0; i < n; i++) {
		for (delta = -1; delta <= 1; delta += 2) {
			struct file ef = c.basic_info;

			ef.bytes[length_at[i]] = (uint8_t)(ef.bytes[length_at[i]] + delta);
			assert_int_not_equal(text_ap_parse_basic_info(ef.bytes, ef.len, &bi), TEXT_AP_OK);
			assert_null(bi.name.data);
		}
	}
}

static void test_integrity_lengths_off_by_one(void **state)
{
	struct card_files c;
	struct text_ap_integrity integ;
	struct file ef;

	build_card(&c, &default_values);
	assert_int_equal(text_ap_parse_integrity(c.integrity.bytes, c.integrity.len, &integ), TEXT_AP_OK);
	/* FF 30 82 01 4B | DF 31 20 ... | DF 32 20 ... | DF 33 82 01 00 ...: the
	 * 336 bytes the card notes give. */
	assert_int_equal(c.integrity.len, 336);
	ef = c.integrity;
	ef.bytes[4]++;
	assert_int_equal(text_ap_parse_integrity(ef.bytes, ef.len, &integ), TEXT_AP_ERR_TRUNCATED);
	ef = c.integrity;
	ef.bytes[4]--;
	assert_int_not_equal(text_ap_parse_integrity(ef.bytes, ef.len, &integ), TEXT_AP_OK);
	ef = c.integrity;
	ef.bytes[7]--; /* DF 31 of 31 bytes: DF 32's tag lands in the wrong place */
	assert_int_not_equal(text_ap_parse_integrity(ef.bytes, ef.len, &integ), TEXT_AP_OK);
	ef = c.integrity;
	ef.bytes[7]++;
	assert_int_not_equal(text_ap_parse_integrity(ef.bytes, ef.len, &integ), TEXT_AP_OK);
	ef = c.integrity;
	ef.bytes[5 + 35 + 35 + 4]--; /* signature length 0x01FF: past the end */
	assert_int_not_equal(text_ap_parse_integrity(ef.bytes, ef.len, &integ), TEXT_AP_OK);
	assert_null(integ.signature.data);
}

/* Every proper prefix of every file: a short read never parses. */
static void test_every_truncation_refused(void **state)
{
	struct card_files c;
	struct text_ap_my_number mn;
	struct text_ap_basic_info bi;
	struct text_ap_integrity integ;
	size_t len;

	build_card(&c, &default_values);
	for (len = 0; len < 15; len++)
		assert_int_not_equal(text_ap_parse_my_number(c.my_number.bytes, len, &mn), TEXT_AP_OK);
	for (len = 0; len < c.basic_info.len; len++)
		assert_int_not_equal(text_ap_parse_basic_info(c.basic_info.bytes, len, &bi), TEXT_AP_OK);
	for (len = 0; len < c.integrity.len; len++)
		assert_int_not_equal(text_ap_parse_integrity(c.integrity.bytes, len, &integ), TEXT_AP_OK);
}

/* ---- offsets -------------------------------------------------------------- */

static void test_offsets_must_point_at_the_fields(void **state)
{
	struct card_files c;
	struct text_ap_basic_info bi;
	size_t i;

	build_card(&c, &default_values);
	/* DF 21's value starts at byte 5: FF 20 L DF 21 08 */
	for (i = 0; i < 4; i++) {
		struct file ef = c.basic_info;

		ef.bytes[5 + 2 * i + 1]++;
		assert_int_equal(text_ap_parse_basic_info(ef.bytes, ef.len, &bi), TEXT_AP_ERR_MALFORMED);
		ef.bytes[5 + 2 * i + 1] -= 2;
		assert_int_equal(text_ap_parse_basic_info(ef.bytes, ef.len, &bi), TEXT_AP_ERR_MALFORMED);
	}
}

static void test_fields_out_of_order_refused(void **state)
{
	struct card_files c;
	struct text_ap_basic_info bi;
	struct file ef;

	build_card(&c, &default_values);
	ef = c.basic_info;
	/* Name and address swap tags: still well-formed TLV, not the layout. */
	ef.bytes[c.hashed_from + 1] = 0x23;
	assert_int_equal(text_ap_parse_basic_info(ef.bytes, ef.len, &bi), TEXT_AP_ERR_MALFORMED);
}

static void test_element_after_sex_refused(void **state)
{
	struct file body = { .len = 0 };
	struct file ef = { .len = 0 };
	struct card_files c;
	struct text_ap_basic_info bi;

	build_card(&c, &default_values);
	/* Copy the inner elements, add one more, re-wrap with a matching length. */
	put(&body, c.basic_info.bytes + 3, c.basic_info.len - 3);
	put_tlv(&body, 0xDF26, "x", 1, LEN_SHORTEST);
	put_tlv(&ef, 0xFF20, body.bytes, body.len, LEN_SHORTEST);
	assert_int_equal(text_ap_parse_basic_info(ef.bytes, ef.len, &bi), TEXT_AP_ERR_MALFORMED);
}

/* ---- content -------------------------------------------------------------- */

static void test_bad_field_content_refused(void **state)
{
	static const struct {
		const char *name, *address, *birth, *sex;
	} bad[] = {
		{ NAME, ADDRESS, "1980041", SEX },         /* birth 7 digits */
		{ NAME, ADDRESS, "198004011", SEX },       /* birth 9 digits */
		{ NAME, ADDRESS, "1980-4-1", SEX },        /* birth not digits */
		{ NAME, ADDRESS, BIRTH, "3" },             /* not ISO 5218 */
		{ NAME, ADDRESS, BIRTH, "12" },
		{ NAME, ADDRESS, BIRTH, "M" },
		{ "\xC0\xAF", ADDRESS, BIRTH, SEX },       /* overlong UTF-8 */
		{ "\xE6\x97", ADDRESS, BIRTH, SEX },       /* cut UTF-8 sequence */
		{ NAME, "\xED\xA0\x80", BIRTH, SEX },      /* surrogate */
		{ NAME, "\xFF", BIRTH, SEX },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct basic_info_values v = default_values;
		struct file ef;
		struct text_ap_basic_info bi;
		size_t hashed_from;

		v.name = bad[i].name;
		v.address = bad[i].address;
		v.birth = bad[i].birth;
		v.sex = bad[i].sex;
		build_basic_info(&ef, &v, &hashed_from);
		assert_int_equal(text_ap_parse_basic_info(ef.bytes, ef.len, &bi), TEXT_AP_ERR_MALFORMED);
	}
}

static void test_every_sex_value(void **state)
{
	const char *ok[] = { "0", "1", "2", "9" };
	size_t i;

	for (i = 0; i < 4; i++) {
		struct basic_info_values v = default_values;
		struct card_files c;
		struct text_ap_card_face face;

		v.sex = ok[i];
		build_card(&c, &v);
		assert_int_equal(decode(&c, &face, NULL), TEXT_AP_OK);
		assert_span(&face.basic_info.sex, ok[i]);
	}
}

static void test_my_number_not_digits_refused(void **state)
{
	struct file ef;
	struct text_ap_my_number mn;

	build_my_number(&ef, "12345678901A", 1);
	assert_int_equal(text_ap_parse_my_number(ef.bytes, ef.len, &mn), TEXT_AP_ERR_MALFORMED);
	build_my_number(&ef, MY_NUMBER, 1);
	ef.bytes[1] = 0x11; /* FF 11: not EF 0001's tag */
	assert_int_equal(text_ap_parse_my_number(ef.bytes, ef.len, &mn), TEXT_AP_ERR_MALFORMED);
}

/* ---- hashes --------------------------------------------------------------- */

static void test_tampered_name_is_hash_mismatch(void **state)
{
	struct card_files c;
	struct text_ap_card_face face;
	unsigned mismatch = 0;

	build_card(&c, &default_values);
	/* Still valid UTF-8 after the flip (a space becomes '!'), so only the hash can tell. */
	c.basic_info.bytes[c.hashed_from + 3 + 6] ^= 0x01;
	assert_int_equal(c.basic_info.bytes[c.hashed_from + 3 + 6], '!');
	assert_int_equal(decode(&c, &face, &mismatch), TEXT_AP_ERR_HASH);
	assert_int_equal(mismatch, TEXT_AP_MISMATCH_BASIC_INFO);
	assert_null(face.basic_info.name.data);
	assert_null(face.my_number.digits.data);
}

static void test_every_hashed_byte_of_basic_info_matters(void **state)
{
	struct card_files c;
	size_t i;

	build_card(&c, &default_values);
	/* Flip bit 0 of each byte in the hashed range: either the structure breaks
	 * or the hash does; never a silent success. */
	for (i = c.hashed_from; i < c.basic_info.len; i++) {
		struct card_files t = c;
		struct text_ap_card_face face;

		t.basic_info.bytes[i] ^= 0x01;
		assert_int_not_equal(decode(&t, &face, NULL), TEXT_AP_OK);
	}
}

static void test_tampered_my_number_is_hash_mismatch(void **state)
{
	struct card_files c;
	struct text_ap_card_face face;
	unsigned mismatch = 0;

	build_card(&c, &default_values);
	c.my_number.bytes[3 + 11] = c.my_number.bytes[3 + 11] == '9' ? '0' : c.my_number.bytes[3 + 11] + 1;
	assert_int_equal(decode(&c, &face, &mismatch), TEXT_AP_ERR_HASH);
	assert_int_equal(mismatch, TEXT_AP_MISMATCH_MY_NUMBER);
}

static void test_tampered_integrity_file_is_hash_mismatch(void **state)
{
	struct card_files c;
	struct text_ap_card_face face;
	unsigned mismatch = 0;

	build_card(&c, &default_values);
	c.integrity.bytes[5 + 3] ^= 0x80;          /* first byte of DF 31 */
	c.integrity.bytes[5 + 35 + 3 + 31] ^= 0x01; /* last byte of DF 32 */
	assert_int_equal(decode(&c, &face, &mismatch), TEXT_AP_ERR_HASH);
	assert_int_equal(mismatch, TEXT_AP_MISMATCH_MY_NUMBER | TEXT_AP_MISMATCH_BASIC_INFO);
}

/* The two bytes after EF 0001's TLV are outside what DF 31 covers. */
static void test_my_number_trailer_not_hashed(void **state)
{
	struct card_files c;
	struct text_ap_card_face face;

	build_card(&c, &default_values);
	c.my_number.bytes[15] = 0x00;
	c.my_number.bytes[16] = 0x42;
	assert_int_equal(decode(&c, &face, NULL), TEXT_AP_OK);
}

/* Hashing the whole EF 0002 (from byte 0) instead of from the first offset
 * gives a different value: the check is not satisfied by the wrong range. */
static void test_wrong_hash_range_refused(void **state)
{
	struct card_files c;
	struct text_ap_card_face face;
	unsigned mismatch = 0;
	uint8_t whole_file_hash[32];

	build_card(&c, &default_values);
	sha256(c.basic_info.bytes, c.basic_info.len, whole_file_hash);
	memcpy(c.integrity.bytes + 5 + 35 + 3, whole_file_hash, 32);
	assert_int_equal(decode(&c, &face, &mismatch), TEXT_AP_ERR_HASH);
	assert_int_equal(mismatch, TEXT_AP_MISMATCH_BASIC_INFO);
}

/* ---- TLV header ----------------------------------------------------------- */

static void test_tlv_header_forms(void **state)
{
	struct text_ap_tlv tlv;
	const uint8_t short_form[] = { 0xDF, 0x22, 0x01, 'x' };
	const uint8_t form_81[] = { 0xDF, 0x22, 0x81, 0x01, 'x' };
	const uint8_t form_82[] = { 0xDF, 0x22, 0x82, 0x00, 0x01, 'x' };
	const uint8_t one_byte_tag[] = { 0x04, 0x01, 'x' };
	const uint8_t indefinite[] = { 0xDF, 0x22, 0x80, 'x', 0x00, 0x00 };
	const uint8_t form_83[] = { 0xDF, 0x22, 0x83, 0x00, 0x00, 0x01, 'x' };
	const uint8_t three_byte_tag[] = { 0xDF, 0x81, 0x01, 0x01, 'x' };
	const uint8_t cut_81[] = { 0xDF, 0x22, 0x81 };
	const uint8_t cut_82[] = { 0xDF, 0x22, 0x82, 0x01 };
	const uint8_t cut_tag[] = { 0xDF };

	assert_int_equal(text_ap_tlv_read(short_form, sizeof(short_form), &tlv), TEXT_AP_OK);
	assert_int_equal(tlv.tag, 0xDF22);
	assert_int_equal(tlv.header_len, 3);
	assert_int_equal(tlv.value_len, 1);
	assert_int_equal(text_ap_tlv_read(form_81, sizeof(form_81), &tlv), TEXT_AP_OK);
	assert_int_equal(tlv.header_len, 4);
	assert_int_equal(tlv.value_len, 1);
	assert_int_equal(text_ap_tlv_read(form_82, sizeof(form_82), &tlv), TEXT_AP_OK);
	assert_int_equal(tlv.header_len, 5);
	assert_int_equal(tlv.value_len, 1);
	assert_int_equal(text_ap_tlv_read(one_byte_tag, sizeof(one_byte_tag), &tlv), TEXT_AP_OK);
	assert_int_equal(tlv.tag, 0x04);
	assert_int_equal(tlv.header_len, 2);

	assert_int_equal(text_ap_tlv_read(indefinite, sizeof(indefinite), &tlv), TEXT_AP_ERR_MALFORMED);
	assert_int_equal(text_ap_tlv_read(form_83, sizeof(form_83), &tlv), TEXT_AP_ERR_MALFORMED);
	assert_int_equal(text_ap_tlv_read(three_byte_tag, sizeof(three_byte_tag), &tlv), TEXT_AP_ERR_MALFORMED);
	assert_int_equal(text_ap_tlv_read(cut_81, sizeof(cut_81), &tlv), TEXT_AP_ERR_TRUNCATED);
	assert_int_equal(text_ap_tlv_read(cut_82, sizeof(cut_82), &tlv), TEXT_AP_ERR_TRUNCATED);
	assert_int_equal(text_ap_tlv_read(cut_tag, sizeof(cut_tag), &tlv), TEXT_AP_ERR_TRUNCATED);
	assert_int_equal(text_ap_tlv_read(short_form, 3, &tlv), TEXT_AP_ERR_TRUNCATED);
}

static void test_total_len_from_prefix(void **state)
{
	const uint8_t short_form[] = { 0xFF, 0x10, 0x0C };
	const uint8_t form_81[] = { 0xFF, 0x20, 0x81, 0xC8 };
	const uint8_t form_82[] = { 0xFF, 0x30, 0x82, 0x01, 0x4A };
	const uint8_t bad[] = { 0xFF, 0x30, 0x84, 0x00, 0x00 };
	size_t total = 0;

	assert_int_equal(text_ap_tlv_total_len(short_form, 3, &total), TEXT_AP_OK);
	assert_int_equal(total, 15);
	assert_int_equal(text_ap_tlv_total_len(form_81, 4, &total), TEXT_AP_OK);
	assert_int_equal(total, 4 + 200);
	assert_int_equal(text_ap_tlv_total_len(form_82, 5, &total), TEXT_AP_OK);
	assert_int_equal(total, 335);
	assert_int_equal(text_ap_tlv_total_len(form_82, 4, &total), TEXT_AP_ERR_TRUNCATED);
	assert_int_equal(text_ap_tlv_total_len(form_81, 3, &total), TEXT_AP_ERR_TRUNCATED);
	assert_int_equal(text_ap_tlv_total_len(short_form, 2, &total), TEXT_AP_ERR_TRUNCATED);
	assert_int_equal(text_ap_tlv_total_len(bad, sizeof(bad), &total), TEXT_AP_ERR_MALFORMED);
}

static void test_strerror_names_each_status(void **state)
{
	assert_string_equal(text_ap_strerror(TEXT_AP_ERR_HASH),
	                    "SHA-256 does not match the card's integrity file");
	assert_string_equal(text_ap_strerror(TEXT_AP_ERR_TRUNCATED), "TLV runs past the end of the file");
	assert_string_equal(text_ap_strerror(12345), "unknown status");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_card_decodes_every_field),
		cmocka_unit_test(test_my_number_without_trailer),
		cmocka_unit_test(test_my_number_longer_trailer_refused),
		cmocka_unit_test(test_long_form_lengths),
		cmocka_unit_test(test_non_minimal_long_forms_accepted),
		cmocka_unit_test(test_each_basic_info_element_missing),
		cmocka_unit_test(test_each_integrity_element_missing),
		cmocka_unit_test(test_empty_and_absent_files),
		cmocka_unit_test(test_my_number_length_off_by_one),
		cmocka_unit_test(test_basic_info_every_length_off_by_one),
		cmocka_unit_test(test_integrity_lengths_off_by_one),
		cmocka_unit_test(test_every_truncation_refused),
		cmocka_unit_test(test_offsets_must_point_at_the_fields),
		cmocka_unit_test(test_fields_out_of_order_refused),
		cmocka_unit_test(test_element_after_sex_refused),
		cmocka_unit_test(test_bad_field_content_refused),
		cmocka_unit_test(test_every_sex_value),
		cmocka_unit_test(test_my_number_not_digits_refused),
		cmocka_unit_test(test_tampered_name_is_hash_mismatch),
		cmocka_unit_test(test_every_hashed_byte_of_basic_info_matters),
		cmocka_unit_test(test_tampered_my_number_is_hash_mismatch),
		cmocka_unit_test(test_tampered_integrity_file_is_hash_mismatch),
		cmocka_unit_test(test_my_number_trailer_not_hashed),
		cmocka_unit_test(test_wrong_hash_range_refused),
		cmocka_unit_test(test_tlv_header_forms),
		cmocka_unit_test(test_total_len_from_prefix),
		cmocka_unit_test(test_strerror_names_each_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
