/*
 * The My Number Card's PKCS#15 emulator: describes the JPKI AP's objects with
 * the labels, IDs, paths and flags users' scripts already rely on (those of
 * OpenSC's built-in jpki emulator), and fixes what that one gets wrong: a real
 * serial number, key size from the certificate, readable public keys, letters
 * allowed in the signature password, a PIN per signature, and no private
 * certificate in OpenSC's file cache. Talks to the card only through the
 * driver (card-jpki.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"
#include "libopensc/pkcs15.h"

#include "card-jpki/card-jpki.h"
#include "card-jpki/jpki-cert.h"
#include "common/jpki-labels.h"
#include "common/module-config.h"
#include "common/opensc-compat.h"
#include "pkcs15-jpki.h"
#include "pkcs15-text-ap.h"

#define TOKEN_LABEL        JPKI_LABEL_TOKEN
#define TOKEN_MANUFACTURER "JPKI"
#define SERIAL_HEX_MAX     (2 * 64 + 1)

/* Where a certificate object's bytes come from. */
enum cert_source {
	CERT_AT_BIND,     /* read at bind anyway (serial, key type): handed over */
	CERT_WITH_PIN,    /* private: read only after the signature PIN */
};

struct cert_desc {
	int id;
	unsigned fid;
	const char *label;
	int authority;
	enum cert_source source;
};

static const struct cert_desc certs[] = {
	{ 1, JPKI_EF_AUTH_CERT,    JPKI_LABEL_AUTH_CERT,                0, CERT_AT_BIND },
	{ 2, JPKI_EF_SIGN_CERT,    JPKI_LABEL_SIGN_CERT,                0, CERT_WITH_PIN },
	/* Read in the bind's transaction: what lists objects (pkcs15-tool
	 * --dump, opensc-pkcs11) reads them anyway, and read later each read
	 * would first confirm the application again. */
	{ 3, JPKI_EF_AUTH_CA_CERT, "User Authentication Certificate CA", 1, CERT_AT_BIND },
	{ 4, JPKI_EF_SIGN_CA_CERT, "Digital Signature Certificate CA",   1, CERT_AT_BIND },
};

struct key_desc {
	int id;                 /* key, public key and PIN auth ID alike */
	unsigned cert_fid;
	const char *pin_label;
	const char *prkey_label;
	const char *pubkey_label;
	unsigned usage;
	int user_consent;       /* a PIN per signature (CKA_ALWAYS_AUTHENTICATE) */
	int pin_type;
	size_t pin_min, pin_max;
	int pin_tries;
};

static const struct key_desc keys[] = {
	{ JPKI_PIN_REF_AUTH, JPKI_EF_AUTH_CERT, JPKI_LABEL_AUTH_PIN, "User Authentication Key",
	  "User Authentication Public Key", SC_PKCS15_PRKEY_USAGE_SIGN, 0,
	  SC_PKCS15_PIN_TYPE_ASCII_NUMERIC, JPKI_AUTH_PIN_LEN, JPKI_AUTH_PIN_LEN, JPKI_AUTH_PIN_TRIES },
	/* UTF8, not ascii-numeric: the password has letters. */
	{ JPKI_PIN_REF_SIGN, JPKI_EF_SIGN_CERT, JPKI_LABEL_SIGN_PIN, "Digital Signature Key",
	  "Digital Signature Public Key", SC_PKCS15_PRKEY_USAGE_SIGN | SC_PKCS15_PRKEY_USAGE_NONREPUDIATION, 1,
	  SC_PKCS15_PIN_TYPE_UTF8, JPKI_SIGN_PIN_MIN_LEN, JPKI_SIGN_PIN_MAX_LEN, JPKI_SIGN_PIN_TRIES },
};

static void set_id(struct sc_pkcs15_id *id, int value)
{
	id->len = 1;
	id->value[0] = (u8)value;
}

static void set_file_path(sc_path_t *path, unsigned fid)
{
	memset(path, 0, sizeof *path);
	path->value[0] = (u8)(fid >> 8);
	path->value[1] = (u8)fid;
	path->len = 2;
	path->type = SC_PATH_TYPE_FILE_ID;
	path->index = 0;
	path->count = -1;
}

static int replace_string(char **field, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return SC_ERROR_OUT_OF_MEMORY;
	free(*field);
	*field = copy;
	return SC_SUCCESS;
}

static int add_certificate(sc_pkcs15_card_t *p15card, const struct cert_desc *desc)
{
	sc_card_t *card = p15card->card;
	struct sc_pkcs15_cert_info info;
	struct sc_pkcs15_object obj;
	const u8 *bytes;
	size_t len;
	int r;

	memset(&info, 0, sizeof info);
	memset(&obj, 0, sizeof obj);
	set_id(&info.id, desc->id);
	set_file_path(&info.path, desc->fid);
	info.authority = desc->authority;
	snprintf(obj.label, sizeof obj.label, "%s", desc->label);

	switch (desc->source) {
	case CERT_WITH_PIN:
		/* Read only with the PIN, and then straight from the card. */
		obj.flags = SC_PKCS15_CO_FLAG_PRIVATE;
		obj.auth_id.len = 1;
		obj.auth_id.value[0] = JPKI_PIN_REF_SIGN;
		break;
	case CERT_AT_BIND:
		r = mynumber_public_file(card, desc->fid, &bytes, &len);
		/* A CA certificate the card garbled now is left to be read when
		 * asked: the keys do not need it. A card gone ends the bind. */
		if (r < 0 && desc->authority && r != SC_ERROR_CARD_REMOVED && r != SC_ERROR_READER_DETACHED) {
			sc_log(card->ctx, "%s not read at bind (%s): read when asked", desc->label, sc_strerror(r));
			break;
		}
		LOG_TEST_RET(card->ctx, r, "cannot read a public certificate");
		/* OpenSC owns and frees this copy; with it set, nobody reads the
		 * file again. */
		info.value.value = malloc(len);
		if (info.value.value == NULL)
			return SC_ERROR_OUT_OF_MEMORY;
		memcpy(info.value.value, bytes, len);
		info.value.len = len;
		break;
	}
	r = sc_pkcs15emu_add_x509_cert(p15card, &obj, &info);
	if (r < 0)
		free(info.value.value);
	LOG_TEST_RET(card->ctx, r, "cannot add a certificate");
	return SC_SUCCESS;
}

struct pin_status {
	int tries_left;
	int logged_in;
};

/* Tries left for pkcs15-tool --dump / --list-pins: the no-data VERIFY costs no
 * try. */
static int query_pin(sc_pkcs15_card_t *p15card, const struct key_desc *desc, struct pin_status *status)
{
	struct sc_pin_cmd_data query;
	int r;

	memset(&query, 0, sizeof query);
	query.cmd = SC_PIN_CMD_GET_INFO;
	query.pin_type = SC_AC_CHV;
	query.pin_reference = desc->id;
	status->tries_left = -1;
	r = compat_pin_cmd(p15card->card, &query, &status->tries_left);
	LOG_TEST_RET(p15card->card->ctx, r, "cannot query the PIN's tries");
	status->logged_in = query.pin1.logged_in;
	return SC_SUCCESS;
}

static int add_pin(sc_pkcs15_card_t *p15card, const struct key_desc *desc, const struct pin_status *status)
{
	sc_card_t *card = p15card->card;
	struct sc_pkcs15_auth_info info;
	struct sc_pkcs15_object obj;
	int r;

	memset(&info, 0, sizeof info);
	memset(&obj, 0, sizeof obj);
	set_id(&info.auth_id, desc->id);
	info.auth_type = SC_PKCS15_PIN_AUTH_TYPE_PIN;
	info.auth_method = SC_AC_CHV;
	info.attrs.pin.reference = desc->id;
	info.attrs.pin.flags = SC_PKCS15_PIN_FLAG_INITIALIZED | SC_PKCS15_PIN_FLAG_LOCAL;
	info.attrs.pin.type = desc->pin_type;
	info.attrs.pin.min_length = desc->pin_min;
	info.attrs.pin.max_length = desc->pin_max;
	info.attrs.pin.stored_length = 0;
	info.attrs.pin.pad_char = 0x00;
	info.max_tries = desc->pin_tries;
	info.tries_left = status->tries_left;
	info.logged_in = status->logged_in;

	snprintf(obj.label, sizeof obj.label, "%s", desc->pin_label);
	obj.flags = info.attrs.pin.flags;
	r = sc_pkcs15emu_add_pin_obj(p15card, &obj, &info);
	LOG_TEST_RET(card->ctx, r, "cannot add a PIN");
	return SC_SUCCESS;
}

/* The signature key's certificate needs its PIN, so until the driver has read
 * it the key is described with the authentication key's type and size (both
 * keys of a card are of one generation); once it has, with its own. */
static size_t key_size(sc_card_t *card, const struct key_desc *desc, const struct jpki_cert_key *auth_key)
{
	int own = mynumber_key_bits(card, desc->id);

	return own > 0 ? (size_t)own : auth_key->bits;
}

static int add_private_key(sc_pkcs15_card_t *p15card, const struct key_desc *desc,
                           const struct jpki_cert_key *key)
{
	struct sc_pkcs15_prkey_info info;
	struct sc_pkcs15_object obj;

	memset(&info, 0, sizeof info);
	memset(&obj, 0, sizeof obj);
	set_id(&info.id, desc->id);
	info.usage = desc->usage;
	info.native = 1;
	info.key_reference = desc->id;
	info.modulus_length = key_size(p15card->card, desc, key);
	snprintf(obj.label, sizeof obj.label, "%s", desc->prkey_label);
	set_id(&obj.auth_id, desc->id);
	obj.user_consent = desc->user_consent;
	obj.flags = SC_PKCS15_CO_FLAG_PRIVATE;
	return sc_pkcs15emu_add_rsa_prkey(p15card, &obj, &info);
}

static int add_public_key(sc_pkcs15_card_t *p15card, const struct key_desc *desc,
                          const struct jpki_cert_key *key)
{
	sc_card_t *card = p15card->card;
	struct sc_pkcs15_pubkey_info info;
	struct sc_pkcs15_object obj;
	const u8 *cert;
	size_t cert_len;
	int r;

	memset(&info, 0, sizeof info);
	memset(&obj, 0, sizeof obj);
	set_id(&info.id, desc->id);
	info.usage = SC_PKCS15_PRKEY_USAGE_VERIFY;
	info.native = 1;
	info.key_reference = desc->id;
	info.modulus_length = key_size(p15card->card, desc, key);
	set_file_path(&info.path, desc->cert_fid);
	snprintf(obj.label, sizeof obj.label, "%s", desc->pubkey_label);

	if (desc->cert_fid == JPKI_EF_SIGN_CERT) {
		/* Its only source is the private certificate: the driver's
		 * read_public_key fetches it once the PIN is verified. */
		obj.flags = SC_PKCS15_CO_FLAG_PRIVATE;
		set_id(&obj.auth_id, desc->id);
	} else {
		r = mynumber_public_file(card, desc->cert_fid, &cert, &cert_len);
		LOG_TEST_RET(card->ctx, r, "cannot read the certificate of a public key");
		r = jpki_cert_spki(cert, cert_len, &info.direct.spki.value, &info.direct.spki.len);
		LOG_TEST_RET(card->ctx, r, "cannot take the public key from its certificate");
	}
	r = sc_pkcs15emu_add_rsa_pubkey(p15card, &obj, &info);
	if (r < 0)
		free(info.direct.spki.value);
	return r;
}

static int set_token_info(sc_pkcs15_card_t *p15card)
{
	sc_card_t *card = p15card->card;
	char serial[SERIAL_HEX_MAX];
	const u8 *cert;
	size_t cert_len;
	int r;

	r = mynumber_public_file(card, JPKI_EF_AUTH_CERT, &cert, &cert_len);
	LOG_TEST_RET(card->ctx, r, "cannot read the authentication certificate");
	/* Unique per card under its CA and readable without a PIN. */
	r = jpki_cert_serial_hex(cert, cert_len, serial, sizeof serial);
	LOG_TEST_RET(card->ctx, r, "the authentication certificate has no usable serial number");
	r = replace_string(&p15card->tokeninfo->serial_number, serial);
	if (r == SC_SUCCESS)
		r = replace_string(&p15card->tokeninfo->label, TOKEN_LABEL);
	if (r == SC_SUCCESS)
		r = replace_string(&p15card->tokeninfo->manufacturer_id, TOKEN_MANUFACTURER);
	return r;
}

/* The card-face text is personal data, so it is opt-in (card_info = yes). In
 * a PKCS#11 application it also needs card_info_pkcs11 = yes: its own PIN
 * would be a token of its own, and a client that logs in to every token with
 * the one PIN it was given (ssh-agent's ssh-add -s) would spend a try of the
 * card-info PIN each time, the right authentication PIN having its format. */
static int card_face_wanted(sc_context_t *ctx)
{
	if (!module_config_get_bool(ctx, "card_info", 0))
		return 0;
	if (module_config_app_is_pkcs11(ctx) && !module_config_get_bool(ctx, "card_info_pkcs11", 0)) {
		sc_log(ctx, "card_driver %s: card_info = yes, but no card-face token in PKCS#11 "
		            "without card_info_pkcs11 = yes", module_config_name());
		return 0;
	}
	return 1;
}

/* The driver learnt a key's own size: the private and public key objects
 * of that ID report it from now on (PKCS#11's CKA_MODULUS_BITS). */
static void key_size_learnt(void *arg, int key_ref, size_t bits)
{
	sc_pkcs15_card_t *p15card = arg;
	struct sc_pkcs15_id id;
	struct sc_pkcs15_object *obj = NULL;

	set_id(&id, key_ref);
	if (sc_pkcs15_find_prkey_by_id(p15card, &id, &obj) == SC_SUCCESS)
		((struct sc_pkcs15_prkey_info *)obj->data)->modulus_length = bits;
	if (sc_pkcs15_find_pubkey_by_id(p15card, &id, &obj) == SC_SUCCESS)
		((struct sc_pkcs15_pubkey_info *)obj->data)->modulus_length = bits;
}

/* The objects go: the driver must not call into them any more. */
static void mynumber_pkcs15emu_clear(sc_pkcs15_card_t *p15card)
{
	mynumber_watch_key_sizes(p15card->card, NULL, NULL);
}

static int mynumber_pkcs15emu_init(sc_pkcs15_card_t *p15card)
{
	sc_card_t *card = p15card->card;
	struct jpki_cert_key key;
	struct pin_status pin_status[sizeof keys / sizeof keys[0]];
	const u8 *cert;
	size_t cert_len, i;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	/* use_file_caching = yes would write the signature certificate, which
	 * carries name, address and birth date, to disk. Public files only. */
	if (p15card->opts.use_file_cache & COMPAT_FILE_CACHE_ALL) {
		sc_log(card->ctx, "file caching limited to public files (to none, where OpenSC caches all files or none): the signature certificate is private");
		p15card->opts.use_file_cache = COMPAT_FILE_CACHE_PUBLIC;
	}

	r = set_token_info(p15card);
	LOG_TEST_GOTO_ERR(card->ctx, r, "token info");

	r = mynumber_public_file(card, JPKI_EF_AUTH_CERT, &cert, &cert_len);
	LOG_TEST_GOTO_ERR(card->ctx, r, "authentication certificate");
	r = jpki_cert_key_info(cert, cert_len, &key);
	LOG_TEST_GOTO_ERR(card->ctx, r, "authentication key type");
	/* The signature key's certificate needs a PIN to read; both keys of a
	 * card are of one generation, so the authentication key's type and size
	 * stand for both until the signature certificate is read. */
	r = mynumber_register_key(card, &key);
	LOG_TEST_GOTO_ERR(card->ctx, r, "key type not supported");

	for (i = 0; i < sizeof certs / sizeof certs[0]; i++) {
		r = add_certificate(p15card, &certs[i]);
		LOG_TEST_GOTO_ERR(card->ctx, r, "certificate");
	}
	/* The tries, for pkcs15-tool --dump and --list-pins of releases whose
	 * tool does not ask the card itself. opensc-pkcs11 asks again in every
	 * C_GetTokenInfo, so there the bind leaves them unknown rather than pay
	 * four APDUs nobody reads. */
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		pin_status[i].tries_left = -1;
		pin_status[i].logged_in = SC_PIN_STATE_UNKNOWN;
		if (!COMPAT_BIND_ASKS_TRIES || module_config_app_is_pkcs11(card->ctx))
			continue;
		r = query_pin(p15card, &keys[i], &pin_status[i]);
		LOG_TEST_GOTO_ERR(card->ctx, r, "PIN status");
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		r = add_pin(p15card, &keys[i], &pin_status[i]);
		LOG_TEST_GOTO_ERR(card->ctx, r, "PIN");
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		r = add_private_key(p15card, &keys[i], &key);
		LOG_TEST_GOTO_ERR(card->ctx, r, "private key");
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		r = add_public_key(p15card, &keys[i], &key);
		LOG_TEST_GOTO_ERR(card->ctx, r, "public key");
	}
	mynumber_set_consent_by_any_verify(card, p15card->opts.pin_cache_ignore_user_consent != 0);
	p15card->ops.clear = mynumber_pkcs15emu_clear;
	mynumber_watch_key_sizes(card, key_size_learnt, p15card);
	if (card_face_wanted(card->ctx)) {
		sc_log(card->ctx, "card_driver %s: card_info = yes", module_config_name());
		r = mynumber_pkcs15_add_text_ap_objects(p15card);
		LOG_TEST_GOTO_ERR(card->ctx, r, "card-face text objects");
	}
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
err:
	sc_pkcs15_card_clear(p15card);
	LOG_FUNC_RETURN(card->ctx, r);
}

int mynumber_pkcs15emu_init_ex(sc_pkcs15_card_t *p15card, struct sc_aid *aid)
{
	static const u8 jpki_aid[JPKI_AID_LEN] = JPKI_AID_JPKI;

	if (p15card == NULL || !mynumber_card_is_ours(p15card->card))
		return SC_ERROR_WRONG_CARD;
	/* Bound per application only for the JPKI AP; the card has no EF.DIR,
	 * so OpenSC normally passes no AID at all. */
	if (aid != NULL && aid->len > 0
	    && (aid->len != JPKI_AID_LEN || memcmp(aid->value, jpki_aid, JPKI_AID_LEN) != 0))
		return SC_ERROR_WRONG_CARD;
	return mynumber_pkcs15emu_init(p15card);
}
