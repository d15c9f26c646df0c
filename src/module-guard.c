/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "libopensc/opensc.h"
#include "libopensc/log.h"

#include "module-guard.h"

/* Tests build a second module that pretends to come from another release. */
#ifdef OPENSC_JPKI_TEST_BUILT_FOR
#define BUILT_FOR OPENSC_JPKI_TEST_BUILT_FOR
#else
#define BUILT_FOR OPENSC_JPKI_BUILT_FOR
#endif

const char *module_guard_built_for(void)
{
	return BUILT_FOR;
}

bool module_guard_running_matches(void)
{
	const char *running = sc_get_version();

	return running != NULL && strcmp(running, BUILT_FOR) == 0;
}

static char refusal_reason[160];

static const char *refusal(void)
{
	snprintf(refusal_reason, sizeof refusal_reason,
	         "opensc-jpki: refused: built for OpenSC %s, running in OpenSC %s; rebuild the plugin against this OpenSC",
	         BUILT_FOR, sc_get_version());
	return refusal_reason;
}

static int refuse_card(sc_card_t *card)
{
	sc_log(card->ctx, "%s", refusal());
	return 0;
}

static int refuse_init(sc_card_t *card)
{
	sc_log(card->ctx, "%s", refusal());
	return SC_ERROR_WRONG_CARD;
}

static struct sc_card_operations refusing_ops;
static struct sc_card_driver refusing_driver = {
	"opensc-jpki (REFUSED: built for another OpenSC version; see the debug log)",
	"jpki-refused",
	&refusing_ops,
	NULL, 0, NULL
};

static struct sc_card_driver *get_refusing_driver(void)
{
	refusing_ops.match_card = refuse_card;
	refusing_ops.init = refuse_init;
	return &refusing_driver;
}

void *module_guard_refusing_driver(void)
{
	return (void *)get_refusing_driver;
}
