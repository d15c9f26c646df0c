/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "common/jpki-facts.h"
#include "token-info.h"

static int is_filler(uint8_t byte)
{
	return byte == ' ' || byte == 0x00 || byte == 0xFF;
}

static int equals_text(const uint8_t *data, size_t len, const char *text)
{
	size_t text_len = strlen(text);

	return len == text_len && memcmp(data, text, len) == 0;
}

enum jpki_token_kind jpki_token_info_classify(const uint8_t *data, size_t len)
{
	if (data == NULL)
		return JPKI_KIND_UNKNOWN;
	while (len > 0 && is_filler(data[len - 1]))
		len--;
	/* Exact comparison after trimming: the Juki value is a prefix of the
	 * My Number Card's, so a prefix test would confuse them. */
	if (equals_text(data, len, JPKI_TOKEN_MY_NUMBER_CARD))
		return JPKI_KIND_MY_NUMBER_CARD;
	if (equals_text(data, len, JPKI_TOKEN_JUKI_CARD))
		return JPKI_KIND_JUKI_CARD;
	return JPKI_KIND_UNKNOWN;
}

const char *jpki_token_kind_name(enum jpki_token_kind kind)
{
	switch (kind) {
	case JPKI_KIND_MY_NUMBER_CARD:
		return "My Number Card (JPKI)";
	case JPKI_KIND_JUKI_CARD:
		return "Juki card (JPKI)";
	case JPKI_KIND_UNKNOWN:
		break;
	}
	return "JPKI token";
}
