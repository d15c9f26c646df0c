/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "libopensc/opensc.h"
#include "libopensc/log.h"

#include "common/opensc-compat.h"
#include "common/pin-cmd-probe.h"
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

/* What this module's pin_cmd was compiled as. A test build believes the
 * other convention (tests/module/local.mk). */
#if defined(HAVE_OPENSC_PIN_CMD_TRIES_LEFT) != defined(OPENSC_JPKI_TEST_OTHER_PIN_CMD)
#define MODULE_PIN_CMD_HAS_TRIES_LEFT true
#else
#define MODULE_PIN_CMD_HAS_TRIES_LEFT false
#endif

static char refusal_reason[320];

static const char *find_refusal(void)
{
	const char *running = sc_get_version();

	if (running == NULL || strcmp(running, BUILT_FOR) != 0) {
		snprintf(refusal_reason, sizeof refusal_reason,
		         "opensc-jpki: refused: built for OpenSC %s, running in OpenSC %s; rebuild the plugin against this OpenSC",
		         BUILT_FOR, running != NULL ? running : "(no version)");
		return refusal_reason;
	}
	if (pin_cmd_probe_has_tries_left(sc_verify) == MODULE_PIN_CMD_HAS_TRIES_LEFT)
		return NULL;
	if (MODULE_PIN_CMD_HAS_TRIES_LEFT)
		snprintf(refusal_reason, sizeof refusal_reason,
		         "opensc-jpki: refused: built for OpenSC %s, whose pin_cmd takes tries_left; the running libopensc "
		         "also says %s, but its pin_cmd has none: an OpenSC after 0.27.1 (upstream PR #3589). Rebuild the "
		         "plugin against this OpenSC's source", BUILT_FOR, running);
	else
		snprintf(refusal_reason, sizeof refusal_reason,
		         "opensc-jpki: refused: built for an OpenSC after 0.27.1 that says %s, whose pin_cmd has no "
		         "tries_left (upstream PR #3589); the running libopensc also says %s, but its pin_cmd takes "
		         "tries_left. Rebuild the plugin against this OpenSC's source", BUILT_FOR, running);
	return refusal_reason;
}

const char *module_guard_refusal(void)
{
	static bool asked;
	static const char *answer;

	if (!asked) {
		answer = find_refusal();
		asked = true;
	}
	return answer;
}

static int refuse_card(sc_card_t *card)
{
	sc_log(card->ctx, "%s", module_guard_refusal());
	return 0;
}

static int refuse_init(sc_card_t *card)
{
	sc_log(card->ctx, "%s", module_guard_refusal());
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
