/*
 * The link to the card: selections confirmed per reader transaction, PIN
 * beliefs, the per-signature consent. See card-link.h for why.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "card-link.h"
#include "common/opensc-compat.h"
#include "jpki-state.h"

static struct mynumber_link *link_of(sc_card_t *card)
{
	return card != NULL && card->drv_data != NULL ? &mynumber_drv(card)->link : NULL;
}

/* Where each PIN lives (jpki-card.md). */
static enum jpki_ap pin_ap(int ref)
{
	return ref == JPKI_PIN_REF_TEXT ? JPKI_AP_TEXT : JPKI_AP_JPKI;
}

static void new_transaction(struct mynumber_link *link)
{
	link->transaction++;
	if (link->transaction == 0)
		link->transaction = 1;
}

/* was_reset: OpenSC saw the card reset (another process's reset, reported by
 * the reader lock); else a reset of this process's own (sc_reset) shows by the
 * mark being gone, where the release has one to leave. Either ends this
 * process's logins: the beliefs, the consent, and what was read with them. */
static void notice_reset(sc_card_t *card, struct mynumber_link *link, bool was_reset)
{
	bool any = false;
	int i;

	for (i = 0; i < MYNUMBER_PIN_SLOTS; i++)
		any = any || link->pin_believed[i];
	if (was_reset || (any && compat_reset_mark_gone(card))) {
		sc_log(card->ctx, "card was reset: no PIN is verified on it any more");
		mynumber_link_forget_pins(card);
		if (link->on_reset != NULL)
			link->on_reset(card);
	}
}

int mynumber_link_begin(sc_card_t *card)
{
	struct mynumber_link *link = link_of(card);
	int r;

	if (link == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	r = sc_lock(card);
	if (r < 0)
		return r;
	/* The first holder of the lock: whatever was selected before, another
	 * process may have changed. Readers whose driver has no lock operation
	 * never call card_reader_lock_obtained; this catches those too, for
	 * operations that are not inside a caller's lock. */
	if (card->lock_count == 1)
		new_transaction(link);
	notice_reset(card, link, false);
	return SC_SUCCESS;
}

void mynumber_link_end(sc_card_t *card)
{
	sc_unlock(card);
}

void mynumber_link_lock_obtained(sc_card_t *card, int was_reset)
{
	struct mynumber_link *link = link_of(card);

	if (link == NULL)
		return;
	new_transaction(link);
	notice_reset(card, link, was_reset > 0);
}

/* The consent and its kept PIN go. */
static void consent_drop(sc_card_t *card)
{
	struct mynumber_link *link = link_of(card);

	if (link == NULL)
		return;
	explicit_bzero(link->consent_pin, sizeof link->consent_pin);
	link->consent_pin_len = 0;
	link->sign_consent = false;
}

static bool ap_confirmed(const struct mynumber_link *link)
{
	return link->ap != JPKI_AP_NONE && link->ap_transaction == link->transaction;
}

static void confirm(struct mynumber_link *link, enum jpki_ap ap, unsigned ef)
{
	link->ap = ap;
	link->ap_transaction = link->transaction;
	link->ef = ef;
	link->ef_transaction = ef != 0 ? link->transaction : 0;
}

static void unconfirm(struct mynumber_link *link)
{
	link->ap = JPKI_AP_NONE;
	link->ap_transaction = 0;
	link->ef = 0;
	link->ef_transaction = 0;
}

/* Reads the first bytes of EF 000A, wherever the card stands, and says whether
 * they are this card's authentication certificate. Any refusal is "no". */
static bool probe_matches(sc_card_t *card, struct mynumber_link *link)
{
	u8 head[MYNUMBER_LINK_PROBE_LEN];
	size_t got = 0;
	bool at_end = false, refused = false;
	int r;

	if (!link->sfi_refused) {
		r = jpki_apdu_read_binary_sfi(card, JPKI_EF_AUTH_CERT & JPKI_SFI_MASK, head, link->probe_len,
		                              &got, &at_end, &refused);
	} else {
		r = jpki_apdu_select_ef(card, JPKI_EF_AUTH_CERT);
		if (r == SC_SUCCESS)
			r = jpki_apdu_read_binary(card, 0, head, link->probe_len, &got, &at_end);
	}
	return r == SC_SUCCESS && !refused && got == link->probe_len && memcmp(head, link->probe, got) == 0;
}

/* SELECT by AID, whatever the link believes; the application is then
 * confirmed, and the card's PIN state of every other application ended. */
static int select_by_aid(sc_card_t *card, struct mynumber_link *link, enum jpki_ap ap)
{
	int r, ref;

	unconfirm(link);
	r = jpki_apdu_select_aid(card, ap);
	LOG_TEST_RET(card->ctx, r, "SELECT application failed");
	confirm(link, ap, 0);
	for (ref = 1; ref < MYNUMBER_PIN_SLOTS; ref++)
		if (pin_ap(ref) != ap)
			link->pin_on_card[ref] = false;
	return SC_SUCCESS;
}

int mynumber_link_select_ap(sc_card_t *card, enum jpki_ap ap)
{
	struct mynumber_link *link = link_of(card);

	if (link == NULL || ap == JPKI_AP_NONE)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (ap_confirmed(link) && link->ap == ap)
		return SC_SUCCESS;
	unconfirm(link);
	if (ap == JPKI_AP_JPKI && link->probe_len > 0
	    && (link->pin_believed[JPKI_PIN_REF_AUTH] || link->pin_believed[JPKI_PIN_REF_SIGN])) {
		if (probe_matches(card, link)) {
			confirm(link, ap, JPKI_EF_AUTH_CERT);
			return SC_SUCCESS;
		}
		sc_log(card->ctx, "the card is not in the JPKI application any more: selecting it");
	}
	return select_by_aid(card, link, ap);
}

int mynumber_link_clear_card_pins(sc_card_t *card)
{
	struct mynumber_link *link = link_of(card);
	enum jpki_ap away;
	int r;

	if (link == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	away = link->pin_on_card[JPKI_PIN_REF_TEXT] ? JPKI_AP_JPKI : JPKI_AP_TEXT;
	r = mynumber_link_select_ap(card, away);
	if (r == SC_SUCCESS)
		return SC_SUCCESS;
	sc_log(card->ctx, "no other application to select (%s): selecting the same one again, "
	                  "which may not end the card's PIN state", sc_strerror(r));
	return select_by_aid(card, link, away == JPKI_AP_TEXT ? JPKI_AP_JPKI : JPKI_AP_TEXT);
}

bool mynumber_link_pins_on_card(sc_card_t *card)
{
	struct mynumber_link *link = link_of(card);
	int ref;

	if (link == NULL)
		return false;
	for (ref = 1; ref < MYNUMBER_PIN_SLOTS; ref++)
		if (link->pin_on_card[ref])
			return true;
	return false;
}

void mynumber_link_pin_blocked_set(sc_card_t *card, int ref, bool blocked)
{
	struct mynumber_link *link = link_of(card);

	if (link != NULL && ref > 0 && ref < MYNUMBER_PIN_SLOTS)
		link->pin_blocked[ref] = blocked;
}

bool mynumber_link_pin_blocked(sc_card_t *card, int ref)
{
	struct mynumber_link *link = link_of(card);

	return link != NULL && ref > 0 && ref < MYNUMBER_PIN_SLOTS && link->pin_blocked[ref];
}

bool mynumber_link_pin_on_card(sc_card_t *card, int ref)
{
	struct mynumber_link *link = link_of(card);

	return link != NULL && ref > 0 && ref < MYNUMBER_PIN_SLOTS && link->pin_on_card[ref];
}

int mynumber_link_select_ef(sc_card_t *card, unsigned fid)
{
	struct mynumber_link *link = link_of(card);
	int r;

	if (link == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (!ap_confirmed(link))
		LOG_TEST_RET(card->ctx, SC_ERROR_INTERNAL, "SELECT EF without an application confirmed first");
	if (link->ef == fid && link->ef_transaction == link->transaction)
		return SC_SUCCESS;
	link->ef_transaction = 0;
	r = jpki_apdu_select_ef(card, fid);
	LOG_TEST_RET(card->ctx, r, "SELECT EF failed");
	link->ef = fid;
	link->ef_transaction = link->transaction;
	return SC_SUCCESS;
}

void mynumber_link_ef_changed(sc_card_t *card, unsigned fid)
{
	struct mynumber_link *link = link_of(card);

	if (link == NULL)
		return;
	link->ef = fid;
	link->ef_transaction = fid != 0 ? link->transaction : 0;
}

bool mynumber_link_sfi_usable(sc_card_t *card)
{
	struct mynumber_link *link = link_of(card);

	return link != NULL && !link->sfi_refused;
}

void mynumber_link_sfi_refused(sc_card_t *card)
{
	struct mynumber_link *link = link_of(card);

	if (link == NULL)
		return;
	sc_log(card->ctx, "no READ BINARY by short EF identifier on this card: SELECT from now on");
	link->sfi_refused = true;
}

void mynumber_link_set_probe(sc_card_t *card, const u8 *auth_cert, size_t len)
{
	struct mynumber_link *link = link_of(card);

	if (link == NULL || auth_cert == NULL)
		return;
	if (len > sizeof link->probe)
		len = sizeof link->probe;
	memcpy(link->probe, auth_cert, len);
	link->probe_len = len;
}

bool mynumber_link_pin_believed(sc_card_t *card, int ref)
{
	struct mynumber_link *link = link_of(card);

	return link != NULL && ref > 0 && ref < MYNUMBER_PIN_SLOTS && link->pin_believed[ref];
}

void mynumber_link_pin_set(sc_card_t *card, int ref, bool verified)
{
	struct mynumber_link *link = link_of(card);

	if (link == NULL || ref <= 0 || ref >= MYNUMBER_PIN_SLOTS)
		return;
	link->pin_believed[ref] = verified;
	if (verified) {
		/* A reset OpenSC itself causes reaches no callback: a mark tells. */
		compat_reset_mark_set(card);
		link->pin_on_card[ref] = true;
	}
	if (!verified && ref == JPKI_PIN_REF_SIGN)
		consent_drop(card);
}

void mynumber_link_forget_pins(sc_card_t *card)
{
	struct mynumber_link *link = link_of(card);

	if (link == NULL)
		return;
	memset(link->pin_believed, 0, sizeof link->pin_believed);
	consent_drop(card);
}

/* Where digest is in the list, or -1. */
static int offer_index(u8 (*list)[32], unsigned n, const u8 *digest)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (CRYPTO_memcmp(list[i], digest, SHA256_DIGEST_LENGTH) == 0)
			return (int)i;
	return -1;
}

/* Whether digest was offered for PIN ref, in either list. */
static bool offered_for(struct mynumber_link *link, int ref, const u8 *digest)
{
	int kind;

	for (kind = 0; kind < MYNUMBER_OFFER_KINDS; kind++)
		if (offer_index(link->offered[ref][kind], link->offered_n[ref][kind], digest) >= 0)
			return true;
	return false;
}

/* Puts digest last (the most recent) in the list of n, dropping the first
 * (the least recent) when all MYNUMBER_OFFERS_KEPT places are taken. */
static void record_offer(u8 (*list)[32], unsigned *n, const u8 *digest)
{
	int at = offer_index(list, *n, digest);
	unsigned from;

	if (at >= 0)
		from = (unsigned)at;
	else if (*n == MYNUMBER_OFFERS_KEPT)
		from = 0;
	else
		from = (*n)++;
	memmove(list[from], list[from + 1], (*n - 1 - from) * sizeof list[0]);
	memcpy(list[*n - 1], digest, SHA256_DIGEST_LENGTH);
}

/* SHA-256 of the value as the card would see it: ASCII lower case folded to
 * upper (only the signature PIN has letters, and they are folded before it
 * is sent). A value longer than any PIN is hashed as it is. */
static bool offer_digest(const u8 *value, size_t len, u8 digest[SHA256_DIGEST_LENGTH])
{
	u8 folded[64];
	size_t i;

	if (value == NULL && len > 0)
		return false;
	if (len > sizeof folded) {
		SHA256(value, len, digest);
		return true;
	}
	for (i = 0; i < len; i++)
		folded[i] = (value[i] >= 'a' && value[i] <= 'z') ? (u8)(value[i] - 'a' + 'A') : value[i];
	SHA256(folded, len, digest);
	OPENSSL_cleanse(folded, sizeof folded);
	return true;
}

int mynumber_link_offer_pin(sc_card_t *card, int ref, const u8 *value, size_t len, bool well_formed)
{
	struct mynumber_link *link = link_of(card);
	u8 digest[SHA256_DIGEST_LENGTH];
	enum mynumber_offer_kind kind = well_formed ? MYNUMBER_OFFER_WELL_FORMED : MYNUMBER_OFFER_OTHER_FORM;
	int other, found = 0;

	if (link == NULL || ref <= 0 || ref >= MYNUMBER_PIN_SLOTS || !offer_digest(value, len, digest))
		return 0;
	for (other = 1; other < MYNUMBER_PIN_SLOTS && found == 0; other++)
		if (other != ref && offered_for(link, other, digest))
			found = other;
	if (found == 0)
		record_offer(link->offered[ref][kind], &link->offered_n[ref][kind], digest);
	OPENSSL_cleanse(digest, sizeof digest);
	return found;
}

bool mynumber_link_consent_pending(sc_card_t *card)
{
	struct mynumber_link *link = link_of(card);

	return link != NULL && link->sign_consent;
}

bool mynumber_link_consent_grant(sc_card_t *card, const u8 *pin, size_t pin_len)
{
	struct mynumber_link *link = link_of(card);

	if (link == NULL || pin == NULL || pin_len == 0 || pin_len > sizeof link->consent_pin)
		return false;
	consent_drop(card);
	link->sign_consent = true;
	if (link->sign_refused_transaction == link->transaction)
		return false;
	memcpy(link->consent_pin, pin, pin_len);
	link->consent_pin_len = pin_len;
	return true;
}

bool mynumber_link_consent_take(sc_card_t *card, u8 *pin, size_t pin_cap, size_t *pin_len)
{
	struct mynumber_link *link = link_of(card);

	if (link == NULL || pin == NULL || pin_len == NULL || pin_cap < sizeof link->consent_pin)
		return false;
	if (!link->sign_consent) {
		link->sign_refused_transaction = link->transaction;
		return false;
	}
	memcpy(pin, link->consent_pin, link->consent_pin_len);
	*pin_len = link->consent_pin_len;
	consent_drop(card);
	return true;
}
