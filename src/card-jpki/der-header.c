/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "der-header.h"

#define TAG_NUMBER_MASK     0x1F  /* all ones: the tag number continues */
#define TAG_MORE_BYTES      0x80
#define LENGTH_LONG_FORM    0x80
#define MAX_TAG_BYTES       3
#define MAX_LENGTH_BYTES    4

static enum der_header_status parse_tag(const uint8_t *buf, size_t buf_len,
                                        uint32_t *tag, size_t *tag_len)
{
	size_t used = 1;
	uint32_t value;

	if (buf_len < 1)
		return DER_HEADER_TRUNCATED;
	value = buf[0];
	if ((buf[0] & TAG_NUMBER_MASK) == TAG_NUMBER_MASK) {
		for (;;) {
			if (used >= buf_len)
				return DER_HEADER_TRUNCATED;
			if (used >= MAX_TAG_BYTES)
				return DER_HEADER_INVALID;
			value = (value << 8) | buf[used];
			used++;
			if ((buf[used - 1] & TAG_MORE_BYTES) == 0)
				break;
		}
	}
	*tag = value;
	*tag_len = used;
	return DER_HEADER_OK;
}

enum der_header_status der_header_parse(const uint8_t *buf, size_t buf_len,
                                        unsigned flags, struct der_header *out)
{
	struct der_header header;
	enum der_header_status status;
	size_t tag_len, length_bytes, i, pos;
	size_t value_len = 0;

	if (buf == NULL || out == NULL)
		return DER_HEADER_INVALID;
	memset(&header, 0, sizeof header);
	status = parse_tag(buf, buf_len, &header.tag, &tag_len);
	if (status != DER_HEADER_OK)
		return status;

	pos = tag_len;
	if (pos >= buf_len)
		return DER_HEADER_TRUNCATED;
	if ((buf[pos] & LENGTH_LONG_FORM) == 0) {
		value_len = buf[pos];
		pos++;
	} else {
		length_bytes = buf[pos] & 0x7F;
		/* 0x80 is BER's indefinite form; a certificate file never uses it,
		 * and more than four length bytes would describe a file no card holds. */
		if (length_bytes == 0 || length_bytes > MAX_LENGTH_BYTES)
			return DER_HEADER_INVALID;
		pos++;
		if (buf_len - pos < length_bytes)
			return DER_HEADER_TRUNCATED;
		if ((flags & DER_HEADER_STRICT) && buf[pos] == 0)
			return DER_HEADER_INVALID;
		for (i = 0; i < length_bytes; i++)
			value_len = (value_len << 8) | buf[pos + i];
		pos += length_bytes;
		if ((flags & DER_HEADER_STRICT) && value_len < LENGTH_LONG_FORM)
			return DER_HEADER_INVALID;
	}
	/* Four length bytes can exceed what a size_t on a 32-bit host holds. */
	if (value_len > SIZE_MAX - pos)
		return DER_HEADER_INVALID;

	header.header_len = pos;
	header.value_len = value_len;
	header.total_len = pos + value_len;
	*out = header;
	return DER_HEADER_OK;
}
