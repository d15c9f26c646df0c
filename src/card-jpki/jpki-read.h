/*
 * Reading a whole EF of one of the card's applications.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef JPKI_READ_H
#define JPKI_READ_H

#include <stddef.h>

#include "libopensc/opensc.h"

#include "common/jpki-facts.h"

#define MYNUMBER_READ_RAW (-1) /* to the card's end of file */
#define MYNUMBER_READ_TLV 0    /* sized by a BER header when one parses, else raw */

/* Reads EF fid of application ap into a malloc'd buffer (*data, *len bytes),
 * the application confirmed and the file read inside one reader transaction.
 * content: MYNUMBER_READ_RAW, MYNUMBER_READ_TLV, or a tag (0x30) the file must
 * start with in DER, sized by that header strictly. Anything a header claims
 * beyond the file's end is SC_ERROR_CORRUPTED_DATA; a file larger than 32 KiB
 * is SC_ERROR_FILE_TOO_SMALL; else the card's error. The cardholder's private
 * files (the signature certificate, the text AP's) are read with OpenSC's log
 * muted below SC_LOG_DEBUG_PIN. The caller wipes and frees the buffer. */
int mynumber_read_whole_ef(sc_card_t *card, enum jpki_ap ap, unsigned fid, int content, u8 **data,
                           size_t *len);

#endif
