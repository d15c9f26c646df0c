/*
 * EF 0006 of the JPKI AP: which kind of JPKI token this is. Pure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef TOKEN_INFO_H
#define TOKEN_INFO_H

#include <stddef.h>
#include <stdint.h>

enum jpki_token_kind {
	JPKI_KIND_UNKNOWN = 0,     /* the JPKI AP answers, EF 0006 says something else */
	JPKI_KIND_MY_NUMBER_CARD,  /* JPKIAPICCTOKEN2 */
	JPKI_KIND_JUKI_CARD,       /* JPKIAPICCTOKEN: the older resident registry card */
};

/* The content is ASCII padded with spaces; trailing spaces, NULs and 0xFF
 * filler are ignored, anything else must match exactly. */
enum jpki_token_kind jpki_token_info_classify(const uint8_t *data, size_t len);

const char *jpki_token_kind_name(enum jpki_token_kind kind);

#endif
