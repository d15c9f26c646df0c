/*
 * The My Number Card driver ("mynumber"), seen from the rest of the module:
 * the emulator and the text AP layer use the functions below, never APDUs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef CARD_JPKI_H
#define CARD_JPKI_H

#include <stddef.h>

#include "libopensc/opensc.h"

#include "common/jpki-facts.h"
#include "jpki-cert.h"
#include "token-info.h"

/* Our own card type: never SC_CARD_TYPE_JPKI_BASE, or OpenSC's built-in jpki
 * emulator would bind our card and read our drv_data as its own struct.
 * "JPKI" in ASCII, far from every built-in range. */
#define MYNUMBER_CARD_TYPE 0x4A504B49

#define MYNUMBER_DRIVER_SHORT_NAME "mynumber"

struct sc_card_driver *mynumber_get_driver(void);

/* True when card is driven by this driver (type and ops both ours). */
int mynumber_card_is_ours(const sc_card_t *card);

/* Selects an application unless it is known to be selected already. Selecting
 * an application drops every verified PIN (the card forgets them too). */
int mynumber_select_ap(sc_card_t *card, enum jpki_ap ap);

/* Reads a whole EF of the currently selected application into a malloc'd
 * buffer. The size comes from the file's TLV header when it has one (anything
 * the header claims beyond the file's end is SC_ERROR_CORRUPTED_DATA), else the
 * file is read until the card reports its end. The caller wipes and frees. */
int mynumber_read_ef(sc_card_t *card, unsigned fid, u8 **data, size_t *len);

/* Whether the driver saw a successful VERIFY of this PIN since the last
 * application change, reset or logout (the card cannot be asked). */
int mynumber_pin_is_verified(sc_card_t *card, enum jpki_pin_ref ref);

/* A public file of the JPKI AP (certificates 000A, 000B, 0002; token info
 * 0006), read once per card connection and kept. The pointer stays owned by
 * the driver. The signature certificate (0001) is refused: it is private. */
int mynumber_public_file(sc_card_t *card, unsigned fid, const u8 **data, size_t *len);

enum jpki_token_kind mynumber_token_kind(sc_card_t *card);

/* Tells OpenSC what the card's keys can do (type and size from a certificate). */
int mynumber_register_key(sc_card_t *card, const struct jpki_cert_key *key);

/* One pointer the text AP layer may keep its decoded data in; the driver only
 * stores it (the text layer wipes it in mynumber_text_forget, which the driver
 * calls on application change, reset, logout and finish). */
void **mynumber_text_state(sc_card_t *card);

#endif
