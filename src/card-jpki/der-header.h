/*
 * The header of one BER/DER TLV: tag, length, and how much of a file it covers.
 * Pure: no OpenSC, no I/O. Used to size certificates and the text AP's files
 * from the bytes the card returned, never from fixed header positions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DER_HEADER_H
#define DER_HEADER_H

#include <stddef.h>
#include <stdint.h>

struct der_header {
	uint32_t tag;          /* the tag bytes, big-endian (0x30, 0xFF10, 0x7F21...) */
	size_t header_len;     /* tag bytes + length bytes */
	size_t value_len;
	size_t total_len;      /* header_len + value_len */
};

/* Longest header accepted: three tag bytes, 0x84 and four length bytes. */
#define DER_HEADER_MAX_LEN 8

enum der_header_status {
	DER_HEADER_OK = 0,
	DER_HEADER_TRUNCATED = -1,  /* buf ends inside the header: read more */
	DER_HEADER_INVALID = -2,    /* indefinite, overlong, or non-minimal under DER_STRICT */
};

/* Minimal length encoding required (DER); without it long forms such as
 * 81 05 are accepted, as some card files use them. */
#define DER_HEADER_STRICT 0x1

enum der_header_status der_header_parse(const uint8_t *buf, size_t buf_len,
                                        unsigned flags, struct der_header *out);

#endif
