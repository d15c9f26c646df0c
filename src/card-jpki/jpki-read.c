/*
 * Reading a whole EF of an application, sized by its own TLV header: the
 * application confirmed and the EF read in one reader transaction, by short
 * EF identifier where the card takes it, else SELECT + READ BINARY.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "card-link.h"
#include "der-header.h"
#include "jpki-read.h"
#include "jpki-state.h"

/* Larger than any file the card has (certificates are 1-2 KiB); a header
 * claiming more is corrupt, not a reason to allocate. */
#define MAX_EF_SIZE 0x7FFF

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
static unsigned sfi_of(sc_card_t *card, enum jpki_ap ap, unsigned fid)
{
	if (ap != JPKI_AP_JPKI || !mynumber_link_sfi_usable(card))
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
static int read_first_chunk(sc_card_t *card, enum jpki_ap ap, unsigned fid, u8 *buf, size_t cap,
                            size_t *got, bool *at_end)
{
	unsigned sfi;
	bool refused = false;
	int r;

	sfi = sfi_of(card, ap, fid);
	if (sfi != 0) {
		/* Whatever the answer, the card's current EF may have changed. */
		mynumber_link_ef_changed(card, 0);
		r = jpki_apdu_read_binary_sfi(card, sfi, buf, cap, got, at_end, &refused);
		LOG_TEST_RET(card->ctx, r, "reading EF by short identifier");
		if (!refused) {
			mynumber_link_ef_changed(card, fid);
			return SC_SUCCESS;
		}
		mynumber_link_sfi_refused(card);
	}
	r = mynumber_link_select_ef(card, fid);
	LOG_TEST_RET(card->ctx, r, "cannot select EF");
	return jpki_apdu_read_binary(card, 0, buf, cap, got, at_end);
}

static int read_whole_ef(sc_card_t *card, enum jpki_ap ap, unsigned fid, int content, u8 **data, size_t *len)
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
	r = read_first_chunk(card, ap, fid, buf, cap, &got, &at_end);
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

/* The cardholder's private data: the signature certificate (name, address,
 * birth date, sex) and the text AP's files. */
static bool private_ef(enum jpki_ap ap, unsigned fid)
{
	if (ap == JPKI_AP_JPKI)
		return fid == JPKI_EF_SIGN_CERT;
	return ap == JPKI_AP_TEXT && (fid == JPKI_TEXT_EF_MY_NUMBER || fid == JPKI_TEXT_EF_BASIC_INFO
	                              || fid == JPKI_TEXT_EF_INTEGRITY);
}

int mynumber_read_whole_ef(sc_card_t *card, enum jpki_ap ap, unsigned fid, int content, u8 **data,
                           size_t *len)
{
	int saved_debug, r;

	if (card == NULL || data == NULL || len == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	r = mynumber_link_begin(card);
	LOG_TEST_RET(card->ctx, r, "cannot lock the card");
	/* OpenSC's reader layer hex-dumps every answer from debug level 3: a
	 * private file is read with the log muted below SC_LOG_DEBUG_PIN, as
	 * sc_pin_cmd mutes PIN commands. */
	saved_debug = card->ctx->debug;
	if (private_ef(ap, fid) && card->ctx->debug < SC_LOG_DEBUG_PIN)
		card->ctx->debug = 0;
	r = mynumber_link_select_ap(card, ap);
	if (r == SC_SUCCESS)
		r = read_whole_ef(card, ap, fid, content, data, len);
	card->ctx->debug = saved_debug;
	mynumber_link_end(card);
	return r;
}
