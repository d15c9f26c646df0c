/*
 * A whole opensc.conf for one application (`opensc-jpki-config --tokens ...
 * enable FILE`), as a pure function from options to text.
 *
 * scconf has no include directive and OPENSC_CONF replaces the system-wide file,
 * so the file is complete on its own: the plugin's blocks, plus OpenSC's own
 * `create_slots_for_pins` (app opensc-pkcs11, pkcs11 block; the same option and
 * meaning in OpenSC 0.22 to master) choosing which PIN's token PKCS#11
 * applications see. An NSS application logs in to every token that needs a
 * login with the one password it has; offered only the token it uses, it can
 * no longer spend that password on the other PIN.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef CONF_APP_H
#define CONF_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "conf-edit.h"

/* The first line of every file written here: only a file that begins with it
 * is replaced by a later --tokens enable. */
#define CONF_APP_HEADER "# Written by opensc-jpki-config --tokens "

enum conf_tokens {
	CONF_TOKENS_AUTH, /* the User Authentication PIN's token */
	CONF_TOKENS_SIGN, /* the Digital Signature PIN's token */
	CONF_TOKENS_ALL,  /* both */
};

/* "auth", "sign" or "all" to tokens; -1 for anything else. */
int conf_app_parse_tokens(const char *text, enum conf_tokens *tokens);

/* The word --tokens takes for tokens ("auth", "sign", "all"). */
const char *conf_app_tokens_name(enum conf_tokens tokens);

/* The value of create_slots_for_pins for tokens: OpenSC calls the first PIN
 * "user" and the second "sign", and the plugin lists the authentication PIN
 * first. "all" is not used for both: it would add a token for every other PIN
 * the card shows too (the text AP's, with card_info_pkcs11). */
const char *conf_app_slots_value(enum conf_tokens tokens);

/* The name PKCS#11 applications give the token of pin (CONF_TOKENS_AUTH or
 * CONF_TOKENS_SIGN) when the file was written for tokens and OpenSC
 * opensc_version ("0.26.1", "0.27.0rc1", "0.25.0-rc1") runs; an NSS nickname
 * is this name, ':' and the certificate's label. OpenSC's PKCS#11 layer names a
 * token by the card's label followed by " (PIN label)"; since 0.26.0 it adds
 * the PIN's label only when the card has more than one token (framework-pkcs15.c,
 * pkcs15_init_slot), so a one-token file gives plain "JPKI" there. Returns a
 * static string; NULL when pin is CONF_TOKENS_ALL, is not among tokens, or the
 * version does not begin with MAJOR.MINOR. */
const char *conf_app_token_name(enum conf_tokens tokens, enum conf_tokens pin, const char *opensc_version);

/* True when text (a file's bytes) was written by conf_app_render. */
bool conf_app_is_ours(const char *text, size_t length);

/* The whole file for plugin and tokens; -1 with err set when the plugin's name
 * or module path cannot be written (see conf_edit_name_ok, conf_edit_module_ok)
 * or memory runs out. */
int conf_app_render(const struct conf_plugin *plugin, enum conf_tokens tokens, struct conf_text *out,
                    struct conf_error *err);

#endif
