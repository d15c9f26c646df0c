/*
 * The My Number Card driver ("mynumber"), seen from the rest of the module:
 * the emulator and the text AP layer use the functions below, never APDUs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef CARD_JPKI_H
#define CARD_JPKI_H

#include <stdbool.h>
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

/* A public file of the JPKI AP (certificates 000A, 000B, 0002; token info
 * 0006), read once per card connection and kept. The pointer stays owned by
 * the driver. The signature certificate (0001) is refused: it is private. */
int mynumber_public_file(sc_card_t *card, unsigned fid, const u8 **data, size_t *len);

enum jpki_token_kind mynumber_token_kind(sc_card_t *card);

/* Tells OpenSC what the authentication key can do (type and size from its
 * certificate). 0, or SC_ERROR_NOT_SUPPORTED for a key type other than RSA. */
int mynumber_register_key(sc_card_t *card, const struct jpki_cert_key *key);

/* A key's size in bits from its own certificate, or 0 while not read (the
 * signature key's certificate needs the signature PIN). */
int mynumber_key_bits(sc_card_t *card, int key_ref);

/* Called with (arg, key reference, bits) when the driver learns a key's own
 * size from its certificate: the emulator's objects then report it. fn NULL
 * stops it (the emulator's objects are about to go). */
typedef void (*mynumber_key_size_fn)(void *arg, int key_ref, size_t bits);
void mynumber_watch_key_sizes(sc_card_t *card, mynumber_key_size_fn fn, void *arg);

/* OpenSC's pin_cache_ignore_user_consent, as the emulator finds it at bind:
 * true makes any successful VERIFY of the signature PIN consent to one
 * signature (OpenSC then re-verifies from its cache before each), where by
 * default a PKCS#11 application's C_Login does not and only its
 * context-specific login does. */
void mynumber_set_consent_by_any_verify(sc_card_t *card, bool any_verify);

#endif
