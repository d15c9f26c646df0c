/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "apdu-bytes.h"

int simreader_apdu_is_extended(const sc_apdu_t *apdu)
{
	return apdu != NULL && (apdu->cse & SC_APDU_EXT) != 0;
}

/* Appends len bytes, refusing to write past cap. */
static int put_bytes(uint8_t *out, size_t cap, size_t *pos, const uint8_t *bytes, size_t len)
{
	if (len > cap || *pos > cap - len)
		return SC_ERROR_BUFFER_TOO_SMALL;
	memcpy(out + *pos, bytes, len);
	*pos += len;
	return SC_SUCCESS;
}

static int put_byte(uint8_t *out, size_t cap, size_t *pos, uint8_t byte)
{
	return put_bytes(out, cap, pos, &byte, 1);
}

/* Le 256 (short) and 65536 (extended) are encoded as all-zero bytes. Le 0 is
 * sent the same way, as libopensc's own encoder does: drivers that leave Le at
 * 0 in a case 2/4 APDU mean "as much as there is". */
static int put_le(uint8_t *out, size_t cap, size_t *pos, size_t le, int extended, int after_lc)
{
	int r;

	if (!extended) {
		if (le > 256)
			return SC_ERROR_INVALID_ARGUMENTS;
		return put_byte(out, cap, pos, (uint8_t)(le & 0xFF));
	}
	if (le > 65536)
		return SC_ERROR_INVALID_ARGUMENTS;
	/* Case 2E has its own 00 marker; in case 4E the Lc field's 00 serves. */
	if (!after_lc && (r = put_byte(out, cap, pos, 0x00)) != SC_SUCCESS)
		return r;
	if ((r = put_byte(out, cap, pos, (uint8_t)((le >> 8) & 0xFF))) != SC_SUCCESS)
		return r;
	return put_byte(out, cap, pos, (uint8_t)(le & 0xFF));
}

static int put_lc_data(uint8_t *out, size_t cap, size_t *pos, const sc_apdu_t *apdu, int extended)
{
	int r;

	if (apdu->datalen == 0 || apdu->data == NULL || apdu->lc != apdu->datalen)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (!extended) {
		if (apdu->datalen > 255)
			return SC_ERROR_INVALID_ARGUMENTS;
		r = put_byte(out, cap, pos, (uint8_t)apdu->datalen);
	} else {
		uint8_t lc_field[3];

		if (apdu->datalen > 65535)
			return SC_ERROR_INVALID_ARGUMENTS;
		lc_field[0] = 0x00;
		lc_field[1] = (uint8_t)((apdu->datalen >> 8) & 0xFF);
		lc_field[2] = (uint8_t)(apdu->datalen & 0xFF);
		r = put_bytes(out, cap, pos, lc_field, sizeof lc_field);
	}
	if (r != SC_SUCCESS)
		return r;
	return put_bytes(out, cap, pos, apdu->data, apdu->datalen);
}

int simreader_apdu_encode(const sc_apdu_t *apdu, uint8_t *out, size_t out_cap, size_t *out_len)
{
	uint8_t header[4];
	size_t pos = 0;
	int extended, r;

	if (apdu == NULL || out == NULL || out_len == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	extended = simreader_apdu_is_extended(apdu);
	header[0] = apdu->cla;
	header[1] = apdu->ins;
	header[2] = apdu->p1;
	header[3] = apdu->p2;
	if ((r = put_bytes(out, out_cap, &pos, header, sizeof header)) != SC_SUCCESS)
		return r;

	/* SC_APDU_CASE_2..4 (neither short nor extended yet) are resolved by
	 * sc_transmit_apdu before a reader ever sees the APDU. */
	if ((apdu->cse & ~(SC_APDU_SHORT_MASK | SC_APDU_EXT)) != 0)
		return SC_ERROR_INVALID_ARGUMENTS;
	switch (apdu->cse & SC_APDU_SHORT_MASK) {
	case SC_APDU_CASE_1:
		if (extended)
			return SC_ERROR_INVALID_ARGUMENTS;
		break;
	case SC_APDU_CASE_2_SHORT:
		r = put_le(out, out_cap, &pos, apdu->le, extended, 0);
		break;
	case SC_APDU_CASE_3_SHORT:
		r = put_lc_data(out, out_cap, &pos, apdu, extended);
		break;
	case SC_APDU_CASE_4_SHORT:
		r = put_lc_data(out, out_cap, &pos, apdu, extended);
		if (r == SC_SUCCESS)
			r = put_le(out, out_cap, &pos, apdu->le, extended, 1);
		break;
	default:
		return SC_ERROR_INVALID_ARGUMENTS;
	}
	if (r != SC_SUCCESS)
		return r;
	*out_len = pos;
	return SC_SUCCESS;
}

int simreader_apdu_store_response(sc_apdu_t *apdu, const uint8_t *rapdu, size_t rapdu_len)
{
	size_t data_len, copied;

	if (apdu == NULL || rapdu == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (rapdu_len < 2)
		return SC_ERROR_TRANSMIT_FAILED;
	data_len = rapdu_len - 2;
	copied = data_len < apdu->resplen ? data_len : apdu->resplen;
	if (copied > 0) {
		if (apdu->resp == NULL)
			return SC_ERROR_INVALID_ARGUMENTS;
		memcpy(apdu->resp, rapdu, copied);
	}
	apdu->resplen = copied;
	apdu->sw1 = rapdu[rapdu_len - 2];
	apdu->sw2 = rapdu[rapdu_len - 1];
	return SC_SUCCESS;
}
