/*
 * The card's commands as APDUs: SELECT, READ BINARY, VERIFY, CHANGE REFERENCE
 * DATA, COMPUTE DIGITAL SIGNATURE. Nothing here decides which file or PIN; the
 * callers do. PIN bytes pass through only from jpki-pin-cmd.c, i.e. inside
 * OpenSC's sc_pin_cmd, where APDU logging is muted.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "jpki-state.h"

#define SW(apdu) (((unsigned)(apdu).sw1 << 8) | (apdu).sw2)
#define EXTENDED_LE_MAX 65536

static const u8 aid_jpki[JPKI_AID_LEN] = JPKI_AID_JPKI;
static const u8 aid_text[JPKI_AID_LEN] = JPKI_AID_TEXT;

int jpki_apdu_select_aid(sc_card_t *card, enum jpki_ap ap)
{
	sc_apdu_t apdu;
	const u8 *aid;
	int r;

	switch (ap) {
	case JPKI_AP_JPKI:
		aid = aid_jpki;
		break;
	case JPKI_AP_TEXT:
		aid = aid_text;
		break;
	default:
		return SC_ERROR_INVALID_ARGUMENTS;
	}
	sc_format_apdu(card, &apdu, SC_APDU_CASE_3_SHORT, JPKI_INS_SELECT,
	               JPKI_P1_SELECT_DF_NAME, JPKI_P2_SELECT_NO_FCI);
	apdu.data = aid;
	apdu.datalen = JPKI_AID_LEN;
	apdu.lc = JPKI_AID_LEN;
	r = sc_transmit_apdu(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "SELECT application: transmit failed");
	return sc_check_sw(card, apdu.sw1, apdu.sw2);
}

int jpki_apdu_select_ef(sc_card_t *card, unsigned fid)
{
	sc_apdu_t apdu;
	u8 fid_bytes[2];
	int r;

	if (fid > 0xFFFF)
		return SC_ERROR_INVALID_ARGUMENTS;
	fid_bytes[0] = (u8)(fid >> 8);
	fid_bytes[1] = (u8)fid;
	sc_format_apdu(card, &apdu, SC_APDU_CASE_3_SHORT, JPKI_INS_SELECT,
	               JPKI_P1_SELECT_EF, JPKI_P2_SELECT_NO_FCI);
	apdu.data = fid_bytes;
	apdu.datalen = sizeof fid_bytes;
	apdu.lc = sizeof fid_bytes;
	r = sc_transmit_apdu(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "SELECT EF: transmit failed");
	return sc_check_sw(card, apdu.sw1, apdu.sw2);
}

/* Extended length only when the card has not refused it, the protocol can
 * carry it (T=0 cannot) and the reader's buffer is larger than a short Le. */
static int extended_allowed(const sc_card_t *card)
{
	if ((card->caps & SC_CARD_CAP_APDU_EXT) == 0)
		return 0;
	if (card->reader != NULL && card->reader->active_protocol == SC_PROTO_T0)
		return 0;
	if (card->reader != NULL && card->reader->max_recv_size != 0
	    && card->reader->max_recv_size <= JPKI_SHORT_LE_MAX)
		return 0;
	return 1;
}

size_t jpki_apdu_max_read(sc_card_t *card)
{
	size_t max = EXTENDED_LE_MAX;

	if (!extended_allowed(card))
		return JPKI_SHORT_LE_MAX;
	if (card->max_recv_size != 0 && card->max_recv_size < max)
		max = card->max_recv_size;
	if (card->reader != NULL && card->reader->max_recv_size != 0
	    && card->reader->max_recv_size < max)
		max = card->reader->max_recv_size;
	return max < JPKI_SHORT_LE_MAX ? JPKI_SHORT_LE_MAX : max;
}

static void give_up_extended(sc_card_t *card)
{
	sc_log(card->ctx, "card refused an extended-length READ BINARY (6700): short APDUs from now on");
	card->caps &= ~(unsigned long)SC_CARD_CAP_APDU_EXT;
	card->max_recv_size = JPKI_SHORT_LE_MAX;
}

/* One READ BINARY with the given P1 P2: extended Le when allowed; an extended
 * one refused with 6700 switches to short APDUs for good and is sent again.
 * *le: what was asked for; *sw: the card's answer. */
static int transmit_read(sc_card_t *card, int p1, int p2, u8 *buf, size_t want, size_t *le,
                         size_t *got, unsigned *sw)
{
	sc_apdu_t apdu;
	int extended, r;

	for (;;) {
		*le = want;
		if (*le > jpki_apdu_max_read(card))
			*le = jpki_apdu_max_read(card);
		extended = *le > JPKI_SHORT_LE_MAX;
		sc_format_apdu(card, &apdu, extended ? SC_APDU_CASE_2_EXT : SC_APDU_CASE_2_SHORT,
		               JPKI_INS_READ_BINARY, p1, p2);
		apdu.le = *le;
		apdu.resp = buf;
		apdu.resplen = *le;
		r = sc_transmit_apdu(card, &apdu);
		LOG_TEST_RET(card->ctx, r, "READ BINARY: transmit failed");
		if (extended && SW(apdu) == JPKI_SW_WRONG_LENGTH) {
			give_up_extended(card);
			continue;
		}
		break;
	}
	if (apdu.resplen > *le)
		LOG_TEST_RET(card->ctx, SC_ERROR_WRONG_LENGTH, "READ BINARY: more data than asked for");
	*got = apdu.resplen;
	*sw = SW(apdu);
	return SC_SUCCESS;
}

/* The two answers to a READ BINARY that carry file data, by offset or by
 * short EF identifier alike: 9000 (the end is reached when fewer than Le bytes
 * came) and 6282 (end of file reached). False for any other status word, with
 * *got and *at_end left to the caller. */
static bool read_answer_has_data(unsigned sw, size_t le, size_t received, size_t *got, bool *at_end)
{
	switch (sw) {
	case JPKI_SW_OK:
		*got = received;
		*at_end = received < le;
		return true;
	case JPKI_SW_END_OF_FILE:
		*got = received;
		*at_end = true;
		return true;
	default:
		return false;
	}
}

int jpki_apdu_read_binary(sc_card_t *card, size_t offset, u8 *buf, size_t want,
                          size_t *got, bool *at_end)
{
	size_t le = 0, received = 0;
	unsigned sw = 0;
	int r;

	if (buf == NULL || got == NULL || at_end == NULL || want == 0)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (offset > JPKI_READ_OFFSET_MAX)
		LOG_TEST_RET(card->ctx, SC_ERROR_OFFSET_TOO_LARGE, "READ BINARY offset beyond 15 bits");

	r = transmit_read(card, (int)(offset >> 8), (int)(offset & 0xFF), buf, want, &le, &received, &sw);
	if (r < 0)
		return r;
	if (read_answer_has_data(sw, le, received, got, at_end))
		return SC_SUCCESS;
	if (sw == JPKI_SW_OFFSET_PAST_END) {
		*got = 0;
		*at_end = true;
		return SC_SUCCESS;
	}
	r = sc_check_sw(card, sw >> 8, sw & 0xFF);
	/* A status word sc_check_sw calls success but we did not expect (9xxx
	 * other than 9000) is still no data we can trust. */
	if (r == SC_SUCCESS)
		r = SC_ERROR_UNKNOWN_DATA_RECEIVED;
	LOG_TEST_RET(card->ctx, r, "READ BINARY failed");
	return r;
}

int jpki_apdu_read_binary_sfi(sc_card_t *card, unsigned sfi, u8 *buf, size_t want,
                              size_t *got, bool *at_end, bool *refused)
{
	size_t le = 0, received = 0;
	unsigned sw = 0;
	int r;

	if (buf == NULL || got == NULL || at_end == NULL || refused == NULL || want == 0)
		return SC_ERROR_INVALID_ARGUMENTS;
	/* SFI 0 means the current EF and 31 is reserved (ISO 7816-4). */
	if (sfi == 0 || sfi >= JPKI_SFI_MASK)
		return SC_ERROR_INVALID_ARGUMENTS;
	*refused = false;
	r = transmit_read(card, (int)(JPKI_P1_READ_SFI | sfi), 0, buf, want, &le, &received, &sw);
	if (r < 0)
		return r;
	if (read_answer_has_data(sw, le, received, got, at_end))
		return SC_SUCCESS;
	/* Bytes that came with a refusal are not the file's. */
	explicit_bzero(buf, received);
	*got = 0;
	*at_end = false;
	*refused = true;
	sc_log(card->ctx, "READ BINARY by short EF identifier %u answered %04X", sfi, sw);
	return SC_SUCCESS;
}

int jpki_apdu_verify(sc_card_t *card, const u8 *pin, size_t pin_len, unsigned *sw)
{
	sc_apdu_t apdu;
	int r;

	if (pin != NULL && (pin_len == 0 || pin_len > JPKI_PIN_MAX_LEN))
		return SC_ERROR_INVALID_PIN_LENGTH;
	if (pin == NULL) {
		sc_format_apdu(card, &apdu, SC_APDU_CASE_1, JPKI_INS_VERIFY, 0x00, JPKI_P2_PIN);
	} else {
		sc_format_apdu(card, &apdu, SC_APDU_CASE_3_SHORT, JPKI_INS_VERIFY, 0x00, JPKI_P2_PIN);
		apdu.data = pin;
		apdu.datalen = pin_len;
		apdu.lc = pin_len;
		apdu.flags |= SC_APDU_FLAGS_NO_RETRY_WL;
	}
	r = sc_transmit_apdu(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "VERIFY: transmit failed");
	*sw = SW(apdu);
	return SC_SUCCESS;
}

int jpki_apdu_change(sc_card_t *card, const u8 *new_pin, size_t new_len, unsigned *sw)
{
	sc_apdu_t apdu;
	int r;

	if (new_pin == NULL || new_len == 0 || new_len > JPKI_PIN_MAX_LEN)
		return SC_ERROR_INVALID_PIN_LENGTH;
	sc_format_apdu(card, &apdu, SC_APDU_CASE_3_SHORT, JPKI_INS_CHANGE_REF_DATA,
	               JPKI_P1_CHANGE_NEW_ONLY, JPKI_P2_PIN);
	apdu.data = new_pin;
	apdu.datalen = new_len;
	apdu.lc = new_len;
	r = sc_transmit_apdu(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "CHANGE REFERENCE DATA: transmit failed");
	*sw = SW(apdu);
	return SC_SUCCESS;
}

int jpki_apdu_sign(sc_card_t *card, const u8 *digest_info, size_t len, size_t signature_len,
                   u8 *out, size_t out_cap)
{
	sc_apdu_t apdu;
	size_t le;
	u8 *response;
	int r;

	if (digest_info == NULL || len == 0 || len > 255 || out == NULL || out_cap == 0)
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "signature input must be 1-255 bytes");
	/* Le 00 (256) covers RSA-2048; only a larger key needs an extended Le. */
	le = signature_len > JPKI_SHORT_LE_MAX ? signature_len : JPKI_SHORT_LE_MAX;
	if (le > EXTENDED_LE_MAX)
		le = EXTENDED_LE_MAX;
	response = malloc(le);
	if (response == NULL)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_OUT_OF_MEMORY);
	sc_format_apdu(card, &apdu, SC_APDU_CASE_4, JPKI_INS_SIGN, JPKI_P1_SIGN, JPKI_P2_SIGN);
	apdu.cla = JPKI_CLA_PROPRIETARY;
	apdu.data = digest_info;
	apdu.datalen = len;
	apdu.lc = len;
	apdu.le = le;
	apdu.resp = response;
	apdu.resplen = le;
	r = sc_transmit_apdu(card, &apdu);
	if (r == SC_SUCCESS)
		r = sc_check_sw(card, apdu.sw1, apdu.sw2);
	if (r == SC_SUCCESS && (apdu.resplen == 0 || apdu.resplen > out_cap))
		r = apdu.resplen == 0 ? SC_ERROR_UNKNOWN_DATA_RECEIVED : SC_ERROR_BUFFER_TOO_SMALL;
	/* A signature is exactly as long as the key's modulus: anything else
	 * (a truncated answer) is no signature. */
	if (r == SC_SUCCESS && signature_len != 0 && apdu.resplen != signature_len) {
		sc_log(card->ctx, "the card answered %zu bytes for a %zu-byte signature", apdu.resplen, signature_len);
		r = SC_ERROR_UNKNOWN_DATA_RECEIVED;
	}
	if (r == SC_SUCCESS) {
		memcpy(out, response, apdu.resplen);
		r = (int)apdu.resplen;
	}
	free(response);
	LOG_FUNC_RETURN(card->ctx, r);
}
