/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-buf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

int gen_buf_append(struct gen_buf *buf, const void *bytes, size_t n)
{
	if (n > GEN_BUF_MAX - buf->len)
		return -1;
	if (buf->len + n > buf->cap) {
		size_t new_cap = buf->cap ? buf->cap : 256;
		while (new_cap < buf->len + n)
			new_cap *= 2;
		/* Not realloc: the old block may hold key-derived bytes and must be
		 * wiped, not left behind in the heap. */
		uint8_t *grown = malloc(new_cap);
		if (grown == NULL)
			return -1;
		if (buf->len)
			memcpy(grown, buf->data, buf->len);
		if (buf->data)
			OPENSSL_cleanse(buf->data, buf->cap);
		free(buf->data);
		buf->data = grown;
		buf->cap = new_cap;
	}
	if (n)
		memcpy(buf->data + buf->len, bytes, n);
	buf->len += n;
	return 0;
}

int gen_buf_append_byte(struct gen_buf *buf, uint8_t byte)
{
	return gen_buf_append(buf, &byte, 1);
}

size_t gen_tlv_header_size(unsigned tag, size_t value_len)
{
	size_t tag_size = tag > 0xFF ? 2 : 1;
	if (value_len < 0x80)
		return tag_size + 1;
	if (value_len <= 0xFF)
		return tag_size + 2;
	return tag_size + 3;
}

int gen_tlv_header(struct gen_buf *buf, unsigned tag, size_t value_len)
{
	uint8_t header[5];
	size_t n = 0;

	if (tag > 0xFFFF || value_len > 0xFFFF)
		return -1;
	if (tag > 0xFF)
		header[n++] = (uint8_t)(tag >> 8);
	header[n++] = (uint8_t)tag;
	if (value_len < 0x80) {
		header[n++] = (uint8_t)value_len;
	} else if (value_len <= 0xFF) {
		header[n++] = 0x81;
		header[n++] = (uint8_t)value_len;
	} else {
		header[n++] = 0x82;
		header[n++] = (uint8_t)(value_len >> 8);
		header[n++] = (uint8_t)value_len;
	}
	return gen_buf_append(buf, header, n);
}

int gen_tlv(struct gen_buf *buf, unsigned tag, const void *value, size_t value_len)
{
	size_t old_len = buf->len;

	if (gen_tlv_header(buf, tag, value_len) != 0)
		return -1;
	if (gen_buf_append(buf, value, value_len) != 0) {
		buf->len = old_len;
		return -1;
	}
	return 0;
}

void gen_buf_clear(struct gen_buf *buf)
{
	if (buf->data)
		OPENSSL_cleanse(buf->data, buf->cap);
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}
