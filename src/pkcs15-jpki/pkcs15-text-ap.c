/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * PLACEHOLDER: the text AP emulator part replaces this file.
 */
#include "config.h"

#include "pkcs15-text-ap.h"

int mynumber_pkcs15_add_text_ap_objects(sc_pkcs15_card_t *p15card)
{
	return 0;
}
