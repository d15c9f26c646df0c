/*
 * VERIFY, CHANGE REFERENCE DATA and the tries-left query, reached only through
 * OpenSC's sc_pin_cmd (which mutes APDU logging below SC_LOG_DEBUG_PIN). Every
 * value is checked against the PIN's rule before the card is touched; a value
 * that cannot be right costs no try.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "card-link.h"
#include "common/module-config.h"
#include "jpki-pin.h"
#include "jpki-state.h"

#define TRIES_NIBBLE_MASK 0x0F
#define SW1_OF(sw) ((sw) >> 8)
#define SW2_OF(sw) ((sw) & 0xFF)

/* An error for a status word the PIN logic has no meaning for. */
static int unexpected_sw(sc_card_t *card, unsigned sw)
{
	int r = sc_check_sw(card, SW1_OF(sw), SW2_OF(sw));

	return r < 0 ? r : SC_ERROR_CARD_CMD_FAILED;
}

/* Which value of a command a PIN value is: the one to check against the
 * card's, or the one to set. */
enum pin_role { PIN_ROLE_CHECKED, PIN_ROLE_CURRENT, PIN_ROLE_NEW };

/* What applications treat as a bad PIN, though no try was spent. A value to
 * check that cannot be right is simply wrong: SC_ERROR_PIN_CODE_INCORRECT
 * (PKCS#11 CKR_PIN_INCORRECT). A new value with a character the PIN does not
 * take is SC_ERROR_INVALID_DATA, as OpenSC's own PIV and CAC drivers answer a
 * non-digit new PIN: "PIN code incorrect" there would send the user to try
 * other current PINs. A wrong length is SC_ERROR_INVALID_PIN_LENGTH
 * (CKR_PIN_LEN_RANGE) for either. */
static int refusal_code(enum jpki_pin_verdict verdict, enum pin_role role)
{
	if (verdict == JPKI_PIN_WRONG_LENGTH)
		return SC_ERROR_INVALID_PIN_LENGTH;
	return role == PIN_ROLE_NEW ? SC_ERROR_INVALID_DATA : SC_ERROR_PIN_CODE_INCORRECT;
}

static const char *role_text(enum pin_role role)
{
	return role == PIN_ROLE_NEW ? "new " : role == PIN_ROLE_CURRENT ? "current " : "";
}

/* Normalizes one PIN value the caller gave into pin. A value that can never
 * be right is refused here, before any APDU, so it costs no try; the log
 * says which value (role) and why, never the value itself. */
static int take_pin_value(sc_card_t *card, const struct jpki_pin_rule *rule, enum pin_role role,
                          const u8 *value, size_t value_len, u8 *pin, size_t pin_cap, size_t *pin_len)
{
	enum jpki_pin_verdict verdict = jpki_pin_normalize(rule, value, value_len, pin, pin_cap, pin_len);

	if (verdict == JPKI_PIN_ACCEPTABLE)
		return SC_SUCCESS;
	sc_log(card->ctx, "%s%s refused before the card: %s", role_text(role), rule->name,
	       jpki_pin_verdict_text(verdict));
	return refusal_code(verdict, role);
}

/* VERIFY and CHANGE REFERENCE DATA act on the current EF: the PIN's EF in
 * its application, both confirmed in this transaction. */
static int select_pin(sc_card_t *card, const struct jpki_pin_rule *rule)
{
	int r;

	r = mynumber_link_select_ap(card, rule->ap);
	if (r < 0)
		return r;
	return mynumber_link_select_ef(card, rule->pin_ef);
}

/* Whether a successful VERIFY of the signature PIN is the cardholder's
 * consent to one signature. In a PKCS#11 application the key advertises
 * CKA_ALWAYS_AUTHENTICATE, so consent is the context-specific login, not
 * C_Login (which only opens the token), unless OpenSC is told to re-verify
 * from its PIN cache for such keys (pin_cache_ignore_user_consent): then its
 * re-verification before each signature is the one VERIFY per signature.
 * Elsewhere (pkcs15-crypt) the tool verifies right before it signs. */
static bool verify_is_consent(sc_card_t *card, const struct sc_pin_cmd_data *data)
{
	return data->pin_type == SC_AC_CONTEXT_SPECIFIC || mynumber_drv(card)->consent_by_any_verify
	       || !module_config_app_is_pkcs11(card->ctx);
}

static int is_blocked_sw(unsigned sw)
{
	return sw == JPKI_SW_PIN_BLOCKED || sw == JPKI_SW_PIN_BLOCKED_ALT;
}

static int tries_from_sw(unsigned sw)
{
	if (SW1_OF(sw) == JPKI_SW1_TRIES_LEFT && (SW2_OF(sw) & 0xF0) == 0xC0)
		return (int)(SW2_OF(sw) & TRIES_NIBBLE_MASK);
	return -1;
}

static void report_tries(struct sc_pin_cmd_data *data, int *tries_left, int tries)
{
	data->pin1.tries_left = tries;
	if (tries_left != NULL)
		*tries_left = tries;
}

/* Turns a VERIFY status word into OpenSC's answer and the driver's state. */
static int verify_outcome(sc_card_t *card, const struct jpki_pin_rule *rule, unsigned sw,
                          struct sc_pin_cmd_data *data, int *tries_left)
{
	int tries = tries_from_sw(sw);

	if (sw == JPKI_SW_OK) {
		mynumber_link_pin_blocked_set(card, rule->ref, false);
		mynumber_link_pin_set(card, rule->ref, true);
		data->pin1.logged_in = SC_PIN_STATE_LOGGED_IN;
		report_tries(data, tries_left, rule->max_tries);
		return SC_SUCCESS;
	}
	mynumber_link_pin_set(card, rule->ref, false);
	data->pin1.logged_in = SC_PIN_STATE_LOGGED_OUT;
	if (is_blocked_sw(sw) || tries == 0) {
		mynumber_link_pin_blocked_set(card, rule->ref, true);
		report_tries(data, tries_left, 0);
		return SC_ERROR_AUTH_METHOD_BLOCKED;
	}
	if (tries > 0) {
		report_tries(data, tries_left, tries);
		return SC_ERROR_PIN_CODE_INCORRECT;
	}
	return unexpected_sw(card, sw);
}

/* The PIN's tries left as the card counts them (0 when blocked), from a
 * VERIFY without data: it costs no try. 0 or an OpenSC error. */
static int read_tries(sc_card_t *card, const struct jpki_pin_rule *rule, int *tries)
{
	unsigned sw = 0;
	int r;

	r = select_pin(card, rule);
	LOG_TEST_RET(card->ctx, r, "cannot select the PIN");
	r = jpki_apdu_verify(card, NULL, 0, &sw);
	LOG_TEST_RET(card->ctx, r, "VERIFY (status) failed");
	*tries = is_blocked_sw(sw) ? 0 : tries_from_sw(sw);
	if (*tries < 0 && sw != JPKI_SW_OK)
		LOG_TEST_RET(card->ctx, unexpected_sw(card, sw), "VERIFY (status): unexpected status");
	if (*tries >= 0)
		mynumber_link_pin_blocked_set(card, rule->ref, *tries == 0);
	return SC_SUCCESS;
}

static int pin_get_info(sc_card_t *card, const struct jpki_pin_rule *rule,
                        struct sc_pin_cmd_data *data, int *tries_left)
{
	int tries = -1;
	int r;

	/* The no-data VERIFY answers 63Cx whether or not the PIN was
	 * verified, so "logged in" comes from the driver's own record. */
	r = read_tries(card, rule, &tries);
	if (r < 0)
		return r;
	data->pin1.max_tries = rule->max_tries;
	/* Whether the card holds the PIN cannot be asked (a no-data VERIFY
	 * answers 63Cx either way), and another process may have ended it: not
	 * believed is "unknown", never "logged out", which would make
	 * opensc-pkcs11 close the sessions of a token whose login its PIN cache
	 * can still restore (C_GetSessionInfo). */
	data->pin1.logged_in = mynumber_link_pin_believed(card, rule->ref) ? SC_PIN_STATE_LOGGED_IN
	                                                                   : SC_PIN_STATE_UNKNOWN;
	report_tries(data, tries_left, tries);
	if (tries == 0)
		sc_log(card->ctx, "%s is blocked", rule->name);
	return SC_SUCCESS;
}

/* A value offered for another of the card's PINs a moment ago, or at any
 * time on this connection, cannot be meant for this one: typed for the other,
 * it is refused here rather than spent on this PIN's tries. */
static int offered_elsewhere(sc_card_t *card, const struct jpki_pin_rule *rule, const u8 *value, size_t len)
{
	int other = mynumber_link_offer_pin(card, rule->ref, value, len, true);
	const struct jpki_pin_rule *other_rule = jpki_pin_rule_for(other);

	if (other == 0 || other_rule == NULL)
		return SC_SUCCESS;
	sc_log(card->ctx, "%s refused before the card: the same value was offered for the %s on this connection "
	                  "(a client that logs in to every token with one PIN)", rule->name, other_rule->name);
	return SC_ERROR_PIN_CODE_INCORRECT;
}

/* Whether value is well-formed for one of the card's PINs other than
 * rule's: then, typed for rule's, it could be spent on that one. */
static bool fits_another_pin(const struct jpki_pin_rule *rule, const u8 *value, size_t value_len)
{
	u8 scratch[JPKI_PIN_MAX_LEN];
	size_t scratch_len = 0;
	bool fits = false;
	int ref;

	for (ref = JPKI_PIN_REF_AUTH; ref <= JPKI_PIN_REF_TEXT && !fits; ref++) {
		const struct jpki_pin_rule *other = jpki_pin_rule_for(ref);

		fits = other != NULL && other != rule
		       && jpki_pin_normalize(other, value, value_len, scratch, sizeof scratch, &scratch_len)
		                  == JPKI_PIN_ACCEPTABLE;
	}
	explicit_bzero(scratch, sizeof scratch);
	return fits;
}

/* A value to check against the card's (role: checked, or a change's
 * current one), normalized into pin: refused when it cannot be right (its
 * format first, the more telling answer), or when it was offered for another
 * PIN; else recorded as offered for this one. A value of the wrong format is
 * recorded only when it fits another PIN (a signature password typed for the
 * authentication PIN): one that fits none could never be spent elsewhere,
 * and must not push out the values that matter. */
static int take_checked_value(sc_card_t *card, const struct jpki_pin_rule *rule, enum pin_role role,
                              const u8 *value, size_t value_len, u8 *pin, size_t pin_cap, size_t *pin_len)
{
	int r = take_pin_value(card, rule, role, value, value_len, pin, pin_cap, pin_len);

	if (r != SC_SUCCESS) {
		if (fits_another_pin(rule, value, value_len))
			(void)mynumber_link_offer_pin(card, rule->ref, value, value_len, false);
		return r;
	}
	r = offered_elsewhere(card, rule, value, value_len);
	if (r != SC_SUCCESS)
		explicit_bzero(pin, pin_cap);
	return r;
}

/* A PIN the card said is blocked can never be right: no value is sent for
 * it (a blocked JPKI PIN is reset only at a municipal office). The card is
 * asked again first (no try spent), so one garbled answer blocks nothing:
 * with tries left the mark goes and the caller goes on. */
static int known_blocked(sc_card_t *card, const struct jpki_pin_rule *rule, struct sc_pin_cmd_data *data,
                         int *tries_left)
{
	int tries = -1;

	if (!mynumber_link_pin_blocked(card, rule->ref))
		return SC_SUCCESS;
	if (read_tries(card, rule, &tries) == SC_SUCCESS && tries > 0) {
		sc_log(card->ctx, "%s has %d tries left after all", rule->name, tries);
		return SC_SUCCESS;
	}
	sc_log(card->ctx, "%s is blocked: the value is not sent", rule->name);
	report_tries(data, tries_left, 0);
	return SC_ERROR_AUTH_METHOD_BLOCKED;
}

/* SELECT of the PIN's EF and VERIFY of pin, the answer interpreted. */
static int send_verify(sc_card_t *card, const struct jpki_pin_rule *rule, const u8 *pin, size_t pin_len,
                       struct sc_pin_cmd_data *data, int *tries_left)
{
	unsigned sw = 0;
	int r;

	r = select_pin(card, rule);
	if (r == SC_SUCCESS)
		r = jpki_apdu_verify(card, pin, pin_len, &sw);
	if (r == SC_SUCCESS)
		r = verify_outcome(card, rule, sw, data, tries_left);
	return r;
}

static int pin_verify(sc_card_t *card, const struct jpki_pin_rule *rule,
                      struct sc_pin_cmd_data *data, int *tries_left)
{
	u8 pin[JPKI_PIN_MAX_LEN];
	size_t pin_len = 0;
	int r;

	/* A known block first: the same answer whatever the value's form. */
	r = known_blocked(card, rule, data, tries_left);
	if (r == SC_SUCCESS)
		r = take_checked_value(card, rule, PIN_ROLE_CHECKED, data->pin1.data, data->pin1.len, pin, sizeof pin,
		                       &pin_len);
	if (r != SC_SUCCESS)
		return r;
	data->pin1.max_tries = rule->max_tries;
	r = send_verify(card, rule, pin, pin_len, data, tries_left);
	if (r == SC_SUCCESS && rule->ref == JPKI_PIN_REF_SIGN && verify_is_consent(card, data))
		(void)mynumber_link_consent_grant(card, pin, pin_len);
	explicit_bzero(pin, sizeof pin);
	LOG_TEST_RET(card->ctx, r, "VERIFY");
	return r;
}

int mynumber_pin_verify_kept(sc_card_t *card, int ref, const u8 *pin, size_t pin_len)
{
	const struct jpki_pin_rule *rule = jpki_pin_rule_for(ref);
	struct sc_pin_cmd_data data;
	int saved_debug = card->ctx->debug;
	int r;

	if (rule == NULL || pin == NULL || pin_len == 0)
		return SC_ERROR_INVALID_ARGUMENTS;
	memset(&data, 0, sizeof data);
	/* Outside sc_pin_cmd, which mutes the APDU log below the PIN level:
	 * the same here, or the VERIFY's data would be hex-dumped. */
	if (card->ctx->debug < SC_LOG_DEBUG_PIN)
		card->ctx->debug = 0;
	r = send_verify(card, rule, pin, pin_len, &data, NULL);
	card->ctx->debug = saved_debug;
	LOG_TEST_RET(card->ctx, r, "VERIFY of the kept PIN");
	return r;
}

/* pkcs15-tool --change-pin prints "PIN code incorrect; tries left: N" for
 * any SC_ERROR_PIN_CODE_INCORRECT: for a current value refused before the
 * card, N is read from the card (no try spent), so the user sees that none
 * was, not -1; and a PIN the card says is blocked is answered as blocked
 * (SC_ERROR_AUTH_METHOD_BLOCKED), not as a typo that seems to have cost the
 * last try. Returns the answer to give: refusal, or that. Best effort: on a
 * card error N stays unknown. */
static int refused_current_tries(sc_card_t *card, const struct jpki_pin_rule *rule, int refusal,
                                 struct sc_pin_cmd_data *data, int *tries_left)
{
	int tries = -1;

	if (refusal != SC_ERROR_PIN_CODE_INCORRECT || tries_left == NULL)
		return refusal;
	if (read_tries(card, rule, &tries) != SC_SUCCESS || tries < 0)
		return refusal;
	report_tries(data, tries_left, tries);
	return tries == 0 ? SC_ERROR_AUTH_METHOD_BLOCKED : refusal;
}

static int pin_change(sc_card_t *card, const struct jpki_pin_rule *rule,
                      struct sc_pin_cmd_data *data, int *tries_left)
{
	u8 old_pin[JPKI_PIN_MAX_LEN], new_pin[JPKI_PIN_MAX_LEN];
	size_t old_len = 0, new_len = 0;
	int have_old = data->pin1.len > 0;
	unsigned sw = 0;
	int r;

	/* A known block first, as for a VERIFY (asked again: it goes on only
	 * when the card reports tries left). */
	r = known_blocked(card, rule, data, tries_left);
	if (r != SC_SUCCESS)
		return r;
	/* Both values are checked before anything is sent: a bad new value must
	 * not cost a VERIFY of the old one either. */
	r = take_pin_value(card, rule, PIN_ROLE_NEW, data->pin2.data, data->pin2.len, new_pin, sizeof new_pin, &new_len);
	if (r != SC_SUCCESS)
		return r;
	if (have_old) {
		r = take_checked_value(card, rule, PIN_ROLE_CURRENT, data->pin1.data, data->pin1.len, old_pin,
		                       sizeof old_pin, &old_len);
		if (r != SC_SUCCESS) {
			explicit_bzero(new_pin, sizeof new_pin);
			return refused_current_tries(card, rule, r, data, tries_left);
		}
	} else if (!mynumber_link_pin_believed(card, rule->ref)) {
		explicit_bzero(new_pin, sizeof new_pin);
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_PIN_LENGTH, "changing a PIN needs its current value");
	}

	data->pin1.max_tries = rule->max_tries;
	r = have_old ? send_verify(card, rule, old_pin, old_len, data, tries_left) : select_pin(card, rule);
	if (r == SC_SUCCESS) {
		/* Both values were typed for this PIN: neither is to be sent as
		 * another. The current one was checked (and recorded) as for a
		 * VERIFY; the new one, now that it goes to the card, is recorded
		 * too, unless it was offered for another PIN already (two PINs
		 * given one number: it stays that PIN's, whose login OpenSC may
		 * have to restore with it); never refused for that (setting a PIN
		 * spends no try). */
		(void)mynumber_link_offer_pin(card, rule->ref, data->pin2.data, data->pin2.len, true);
		r = jpki_apdu_change(card, new_pin, new_len, &sw);
		/* Without the old value the card may have lost the PIN since
		 * this process verified it: the belief was wrong. */
		if (r == SC_SUCCESS && sw == JPKI_SW_SECURITY_STATUS)
			mynumber_link_pin_set(card, rule->ref, false);
		if (r == SC_SUCCESS && sw != JPKI_SW_OK)
			r = unexpected_sw(card, sw);
	}
	explicit_bzero(old_pin, sizeof old_pin);
	explicit_bzero(new_pin, sizeof new_pin);
	if (r == SC_SUCCESS)
		report_tries(data, tries_left, rule->max_tries);
	return r;
}

int mynumber_pin_cmd(sc_card_t *card, struct sc_pin_cmd_data *data, int *tries_left)
{
	const struct jpki_pin_rule *rule;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (tries_left != NULL)
		*tries_left = -1;
	if (data == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
	rule = jpki_pin_rule_for(data->pin_reference);
	/* SC_AC_CONTEXT_SPECIFIC: PKCS#11's per-signature login for the
	 * user-consent key; the card sees the same VERIFY. */
	if (rule == NULL || (data->pin_type != SC_AC_CHV && data->pin_type != SC_AC_CONTEXT_SPECIFIC)) {
		sc_log(card->ctx, "no PIN with reference %d (type %u) on this card", data->pin_reference,
		       data->pin_type);
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
	}
	/* A PIN pad would send whatever is typed: nothing could check it first. */
	if (data->flags & SC_PIN_CMD_USE_PINPAD)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "PIN pad entry cannot be checked before the card");

	r = mynumber_link_begin(card);
	LOG_TEST_RET(card->ctx, r, "cannot lock the card");
	switch (data->cmd) {
	case SC_PIN_CMD_GET_INFO:
		r = pin_get_info(card, rule, data, tries_left);
		break;
	case SC_PIN_CMD_VERIFY:
		r = pin_verify(card, rule, data, tries_left);
		break;
	case SC_PIN_CMD_CHANGE:
		r = pin_change(card, rule, data, tries_left);
		break;
	case SC_PIN_CMD_UNBLOCK:
		sc_log(card->ctx, "a blocked JPKI PIN can only be reset at a municipal office");
		r = SC_ERROR_NOT_SUPPORTED;
		break;
	default:
		r = SC_ERROR_NOT_SUPPORTED;
		break;
	}
	mynumber_link_end(card);
	LOG_FUNC_RETURN(card->ctx, r);
}
