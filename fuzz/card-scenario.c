/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"

#include "common/opensc-compat.h"

#include "tests/lib/sim-reader.h"

#include "card-scenario.h"

#define MAX_OBJECTS 32

/* Reads every object of one class; returns how many reads succeeded. */
static int read_objects(sc_pkcs15_card_t *p15, unsigned type, int private_only)
{
	sc_pkcs15_object_t *objects[MAX_OBJECTS];
	int count, i, read_ok = 0;

	count = sc_pkcs15_get_objects(p15, type, objects, MAX_OBJECTS);
	for (i = 0; i < count; i++) {
		sc_pkcs15_object_t *obj = objects[i];
		int is_private = (obj->flags & SC_PKCS15_CO_FLAG_PRIVATE) != 0;
		int r = SC_ERROR_NOT_SUPPORTED;

		if (private_only && !is_private)
			continue;
		switch (type) {
		case SC_PKCS15_TYPE_CERT_X509: {
			sc_pkcs15_cert_t *cert = NULL;
			r = compat_pkcs15_read_certificate(p15, (sc_pkcs15_cert_info_t *)obj->data, is_private, &cert);
			sc_pkcs15_free_certificate(cert);
			break;
		}
		case SC_PKCS15_TYPE_DATA_OBJECT: {
			struct sc_pkcs15_data *data = NULL;
			r = compat_pkcs15_read_data_object(p15, (sc_pkcs15_data_info_t *)obj->data, is_private, &data);
			sc_pkcs15_free_data_object(data);
			break;
		}
		case SC_PKCS15_TYPE_PUBKEY: {
			sc_pkcs15_pubkey_t *pubkey = NULL;
			r = sc_pkcs15_read_pubkey(p15, obj, &pubkey);
			sc_pkcs15_free_pubkey(pubkey);
			break;
		}
		default:
			break;
		}
		if (r == SC_SUCCESS)
			read_ok++;
	}
	return read_ok;
}

static int read_everything(sc_pkcs15_card_t *p15, int private_only)
{
	return read_objects(p15, SC_PKCS15_TYPE_CERT_X509, private_only)
	     + read_objects(p15, SC_PKCS15_TYPE_PUBKEY, private_only)
	     + read_objects(p15, SC_PKCS15_TYPE_DATA_OBJECT, private_only);
}

static sc_pkcs15_object_t *pin_by_id(sc_pkcs15_card_t *p15, const char *id_hex)
{
	struct sc_pkcs15_id id;
	sc_pkcs15_object_t *obj = NULL;

	sc_pkcs15_format_id(id_hex, &id);
	if (sc_pkcs15_find_pin_by_auth_id(p15, &id, &obj) != SC_SUCCESS)
		return NULL;
	return obj;
}

static int verify(sc_pkcs15_card_t *p15, const char *id_hex, const char *pin)
{
	sc_pkcs15_object_t *obj = pin_by_id(p15, id_hex);

	if (obj == NULL)
		return SC_ERROR_OBJECT_NOT_FOUND;
	return sc_pkcs15_verify_pin(p15, obj, (const u8 *)pin, strlen(pin));
}

static int sign_with(sc_pkcs15_card_t *p15, const char *key_id_hex)
{
	/* A SHA-256 digest; its value does not matter to the card. */
	static const u8 digest[32] = {
		0x9f, 0x86, 0xd0, 0x81, 0x88, 0x4c, 0x7d, 0x65, 0x9a, 0x2f, 0xea, 0xa0, 0xc5, 0x5a, 0xd0, 0x15,
		0xa3, 0xbf, 0x4f, 0x1b, 0x2b, 0x0b, 0x82, 0x2c, 0xd1, 0x5d, 0x6c, 0x15, 0xb0, 0xf0, 0x0a, 0x08 };
	u8 signature[1024];
	struct sc_pkcs15_id id;
	sc_pkcs15_object_t *key = NULL;
	int r;

	sc_pkcs15_format_id(key_id_hex, &id);
	r = sc_pkcs15_find_prkey_by_id(p15, &id, &key);
	if (r != SC_SUCCESS)
		return r;
	r = compat_pkcs15_compute_signature(p15, key, SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256,
	                                digest, sizeof digest, signature, sizeof signature);
	return r > 0 ? SC_SUCCESS : (r == 0 ? SC_ERROR_INTERNAL : r);
}

unsigned card_scenario_run(sc_context_t *ctx)
{
	sc_card_t *card = NULL;
	sc_pkcs15_card_t *p15 = NULL;
	sc_pkcs15_object_t *auth_pin;
	unsigned done = 0;

	if (simreader_connect(ctx, &card) != SC_SUCCESS)
		goto out;
	done |= CARD_SCENARIO_CONNECTED;
	if (simreader_bind(card, &p15) != SC_SUCCESS)
		goto out;
	done |= CARD_SCENARIO_BOUND;

	if (read_everything(p15, 0) > 0)
		done |= CARD_SCENARIO_READ_PUBLIC;
	if (verify(p15, "01", CARD_SCENARIO_AUTH_PIN) == SC_SUCCESS)
		done |= CARD_SCENARIO_AUTH_PIN_OK;
	if (verify(p15, "02", CARD_SCENARIO_SIGN_PIN) == SC_SUCCESS)
		done |= CARD_SCENARIO_SIGN_PIN_OK;
	if (verify(p15, "03", CARD_SCENARIO_TEXT_PIN) == SC_SUCCESS)
		done |= CARD_SCENARIO_TEXT_PIN_OK;
	if (read_everything(p15, 1) > 0)
		done |= CARD_SCENARIO_READ_PRIVATE;
	/* Verify again right before each signature: reading the text AP may
	 * have moved the card away from the JPKI AP. */
	(void)verify(p15, "01", CARD_SCENARIO_AUTH_PIN);
	if (sign_with(p15, "01") == SC_SUCCESS)
		done |= CARD_SCENARIO_SIGNED;
	(void)verify(p15, "02", CARD_SCENARIO_SIGN_PIN);
	(void)sign_with(p15, "02");

	auth_pin = pin_by_id(p15, "01");
	if (auth_pin != NULL &&
	    sc_pkcs15_change_pin(p15, auth_pin, (const u8 *)CARD_SCENARIO_AUTH_PIN, strlen(CARD_SCENARIO_AUTH_PIN),
	                         (const u8 *)CARD_SCENARIO_NEW_AUTH_PIN, strlen(CARD_SCENARIO_NEW_AUTH_PIN)) == SC_SUCCESS)
		done |= CARD_SCENARIO_PIN_CHANGED;
	(void)sc_logout(card);
out:
	simreader_unbind(&p15);
	simreader_disconnect(&card);
	return done;
}
