/*
 * libFuzzer target: any bytes as an opensc.conf. The parser and editor must never
 * crash or over-read, and whenever enable succeeds its properties must hold:
 * the result parses and is enabled, enabling again changes nothing, and disable
 * gives back the text enable started from (the input without earlier marks).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf-edit.h"
#include "conf-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct conf_text *a, const struct conf_text *b)
{
	return a->length == b->length && memcmp(a->data, b->data, a->length) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct conf_plugin plugin = { .name = "mynumber", .module = "/usr/lib/opensc-jpki.so", .card_info = true };
	const char *text = (const char *)data;
	struct conf_doc doc;
	struct conf_error err;
	struct conf_status status;
	struct conf_text base = { 0 }, enabled = { 0 }, again = { 0 }, restored = { 0 };

	if (conf_parse(text, size, &doc, &err) == 0)
		conf_doc_free(&doc);
	(void)conf_edit_status(text, size, plugin.name, &status, &err);
	if (conf_edit_disable(text, size, &base, &err) != 0)
		return 0;
	if (conf_edit_enable(text, size, &plugin, &enabled, &err) == 0) {
		if (conf_edit_status(enabled.data, enabled.length, plugin.name, &status, &err) != 0
		    || !conf_status_enabled(&status))
			abort();
		if (conf_edit_enable(enabled.data, enabled.length, &plugin, &again, &err) != 0 || !same(&again, &enabled))
			abort();
		if (conf_edit_disable(enabled.data, enabled.length, &restored, &err) != 0 || !same(&restored, &base))
			abort();
	}
	conf_text_free(&base);
	conf_text_free(&enabled);
	conf_text_free(&again);
	conf_text_free(&restored);
	return 0;
}
