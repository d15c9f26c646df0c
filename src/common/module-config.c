/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/internal.h"
#include "scconf/scconf.h"

#include "module-config.h"

#define DEFAULT_NAME "mynumber"

static char loaded_name[64] = DEFAULT_NAME;

void module_config_set_name(const char *name)
{
	if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof loaded_name)
		name = DEFAULT_NAME;
	memcpy(loaded_name, name, strlen(name) + 1);
}

const char *module_config_name(void)
{
	return loaded_name;
}

int module_config_get_bool(sc_context_t *ctx, const char *option, int default_value)
{
	int value = default_value;
	size_t i;

	if (ctx == NULL)
		return default_value;
	for (i = 0; ctx->conf_blocks[i] != NULL; i++) {
		scconf_block **blocks = scconf_find_blocks(ctx->conf, ctx->conf_blocks[i],
		                                           "card_driver", loaded_name);
		if (blocks == NULL)
			continue;
		if (blocks[0] != NULL)
			value = scconf_get_bool(blocks[0], option, value);
		free(blocks);
	}
	return value;
}

int module_config_app_is_pkcs11(const sc_context_t *ctx)
{
	static const char suffix[] = "opensc-pkcs11";
	size_t len;

	if (ctx == NULL || ctx->app_name == NULL)
		return 0;
	len = strlen(ctx->app_name);
	return len >= sizeof suffix - 1 && strcmp(ctx->app_name + len - (sizeof suffix - 1), suffix) == 0;
}
