/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jpki-labels.h"
#include "conf-app.h"

/* The whole file is a few hundred bytes; paths are bounded by PATH_MAX. */
#define MAX_RENDERED 16384

int conf_app_parse_tokens(const char *text, enum conf_tokens *tokens)
{
	if (strcmp(text, "auth") == 0)
		*tokens = CONF_TOKENS_AUTH;
	else if (strcmp(text, "sign") == 0)
		*tokens = CONF_TOKENS_SIGN;
	else if (strcmp(text, "all") == 0)
		*tokens = CONF_TOKENS_ALL;
	else
		return -1;
	return 0;
}

const char *conf_app_tokens_name(enum conf_tokens tokens)
{
	switch (tokens) {
	case CONF_TOKENS_AUTH:
		return "auth";
	case CONF_TOKENS_SIGN:
		return "sign";
	default:
		return "all";
	}
}

const char *conf_app_slots_value(enum conf_tokens tokens)
{
	switch (tokens) {
	case CONF_TOKENS_AUTH:
		return "user";
	case CONF_TOKENS_SIGN:
		return "sign";
	default:
		return "user,sign";
	}
}

/* What the file's comment says the application sees. */
static const char *tokens_description(enum conf_tokens tokens)
{
	switch (tokens) {
	case CONF_TOKENS_AUTH:
		return "only the User Authentication PIN's token";
	case CONF_TOKENS_SIGN:
		return "only the Digital Signature PIN's token";
	default:
		return "the User Authentication and the Digital Signature PIN's tokens";
	}
}

/* True for OpenSC 0.26.0 and later, which leave the PIN's label out of a
 * card's only token; -1 when version has no MAJOR.MINOR. */
static int names_lone_token_by_card(const char *version)
{
	unsigned major, minor;

	if (sscanf(version, "%u.%u", &major, &minor) != 2)
		return -1;
	return major > 0 || minor >= 26;
}

const char *conf_app_token_name(enum conf_tokens tokens, enum conf_tokens pin, const char *opensc_version)
{
	int lone;

	if (pin == CONF_TOKENS_ALL || (tokens != CONF_TOKENS_ALL && tokens != pin))
		return NULL;
	lone = names_lone_token_by_card(opensc_version);
	if (lone < 0)
		return NULL;
	if (lone && tokens != CONF_TOKENS_ALL)
		return JPKI_LABEL_TOKEN;
	return pin == CONF_TOKENS_AUTH ? JPKI_LABEL_TOKEN " (" JPKI_LABEL_AUTH_PIN ")"
	                               : JPKI_LABEL_TOKEN " (" JPKI_LABEL_SIGN_PIN ")";
}

bool conf_app_is_ours(const char *text, size_t length)
{
	size_t header_length = strlen(CONF_APP_HEADER);

	return length >= header_length && memcmp(text, CONF_APP_HEADER, header_length) == 0;
}

/* A module path scconf reads unquoted; any other is written in quotes
 * (conf_edit_module_ok has already refused '"' and newlines). */
static bool bare_value_ok(const char *value)
{
	for (; *value != '\0'; value++) {
		char c = *value;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		      || strchr("/._+@:-", c) != NULL))
			return false;
	}
	return true;
}

int conf_app_render(const struct conf_plugin *plugin, enum conf_tokens tokens, struct conf_text *out,
                    struct conf_error *err)
{
	const char *quote;
	char *text;
	int written;

	memset(out, 0, sizeof *out);
	if (!conf_edit_name_ok(plugin->name)) {
		conf_set_error(err, 0, "'%s' cannot be a driver name (letters, digits, '_', '-'; not a built-in name)",
		               plugin->name);
		return -1;
	}
	if (!conf_edit_module_ok(plugin->module)) {
		conf_set_error(err, 0, "module path must be absolute and contain no '\"' or newline");
		return -1;
	}
	text = malloc(MAX_RENDERED);
	if (text == NULL) {
		conf_set_error(err, 0, "out of memory");
		return -1;
	}
	quote = bare_value_ok(plugin->module) ? "" : "\"";
	written = snprintf(text, MAX_RENDERED,
	                   CONF_APP_HEADER "%s\n"
	                   "# An OpenSC configuration for one application: give it to that application\n"
	                   "# alone (OPENSC_CONF=THIS-FILE application ...). It replaces the system-wide\n"
	                   "# opensc.conf for it, so it is complete; its PKCS#11 applications see\n"
	                   "# %s of a My Number Card.\n"
	                   "app default {\n"
	                   "\tcard_drivers = %s, internal;\n"
	                   "\tcard_driver %s {\n"
	                   "\t\tmodule = %s%s%s;\n"
	                   "%s"
	                   "\t}\n"
	                   "\tframework pkcs15 {\n"
	                   "\t\temulate %s {\n"
	                   "\t\t\tmodule = %s%s%s;\n"
	                   "\t\t}\n"
	                   "\t}\n"
	                   "}\n"
	                   "app opensc-pkcs11 {\n"
	                   "\tpkcs11 {\n"
	                   "\t\tcreate_slots_for_pins = \"%s\";\n"
	                   "\t}\n"
	                   "}\n",
	                   conf_app_tokens_name(tokens), tokens_description(tokens), plugin->name, plugin->name,
	                   quote, plugin->module, quote, plugin->card_info ? "\t\tcard_info = yes;\n" : "",
	                   plugin->name, quote, plugin->module, quote, conf_app_slots_value(tokens));
	if (written < 0 || written >= MAX_RENDERED) {
		free(text);
		conf_set_error(err, 0, "module path or name too long");
		return -1;
	}
	out->data = text;
	out->length = (size_t)written;
	return 0;
}
