/*
 * Files: which EF OpenSC means and where its bytes come from. Public files of
 * the JPKI AP are read once per connection and served from memory afterwards;
 * the signature certificate is held in memory from its first reading, with
 * the signature PIN, until logout. Paths that name nothing this card has
 * (EF.DIR, 5015, other applications) are answered here, without an APDU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "card-link.h"
#include "jpki-cert.h"
#include "jpki-read.h"
#include "jpki-state.h"
#include "text-ap.h"

#define TAG_SEQUENCE 0x30
#define TEXT_FIELD_MAX 2048

static const u8 aid_jpki[JPKI_AID_LEN] = JPKI_AID_JPKI;
static const u8 aid_text[JPKI_AID_LEN] = JPKI_AID_TEXT;

void mynumber_blob_wipe(struct mynumber_blob *blob)
{
	if (blob->data != NULL) {
		explicit_bzero(blob->data, blob->len);
		free(blob->data);
	}
	blob->data = NULL;
	blob->len = 0;
	blob->loaded = false;
}

void mynumber_forget_selection(sc_card_t *card)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);

	drv->source = MYNUMBER_SOURCE_NONE;
	drv->source_blob = NULL;
	drv->source_ap = JPKI_AP_NONE;
	drv->source_fid = 0;
}

static struct mynumber_blob *public_blob(struct mynumber_drv_data *drv, unsigned fid, int *der_tag)
{
	*der_tag = TAG_SEQUENCE;
	switch (fid) {
	case JPKI_EF_AUTH_CERT:
		return &drv->auth_cert;
	case JPKI_EF_AUTH_CA_CERT:
		return &drv->auth_ca_cert;
	case JPKI_EF_SIGN_CA_CERT:
		return &drv->sign_ca_cert;
	case JPKI_EF_TOKEN_INFO:
		*der_tag = MYNUMBER_READ_RAW;
		return &drv->token_info;
	default:
		return NULL;
	}
}

static int load_blob(sc_card_t *card, unsigned fid, struct mynumber_blob **out)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	struct mynumber_blob *blob;
	int der_tag, r;

	blob = public_blob(drv, fid, &der_tag);
	if (blob == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (!blob->loaded) {
		r = mynumber_read_whole_ef(card, JPKI_AP_JPKI, fid, der_tag, &blob->data, &blob->len);
		LOG_TEST_RET(card->ctx, r, "cannot read public EF");
		blob->loaded = true;
		if (fid == JPKI_EF_AUTH_CERT)
			mynumber_link_set_probe(card, blob->data, blob->len);
	}
	*out = blob;
	return SC_SUCCESS;
}

/* The two CA certificates are wanted together (a dump, PKCS#11's object
 * list): the first asked for brings the other in the same transaction, which
 * spares the second its own confirmation of the application. */
static unsigned other_ca(unsigned fid)
{
	if (fid == JPKI_EF_AUTH_CA_CERT)
		return JPKI_EF_SIGN_CA_CERT;
	if (fid == JPKI_EF_SIGN_CA_CERT)
		return JPKI_EF_AUTH_CA_CERT;
	return 0;
}

static int load_public(sc_card_t *card, unsigned fid, struct mynumber_blob **out)
{
	struct mynumber_blob *other;
	unsigned pair = other_ca(fid);
	int r, r2;

	if (pair == 0)
		return load_blob(card, fid, out);
	r = mynumber_link_begin(card);
	LOG_TEST_RET(card->ctx, r, "cannot lock the card");
	r = load_blob(card, fid, out);
	if (r == SC_SUCCESS) {
		r2 = load_blob(card, pair, &other);
		if (r2 < 0)
			sc_log(card->ctx, "EF %04X not read along (%s): read when asked", pair, sc_strerror(r2));
	}
	mynumber_link_end(card);
	return r;
}

int mynumber_files_public(sc_card_t *card, unsigned fid, const u8 **data, size_t *len)
{
	struct mynumber_blob *blob;
	int r;

	if (card == NULL || data == NULL || len == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	r = load_public(card, fid, &blob);
	if (r < 0)
		return r;
	*data = blob->data;
	*len = blob->len;
	return SC_SUCCESS;
}

/* --- what a path names -------------------------------------------------- */

enum path_target {
	TARGET_NOTHING,   /* not on this card: FILE_NOT_FOUND, no APDU */
	TARGET_MF,        /* 3F00: virtual, the card has no MF to select */
	TARGET_AP,        /* an application itself */
	TARGET_EF,        /* an EF (or virtual text field) inside an application */
};

struct resolved_path {
	enum path_target target;
	enum jpki_ap ap;
	unsigned fid;
};

static enum jpki_ap ap_from_aid(const u8 *aid, size_t len)
{
	if (len == JPKI_AID_LEN && memcmp(aid, aid_jpki, JPKI_AID_LEN) == 0)
		return JPKI_AP_JPKI;
	if (len == JPKI_AID_LEN && memcmp(aid, aid_text, JPKI_AID_LEN) == 0)
		return JPKI_AP_TEXT;
	return JPKI_AP_NONE;
}

static int ef_exists(enum jpki_ap ap, unsigned fid)
{
	switch (ap) {
	case JPKI_AP_JPKI:
		switch (fid) {
		case JPKI_EF_SIGN_CERT: case JPKI_EF_SIGN_CA_CERT: case JPKI_EF_TOKEN_INFO:
		case JPKI_EF_AUTH_CERT: case JPKI_EF_AUTH_CA_CERT: case JPKI_EF_AUTH_KEY:
		case JPKI_EF_AUTH_PIN: case JPKI_EF_SIGN_KEY: case JPKI_EF_SIGN_PIN:
			return 1;
		default:
			return 0;
		}
	case JPKI_AP_TEXT:
		/* 0004/0005 (free), 0014/0015 (PINs A and B) as in jpki-card.md. */
		return (fid >= JPKI_TEXT_EF_MY_NUMBER && fid <= 0x0005) || fid == JPKI_TEXT_EF_PIN
		       || fid == 0x0014 || fid == 0x0015 || mynumber_text_is_virtual_fid(fid);
	default:
		return 0;
	}
}

static unsigned fid_at(const u8 *bytes)
{
	return ((unsigned)bytes[0] << 8) | bytes[1];
}

static void resolve_path(const sc_path_t *path, struct resolved_path *out)
{
	const u8 *value = path->value;
	size_t len = path->len;
	enum jpki_ap ap = JPKI_AP_NONE;

	out->target = TARGET_NOTHING;
	out->ap = JPKI_AP_NONE;
	out->fid = 0;

	if (path->type == SC_PATH_TYPE_DF_NAME) {
		out->ap = ap_from_aid(value, len);
		if (out->ap != JPKI_AP_NONE)
			out->target = TARGET_AP;
		return;
	}
	if (path->aid.len > 0) {
		ap = ap_from_aid(path->aid.value, path->aid.len);
		if (ap == JPKI_AP_NONE)
			return;
	}
	if (path->type != SC_PATH_TYPE_FILE_ID && path->type != SC_PATH_TYPE_PATH)
		return;
	if (len >= 2 && value[0] == 0x3F && value[1] == 0x00) {
		value += 2;
		len -= 2;
		if (len == 0 && ap == JPKI_AP_NONE) {
			out->target = TARGET_MF;
			return;
		}
	}
	if (len == 0 && ap != JPKI_AP_NONE) {
		out->target = TARGET_AP;
		out->ap = ap;
		return;
	}
	if (len != 2)
		return;
	out->fid = fid_at(value);
	/* Paths without an AID are the JPKI AP's (the emulator's objects), except
	 * the text layer's virtual IDs, which no other application uses. */
	if (ap == JPKI_AP_NONE)
		ap = mynumber_text_is_virtual_fid(out->fid) ? JPKI_AP_TEXT : JPKI_AP_JPKI;
	if (!ef_exists(ap, out->fid))
		return;
	out->ap = ap;
	out->target = TARGET_EF;
}

static int new_file(const sc_path_t *path, int type, size_t size, sc_file_t **file_out)
{
	sc_file_t *file;

	if (file_out == NULL)
		return SC_SUCCESS;
	file = sc_file_new();
	if (file == NULL)
		return SC_ERROR_OUT_OF_MEMORY;
	file->path = *path;
	file->type = type;
	file->ef_structure = type == SC_FILE_TYPE_DF ? SC_FILE_EF_UNKNOWN : SC_FILE_EF_TRANSPARENT;
	file->size = size;
	file->status = SC_FILE_STATUS_ACTIVATED;
	if (path->len == 2)
		file->id = (int)fid_at(path->value);
	*file_out = file;
	return SC_SUCCESS;
}

static int text_field_size(sc_card_t *card, unsigned fid, size_t *size)
{
	u8 value[TEXT_FIELD_MAX];
	size_t value_len = 0;
	int r;

	r = mynumber_text_read_field(card, (enum mynumber_text_field)(fid - MYNUMBER_TEXT_VFID_FIRST),
	                             value, sizeof value, &value_len);
	explicit_bzero(value, sizeof value);
	if (r < 0)
		return r;
	*size = value_len;
	return SC_SUCCESS;
}

/* The signature certificate was read: its key's own size replaces the
 * authentication key's, which stood in for it until now. */
static void note_sign_key(sc_card_t *card, const u8 *cert, size_t len)
{
	struct jpki_cert_key key;

	if (jpki_cert_key_info(cert, len, &key) == SC_SUCCESS)
		(void)mynumber_keys_note(card, JPKI_PIN_REF_SIGN, &key);
}

/* The signature certificate, held for this process: read (whole, so its size
 * is the DER header's and OpenSC's reads that follow cost no APDU) unless
 * held already, and only when this process verified the signature PIN (no
 * APDU for a read the card would refuse). */
static int sign_cert_for_reading(sc_card_t *card)
{
	if (!mynumber_drv(card)->sign_cert.loaded && !mynumber_link_pin_believed(card, JPKI_PIN_REF_SIGN))
		LOG_TEST_RET(card->ctx, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED,
		             "the signature certificate is read only after the signature PIN (no APDU sent)");
	return mynumber_files_hold_sign_cert(card);
}

static int select_ef_target(sc_card_t *card, const sc_path_t *path, const struct resolved_path *where,
                            sc_file_t **file_out)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	struct mynumber_blob *blob;
	size_t size = 0;
	int der_tag, r;

	if (where->ap == JPKI_AP_TEXT && mynumber_text_is_virtual_fid(where->fid)) {
		r = text_field_size(card, where->fid, &size);
		LOG_TEST_RET(card->ctx, r, "text AP field not available");
		drv->source = MYNUMBER_SOURCE_TEXT_FIELD;
		drv->source_fid = where->fid;
		return new_file(path, SC_FILE_TYPE_WORKING_EF, size, file_out);
	}
	if (where->ap == JPKI_AP_JPKI && public_blob(drv, where->fid, &der_tag) != NULL) {
		r = load_public(card, where->fid, &blob);
		LOG_TEST_RET(card->ctx, r, "cannot read public EF");
		drv->source = MYNUMBER_SOURCE_MEMORY;
		drv->source_blob = blob;
		drv->source_fid = where->fid;
		return new_file(path, SC_FILE_TYPE_WORKING_EF, blob->len, file_out);
	}

	if (where->ap == JPKI_AP_JPKI && where->fid == JPKI_EF_SIGN_CERT) {
		r = sign_cert_for_reading(card);
		LOG_TEST_RET(card->ctx, r, "signature certificate not available");
		drv->source = MYNUMBER_SOURCE_MEMORY;
		drv->source_blob = &drv->sign_cert;
		drv->source_fid = where->fid;
		return new_file(path, SC_FILE_TYPE_WORKING_EF, drv->sign_cert.len, file_out);
	}
	/* Read by offset later: read_binary selects it again in its own
	 * transaction; selecting now would prove nothing then. */
	drv->source = MYNUMBER_SOURCE_CARD;
	drv->source_ap = where->ap;
	drv->source_fid = where->fid;
	return new_file(path, SC_FILE_TYPE_WORKING_EF, 0, file_out);
}

int mynumber_select_file(sc_card_t *card, const sc_path_t *path, sc_file_t **file_out)
{
	struct resolved_path where;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (path == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
	sc_log(card->ctx, "path %s (type %d)", sc_print_path(path), path->type);
	mynumber_forget_selection(card);
	resolve_path(path, &where);
	switch (where.target) {
	case TARGET_NOTHING:
		sc_log(card->ctx, "not on this card: answered without an APDU");
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_FILE_NOT_FOUND);
	case TARGET_MF:
		LOG_FUNC_RETURN(card->ctx, new_file(path, SC_FILE_TYPE_DF, 0, file_out));
	case TARGET_AP:
		/* No APDU: every operation confirms its application itself, in
		 * its own transaction, so a SELECT now would be undone unseen. */
		LOG_FUNC_RETURN(card->ctx, new_file(path, SC_FILE_TYPE_DF, 0, file_out));
	case TARGET_EF:
		r = select_ef_target(card, path, &where, file_out);
		LOG_FUNC_RETURN(card->ctx, r);
	}
	LOG_FUNC_RETURN(card->ctx, SC_ERROR_INTERNAL);
}

static int serve_from_memory(const struct mynumber_blob *blob, unsigned int idx, u8 *buf, size_t count)
{
	size_t n;

	if (blob->data == NULL || idx >= blob->len)
		return 0;
	n = blob->len - idx;
	if (n > count)
		n = count;
	memcpy(buf, blob->data + idx, n);
	return (int)n;
}

static int serve_text_field(sc_card_t *card, unsigned fid, unsigned int idx, u8 *buf, size_t count)
{
	u8 value[TEXT_FIELD_MAX];
	size_t value_len = 0, n;
	int r;

	r = mynumber_text_read_field(card, (enum mynumber_text_field)(fid - MYNUMBER_TEXT_VFID_FIRST),
	                             value, sizeof value, &value_len);
	if (r >= 0) {
		n = 0;
		if (idx < value_len) {
			n = value_len - idx;
			if (n > count)
				n = count;
			memcpy(buf, value + idx, n);
		}
		r = (int)n;
	}
	explicit_bzero(value, sizeof value);
	return r;
}

/* READ BINARY by offset acts on the card's current EF: the application and
 * the EF are confirmed in the same transaction first. */
static int read_card_ef(sc_card_t *card, enum jpki_ap ap, unsigned fid, unsigned int idx, u8 *buf,
                        size_t count, size_t *got, bool *at_end)
{
	int r;

	r = mynumber_link_begin(card);
	if (r < 0)
		return r;
	r = mynumber_link_select_ap(card, ap);
	if (r == SC_SUCCESS)
		r = mynumber_link_select_ef(card, fid);
	if (r == SC_SUCCESS)
		r = jpki_apdu_read_binary(card, idx, buf, count, got, at_end);
	mynumber_link_end(card);
	return r;
}

int mynumber_read_binary(sc_card_t *card, unsigned int idx, u8 *buf, size_t count, compat_read_flags_t flags)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	size_t got = 0;
	bool at_end = false;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (buf == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
	if (count == 0)
		LOG_FUNC_RETURN(card->ctx, 0);
	switch (drv->source) {
	case MYNUMBER_SOURCE_MEMORY:
		LOG_FUNC_RETURN(card->ctx, serve_from_memory(drv->source_blob, idx, buf, count));
	case MYNUMBER_SOURCE_TEXT_FIELD:
		LOG_FUNC_RETURN(card->ctx, serve_text_field(card, drv->source_fid, idx, buf, count));
	case MYNUMBER_SOURCE_CARD:
		r = read_card_ef(card, drv->source_ap, drv->source_fid, idx, buf, count, &got, &at_end);
		LOG_TEST_RET(card->ctx, r, "READ BINARY failed");
		LOG_FUNC_RETURN(card->ctx, (int)got);
	case MYNUMBER_SOURCE_NONE:
		break;
	}
	LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "no file selected");
	return SC_ERROR_INVALID_ARGUMENTS;
}

/* For the public key objects: the key inside the certificate. The signature
 * certificate needs the signature PIN, so its key does too; its bytes are
 * wiped as soon as the key is out. */
int mynumber_read_public_key(sc_card_t *card, unsigned algorithm, sc_path_t *path,
                             unsigned key_ref, unsigned modulus_length, u8 **out, size_t *out_len)
{
	const u8 *public_cert;
	size_t cert_len = 0;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (out == NULL || out_len == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
	switch (key_ref) {
	case JPKI_PIN_REF_AUTH:
		r = mynumber_files_public(card, JPKI_EF_AUTH_CERT, &public_cert, &cert_len);
		LOG_TEST_RET(card->ctx, r, "cannot read the authentication certificate");
		r = jpki_cert_public_key_raw(public_cert, cert_len, out, out_len);
		break;
	case JPKI_PIN_REF_SIGN:
		r = sign_cert_for_reading(card);
		LOG_TEST_RET(card->ctx, r, "the signature key is read from its certificate");
		r = jpki_cert_public_key_raw(mynumber_drv(card)->sign_cert.data, mynumber_drv(card)->sign_cert.len,
		                             out, out_len);
		break;
	default:
		r = SC_ERROR_OBJECT_NOT_FOUND;
		break;
	}
	LOG_FUNC_RETURN(card->ctx, r);
}

int mynumber_files_hold_sign_cert(sc_card_t *card)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	int r;

	if (drv->sign_cert.loaded)
		return SC_SUCCESS;
	r = mynumber_read_whole_ef(card, JPKI_AP_JPKI, JPKI_EF_SIGN_CERT, TAG_SEQUENCE, &drv->sign_cert.data,
	                           &drv->sign_cert.len);
	if (r == SC_ERROR_SECURITY_STATUS_NOT_SATISFIED)
		mynumber_link_pin_set(card, JPKI_PIN_REF_SIGN, false);
	LOG_TEST_RET(card->ctx, r, "cannot read the signature certificate");
	drv->sign_cert.loaded = true;
	note_sign_key(card, drv->sign_cert.data, drv->sign_cert.len);
	return SC_SUCCESS;
}

void mynumber_files_forget_private(sc_card_t *card)
{
	mynumber_forget_selection(card);
	mynumber_blob_wipe(&mynumber_drv(card)->sign_cert);
}
