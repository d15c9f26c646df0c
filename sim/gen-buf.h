/*
 * jpki-sim-gen: a growable byte buffer and a BER-TLV writer for the text AP files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef GEN_BUF_H
#define GEN_BUF_H

#include <stddef.h>
#include <stdint.h>

/* Every card file the generator builds fits in a few KiB; a larger request is a
 * bug, not data. */
#define GEN_BUF_MAX 65535

struct gen_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* All return 0, or -1 (buffer left as it was) when the result would exceed
 * GEN_BUF_MAX or memory runs out. */
int gen_buf_append(struct gen_buf *buf, const void *bytes, size_t n);
int gen_buf_append_byte(struct gen_buf *buf, uint8_t byte);

/* Tag (one or two bytes as written, e.g. 0xDF22 or 0x42) and a DER length in the
 * shortest form: one byte below 128, else 81 xx or 82 xx xx. */
int gen_tlv_header(struct gen_buf *buf, unsigned tag, size_t value_len);
int gen_tlv(struct gen_buf *buf, unsigned tag, const void *value, size_t value_len);

/* Number of bytes gen_tlv_header writes. */
size_t gen_tlv_header_size(unsigned tag, size_t value_len);

/* Wipes and frees; the buffer is empty afterwards. */
void gen_buf_clear(struct gen_buf *buf);

#endif
