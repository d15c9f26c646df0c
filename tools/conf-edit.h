/*
 * Adding and removing the plugin's blocks in an opensc.conf, as pure functions
 * from text to text (the command-line tool does the file handling).
 *
 * Every line `enable` adds ends with CONF_EDIT_MARK; a line it has to change (a
 * card_drivers list, a line where a '}' shares the line with other text) is kept
 * verbatim behind CONF_EDIT_SAVED first, so `disable` restores the file byte for
 * byte by dropping the marked lines and un-commenting the saved ones.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef CONF_EDIT_H
#define CONF_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "conf-parse.h"

#define CONF_EDIT_MARK " # opensc-jpki"
#define CONF_EDIT_SAVED "# opensc-jpki-was: "
/* The same, for a saved last line that had no newline. */
#define CONF_EDIT_SAVED_NOEOL "# opensc-jpki-was-noeol: "

struct conf_plugin {
	const char *name;   /* card_driver / emulate block name */
	const char *module; /* absolute path of the .so */
	bool card_info;     /* add `card_info = yes;` to the card_driver block */
};

struct conf_text {
	char *data; /* NUL-terminated for convenience; length excludes the NUL */
	size_t length;
};

void conf_text_free(struct conf_text *text);

/* True when name can be a card_driver name here: letters, digits, '_', '-', at
 * most 63 bytes, and not a name OpenSC resolves itself ("internal", "old", the
 * built-in "jpki" driver...), which would silently shadow the module. */
bool conf_edit_name_ok(const char *name);

/* True when path can be written as a scconf value (absolute, no quote, no newline). */
bool conf_edit_module_ok(const char *path);

/* The text with the plugin's blocks added to the first `app default` block
 * (any blocks added earlier replaced). -1 with err set when text does not parse,
 * has no `app default`, or already mentions the name in lines not added by us. */
int conf_edit_enable(const char *text, size_t length, const struct conf_plugin *plugin,
                     struct conf_text *out, struct conf_error *err);

/* The text without the lines enable added and with the lines it changed restored;
 * -1 with err set when text (or the result) does not parse. */
int conf_edit_disable(const char *text, size_t length, struct conf_text *out, struct conf_error *err);

struct conf_status {
	bool driver_listed;     /* name is in app default's card_drivers */
	bool driver_block;      /* card_driver name { module = ...; } */
	bool emulator_block;    /* emulate name { module = ...; } in the first framework pkcs15 */
	bool marked_lines;      /* lines added by enable are present */
	char driver_module[512];   /* module of the card_driver block, "" when none */
	char emulator_module[512]; /* module of the emulate block, "" when none */
};

/* What the file configures for name; -1 with err set when it does not parse or
 * has no `app default` block. */
int conf_edit_status(const char *text, size_t length, const char *name, struct conf_status *status,
                     struct conf_error *err);

static inline bool conf_status_enabled(const struct conf_status *status)
{
	return status->driver_listed && status->driver_block && status->emulator_block;
}

#endif
