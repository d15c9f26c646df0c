/*
 * The driver's per-card state (card->drv_data) and the internal functions the
 * driver's files share. Not for the emulator: it uses card-jpki.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef JPKI_STATE_H
#define JPKI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libopensc/opensc.h"

#include "common/jpki-facts.h"
#include "common/opensc-compat.h"
#include "card-jpki.h"
#include "card-link.h"
#include "jpki-cert.h"
#include "token-info.h"

struct mynumber_blob {
	u8 *data;
	size_t len;
	bool loaded;
};

/* What OpenSC's last select_file pointed at, so read_binary knows where the
 * bytes come from. */
enum mynumber_source {
	MYNUMBER_SOURCE_NONE = 0,
	MYNUMBER_SOURCE_MEMORY,     /* a cached public file or the held signature certificate */
	MYNUMBER_SOURCE_CARD,       /* the card's current EF, read with READ BINARY */
	MYNUMBER_SOURCE_TEXT_FIELD, /* a decoded text AP field (virtual file) */
};

struct mynumber_drv_data {
	enum jpki_token_kind token_kind;
	bool atr_known;

	/* Detection could not finish (a transient error on a card that may be
	 * a My Number Card): init refuses the card with this error rather than
	 * let another driver claim it. 0: detected. */
	int detect_error;

	/* The card link: selections per transaction, PIN beliefs, consent. */
	struct mynumber_link link;

	/* Public files of the JPKI AP, read at most once per connection. */
	struct mynumber_blob token_info;
	struct mynumber_blob auth_cert;
	struct mynumber_blob auth_ca_cert;
	struct mynumber_blob sign_ca_cert;

	/* The signature certificate, held for this process once read (in a
	 * VERIFY's transaction, right before the card's PIN state is ended, or
	 * when OpenSC first reads it). Wiped on logout, reset, a failed VERIFY
	 * and finish. */
	struct mynumber_blob sign_cert;

	/* read_binary's source after the last select_file. */
	enum mynumber_source source;
	const struct mynumber_blob *source_blob;
	enum jpki_ap source_ap;
	unsigned source_fid;

	int sign_key_ref;           /* from set_security_env; 0 = none */
	/* Each key's size in bits from its own certificate; 0 until read. */
	size_t key_bits[MYNUMBER_PIN_SLOTS];
	mynumber_key_size_fn key_size_fn;  /* the emulator's, see card-jpki.h */
	void *key_size_arg;
	/* In a PKCS#11 application, only a context-specific login is consent,
	 * unless OpenSC's pin_cache_ignore_user_consent (set by the emulator). */
	bool consent_by_any_verify;

	void *text_state;           /* owned by the text AP layer */
	/* The text AP's files were read under the PIN and refused (their
	 * SHA-256 values do not match, or they do not parse): every read gives
	 * this refusal until the PIN is verified again. TEXT_AP_OK: none. */
	int text_refusal_status;        /* enum text_ap status */
	unsigned text_refusal_mismatch; /* TEXT_AP_MISMATCH_* bits */
};

static inline struct mynumber_drv_data *mynumber_drv(sc_card_t *card)
{
	return (struct mynumber_drv_data *)card->drv_data;
}

/* jpki-apdu.c: one APDU each, SW interpreted. */
int jpki_apdu_select_aid(sc_card_t *card, enum jpki_ap ap);
int jpki_apdu_select_ef(sc_card_t *card, unsigned fid);
/* Reads up to want bytes at offset. *got: bytes received; *at_end: the card
 * said the file ends within this read (short data, 6282, 6B00). */
int jpki_apdu_read_binary(sc_card_t *card, size_t offset, u8 *buf, size_t want,
                          size_t *got, bool *at_end);
/* The same from offset 0 of the EF with short identifier sfi (1-30), which
 * becomes the card's current EF. A status word other than 9000 / 6282 is no
 * error: *refused is set and nothing was read. */
int jpki_apdu_read_binary_sfi(sc_card_t *card, unsigned sfi, u8 *buf, size_t want,
                              size_t *got, bool *at_end, bool *refused);
/* VERIFY (pin == NULL: no-data status query) and CHANGE REFERENCE DATA; the
 * status word is returned in *sw for the PIN logic to interpret. */
int jpki_apdu_verify(sc_card_t *card, const u8 *pin, size_t pin_len, unsigned *sw);
int jpki_apdu_change(sc_card_t *card, const u8 *new_pin, size_t new_len, unsigned *sw);
/* COMPUTE DIGITAL SIGNATURE over a DigestInfo (1-255 bytes). signature_len:
 * the key's modulus in bytes, which the answer must match (0: unknown, any
 * length). Returns the signature's length or an OpenSC error;
 * SC_ERROR_UNKNOWN_DATA_RECEIVED for an answer of the wrong length. */
int jpki_apdu_sign(sc_card_t *card, const u8 *digest_info, size_t len, size_t signature_len,
                   u8 *out, size_t out_cap);
size_t jpki_apdu_max_read(sc_card_t *card);

/* jpki-files.c */
/* A public file of the JPKI AP, read once per connection (see card-jpki.h). */
int mynumber_files_public(sc_card_t *card, unsigned fid, const u8 **data, size_t *len);
/* Reads the signature certificate into drv->sign_cert unless held already;
 * the signature PIN must be verified on the card. 0 or the card's error. */
int mynumber_files_hold_sign_cert(sc_card_t *card);
/* Wipes the held signature certificate and what select_file prepared. */
void mynumber_files_forget_private(sc_card_t *card);
int mynumber_select_file(sc_card_t *card, const sc_path_t *path, sc_file_t **file_out);
int mynumber_read_binary(sc_card_t *card, unsigned int idx, u8 *buf, size_t count, compat_read_flags_t flags);
void mynumber_blob_wipe(struct mynumber_blob *blob);
void mynumber_forget_selection(sc_card_t *card);

/* jpki-pin-cmd.c */
int mynumber_pin_cmd(sc_card_t *card, struct sc_pin_cmd_data *data, int *tries_left);
/* VERIFY of a PIN this process verified before (the consent kept for one
 * signature), inside the caller's transaction, with the APDU log muted below
 * SC_LOG_DEBUG_PIN as sc_pin_cmd does. 0, SC_ERROR_PIN_CODE_INCORRECT (the PIN
 * changed meanwhile), SC_ERROR_AUTH_METHOD_BLOCKED, or the card's error. */
int mynumber_pin_verify_kept(sc_card_t *card, int ref, const u8 *pin, size_t pin_len);

/* jpki-sign.c */
/* Records a key's own size (from its certificate), registers it with OpenSC
 * as an RSA key the card pads for, and tells the emulator's watcher. 0, or
 * SC_ERROR_NOT_SUPPORTED for a key type other than RSA. */
int mynumber_keys_note(sc_card_t *card, int key_ref, const struct jpki_cert_key *key);
int mynumber_set_security_env(sc_card_t *card, const sc_security_env_t *env, int se_num);
int mynumber_compute_signature(sc_card_t *card, const u8 *data, size_t len, u8 *out, size_t outlen);
int mynumber_read_public_key(sc_card_t *card, unsigned algorithm, sc_path_t *path,
                             unsigned key_ref, unsigned modulus_length, u8 **out, size_t *out_len);


#endif
