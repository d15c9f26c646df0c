/*
 * The name this module was loaded under (card_driver NAME { module = ...; }):
 * the plugin's own options live in that block.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef MODULE_CONFIG_H
#define MODULE_CONFIG_H

#include "libopensc/opensc.h"

/* The block name OpenSC passed to sc_module_init ("mynumber" when unset). */
void module_config_set_name(const char *name);
const char *module_config_name(void);

/* Boolean option from `card_driver <name> { option = yes; }`, any conf block. */
int module_config_get_bool(sc_context_t *ctx, const char *option, int default_value);

/* Whether the running application is a PKCS#11 module of OpenSC's
 * ("opensc-pkcs11", "onepin-opensc-pkcs11": the app_name they give
 * sc_context_create). Such an application logs in per token, may log in to
 * every token with one PIN (ssh-agent), advertises CKA_ALWAYS_AUTHENTICATE
 * and logs attribute values in C_GetAttributeValue from debug level 3. */
int module_config_app_is_pkcs11(const sc_context_t *ctx);

#endif
