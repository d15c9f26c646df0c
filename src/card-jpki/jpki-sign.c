/*
 * Signatures. The card takes a DigestInfo and pads it itself (PKCS#1 v1.5
 * type 01) with the key of its current EF; so the key EF is selected in the
 * JPKI AP, both confirmed in the same reader transaction, right before
 * COMPUTE DIGITAL SIGNATURE (another process may have moved the card between
 * any two transactions, and EF numbers repeat across applications).
 *
 * The Digital Signature Key signs once per consent: a VERIFY of its PIN that
 * counts as consent (jpki-pin-cmd.c) allows one signature, and afterwards the
 * card's PIN state is cleared, so no process, this one included, signs again
 * without the PIN.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "card-link.h"
#include "jpki-state.h"

/* PKCS#1 v1.5 type 01 padding takes 11 bytes of the modulus. */
#define PKCS1_PADDING_MIN 11

static int key_ef_for(int key_ref, unsigned *fid)
{
	switch (key_ref) {
	case JPKI_PIN_REF_AUTH:
		*fid = JPKI_EF_AUTH_KEY;
		return SC_SUCCESS;
	case JPKI_PIN_REF_SIGN:
		*fid = JPKI_EF_SIGN_KEY;
		return SC_SUCCESS;
	default:
		return SC_ERROR_INVALID_ARGUMENTS;
	}
}

int mynumber_set_security_env(sc_card_t *card, const sc_security_env_t *env, int se_num)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	unsigned fid;

	LOG_FUNC_CALLED(card->ctx);
	if (env == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
	if (env->operation != SC_SEC_OPERATION_SIGN)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "the card's keys only sign");
	if (!(env->flags & SC_SEC_ENV_KEY_REF_PRESENT) || env->key_ref_len != 1
	    || key_ef_for(env->key_ref[0], &fid) != SC_SUCCESS)
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "no such key on this card");
	/* The key EF is selected when signing, in the signature's transaction. */
	drv->sign_key_ref = env->key_ref[0];
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

int mynumber_keys_note(sc_card_t *card, int key_ref, const struct jpki_cert_key *key)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	int i;

	if (key->type != JPKI_KEY_RSA) {
		sc_log(card->ctx, "key type %d from the certificate: this driver signs with RSA only", key->type);
		return SC_ERROR_NOT_SUPPORTED;
	}
	drv->key_bits[key_ref] = key->bits;
	if (drv->key_size_fn != NULL)
		drv->key_size_fn(drv->key_size_arg, key_ref, key->bits);
	for (i = 0; i < card->algorithm_count; i++)
		if (card->algorithms[i].algorithm == SC_ALGORITHM_RSA && card->algorithms[i].key_length == key->bits)
			return SC_SUCCESS;
	/* The card builds the PKCS#1 padding around a DigestInfo it is given. */
	return _sc_card_add_rsa_alg(card, (unsigned)key->bits,
	                            COMPAT_RSA_PAD_PKCS1_SIGNATURE | SC_ALGORITHM_RSA_HASH_NONE, 0);
}

/* Input the card could never sign is refused before it is sent: a key whose
 * size is known takes at most k - 11 bytes. */
static int check_input_length(sc_card_t *card, int key_ref, size_t len)
{
	size_t bits = mynumber_drv(card)->key_bits[key_ref];

	if (len == 0 || len > 255)
		LOG_TEST_RET(card->ctx, SC_ERROR_WRONG_LENGTH, "signature input must be 1-255 bytes");
	if (bits != 0 && len + PKCS1_PADDING_MIN > (bits + 7) / 8) {
		sc_log(card->ctx, "%zu bytes do not fit a %zu-bit key with PKCS#1 padding", len, bits);
		return SC_ERROR_WRONG_LENGTH;
	}
	return SC_SUCCESS;
}

static int sign_in_transaction(sc_card_t *card, int key_ref, unsigned fid, const u8 *data, size_t len,
                               u8 *out, size_t outlen)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	int r;

	r = mynumber_link_select_ap(card, JPKI_AP_JPKI);
	LOG_TEST_RET(card->ctx, r, "cannot select the JPKI application");
	r = mynumber_link_select_ef(card, fid);
	LOG_TEST_RET(card->ctx, r, "cannot select the key");
	r = jpki_apdu_sign(card, data, len, (drv->key_bits[key_ref] + 7) / 8, out, outlen);
	if (r == SC_ERROR_SECURITY_STATUS_NOT_SATISFIED)
		mynumber_link_pin_set(card, key_ref, false);
	return r;
}

int mynumber_compute_signature(sc_card_t *card, const u8 *data, size_t len, u8 *out, size_t outlen)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	int key_ref = drv->sign_key_ref;
	u8 kept_pin[JPKI_PIN_MAX_LEN];
	size_t kept_len = 0;
	unsigned fid;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (data == NULL || out == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
	r = key_ef_for(key_ref, &fid);
	LOG_TEST_RET(card->ctx, r, "no key chosen (set_security_env first)");
	r = check_input_length(card, key_ref, len);
	LOG_TEST_RET(card->ctx, r, "signature input refused before the card");
	if (outlen < (drv->key_bits[key_ref] + 7) / 8)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_BUFFER_TOO_SMALL);

	r = mynumber_link_begin(card);
	LOG_TEST_RET(card->ctx, r, "cannot lock the card");
	if (key_ref == JPKI_PIN_REF_SIGN && !mynumber_link_consent_take(card, kept_pin, sizeof kept_pin, &kept_len)) {
		mynumber_link_end(card);
		LOG_TEST_RET(card->ctx, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED,
		             "the Digital Signature Key signs only right after its PIN, once per PIN (no APDU sent)");
	}
	/* The consent's PIN, kept since its VERIFY ended the card's PIN state,
	 * is verified again right before the signature it was given for. */
	r = kept_len > 0 ? mynumber_pin_verify_kept(card, key_ref, kept_pin, kept_len) : SC_SUCCESS;
	explicit_bzero(kept_pin, sizeof kept_pin);
	if (r == SC_SUCCESS)
		r = sign_in_transaction(card, key_ref, fid, data, len, out, outlen);
	/* One consent, one signature: after it the card holds the PIN for
	 * nobody. A failure here only means the card keeps it until another
	 * application is selected; the signature's own result stands. */
	if (key_ref == JPKI_PIN_REF_SIGN && mynumber_link_clear_card_pins(card) < 0)
		sc_log(card->ctx, "after the signature: the card's PIN state may remain");
	mynumber_link_end(card);
	LOG_FUNC_RETURN(card->ctx, r);
}
