/*
 * Signatures and public keys. The card takes a DigestInfo and pads it itself
 * (PKCS#1 v1.5 type 01); the key EF is selected first and the key's PIN must
 * have been verified in the same application session.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "card-jpki.h"
#include "jpki-cert.h"
#include "jpki-state.h"

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
	/* The key EF is selected when signing: a SELECT now could be undone by
	 * whatever OpenSC does in between. */
	drv->sign_key_ref = env->key_ref[0];
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

int mynumber_compute_signature(sc_card_t *card, const u8 *data, size_t len, u8 *out, size_t outlen)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	unsigned fid;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (data == NULL || out == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
	r = key_ef_for(drv->sign_key_ref, &fid);
	LOG_TEST_RET(card->ctx, r, "no key chosen (set_security_env first)");
	if (drv->signature_len != 0 && outlen < drv->signature_len)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_BUFFER_TOO_SMALL);
	r = mynumber_select_ap(card, JPKI_AP_JPKI);
	LOG_TEST_RET(card->ctx, r, "cannot select the JPKI application");
	r = mynumber_select_ef(card, fid);
	LOG_TEST_RET(card->ctx, r, "cannot select the key");
	r = jpki_apdu_sign(card, data, len, drv->signature_len, out, outlen);
	if (r == SC_ERROR_SECURITY_STATUS_NOT_SATISFIED)
		drv->pin_verified[drv->sign_key_ref] = false;
	LOG_FUNC_RETURN(card->ctx, r);
}

/* For the public key objects: the key inside the certificate. The signature
 * certificate needs the signature PIN, so its key does too; its bytes are
 * wiped as soon as the key is out. */
int mynumber_read_public_key(sc_card_t *card, unsigned algorithm, sc_path_t *path,
                             unsigned key_ref, unsigned modulus_length, u8 **out, size_t *out_len)
{
	const u8 *public_cert;
	u8 *private_cert = NULL;
	size_t cert_len = 0;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (out == NULL || out_len == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
	switch (key_ref) {
	case JPKI_PIN_REF_AUTH:
		r = mynumber_public_file(card, JPKI_EF_AUTH_CERT, &public_cert, &cert_len);
		LOG_TEST_RET(card->ctx, r, "cannot read the authentication certificate");
		r = jpki_cert_public_key_raw(public_cert, cert_len, out, out_len);
		break;
	case JPKI_PIN_REF_SIGN:
		if (!mynumber_pin_is_verified(card, JPKI_PIN_REF_SIGN))
			LOG_TEST_RET(card->ctx, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED,
			             "the signature key is read from a certificate that needs the signature PIN");
		r = mynumber_select_ap(card, JPKI_AP_JPKI);
		LOG_TEST_RET(card->ctx, r, "cannot select the JPKI application");
		r = mynumber_read_whole_ef(card, JPKI_EF_SIGN_CERT, 0x30, &private_cert, &cert_len);
		LOG_TEST_RET(card->ctx, r, "cannot read the signature certificate");
		r = jpki_cert_public_key_raw(private_cert, cert_len, out, out_len);
		explicit_bzero(private_cert, cert_len);
		free(private_cert);
		break;
	default:
		r = SC_ERROR_OBJECT_NOT_FOUND;
		break;
	}
	LOG_FUNC_RETURN(card->ctx, r);
}
