/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "jpki-pin.h"

static const struct jpki_pin_rule pin_rules[] = {
	{ JPKI_PIN_REF_AUTH, JPKI_AP_JPKI, JPKI_EF_AUTH_PIN, JPKI_AUTH_PIN_LEN, JPKI_AUTH_PIN_LEN,
	  JPKI_PIN_DIGITS, JPKI_AUTH_PIN_TRIES, "authentication PIN" },
	{ JPKI_PIN_REF_SIGN, JPKI_AP_JPKI, JPKI_EF_SIGN_PIN, JPKI_SIGN_PIN_MIN_LEN, JPKI_SIGN_PIN_MAX_LEN,
	  JPKI_PIN_UPPER_ALNUM, JPKI_SIGN_PIN_TRIES, "signature password" },
	{ JPKI_PIN_REF_TEXT, JPKI_AP_TEXT, JPKI_TEXT_EF_PIN, JPKI_TEXT_PIN_LEN, JPKI_TEXT_PIN_LEN,
	  JPKI_PIN_DIGITS, JPKI_TEXT_PIN_TRIES, "card-face text PIN" },
};

const struct jpki_pin_rule *jpki_pin_rule_for(int ref)
{
	size_t i;

	for (i = 0; i < sizeof pin_rules / sizeof pin_rules[0]; i++)
		if ((int)pin_rules[i].ref == ref)
			return &pin_rules[i];
	return NULL;
}

/* Locale-independent on purpose: the card's alphabet is plain ASCII. */
static int fold_character(enum jpki_pin_charset charset, uint8_t in, uint8_t *out)
{
	if (in >= '0' && in <= '9') {
		*out = in;
		return 1;
	}
	if (charset != JPKI_PIN_UPPER_ALNUM)
		return 0;
	if (in >= 'A' && in <= 'Z') {
		*out = in;
		return 1;
	}
	if (in >= 'a' && in <= 'z') {
		*out = (uint8_t)(in - 'a' + 'A');
		return 1;
	}
	return 0;
}

enum jpki_pin_verdict jpki_pin_normalize(const struct jpki_pin_rule *rule,
                                         const uint8_t *pin, size_t pin_len,
                                         uint8_t *out, size_t out_cap, size_t *out_len)
{
	uint8_t folded[JPKI_PIN_MAX_LEN];
	enum jpki_pin_verdict verdict = JPKI_PIN_ACCEPTABLE;
	size_t i;

	if (rule == NULL || out == NULL || out_len == NULL)
		return JPKI_PIN_WRONG_LENGTH;
	if ((pin == NULL && pin_len != 0) || pin_len < rule->min_len || pin_len > rule->max_len
	    || pin_len > sizeof folded || pin_len > out_cap)
		return JPKI_PIN_WRONG_LENGTH;
	for (i = 0; i < pin_len; i++) {
		if (!fold_character(rule->charset, pin[i], &folded[i])) {
			verdict = JPKI_PIN_WRONG_CHARACTER;
			break;
		}
	}
	if (verdict == JPKI_PIN_ACCEPTABLE) {
		memcpy(out, folded, pin_len);
		*out_len = pin_len;
	}
	explicit_bzero(folded, sizeof folded);
	return verdict;
}

const char *jpki_pin_verdict_text(enum jpki_pin_verdict verdict)
{
	switch (verdict) {
	case JPKI_PIN_ACCEPTABLE:
		return "acceptable";
	case JPKI_PIN_WRONG_LENGTH:
		return "wrong length for this PIN";
	case JPKI_PIN_WRONG_CHARACTER:
		return "character this PIN cannot contain";
	}
	return "unknown";
}
