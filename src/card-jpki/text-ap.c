/*
 * The card-face input assistance ("text") AP, as the driver serves it: reads
 * EF 0001-0003 once the text-AP PIN is verified, checks EF 0001 and EF 0002
 * against the SHA-256 values in EF 0003, and keeps the decoded fields in memory
 * only until mynumber_text_forget.
 *
 * The card I/O goes through the card link (which AP is confirmed, which PIN
 * this process verified) and jpki-read.c; this file decides nothing about
 * APDUs. The values are loaded in the transaction of the PIN's VERIFY and kept
 * until logout, a failed VERIFY, a reset or the end of the connection: what
 * the process was shown once stays readable, whatever other processes then
 * select on the card.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "card-link.h"
#include "common/jpki-facts.h"
#include "common/module-config.h"
#include "common/text-ap-tlv.h"
#include "jpki-read.h"
#include "jpki-state.h"
#include "text-ap.h"

/* Decoded fields, back to back in one allocation so one wipe covers them all. */
struct mynumber_text_values {
	size_t offset[MYNUMBER_FIELD_COUNT];
	size_t len[MYNUMBER_FIELD_COUNT];
	size_t total;
	unsigned char bytes[];
};

/* slot: the driver's pointer for this layer (void *, so accessed as such). */
static void values_free(void **slot)
{
	struct mynumber_text_values *values;

	if (slot == NULL || *slot == NULL)
		return;
	values = *slot;
	OPENSSL_cleanse(values, sizeof(*values) + values->total);
	free(values);
	*slot = NULL;
}

static void ef_free(u8 **data, size_t *len)
{
	if (*data != NULL) {
		OPENSSL_cleanse(*data, *len);
		free(*data);
	}
	*data = NULL;
	*len = 0;
}

/* Copies the checked fields out of the card's files into one buffer. */
static int values_from_face(const struct text_ap_card_face *face, struct mynumber_text_values **out)
{
	const struct text_ap_span *spans[MYNUMBER_FIELD_COUNT];
	struct mynumber_text_values *values;
	size_t total = 0;
	size_t pos = 0;
	int i;

	spans[MYNUMBER_FIELD_MY_NUMBER] = &face->my_number.digits;
	spans[MYNUMBER_FIELD_NAME] = &face->basic_info.name;
	spans[MYNUMBER_FIELD_ADDRESS] = &face->basic_info.address;
	spans[MYNUMBER_FIELD_BIRTH] = &face->basic_info.birth;
	spans[MYNUMBER_FIELD_SEX] = &face->basic_info.sex;

	for (i = 0; i < MYNUMBER_FIELD_COUNT; i++) {
		/* Each span lies inside a file of at most 64 KiB: no overflow, but
		 * the check costs nothing. */
		if (spans[i]->len > SIZE_MAX - sizeof(*values) - total)
			return SC_ERROR_INTERNAL;
		total += spans[i]->len;
	}
	values = calloc(1, sizeof(*values) + total);
	if (values == NULL)
		return SC_ERROR_OUT_OF_MEMORY;
	values->total = total;
	for (i = 0; i < MYNUMBER_FIELD_COUNT; i++) {
		values->offset[i] = pos;
		values->len[i] = spans[i]->len;
		memcpy(values->bytes + pos, spans[i]->data, spans[i]->len);
		pos += spans[i]->len;
	}
	*out = values;
	return SC_SUCCESS;
}

static int status_to_sc_error(int status)
{
	switch (status) {
	case TEXT_AP_OK:
		return SC_SUCCESS;
	case TEXT_AP_ERR_HASH:
		return SC_ERROR_CORRUPTED_DATA;
	case TEXT_AP_ERR_TRUNCATED:
	case TEXT_AP_ERR_MALFORMED:
		return SC_ERROR_INVALID_DATA;
	case TEXT_AP_ERR_ARGS:
		return SC_ERROR_INVALID_ARGUMENTS;
	default:
		return SC_ERROR_INTERNAL;
	}
}

static const char *const ef_names[3] = { "EF 0001 (My Number)", "EF 0002 (basic four facts)",
                                         "EF 0003 (integrity)" };

/* Why the files were refused. Said again on every later read: the first
 * time may fall inside sc_pin_cmd, whose log is muted below the PIN level. */
static void log_refusal(sc_context_t *ctx, int status, unsigned mismatch)
{
	if (status == TEXT_AP_ERR_HASH) {
		if (mismatch & TEXT_AP_MISMATCH_MY_NUMBER)
			sc_log(ctx, "text AP: integrity check failed: %s does not match its "
			            "SHA-256 in EF 0003; card-face data refused", ef_names[0]);
		if (mismatch & TEXT_AP_MISMATCH_BASIC_INFO)
			sc_log(ctx, "text AP: integrity check failed: %s does not match its "
			            "SHA-256 in EF 0003; card-face data refused", ef_names[1]);
	} else {
		sc_log(ctx, "text AP: files refused: %s", text_ap_strerror(status));
	}
}

/* Reads the three files (jpki-read.c mutes the log for them: OpenSC's reader
 * layer hex-dumps every response from debug level 3). */
static int read_text_files(sc_card_t *card, u8 *ef[3], size_t ef_len[3], int *failed_ef)
{
	static const unsigned fids[3] = { JPKI_TEXT_EF_MY_NUMBER, JPKI_TEXT_EF_BASIC_INFO,
	                                  JPKI_TEXT_EF_INTEGRITY };
	int r;
	int i;

	/* One transaction for the three: the PIN state they need is the
	 * card's, and another process could take it between two reads. */
	r = mynumber_link_begin(card);
	if (r < 0)
		return r;
	for (i = 0; i < 3 && r == SC_SUCCESS; i++) {
		r = mynumber_read_whole_ef(card, JPKI_AP_TEXT, fids[i], MYNUMBER_READ_TLV, &ef[i], &ef_len[i]);
		if (r != SC_SUCCESS)
			*failed_ef = i;
	}
	mynumber_link_end(card);
	return r;
}

/* Reads, checks and decodes the text AP's files into *values. */
static int load_values(sc_card_t *card, struct mynumber_text_values **values)
{
	sc_context_t *ctx = card->ctx;
	u8 *ef[3] = { NULL, NULL, NULL };
	size_t ef_len[3] = { 0, 0, 0 };
	struct text_ap_card_face face;
	unsigned mismatch = 0;
	int failed_ef = -1;
	int status;
	int r;
	int i;

	r = read_text_files(card, ef, ef_len, &failed_ef);
	if (r == SC_ERROR_SECURITY_STATUS_NOT_SATISFIED)
		mynumber_link_pin_set(card, JPKI_PIN_REF_TEXT, false);
	if (r != SC_SUCCESS) {
		sc_log(ctx, "text AP: cannot read %s: %s",
		       failed_ef >= 0 ? ef_names[failed_ef] : "a file", sc_strerror(r));
		goto out;
	}

	memset(&face, 0, sizeof(face));
	status = text_ap_decode(ef[0], ef_len[0], ef[1], ef_len[1], ef[2], ef_len[2], &face, &mismatch);
	if (status != TEXT_AP_OK) {
		mynumber_drv(card)->text_refusal_status = status;
		mynumber_drv(card)->text_refusal_mismatch = mismatch;
		log_refusal(ctx, status, mismatch);
	}
	r = status_to_sc_error(status);
	if (r == SC_SUCCESS)
		r = values_from_face(&face, values);
	OPENSSL_cleanse(&face, sizeof(face));
out:
	for (i = 0; i < 3; i++)
		ef_free(&ef[i], &ef_len[i]);
	return r;
}

/* OpenSC's PKCS#11 module logs attribute values (CKA_VALUE too) in
 * C_GetAttributeValue from debug level 3; sc_pin_cmd's muting starts only at
 * SC_LOG_DEBUG_PIN. Below that level a value handed to it would reach the log. */
static bool value_would_be_logged(sc_context_t *ctx)
{
	return module_config_app_is_pkcs11(ctx) && ctx->debug >= SC_LOG_DEBUG_NORMAL
	       && ctx->debug < SC_LOG_DEBUG_PIN;
}

static int ensure_loaded(sc_card_t *card, void **slot)
{
	struct mynumber_text_values *values = NULL;
	int r;

	if (*slot != NULL)
		return SC_SUCCESS;
	/* The card's answer on these files will not change: a later read gets
	 * the same refusal, not the 6982 the PIN state may have become. */
	if (mynumber_drv(card)->text_refusal_status != TEXT_AP_OK) {
		log_refusal(card->ctx, mynumber_drv(card)->text_refusal_status, mynumber_drv(card)->text_refusal_mismatch);
		return status_to_sc_error(mynumber_drv(card)->text_refusal_status);
	}
	/* No text-AP APDU for nothing: the files need the PIN. */
	if (!mynumber_link_pin_believed(card, JPKI_PIN_REF_TEXT)) {
		sc_log(card->ctx, "text AP: the Card Info Input Support PIN is not verified");
		return SC_ERROR_SECURITY_STATUS_NOT_SATISFIED;
	}
	r = load_values(card, &values);
	if (r == SC_SUCCESS)
		*slot = values;
	return r;
}

int mynumber_text_load(sc_card_t *card)
{
	int r;

	if (card == NULL || card->drv_data == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	LOG_FUNC_CALLED(card->ctx);
	r = ensure_loaded(card, &mynumber_drv(card)->text_state);
	LOG_FUNC_RETURN(card->ctx, r);
}

int mynumber_text_read_field(sc_card_t *card, enum mynumber_text_field field,
                             unsigned char *out, size_t out_cap, size_t *out_len)
{
	void **slot;
	struct mynumber_text_values *values;
	int r;

	if (card == NULL || out == NULL || out_len == NULL || card->drv_data == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	LOG_FUNC_CALLED(card->ctx);
	if ((int)field < 0 || field >= MYNUMBER_FIELD_COUNT)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
	if (value_would_be_logged(card->ctx)) {
		sc_log(card->ctx, "text AP: card-face data is not handed to a PKCS#11 application while "
		                  "OpenSC's debug log is on (debug = %d): it would log the values", card->ctx->debug);
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_NOT_ALLOWED);
	}
	slot = &mynumber_drv(card)->text_state;
	r = ensure_loaded(card, slot);
	LOG_TEST_RET(card->ctx, r, "text AP data not available");
	values = *slot;
	if (values->len[field] > out_cap)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_BUFFER_TOO_SMALL);
	memcpy(out, values->bytes + values->offset[field], values->len[field]);
	*out_len = values->len[field];
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

void mynumber_text_forget(sc_card_t *card)
{
	if (card == NULL || card->drv_data == NULL)
		return;
	values_free(&mynumber_drv(card)->text_state);
	mynumber_drv(card)->text_refusal_status = TEXT_AP_OK;
	mynumber_drv(card)->text_refusal_mismatch = 0;
}
