/*
 * The card's PIN rules, as pure functions: which PIN lives where, and whether a
 * value could possibly be right. A value that cannot be right never reaches the
 * card, because every wrong VERIFY spends a try and a blocked PIN can only be
 * reset at a municipal office.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef JPKI_PIN_H
#define JPKI_PIN_H

#include <stddef.h>
#include <stdint.h>

#include "common/jpki-facts.h"

enum jpki_pin_charset {
	JPKI_PIN_DIGITS,            /* 0-9 */
	JPKI_PIN_UPPER_ALNUM,       /* A-Z 0-9, lower case folded to upper first */
};

struct jpki_pin_rule {
	enum jpki_pin_ref ref;
	enum jpki_ap ap;
	unsigned pin_ef;
	size_t min_len;
	size_t max_len;
	enum jpki_pin_charset charset;
	int max_tries;
	const char *name;           /* for log lines; never the value */
};

/* NULL for a reference the card does not have. */
const struct jpki_pin_rule *jpki_pin_rule_for(int ref);

enum jpki_pin_verdict {
	JPKI_PIN_ACCEPTABLE = 0,
	JPKI_PIN_WRONG_LENGTH,
	JPKI_PIN_WRONG_CHARACTER,
};

/* Checks pin against rule and writes the bytes to send into out (folded to
 * upper case where the rule says so). out is written only when the verdict is
 * JPKI_PIN_ACCEPTABLE; out_cap must be at least rule->max_len. */
enum jpki_pin_verdict jpki_pin_normalize(const struct jpki_pin_rule *rule,
                                         const uint8_t *pin, size_t pin_len,
                                         uint8_t *out, size_t out_cap, size_t *out_len);

/* Human-readable reason for a verdict (for error messages; no PIN content). */
const char *jpki_pin_verdict_text(enum jpki_pin_verdict verdict);

#endif
