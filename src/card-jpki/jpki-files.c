/*
 * Files: which EF OpenSC means, where its bytes come from, and reading a whole
 * EF sized by its own TLV header. Public files of the JPKI AP are read once per
 * connection and served from memory afterwards; the signature certificate is
 * held only while OpenSC reads it. Paths that name nothing this card has
 * (EF.DIR, 5015, other applications) are answered here, without an APDU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "card-jpki.h"
#include "der-header.h"
#include "jpki-state.h"
#include "text-ap.h"

/* Larger than any file the card has (certificates are 1-2 KiB); a header
 * claiming more is corrupt, not a reason to allocate. */
#define MAX_EF_SIZE 0x7FFF
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

	mynumber_blob_wipe(&drv->private_file);
	drv->source = MYNUMBER_SOURCE_NONE;
	drv->source_blob = NULL;
	drv->source_fid = 0;
}

int mynumber_select_ef(sc_card_t *card, unsigned fid)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	int r;

	mynumber_notice_reset(card);
	if (drv->current_ap == JPKI_AP_NONE)
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "no application selected");
	if (drv->current_ef == fid)
		return SC_SUCCESS;
	drv->current_ef = 0;
	r = jpki_apdu_select_ef(card, fid);
	LOG_TEST_RET(card->ctx, r, "SELECT EF failed");
	drv->current_ef = fid;
	return SC_SUCCESS;
}

static int grow(u8 **buf, size_t *cap, size_t need)
{
	u8 *bigger;

	if (need <= *cap)
		return SC_SUCCESS;
	bigger = malloc(need);
	if (bigger == NULL)
		return SC_ERROR_OUT_OF_MEMORY;
	/* Copy then wipe: the old buffer may hold a private certificate. */
	memcpy(bigger, *buf, *cap);
	explicit_bzero(*buf, *cap);
	free(*buf);
	*buf = bigger;
	*cap = need;
	return SC_SUCCESS;
}

/* Reads until the card reports the end (short data, 6282, 6B00) or limit. */
static int read_until_end(sc_card_t *card, u8 **buf, size_t *cap, size_t *filled, bool at_end)
{
	size_t got, chunk;
	int r;

	while (!at_end) {
		if (*filled >= MAX_EF_SIZE)
			LOG_TEST_RET(card->ctx, SC_ERROR_FILE_TOO_SMALL, "EF larger than any file of this card");
		chunk = jpki_apdu_max_read(card);
		if (chunk > MAX_EF_SIZE - *filled)
			chunk = MAX_EF_SIZE - *filled;
		r = grow(buf, cap, *filled + chunk);
		LOG_TEST_RET(card->ctx, r, "out of memory");
		r = jpki_apdu_read_binary(card, *filled, *buf + *filled, chunk, &got, &at_end);
		LOG_TEST_RET(card->ctx, r, "reading EF");
		*filled += got;
		if (got == 0)
			break;
	}
	return SC_SUCCESS;
}

/* Reads exactly total bytes; the card ending early means the header lied. */
static int read_to_total(sc_card_t *card, u8 **buf, size_t *cap, size_t *filled, size_t total,
                         bool at_end)
{
	size_t got, chunk;
	int r;

	r = grow(buf, cap, total);
	LOG_TEST_RET(card->ctx, r, "out of memory");
	while (*filled < total) {
		if (at_end)
			break;
		chunk = total - *filled;
		r = jpki_apdu_read_binary(card, *filled, *buf + *filled, chunk, &got, &at_end);
		LOG_TEST_RET(card->ctx, r, "reading EF");
		*filled += got;
		if (got == 0)
			break;
	}
	if (*filled < total) {
		sc_log(card->ctx, "EF header announces %zu bytes, the file ends after %zu", total, *filled);
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_CORRUPTED_DATA);
	}
	return SC_SUCCESS;
}

/* The short EF identifier an EF of the current application is read by, or 0:
 * only the JPKI AP's certificates and token info (key and PIN EFs are never
 * read, and nobody has shown the text AP's files answer by SFI). */
static unsigned sfi_of(const struct mynumber_drv_data *drv, unsigned fid)
{
	if (drv->current_ap != JPKI_AP_JPKI || drv->sfi_refused)
		return 0;
	switch (fid) {
	case JPKI_EF_SIGN_CERT: case JPKI_EF_SIGN_CA_CERT: case JPKI_EF_TOKEN_INFO:
	case JPKI_EF_AUTH_CERT: case JPKI_EF_AUTH_CA_CERT:
		return fid & JPKI_SFI_MASK;
	default:
		return 0;
	}
}

/* The first chunk of an EF: by short EF identifier when the card takes it
 * (no SELECT, the EF becomes the current one), else SELECT + READ BINARY. A
 * refusal is remembered for the connection: one extra APDU, once. */
static int read_first_chunk(sc_card_t *card, unsigned fid, u8 *buf, size_t cap, size_t *got,
                            bool *at_end)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	unsigned sfi;
	bool refused = false;
	int r;

	mynumber_notice_reset(card);
	sfi = drv->current_ef == fid ? 0 : sfi_of(drv, fid);
	if (sfi != 0) {
		/* Whatever the answer, the card's current EF may have changed. */
		drv->current_ef = 0;
		r = jpki_apdu_read_binary_sfi(card, sfi, buf, cap, got, at_end, &refused);
		LOG_TEST_RET(card->ctx, r, "reading EF by short identifier");
		if (!refused) {
			drv->current_ef = fid;
			return SC_SUCCESS;
		}
		sc_log(card->ctx, "no READ BINARY by short EF identifier on this card: SELECT from now on");
		drv->sfi_refused = true;
	}
	r = mynumber_select_ef(card, fid);
	LOG_TEST_RET(card->ctx, r, "cannot select EF");
	return jpki_apdu_read_binary(card, 0, buf, cap, got, at_end);
}

/* content: MYNUMBER_READ_RAW (read to the card's end of file),
 * MYNUMBER_READ_TLV (sized by a BER header when one parses, else raw), or a
 * tag the file must start with in DER (sized by that header, strictly). */
int mynumber_read_whole_ef(sc_card_t *card, unsigned fid, int content, u8 **data, size_t *len)
{
	struct der_header header;
	enum der_header_status status;
	u8 *buf = NULL;
	size_t cap, filled = 0, got = 0;
	bool at_end = false;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (data == NULL || len == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);

	/* One read of the largest size allowed: with extended length that is
	 * usually the whole file in one APDU. */
	cap = jpki_apdu_max_read(card);
	if (cap > MAX_EF_SIZE)
		cap = MAX_EF_SIZE;
	buf = malloc(cap);
	if (buf == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_OUT_OF_MEMORY);
	r = read_first_chunk(card, fid, buf, cap, &got, &at_end);
	if (r < 0)
		goto out;
	filled = got;

	if (content == MYNUMBER_READ_RAW)
		status = DER_HEADER_INVALID;
	else
		status = der_header_parse(buf, filled, content > 0 ? DER_HEADER_STRICT : 0, &header);
	if (content > 0) {
		if (status != DER_HEADER_OK || header.tag != (uint32_t)content) {
			sc_log(card->ctx, "EF %04X does not start with a DER header (tag %02X expected)",
			       fid, (unsigned)content);
			r = SC_ERROR_INVALID_ASN1_OBJECT;
			goto out;
		}
	}
	if (status == DER_HEADER_OK) {
		if (header.total_len > MAX_EF_SIZE) {
			sc_log(card->ctx, "EF %04X header announces %zu bytes: corrupt", fid, header.total_len);
			r = SC_ERROR_CORRUPTED_DATA;
			goto out;
		}
		r = read_to_total(card, &buf, &cap, &filled, header.total_len, at_end);
		if (r < 0)
			goto out;
		/* Filler after the object is not part of it. */
		if (filled > header.total_len)
			explicit_bzero(buf + header.total_len, filled - header.total_len);
		filled = header.total_len;
	} else {
		r = read_until_end(card, &buf, &cap, &filled, at_end);
		if (r < 0)
			goto out;
	}
	*data = buf;
	*len = filled;
	buf = NULL;
	r = SC_SUCCESS;
out:
	if (buf != NULL) {
		explicit_bzero(buf, cap);
		free(buf);
	}
	LOG_FUNC_RETURN(card->ctx, r);
}

int mynumber_read_ef(sc_card_t *card, unsigned fid, u8 **data, size_t *len)
{
	if (card == NULL || !mynumber_card_is_ours(card))
		return SC_ERROR_INVALID_ARGUMENTS;
	return mynumber_read_whole_ef(card, fid, MYNUMBER_READ_TLV, data, len);
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

static int load_public(sc_card_t *card, unsigned fid, struct mynumber_blob **out)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	struct mynumber_blob *blob;
	int der_tag, r;

	blob = public_blob(drv, fid, &der_tag);
	if (blob == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (!blob->loaded) {
		r = mynumber_select_ap(card, JPKI_AP_JPKI);
		LOG_TEST_RET(card->ctx, r, "cannot select the JPKI application");
		r = mynumber_read_whole_ef(card, fid, der_tag, &blob->data, &blob->len);
		LOG_TEST_RET(card->ctx, r, "cannot read public EF");
		blob->loaded = true;
	}
	*out = blob;
	return SC_SUCCESS;
}

int mynumber_public_file(sc_card_t *card, unsigned fid, const u8 **data, size_t *len)
{
	struct mynumber_blob *blob;
	int r;

	if (card == NULL || data == NULL || len == NULL || !mynumber_card_is_ours(card))
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

	if (where->ap == JPKI_AP_JPKI && where->fid == JPKI_EF_SIGN_CERT && !drv->pin_verified[JPKI_PIN_REF_SIGN])
		LOG_TEST_RET(card->ctx, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED,
		             "the signature certificate is read only after the signature PIN (no APDU sent)");
	r = mynumber_select_ap(card, where->ap);
	LOG_TEST_RET(card->ctx, r, "cannot select application");
	if (where->ap == JPKI_AP_JPKI && where->fid == JPKI_EF_SIGN_CERT) {
		/* Read now, whole, so its size is the DER header's and OpenSC's
		 * reads that follow cost no APDU; the bytes go once served. */
		r = mynumber_read_whole_ef(card, where->fid, TAG_SEQUENCE, &drv->private_file.data,
		                           &drv->private_file.len);
		LOG_TEST_RET(card->ctx, r, "cannot read the signature certificate");
		drv->private_file.loaded = true;
		drv->source = MYNUMBER_SOURCE_MEMORY;
		drv->source_blob = &drv->private_file;
		drv->source_fid = where->fid;
		return new_file(path, SC_FILE_TYPE_WORKING_EF, drv->private_file.len, file_out);
	}
	r = mynumber_select_ef(card, where->fid);
	LOG_TEST_RET(card->ctx, r, "cannot select EF");
	drv->source = MYNUMBER_SOURCE_CARD;
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
		r = mynumber_select_ap(card, where.ap);
		LOG_TEST_RET(card->ctx, r, "cannot select application");
		LOG_FUNC_RETURN(card->ctx, new_file(path, SC_FILE_TYPE_DF, 0, file_out));
	case TARGET_EF:
		r = select_ef_target(card, path, &where, file_out);
		LOG_FUNC_RETURN(card->ctx, r);
	}
	LOG_FUNC_RETURN(card->ctx, SC_ERROR_INTERNAL);
}

static int serve_from_memory(sc_card_t *card, const struct mynumber_blob *blob, unsigned int idx,
                             u8 *buf, size_t count)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	size_t n;

	if (blob->data == NULL || idx >= blob->len)
		return 0;
	n = blob->len - idx;
	if (n > count)
		n = count;
	memcpy(buf, blob->data + idx, n);
	if (blob == &drv->private_file && idx + n >= blob->len)
		mynumber_forget_selection(card);
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

int mynumber_read_binary(sc_card_t *card, unsigned int idx, u8 *buf, size_t count, unsigned long flags)
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
		LOG_FUNC_RETURN(card->ctx, serve_from_memory(card, drv->source_blob, idx, buf, count));
	case MYNUMBER_SOURCE_TEXT_FIELD:
		LOG_FUNC_RETURN(card->ctx, serve_text_field(card, drv->source_fid, idx, buf, count));
	case MYNUMBER_SOURCE_CARD:
		if (drv->current_ef != drv->source_fid)
			LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "the card's EF changed since select");
		r = jpki_apdu_read_binary(card, idx, buf, count, &got, &at_end);
		LOG_TEST_RET(card->ctx, r, "READ BINARY failed");
		LOG_FUNC_RETURN(card->ctx, (int)got);
	case MYNUMBER_SOURCE_NONE:
		break;
	}
	LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "no file selected");
	return SC_ERROR_INVALID_ARGUMENTS;
}
