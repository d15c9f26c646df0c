/*
 * libFuzzer target for the text AP parser (src/common/text-ap-tlv.c).
 *
 * Input: three files back to back, each preceded by a 2-byte big-endian length
 * (EF 0001, EF 0002, EF 0003); a short input feeds the whole buffer to each
 * parser alone. Every span handed back must lie inside the buffer it came from:
 * that is what the driver relies on when it copies a field out.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/text-ap-tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require_inside(const struct text_ap_span *s, const uint8_t *buf, size_t len)
{
	if (s->data == NULL) {
		if (s->len != 0)
			abort();
		return;
	}
	if (s->data < buf || s->len > len || (size_t)(s->data - buf) > len - s->len)
		abort();
}

/* Copies each piece to its own allocation so ASan sees any read past its end. */
static uint8_t *dup_piece(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (copy != NULL && len)
		memcpy(copy, data, len);
	return copy;
}

static void parse_alone(const uint8_t *data, size_t size)
{
	struct text_ap_my_number mn;
	struct text_ap_basic_info bi;
	struct text_ap_integrity integ;
	struct text_ap_tlv tlv;
	size_t total;

	if (text_ap_parse_my_number(data, size, &mn) == TEXT_AP_OK) {
		require_inside(&mn.digits, data, size);
		require_inside(&mn.hashed, data, size);
		if (mn.digits.len != TEXT_AP_MY_NUMBER_DIGITS)
			abort();
	}
	if (text_ap_parse_basic_info(data, size, &bi) == TEXT_AP_OK) {
		require_inside(&bi.name, data, size);
		require_inside(&bi.address, data, size);
		require_inside(&bi.birth, data, size);
		require_inside(&bi.sex, data, size);
		require_inside(&bi.hashed, data, size);
		/* Every field handed out lies inside the hashed range. */
		if (bi.name.data < bi.hashed.data ||
		    bi.sex.data + bi.sex.len > bi.hashed.data + bi.hashed.len)
			abort();
	}
	if (text_ap_parse_integrity(data, size, &integ) == TEXT_AP_OK) {
		require_inside(&integ.my_number_hash, data, size);
		require_inside(&integ.basic_info_hash, data, size);
		require_inside(&integ.signature, data, size);
	}
	if (text_ap_tlv_read(data, size, &tlv) == TEXT_AP_OK &&
	    (tlv.header_len > size || tlv.value_len > size - tlv.header_len))
		abort();
	(void)text_ap_tlv_total_len(data, size, &total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *piece[3];
	size_t piece_len[3];
	uint8_t *copy[3] = { NULL, NULL, NULL };
	struct text_ap_card_face face;
	size_t pos = 0;
	size_t i;

	parse_alone(data, size);

	for (i = 0; i < 3; i++) {
		size_t len;

		if (size - pos < 2)
			return 0;
		len = ((size_t)data[pos] << 8) | data[pos + 1];
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		piece[i] = data + pos;
		piece_len[i] = len;
		pos += len;
	}
	for (i = 0; i < 3; i++) {
		copy[i] = dup_piece(piece[i], piece_len[i]);
		if (copy[i] == NULL)
			goto out;
	}
	if (text_ap_decode(copy[0], piece_len[0], copy[1], piece_len[1], copy[2], piece_len[2],
	                   &face, NULL) == TEXT_AP_OK) {
		require_inside(&face.my_number.digits, copy[0], piece_len[0]);
		require_inside(&face.basic_info.name, copy[1], piece_len[1]);
		require_inside(&face.basic_info.address, copy[1], piece_len[1]);
		require_inside(&face.basic_info.birth, copy[1], piece_len[1]);
		require_inside(&face.basic_info.sex, copy[1], piece_len[1]);
	}
out:
	for (i = 0; i < 3; i++)
		free(copy[i]);
	return 0;
}
