/*
 * The card-face input assistance ("text") AP, as the driver serves it.
 *
 * The emulator describes each decoded field as a data object whose path is the
 * text AP's AID plus a virtual file ID below. The driver's select_file and
 * read_binary hand those virtual files to this layer, which reads EF 0001-0003
 * once the text-AP PIN is verified, checks them against the card's SHA-256
 * values, decodes them and keeps them in memory only (wiped on logout, reset,
 * AP change and finish).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef TEXT_AP_H
#define TEXT_AP_H

#include <stddef.h>
#include "libopensc/opensc.h"

enum mynumber_text_field {
	MYNUMBER_FIELD_MY_NUMBER,
	MYNUMBER_FIELD_NAME,
	MYNUMBER_FIELD_ADDRESS,
	MYNUMBER_FIELD_BIRTH,
	MYNUMBER_FIELD_SEX,
	MYNUMBER_FIELD_COUNT
};

/* Virtual file IDs, never sent to the card: 0xF0 followed by the field index + 1. */
#define MYNUMBER_TEXT_VFID_FIRST 0xF001
#define MYNUMBER_TEXT_VFID_LAST  (MYNUMBER_TEXT_VFID_FIRST + MYNUMBER_FIELD_COUNT - 1)

static inline int mynumber_text_is_virtual_fid(unsigned fid)
{
	return fid >= MYNUMBER_TEXT_VFID_FIRST && fid <= MYNUMBER_TEXT_VFID_LAST;
}

/* Decoded field value (UTF-8, no terminator) copied to out. Reads and verifies
 * the text AP's files on first use after the PIN. SC_ERROR_SECURITY_STATUS_NOT_SATISFIED
 * without the PIN, SC_ERROR_CORRUPTED_DATA when the hashes do not match,
 * SC_ERROR_NOT_ALLOWED in a PKCS#11 application whose debug log would record
 * the value (debug level 3 up to, not including, SC_LOG_DEBUG_PIN). */
int mynumber_text_read_field(sc_card_t *card, enum mynumber_text_field field,
                             unsigned char *out, size_t out_cap, size_t *out_len);

/* Reads, checks and decodes the files now, while the text-AP PIN this
 * process just verified is still verified on the card (called in the
 * VERIFY's transaction). SC_ERROR_SECURITY_STATUS_NOT_SATISFIED without the
 * PIN, SC_ERROR_CORRUPTED_DATA when the hashes do not match. */
int mynumber_text_load(sc_card_t *card);

/* Forget every decoded value (explicit_bzero). */
void mynumber_text_forget(sc_card_t *card);

#endif
