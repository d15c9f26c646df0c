/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * PLACEHOLDER: the real emulator replaces this file.
 */
#include "config.h"

#include "libopensc/internal.h"
#include "libopensc/pkcs15.h"

#include "card-jpki/card-jpki.h"
#include "pkcs15-jpki.h"

int mynumber_pkcs15emu_init_ex(sc_pkcs15_card_t *p15card, struct sc_aid *aid)
{
	if (p15card->card->type != MYNUMBER_CARD_TYPE)
		return SC_ERROR_WRONG_CARD;
	return SC_ERROR_WRONG_CARD;
}
