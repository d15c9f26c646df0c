/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * PLACEHOLDER: the real driver replaces this file.
 */
#include "config.h"

#include "libopensc/internal.h"

#include "card-jpki.h"

static struct sc_card_operations mynumber_ops;
static struct sc_card_driver mynumber_driver = {
	"My Number Card (JPKI), opensc-jpki plugin",
	MYNUMBER_DRIVER_SHORT_NAME,
	&mynumber_ops,
	NULL, 0, NULL
};

static int mynumber_match_card(sc_card_t *card)
{
	return 0;
}

struct sc_card_driver *mynumber_get_driver(void)
{
	mynumber_ops = *sc_get_iso7816_driver()->ops;
	mynumber_ops.match_card = mynumber_match_card;
	return &mynumber_driver;
}
