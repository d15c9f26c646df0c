/*
 * The link to the card: what is selected on it, in which reader transaction
 * that was confirmed, and what this process believes about its PINs. One home
 * for that state, under the ops table; nothing here decides which file or PIN
 * an operation needs, the callers do.
 *
 * Why transactions: pcscd shares the card between every process on the
 * machine (jpki-card.md, "The card is shared"). Between two of our reader
 * transactions another process may select another application or EF, verify
 * a PIN or reset the card, and nothing reports it. So a selection is trusted
 * only inside the transaction that confirmed it; every newly obtained reader
 * lock starts with the card's application and EF unknown.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef CARD_LINK_H
#define CARD_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "libopensc/opensc.h"

#include "common/jpki-facts.h"

/* Bytes of the authentication certificate read back to confirm the JPKI AP
 * without a SELECT: its DER header and serial number lie in the first 35
 * bytes, so 64 name this card's certificate and no other file. */
#define MYNUMBER_LINK_PROBE_LEN 64

#define MYNUMBER_PIN_SLOTS 4    /* indexed by enum jpki_pin_ref (1..3) */
#define MYNUMBER_OFFERS_KEPT 8  /* values remembered per PIN and kind (see offered) */

/* The two lists of values offered for a PIN (see offered). */
enum mynumber_offer_kind {
	MYNUMBER_OFFER_WELL_FORMED, /* of the PIN's own form */
	MYNUMBER_OFFER_OTHER_FORM,  /* of the wrong form for it, but another PIN's */
	MYNUMBER_OFFER_KINDS
};

struct mynumber_link {
	/* Bumped on every reader lock newly obtained; 0 is never current. */
	unsigned long transaction;
	enum jpki_ap ap;               /* valid when ap_transaction == transaction */
	unsigned long ap_transaction;
	unsigned ef;                   /* valid when ef_transaction == transaction */
	unsigned long ef_transaction;

	/* This process verified the PIN and has not since logged out, failed a
	 * VERIFY of it, seen the card reset or seen the card refuse an operation
	 * for lack of it. A belief about the process's login, not about the
	 * card: another process may have dropped the card's state meanwhile,
	 * which the card then answers with 6982. */
	bool pin_believed[MYNUMBER_PIN_SLOTS];

	/* The card said the PIN is blocked (0 tries, or 6983/6984). Only a
	 * municipal office unblocks a JPKI PIN, never a reset or another
	 * process: before a value would be sent for it, the card is asked again
	 * (a VERIFY without data, no try), so that no value reaches a blocked PIN
	 * and one garbled answer does not lock the user out. */
	bool pin_blocked[MYNUMBER_PIN_SLOTS];

	/* One signature with the Digital Signature Key is allowed: granted by a
	 * VERIFY of its PIN that counts as consent, taken by the signature. The
	 * card's PIN state is ended right after that VERIFY (another process
	 * could sign in between), so the PIN is kept here, for that one
	 * signature, which verifies it again in its own transaction. Not kept
	 * when the VERIFY comes in the very transaction whose signature was just
	 * refused for want of consent (OpenSC's own re-verification right
	 * before it signs again). Wiped when taken and on every drop. */
	bool sign_consent;
	u8 consent_pin[JPKI_PIN_MAX_LEN];
	size_t consent_pin_len;          /* 0: the card holds the PIN (same transaction) */
	unsigned long sign_refused_transaction;

	/* SHA-256 of the values offered for each PIN, as the card would see
	 * them (lower case folded): a value offered for one PIN is never sent
	 * as another (a client that logs in to every token with one PIN,
	 * ssh-agent's ssh-add -s). Two lists per PIN, by enum
	 * mynumber_offer_kind: values well-formed for it, and values of the
	 * wrong form for it that fit another PIN (a signature password typed
	 * for the authentication PIN), so that no number of the latter pushes
	 * out the former. Each keeps the
	 * MYNUMBER_OFFERS_KEPT least recently offered last; one offered again
	 * moves to the end, and only then is the oldest forgotten. */
	u8 offered[MYNUMBER_PIN_SLOTS][MYNUMBER_OFFER_KINDS][MYNUMBER_OFFERS_KEPT][32];
	unsigned offered_n[MYNUMBER_PIN_SLOTS][MYNUMBER_OFFER_KINDS];

	/* The card may hold the PIN verified, for every process on the machine:
	 * since a VERIFY of it, no other application selected. */
	bool pin_on_card[MYNUMBER_PIN_SLOTS];

	/* The card answered a READ BINARY by short EF identifier with anything
	 * but data: SELECT + READ BINARY for the rest of this connection. */
	bool sfi_refused;

	u8 probe[MYNUMBER_LINK_PROBE_LEN];
	size_t probe_len;              /* 0: authentication certificate not read yet */

	/* What a reset of the card ends beyond the link's own PIN beliefs and
	 * consent (the data this process read with a PIN): set by the driver,
	 * called once per reset noticed, whichever way it was noticed. */
	void (*on_reset)(sc_card_t *card);
};

/* Takes the reader lock for one driver operation (sc_lock, nestable). A lock
 * newly obtained from the reader starts a new transaction. 0 or an OpenSC
 * error from sc_lock; on success mynumber_link_end must follow. */
int mynumber_link_begin(sc_card_t *card);
void mynumber_link_end(sc_card_t *card);

/* OpenSC's card_reader_lock_obtained: a new transaction; was_reset > 0 also
 * means the card lost every verified PIN (beliefs and consent dropped, and
 * on_reset called). */
void mynumber_link_lock_obtained(sc_card_t *card, int was_reset);

/* Makes ap the card's application, confirmed in this transaction: no APDU if
 * it already is; else, when this process holds a JPKI PIN it would not want
 * a SELECT to drop (whether re-selecting the same AP drops it is uncertain),
 * the first bytes of EF 000A are read and compared with the authentication
 * certificate; else (or when they differ) SELECT by AID. The EF is unknown
 * afterwards. Returns 0 or the card's error. */
int mynumber_link_select_ap(sc_card_t *card, enum jpki_ap ap);

/* SELECT EF fid in the application confirmed in this transaction (no APDU
 * when it is already current in this transaction). SC_ERROR_INTERNAL when no
 * application is confirmed: the caller forgot mynumber_link_select_ap. */
int mynumber_link_select_ef(sc_card_t *card, unsigned fid);

/* A READ BINARY by short EF identifier made fid the current EF (0: it may
 * have changed to something unknown). */
void mynumber_link_ef_changed(sc_card_t *card, unsigned fid);


/* READ BINARY by short EF identifier allowed (not refused by this card). */
bool mynumber_link_sfi_usable(sc_card_t *card);
void mynumber_link_sfi_refused(sc_card_t *card);

/* The authentication certificate, once read: its first bytes are what
 * mynumber_link_select_ap compares with. */
void mynumber_link_set_probe(sc_card_t *card, const u8 *auth_cert, size_t len);

/* PIN beliefs; ref is enum jpki_pin_ref. */
bool mynumber_link_pin_believed(sc_card_t *card, int ref);
void mynumber_link_pin_set(sc_card_t *card, int ref, bool verified);
/* Reset, finish: every belief and the consent go. */
void mynumber_link_forget_pins(sc_card_t *card);

/* Ends the card's PIN state by a SELECT of an application other than the one
 * holding a PIN (the text AP for JPKI PINs, and the other way round; where
 * that fails, the same application again, which may not end it). Within a
 * transaction; this process's beliefs stay: the card answers 6982 when a PIN
 * is needed again and OpenSC's PIN cache verifies it. 0 or the card's error. */
int mynumber_link_clear_card_pins(sc_card_t *card);
/* Whether the card may still hold any PIN verified by this process. */
bool mynumber_link_pins_on_card(sc_card_t *card);
/* Whether the card may still hold PIN ref verified by this process. */
bool mynumber_link_pin_on_card(sc_card_t *card, int ref);
/* Records whether the card said PIN ref is blocked; whether it did. */
void mynumber_link_pin_blocked_set(sc_card_t *card, int ref, bool blocked);
bool mynumber_link_pin_blocked(sc_card_t *card, int ref);

/* Records value (len bytes, as the application gave it; well_formed: for
 * PIN ref) as offered for PIN ref and returns 0, or, when the same value was
 * offered for another of the card's PINs on this connection, returns that
 * PIN's reference and records nothing: the value was typed for the other PIN
 * and must not be spent on this one. */
int mynumber_link_offer_pin(sc_card_t *card, int ref, const u8 *value, size_t len, bool well_formed);

/* Consent for one signature with the Digital Signature Key, after a VERIFY of
 * pin (pin_len bytes, as sent) in this transaction. Returns whether the PIN
 * was kept (the caller then ends the card's PIN state). */
bool mynumber_link_consent_grant(sc_card_t *card, const u8 *pin, size_t pin_len);
/* Takes the consent: false when there is none (and notes the refusal in this
 * transaction); else true with the kept PIN copied to pin (*pin_len 0 when
 * the card holds it). pin_cap must be JPKI_PIN_MAX_LEN. */
bool mynumber_link_consent_take(sc_card_t *card, u8 *pin, size_t pin_cap, size_t *pin_len);
bool mynumber_link_consent_pending(sc_card_t *card);

#endif
