/*
 * The text AP's three files (EF 0001 My Number, EF 0002 basic four facts,
 * EF 0003 integrity) as plain bytes in, checked field spans out.
 *
 * No OpenSC in here: the unit tests and the fuzz target call these directly.
 * Every span points into the caller's buffer; nothing is allocated or copied, so
 * the caller keeps sole charge of wiping what it read from the card.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef TEXT_AP_TLV_H
#define TEXT_AP_TLV_H

#include <stddef.h>
#include <stdint.h>

enum text_ap_status {
	TEXT_AP_OK = 0,
	TEXT_AP_ERR_ARGS = -1,       /* NULL where a buffer was needed */
	TEXT_AP_ERR_TRUNCATED = -2,  /* a header or value runs past the bytes given */
	TEXT_AP_ERR_MALFORMED = -3,  /* wrong tag, bad length form, inconsistent offsets, bad content */
	TEXT_AP_ERR_HASH = -4,       /* EF 0001 or EF 0002 does not match EF 0003 */
	TEXT_AP_ERR_INTERNAL = -5,   /* the digest could not be computed */
};

/* Outer tags, as the two-byte BER tags read off the card. */
#define TEXT_AP_TAG_MY_NUMBER   0xFF10u
#define TEXT_AP_TAG_BASIC_INFO  0xFF20u
#define TEXT_AP_TAG_OFFSETS     0xDF21u
#define TEXT_AP_TAG_NAME        0xDF22u
#define TEXT_AP_TAG_ADDRESS     0xDF23u
#define TEXT_AP_TAG_BIRTH       0xDF24u
#define TEXT_AP_TAG_SEX         0xDF25u
#define TEXT_AP_TAG_INTEGRITY   0xFF30u
#define TEXT_AP_TAG_MY_NUMBER_HASH  0xDF31u
#define TEXT_AP_TAG_BASIC_INFO_HASH 0xDF32u
#define TEXT_AP_TAG_SIGNATURE       0xDF33u

#define TEXT_AP_MY_NUMBER_DIGITS 12
#define TEXT_AP_BIRTH_LEN        8   /* YYYYMMDD */
#define TEXT_AP_SHA256_LEN       32
#define TEXT_AP_SIGNATURE_LEN    256
/* EF 0001 as read: the 15-byte TLV and, on the cards seen, 2 more bytes. */
#define TEXT_AP_MY_NUMBER_TRAILER_MAX 2

struct text_ap_span {
	const uint8_t *data;
	size_t len;
};

/* One BER-TLV element at the start of buf. */
struct text_ap_tlv {
	unsigned tag;          /* 1 or 2 tag bytes, big-endian (0xDF21) */
	size_t header_len;     /* tag + length bytes */
	size_t value_len;
};

struct text_ap_my_number {
	struct text_ap_span digits;   /* 12 ASCII digits */
	struct text_ap_span hashed;   /* what DF 31 is the SHA-256 of */
};

struct text_ap_basic_info {
	struct text_ap_span name;     /* UTF-8 */
	struct text_ap_span address;  /* UTF-8 */
	struct text_ap_span birth;    /* 8 ASCII digits, YYYYMMDD */
	struct text_ap_span sex;      /* one ISO 5218 digit */
	struct text_ap_span hashed;   /* what DF 32 is the SHA-256 of */
};

struct text_ap_integrity {
	struct text_ap_span my_number_hash;   /* 32 bytes */
	struct text_ap_span basic_info_hash;  /* 32 bytes */
	struct text_ap_span signature;        /* kept for completeness; not verified here */
};

/* Everything the card face says, each span pointing into EF 0001 or EF 0002. */
struct text_ap_card_face {
	struct text_ap_my_number my_number;
	struct text_ap_basic_info basic_info;
	struct text_ap_integrity integrity;
};

/* Tag and length of the element at buf; the value must fit in buf_len. */
int text_ap_tlv_read(const uint8_t *buf, size_t buf_len, struct text_ap_tlv *out);

/* Total size an EF holding one outer TLV has, from its first bytes: lets the
 * reader ask the card for exactly that much. TEXT_AP_ERR_TRUNCATED when
 * prefix_len does not cover the header yet. */
int text_ap_tlv_total_len(const uint8_t *prefix, size_t prefix_len, size_t *total_len);

int text_ap_parse_my_number(const uint8_t *ef, size_t ef_len, struct text_ap_my_number *out);
int text_ap_parse_basic_info(const uint8_t *ef, size_t ef_len, struct text_ap_basic_info *out);
int text_ap_parse_integrity(const uint8_t *ef, size_t ef_len, struct text_ap_integrity *out);

/* Parses all three files and checks DF 31 / DF 32 against SHA-256 of the ranges
 * they cover. On success out is filled; on failure out is zeroed. On
 * TEXT_AP_ERR_HASH, *mismatch (if not NULL) says which: bit 0 = EF 0001,
 * bit 1 = EF 0002. */
int text_ap_decode(const uint8_t *ef_my_number, size_t ef_my_number_len,
                   const uint8_t *ef_basic_info, size_t ef_basic_info_len,
                   const uint8_t *ef_integrity, size_t ef_integrity_len,
                   struct text_ap_card_face *out, unsigned *mismatch);

#define TEXT_AP_MISMATCH_MY_NUMBER  1u
#define TEXT_AP_MISMATCH_BASIC_INFO 2u

const char *text_ap_strerror(int status);

#endif /* TEXT_AP_TLV_H */
