/*
 * One session as the stock tools run it, from connect to PIN change, over
 * whatever reader ctx holds. The fuzzer replays it over arbitrary card
 * responses; the seed recorder runs it over the virtual card. Both must run
 * the same code so a recorded session replays APDU for APDU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef CARD_SCENARIO_H
#define CARD_SCENARIO_H

#include "libopensc/opensc.h"

/* The configuration both run under. card_info = yes: the text AP is ours to
 * fuzz too. */
#define CARD_SCENARIO_CONF \
	"app default {\n" \
	"\tdebug = 0;\n" \
	"\tcard_driver mynumber {\n\t\tcard_info = yes;\n\t}\n" \
	"\tframework pkcs15 {\n\t\tuse_file_caching = no;\n\t}\n" \
	"}\n"

/* Fixed PIN values the scenario types; a recording identity must use them. */
#define CARD_SCENARIO_AUTH_PIN "1234"
#define CARD_SCENARIO_SIGN_PIN "ABC123"
#define CARD_SCENARIO_TEXT_PIN "1234"
#define CARD_SCENARIO_NEW_AUTH_PIN "5678"

/* Steps that succeeded, as bits. */
enum card_scenario_step {
	CARD_SCENARIO_CONNECTED   = 1 << 0,
	CARD_SCENARIO_BOUND       = 1 << 1,
	CARD_SCENARIO_READ_PUBLIC = 1 << 2, /* at least one object read before any PIN */
	CARD_SCENARIO_AUTH_PIN_OK = 1 << 3,
	CARD_SCENARIO_SIGN_PIN_OK = 1 << 4,
	CARD_SCENARIO_TEXT_PIN_OK = 1 << 5,
	CARD_SCENARIO_READ_PRIVATE = 1 << 6, /* at least one private object read */
	CARD_SCENARIO_SIGNED      = 1 << 7,
	CARD_SCENARIO_PIN_CHANGED = 1 << 8,
};

/* Connects (ctx's card drivers as they are), binds our emulator, reads every
 * object, verifies each PIN, reads again, signs with both keys and changes
 * the authentication PIN. Every failure just ends or skips a step; the card
 * and binding are released before returning. */
unsigned card_scenario_run(sc_context_t *ctx);

#endif
