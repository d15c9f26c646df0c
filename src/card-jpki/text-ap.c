/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * PLACEHOLDER: the text AP layer replaces this file.
 */
#include "config.h"

#include "text-ap.h"

int mynumber_text_read_field(sc_card_t *card, enum mynumber_text_field field,
                             unsigned char *out, size_t out_cap, size_t *out_len)
{
	return SC_ERROR_NOT_SUPPORTED;
}

void mynumber_text_forget(sc_card_t *card)
{
}
