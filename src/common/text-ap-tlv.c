/*
 * Parser for the text AP's EF 0001 / 0002 / 0003 and the check of the first two
 * against the SHA-256 values in the third.
 *
 * Layouts (../../shared/jpki-card.md, "Text AP"):
 *   EF 0001  FF 10 0C <12 ASCII digits>               (+ trailing bytes, see below)
 *   EF 0002  FF 20 L { DF 21 offsets, DF 22 name, DF 23 address,
 *                      DF 24 birth YYYYMMDD, DF 25 sex }
 *   EF 0003  FF 30 L { DF 31 SHA-256 (32), DF 32 SHA-256 (32), DF 33 signature }
 *
 * Where the public descriptions leave room, this parser takes the strict reading
 * and says so below: a field handed out is one the hashes cover, or none is.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "text-ap-tlv.h"

int text_ap_tlv_read(const uint8_t *buf, size_t buf_len, struct text_ap_tlv *out)
{
	size_t pos = 0;
	unsigned tag;
	size_t value_len;

	if (buf == NULL || out == NULL)
		return TEXT_AP_ERR_ARGS;
	if (buf_len < 1)
		return TEXT_AP_ERR_TRUNCATED;
	tag = buf[pos++];
	if ((tag & 0x1Fu) == 0x1Fu) {
		/* The card's tags (FF 10, DF 21 ...) take exactly one more byte; a
		 * longer tag number is nothing these files hold. */
		if (pos >= buf_len)
			return TEXT_AP_ERR_TRUNCATED;
		if (buf[pos] & 0x80u)
			return TEXT_AP_ERR_MALFORMED;
		tag = (tag << 8) | buf[pos++];
	}

	if (pos >= buf_len)
		return TEXT_AP_ERR_TRUNCATED;
	if (buf[pos] < 0x80u) {
		value_len = buf[pos++];
	} else if (buf[pos] == 0x81u) {
		if (buf_len - pos < 2)
			return TEXT_AP_ERR_TRUNCATED;
		value_len = buf[pos + 1];
		pos += 2;
	} else if (buf[pos] == 0x82u) {
		if (buf_len - pos < 3)
			return TEXT_AP_ERR_TRUNCATED;
		value_len = ((size_t)buf[pos + 1] << 8) | buf[pos + 2];
		pos += 3;
	} else {
		/* 80 (indefinite) has no place in a file read by offset, and no
		 * EF of this AP comes near 64 KiB. Non-minimal 81/82 forms are
		 * valid BER and accepted. */
		return TEXT_AP_ERR_MALFORMED;
	}

	if (value_len > buf_len - pos)
		return TEXT_AP_ERR_TRUNCATED;
	out->tag = tag;
	out->header_len = pos;
	out->value_len = value_len;
	return TEXT_AP_OK;
}

int text_ap_tlv_total_len(const uint8_t *prefix, size_t prefix_len, size_t *total_len)
{
	size_t need;
	size_t value_len;

	if (prefix == NULL || total_len == NULL)
		return TEXT_AP_ERR_ARGS;
	/* Same header rules as text_ap_tlv_read, but the value is not there yet. */
	if (prefix_len < 2)
		return TEXT_AP_ERR_TRUNCATED;
	if ((prefix[0] & 0x1Fu) != 0x1Fu || (prefix[1] & 0x80u))
		return TEXT_AP_ERR_MALFORMED;
	if (prefix_len < 3)
		return TEXT_AP_ERR_TRUNCATED;
	if (prefix[2] < 0x80u) {
		need = 3;
		value_len = prefix[2];
	} else if (prefix[2] == 0x81u) {
		need = 4;
		if (prefix_len < need)
			return TEXT_AP_ERR_TRUNCATED;
		value_len = prefix[3];
	} else if (prefix[2] == 0x82u) {
		need = 5;
		if (prefix_len < need)
			return TEXT_AP_ERR_TRUNCATED;
		value_len = ((size_t)prefix[3] << 8) | prefix[4];
	} else {
		return TEXT_AP_ERR_MALFORMED;
	}
	*total_len = need + value_len;
	return TEXT_AP_OK;
}

/* The outer element of a file: the expected tag, value in range. Bytes after
 * it are not part of any field and not covered by any hash, so they are left
 * alone: a reader that fetched a whole padded EF is not an error. */
static int read_outer(const uint8_t *ef, size_t ef_len, unsigned want_tag,
                      struct text_ap_span *value, struct text_ap_span *whole)
{
	struct text_ap_tlv tlv;
	int r = text_ap_tlv_read(ef, ef_len, &tlv);

	if (r != TEXT_AP_OK)
		return r;
	if (tlv.tag != want_tag)
		return TEXT_AP_ERR_MALFORMED;
	value->data = ef + tlv.header_len;
	value->len = tlv.value_len;
	whole->data = ef;
	whole->len = tlv.header_len + tlv.value_len;
	return TEXT_AP_OK;
}

/* Next inner element of a constructed value: must have want_tag, must fit. */
static int read_inner(const struct text_ap_span *container, size_t *pos, unsigned want_tag,
                      struct text_ap_span *value)
{
	struct text_ap_tlv tlv;
	int r;

	if (*pos >= container->len)
		return TEXT_AP_ERR_MALFORMED; /* the element is missing */
	r = text_ap_tlv_read(container->data + *pos, container->len - *pos, &tlv);
	if (r != TEXT_AP_OK)
		return r;
	if (tlv.tag != want_tag)
		return TEXT_AP_ERR_MALFORMED;
	value->data = container->data + *pos + tlv.header_len;
	value->len = tlv.value_len;
	*pos += tlv.header_len + tlv.value_len;
	return TEXT_AP_OK;
}

static int all_digits(const struct text_ap_span *s)
{
	size_t i;

	for (i = 0; i < s->len; i++)
		if (s->data[i] < '0' || s->data[i] > '9')
			return 0;
	return 1;
}

/* Well-formed UTF-8 without NUL, overlong forms or surrogates: the value goes to
 * applications promised UTF-8 text. */
static int is_utf8_text(const struct text_ap_span *s)
{
	size_t i = 0;

	while (i < s->len) {
		uint8_t lead = s->data[i];
		size_t more;
		uint32_t cp;
		uint32_t min_cp;
		size_t k;

		if (lead == 0x00u)
			return 0;
		if (lead < 0x80u) {
			i++;
			continue;
		}
		if ((lead & 0xE0u) == 0xC0u) {
			more = 1;
			cp = lead & 0x1Fu;
			min_cp = 0x80u;
		} else if ((lead & 0xF0u) == 0xE0u) {
			more = 2;
			cp = lead & 0x0Fu;
			min_cp = 0x800u;
		} else if ((lead & 0xF8u) == 0xF0u) {
			more = 3;
			cp = lead & 0x07u;
			min_cp = 0x10000u;
		} else {
			return 0;
		}
		if (more > s->len - i - 1)
			return 0;
		for (k = 1; k <= more; k++) {
			uint8_t cont = s->data[i + k];

			if ((cont & 0xC0u) != 0x80u)
				return 0;
			cp = (cp << 6) | (cont & 0x3Fu);
		}
		if (cp < min_cp || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu))
			return 0;
		i += more + 1;
	}
	return 1;
}

int text_ap_parse_my_number(const uint8_t *ef, size_t ef_len, struct text_ap_my_number *out)
{
	struct text_ap_span value;
	struct text_ap_span whole;
	int r;

	if (ef == NULL || out == NULL)
		return TEXT_AP_ERR_ARGS;
	memset(out, 0, sizeof(*out));
	r = read_outer(ef, ef_len, TEXT_AP_TAG_MY_NUMBER, &value, &whole);
	if (r != TEXT_AP_OK)
		return r;
	if (value.len != TEXT_AP_MY_NUMBER_DIGITS || !all_digits(&value))
		return TEXT_AP_ERR_MALFORMED;
	/* 17 bytes are read in the field, 15 of them the TLV; what the other two
	 * are is unknown, so they are tolerated but never hashed nor shown. More
	 * than that is not a layout anyone has seen. */
	if (ef_len - whole.len > TEXT_AP_MY_NUMBER_TRAILER_MAX)
		return TEXT_AP_ERR_MALFORMED;
	/* DF 31 covers the TLV (tag, length, digits). The notes say "SHA-256 of EF
	 * 0001"; the only public code that computes it drops the two trailing bytes,
	 * which is also the reading that matches DF 32's "to the end of the outer
	 * TLV". The strict choice: exactly the TLV, never bytes we cannot explain. */
	out->digits = value;
	out->hashed = whole;
	return TEXT_AP_OK;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(((unsigned)p[0] << 8) | p[1]);
}

int text_ap_parse_basic_info(const uint8_t *ef, size_t ef_len, struct text_ap_basic_info *out)
{
	static const unsigned field_tags[4] = {
		TEXT_AP_TAG_NAME, TEXT_AP_TAG_ADDRESS, TEXT_AP_TAG_BIRTH, TEXT_AP_TAG_SEX
	};
	struct text_ap_span value;
	struct text_ap_span whole;
	struct text_ap_span offsets;
	struct text_ap_span fields[4];
	size_t field_start[4];
	size_t pos = 0;
	size_t value_start;
	size_t i;
	int r;

	if (ef == NULL || out == NULL)
		return TEXT_AP_ERR_ARGS;
	memset(out, 0, sizeof(*out));
	r = read_outer(ef, ef_len, TEXT_AP_TAG_BASIC_INFO, &value, &whole);
	if (r != TEXT_AP_OK)
		return r;
	value_start = (size_t)(value.data - ef);

	r = read_inner(&value, &pos, TEXT_AP_TAG_OFFSETS, &offsets);
	if (r != TEXT_AP_OK)
		return r;
	for (i = 0; i < 4; i++) {
		field_start[i] = value_start + pos;
		r = read_inner(&value, &pos, field_tags[i], &fields[i]);
		if (r != TEXT_AP_OK)
			return r;
	}
	/* Anything after DF 25 would sit inside the hashed range without being
	 * one of the fields: an inconsistency, not padding. */
	if (pos != value.len)
		return TEXT_AP_ERR_MALFORMED;

	/* DF 21 lists where each field's TLV starts, counted from the start of the
	 * file (the one public implementation that checks DF 32 hashes from
	 * offsets[0] of the file as read). The notes give neither the count nor
	 * what the later entries point at; being strict: exactly four entries,
	 * each the start of DF 22..DF 25. A hashed range decided by a number on
	 * the card could otherwise start after a field and leave it unchecked. */
	if (offsets.len != 2 * 4)
		return TEXT_AP_ERR_MALFORMED;
	for (i = 0; i < 4; i++)
		if (be16(offsets.data + 2 * i) != field_start[i])
			return TEXT_AP_ERR_MALFORMED;

	if (fields[0].len == 0 || !is_utf8_text(&fields[0]))
		return TEXT_AP_ERR_MALFORMED;
	if (fields[1].len == 0 || !is_utf8_text(&fields[1]))
		return TEXT_AP_ERR_MALFORMED;
	if (fields[2].len != TEXT_AP_BIRTH_LEN || !all_digits(&fields[2]))
		return TEXT_AP_ERR_MALFORMED;
	/* ISO 5218: 0 not known, 1 male, 2 female, 9 not applicable. */
	if (fields[3].len != 1 || (fields[3].data[0] != '0' && fields[3].data[0] != '1' &&
	                           fields[3].data[0] != '2' && fields[3].data[0] != '9'))
		return TEXT_AP_ERR_MALFORMED;

	out->name = fields[0];
	out->address = fields[1];
	out->birth = fields[2];
	out->sex = fields[3];
	/* "From the first offset to the end of the outer TLV" (jpki-card.md). */
	out->hashed.data = ef + field_start[0];
	out->hashed.len = whole.len - field_start[0];
	return TEXT_AP_OK;
}

int text_ap_parse_integrity(const uint8_t *ef, size_t ef_len, struct text_ap_integrity *out)
{
	struct text_ap_span value;
	struct text_ap_span whole;
	struct text_ap_span my_number_hash;
	struct text_ap_span basic_info_hash;
	struct text_ap_span signature;
	size_t pos = 0;
	int r;

	if (ef == NULL || out == NULL)
		return TEXT_AP_ERR_ARGS;
	memset(out, 0, sizeof(*out));
	r = read_outer(ef, ef_len, TEXT_AP_TAG_INTEGRITY, &value, &whole);
	if (r != TEXT_AP_OK)
		return r;
	r = read_inner(&value, &pos, TEXT_AP_TAG_MY_NUMBER_HASH, &my_number_hash);
	if (r == TEXT_AP_OK)
		r = read_inner(&value, &pos, TEXT_AP_TAG_BASIC_INFO_HASH, &basic_info_hash);
	if (r == TEXT_AP_OK)
		r = read_inner(&value, &pos, TEXT_AP_TAG_SIGNATURE, &signature);
	if (r != TEXT_AP_OK)
		return r;
	if (pos != value.len)
		return TEXT_AP_ERR_MALFORMED;
	if (my_number_hash.len != TEXT_AP_SHA256_LEN || basic_info_hash.len != TEXT_AP_SHA256_LEN)
		return TEXT_AP_ERR_MALFORMED;
	/* The signature is not checked (no public key source is documented), but
	 * a file whose third element is not even RSA-2048 sized is not the file
	 * the notes describe. */
	if (signature.len != TEXT_AP_SIGNATURE_LEN)
		return TEXT_AP_ERR_MALFORMED;

	out->my_number_hash = my_number_hash;
	out->basic_info_hash = basic_info_hash;
	out->signature = signature;
	return TEXT_AP_OK;
}

static int sha256_matches(const struct text_ap_span *data, const struct text_ap_span *expected,
                          int *matches)
{
	uint8_t digest[TEXT_AP_SHA256_LEN];
	unsigned int digest_len = 0;

	if (expected->len != sizeof(digest))
		return TEXT_AP_ERR_MALFORMED;
	if (EVP_Digest(data->data, data->len, digest, &digest_len, EVP_sha256(), NULL) != 1 ||
	    digest_len != sizeof(digest))
		return TEXT_AP_ERR_INTERNAL;
	*matches = CRYPTO_memcmp(digest, expected->data, sizeof(digest)) == 0;
	OPENSSL_cleanse(digest, sizeof(digest));
	return TEXT_AP_OK;
}

int text_ap_decode(const uint8_t *ef_my_number, size_t ef_my_number_len,
                   const uint8_t *ef_basic_info, size_t ef_basic_info_len,
                   const uint8_t *ef_integrity, size_t ef_integrity_len,
                   struct text_ap_card_face *out, unsigned *mismatch)
{
	struct text_ap_card_face face;
	int my_number_ok = 0;
	int basic_info_ok = 0;
	unsigned bad = 0;
	int r;

	if (out == NULL)
		return TEXT_AP_ERR_ARGS;
	memset(out, 0, sizeof(*out));
	memset(&face, 0, sizeof(face));
	if (mismatch != NULL)
		*mismatch = 0;

	r = text_ap_parse_integrity(ef_integrity, ef_integrity_len, &face.integrity);
	if (r == TEXT_AP_OK)
		r = text_ap_parse_my_number(ef_my_number, ef_my_number_len, &face.my_number);
	if (r == TEXT_AP_OK)
		r = text_ap_parse_basic_info(ef_basic_info, ef_basic_info_len, &face.basic_info);
	if (r == TEXT_AP_OK)
		r = sha256_matches(&face.my_number.hashed, &face.integrity.my_number_hash, &my_number_ok);
	if (r == TEXT_AP_OK)
		r = sha256_matches(&face.basic_info.hashed, &face.integrity.basic_info_hash, &basic_info_ok);
	if (r != TEXT_AP_OK)
		return r;

	if (!my_number_ok)
		bad |= TEXT_AP_MISMATCH_MY_NUMBER;
	if (!basic_info_ok)
		bad |= TEXT_AP_MISMATCH_BASIC_INFO;
	if (bad) {
		if (mismatch != NULL)
			*mismatch = bad;
		return TEXT_AP_ERR_HASH;
	}
	*out = face;
	return TEXT_AP_OK;
}

const char *text_ap_strerror(int status)
{
	switch (status) {
	case TEXT_AP_OK:
		return "ok";
	case TEXT_AP_ERR_ARGS:
		return "invalid arguments";
	case TEXT_AP_ERR_TRUNCATED:
		return "TLV runs past the end of the file";
	case TEXT_AP_ERR_MALFORMED:
		return "TLV structure or content not as the card layout says";
	case TEXT_AP_ERR_HASH:
		return "SHA-256 does not match the card's integrity file";
	case TEXT_AP_ERR_INTERNAL:
		return "SHA-256 could not be computed";
	default:
		return "unknown status";
	}
}
