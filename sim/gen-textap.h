/*
 * jpki-sim-gen: the card-face input assistance ("text") AP's files, byte for
 * byte as the card returns them.
 *
 * EF 0001  FF 10 0C <12 ASCII digits> 00 00   (17 bytes; the two trailing bytes
 *          are outside the TLV: the layout after it is uncertain on real cards)
 * EF 0002  FF 20 L { DF 21 08 <4 offsets>, DF 22 name, DF 23 address,
 *                    DF 24 YYYYMMDD, DF 25 sex }
 *          The offsets are 16-bit big-endian positions, counted from the first
 *          byte of EF 0002 (the FF of FF 20), of the DF 22, DF 23, DF 24 and
 *          DF 25 TLVs, in that order. Lengths use the shortest DER form, so
 *          81 and 82 appear when the values are long.
 * EF 0003  FF 30 82 01 4B { DF 31 20 <SHA-256 of EF 0001's TLV: its first 15
 *          bytes, FF 10 0C + digits, trailing bytes excluded>,
 *          DF 32 20 <SHA-256 of EF 0002 from the first offset in DF 21 (the
 *          DF 22 tag) to the end of the outer FF 20 TLV, which is the end of
 *          the file>,
 *          DF 33 82 01 00 <RSASSA-PKCS1-v1_5 SHA-256 signature, with the text
 *          AP signer key, over the 64 bytes DF 31 value || DF 32 value> }
 *          = 336 bytes.
 * EF 0004  7F 21 { 5F 4E body, 5F 37 signature }: a synthetic card-verifiable
 *          certificate of the text AP signer key; body = 5F 29 01 00 (profile),
 *          42 08 CAR, 7F 49 { 81 modulus, 82 exponent }, 5F 20 08 CHR; the
 *          signature is RSASSA-PKCS1-v1_5 SHA-256 by the same key (self-signed)
 *          over the whole 5F 4E TLV.
 * EF 0005  FF 40 { DF 41 04 01 01 00 00 (version 1, extended APDUs supported,
 *          vendor 0, option 0), DF 42 08 <the key id: the CVC's CHR> }
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef GEN_TEXTAP_H
#define GEN_TEXTAP_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "gen-buf.h"
#include "gen-person.h"

enum gen_text_ef {
	GEN_TEXT_EF_MY_NUMBER,   /* 0001 */
	GEN_TEXT_EF_BASIC_INFO,  /* 0002 */
	GEN_TEXT_EF_INTEGRITY,   /* 0003 */
	GEN_TEXT_EF_CVC,         /* 0004 */
	GEN_TEXT_EF_AP_INFO,     /* 0005 */
	GEN_TEXT_EF_COUNT
};

#define GEN_TEXT_KEY_ID "JPKITEST"

struct gen_text_ap {
	struct gen_buf ef[GEN_TEXT_EF_COUNT];
	EVP_PKEY *signer_key;
};

/* long_address: the person's address was made long; EF 0002's outer length must
 * then use the 82 form, else the 81 form (checked). Returns 0, or -1 with a
 * message on stderr (nothing allocated is left). */
int gen_text_ap_make(const struct gen_person *person, bool long_address, struct gen_text_ap *text);
void gen_text_ap_free(struct gen_text_ap *text);

#endif
