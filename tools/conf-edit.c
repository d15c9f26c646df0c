/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf-edit.h"

/* A growing output buffer; once an allocation fails it stays failed, so callers
 * check once at the end. */
struct buffer {
	char *data;
	size_t length;
	size_t capacity;
	bool failed;
};

static void append(struct buffer *buf, const char *bytes, size_t count)
{
	if (buf->failed)
		return;
	if (count + 1 > buf->capacity - buf->length || buf->data == NULL) {
		size_t capacity = buf->capacity ? buf->capacity : 256;
		char *grown;

		while (count + 1 > capacity - buf->length) {
			if (capacity > ((size_t)-1) / 2) {
				buf->failed = true;
				return;
			}
			capacity *= 2;
		}
		grown = realloc(buf->data, capacity);
		if (grown == NULL) {
			buf->failed = true;
			return;
		}
		buf->data = grown;
		buf->capacity = capacity;
	}
	memcpy(buf->data + buf->length, bytes, count);
	buf->length += count;
	buf->data[buf->length] = '\0';
}

static void append_str(struct buffer *buf, const char *str)
{
	append(buf, str, strlen(str));
}

static int buffer_finish(struct buffer *buf, struct conf_text *out, struct conf_error *err)
{
	if (!buf->failed && buf->data == NULL)
		append(buf, "", 0);
	if (buf->failed) {
		free(buf->data);
		memset(buf, 0, sizeof *buf);
		err->line = 0;
		snprintf(err->message, sizeof err->message, "out of memory");
		return -1;
	}
	out->data = buf->data;
	out->length = buf->length;
	memset(buf, 0, sizeof *buf);
	return 0;
}

void conf_text_free(struct conf_text *text)
{
	free(text->data);
	text->data = NULL;
	text->length = 0;
}


bool conf_edit_name_ok(const char *name)
{
	/* Names libopensc resolves before it looks for a card_driver block. */
	static const char *const reserved[] = { "internal", "old", "jpki", "default", NULL };
	size_t i, length = strlen(name);

	if (length == 0 || length > 63)
		return false;
	for (i = 0; i < length; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
		      || c == '-'))
			return false;
	}
	for (i = 0; reserved[i] != NULL; i++)
		if (strcasecmp(name, reserved[i]) == 0)
			return false;
	return true;
}

static bool is_bare_safe(const char *value)
{
	for (; *value; value++) {
		char c = *value;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		      || strchr("/._+@:-", c) != NULL))
			return false;
	}
	return true;
}

bool conf_edit_module_ok(const char *path)
{
	return path[0] == '/' && strpbrk(path, "\"\r\n") == NULL;
}

/* ---- lines ------------------------------------------------------------------ */

static size_t line_end(const char *text, size_t length, size_t pos)
{
	while (pos < length && text[pos] != '\n')
		pos++;
	return pos < length ? pos + 1 : pos;
}

static size_t line_start(const char *text, size_t pos)
{
	while (pos > 0 && text[pos - 1] != '\n')
		pos--;
	return pos;
}

static bool starts_with(const char *text, size_t length, const char *prefix)
{
	size_t prefix_length = strlen(prefix);

	return length >= prefix_length && memcmp(text, prefix, prefix_length) == 0;
}

static bool is_marked(const char *content, size_t length)
{
	size_t mark_length = strlen(CONF_EDIT_MARK);

	if (length > 0 && content[length - 1] == '\r')
		length--;
	return length >= mark_length && memcmp(content + length - mark_length, CONF_EDIT_MARK, mark_length) == 0;
}

/* Lines we add follow the file's own line ending, taken from its first line. */
static const char *file_eol(const char *text, size_t length)
{
	const char *newline = memchr(text, '\n', length);

	return newline != NULL && newline > text && newline[-1] == '\r' ? "\r\n" : "\n";
}

static bool only_blanks_before(const char *text, size_t pos)
{
	size_t i;

	for (i = line_start(text, pos); i < pos; i++)
		if (text[i] != ' ' && text[i] != '\t')
			return false;
	return true;
}

/* The blanks that begin the line holding pos. */
static void indent_of(const char *text, size_t pos, const char **indent, size_t *indent_length)
{
	size_t start = line_start(text, pos), i = start;

	while (text[i] == ' ' || text[i] == '\t')
		i++;
	*indent = text + start;
	*indent_length = i - start;
}

/* ---- disable ---------------------------------------------------------------- */

static void strip_marks(const char *text, size_t length, struct buffer *out, bool *found)
{
	size_t pos = 0;

	*found = false;
	while (pos < length) {
		size_t end = line_end(text, length, pos);
		size_t content_length = end - pos - (end > pos && text[end - 1] == '\n' ? 1 : 0);
		const char *content = text + pos;

		if (starts_with(content, content_length, CONF_EDIT_SAVED_NOEOL)) {
			size_t skip = strlen(CONF_EDIT_SAVED_NOEOL);

			append(out, content + skip, content_length - skip);
			*found = true;
		} else if (starts_with(content, content_length, CONF_EDIT_SAVED)) {
			size_t skip = strlen(CONF_EDIT_SAVED);

			append(out, content + skip, content_length - skip);
			append_str(out, "\n");
			*found = true;
		} else if (is_marked(content, content_length)) {
			*found = true;
		} else {
			append(out, text + pos, end - pos);
		}
		pos = end;
	}
}

int conf_edit_disable(const char *text, size_t length, struct conf_text *out, struct conf_error *err)
{
	struct conf_doc doc;
	struct buffer buf = { 0 };
	bool found;

	if (conf_parse(text, length, &doc, err) != 0)
		return -1;
	conf_doc_free(&doc);

	strip_marks(text, length, &buf, &found);
	if (buffer_finish(&buf, out, err) != 0)
		return -1;
	if (conf_parse(out->data, out->length, &doc, err) != 0) {
		char reason[sizeof err->message];

		memcpy(reason, err->message, sizeof reason);
		conf_set_error(err, 0, "without the lines marked '%s' the file would not parse (%s); edit it by hand",
		          &CONF_EDIT_MARK[1], reason);
		conf_text_free(out);
		return -1;
	}
	conf_doc_free(&doc);
	return 0;
}

/* ---- enable ----------------------------------------------------------------- */

/* Text to put into the base file at one offset. Whole-line insertions sit at a
 * line start and are complete marked lines; the others change the line they fall
 * in, which is then saved and rewritten. */
struct insertion {
	size_t offset;
	bool whole_lines;
	struct buffer text;
};

#define MAX_INSERTIONS 3

/* One line of a block to add: depth below the block it goes into. */
struct new_line {
	unsigned depth;
	char content[600];
};

#define MAX_NEW_LINES 12

struct new_lines {
	struct new_line lines[MAX_NEW_LINES];
	size_t count;
	bool overflow;
};

static void add_line(struct new_lines *lines, unsigned depth, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void add_line(struct new_lines *lines, unsigned depth, const char *format, ...)
{
	va_list args;
	int written;

	if (lines->count == MAX_NEW_LINES) {
		lines->overflow = true;
		return;
	}
	va_start(args, format);
	written = vsnprintf(lines->lines[lines->count].content, sizeof lines->lines[0].content, format, args);
	va_end(args);
	if (written < 0 || (size_t)written >= sizeof lines->lines[0].content)
		lines->overflow = true;
	lines->lines[lines->count++].depth = depth;
}

static void format_module(char *out, size_t out_size, const char *module)
{
	snprintf(out, out_size, is_bare_safe(module) ? "%s" : "\"%s\"", module);
}

static void add_emulate_lines(struct new_lines *lines, unsigned depth, const struct conf_plugin *plugin,
                              const char *module_value)
{
	add_line(lines, depth, "emulate %s {", plugin->name);
	add_line(lines, depth + 1, "module = %s;", module_value);
	add_line(lines, depth, "}");
}

/* Renders lines to go just before block's closing '}': as whole lines when the
 * '}' starts its line, else as text that splits that line (which is then saved). */
static void render_into_block(const struct conf_doc *doc, const struct conf_node *block,
                              const struct new_lines *lines, const char *eol, struct insertion *ins)
{
	const char *text = doc->text;
	size_t close_offset = doc->tokens[block->close_token].start;
	const char *parent_indent, *child_indent = NULL, *unit = "\t";
	size_t parent_length, child_length = 0, unit_length = 1, i;

	indent_of(text, doc->tokens[block->key_token].start, &parent_indent, &parent_length);
	/* Follow the indentation of the block's first child that starts a line. */
	for (i = 0; i < block->child_count; i++) {
		size_t child_start = doc->tokens[block->children[i].key_token].start;

		if (only_blanks_before(text, child_start)) {
			indent_of(text, child_start, &child_indent, &child_length);
			break;
		}
	}
	if (child_indent != NULL && child_length > parent_length
	    && memcmp(child_indent, parent_indent, parent_length) == 0) {
		unit = child_indent + parent_length;
		unit_length = child_length - parent_length;
	}

	memset(ins, 0, sizeof *ins);
	ins->whole_lines = only_blanks_before(text, close_offset);
	ins->offset = ins->whole_lines ? line_start(text, close_offset) : close_offset;
	if (!ins->whole_lines)
		append_str(&ins->text, "\n");
	for (i = 0; i < lines->count; i++) {
		unsigned level;

		append(&ins->text, parent_indent, parent_length);
		for (level = 0; level <= lines->lines[i].depth; level++)
			append(&ins->text, unit, unit_length);
		append_str(&ins->text, lines->lines[i].content);
		if (ins->whole_lines) {
			append_str(&ins->text, CONF_EDIT_MARK);
			append_str(&ins->text, eol);
		} else {
			append_str(&ins->text, "\n");
		}
	}
	/* the '}' that followed text on its line now starts a line of its own */
	if (!ins->whole_lines)
		append(&ins->text, parent_indent, parent_length);
}

static void rstrip(const char *text, size_t *length)
{
	while (*length > 0 && strchr(" \t\r", text[*length - 1]) != NULL)
		(*length)--;
}

/* Marks the bytes that lie inside a statement, after its first byte: from a
 * value's key to its ';', from a block's key to its '{'. A comment there would
 * break the statement for scconf, so changed lines grow to whole statements. */
static void mark_statements(const struct conf_doc *doc, const struct conf_node *block, bool *inside)
{
	size_t i, pos;

	for (i = 0; i < block->child_count; i++) {
		const struct conf_node *node = &block->children[i];
		size_t end = doc->tokens[node->kind == CONF_NODE_VALUE ? node->close_token : node->open_token].end;

		for (pos = doc->tokens[node->key_token].start + 1; pos < end; pos++)
			inside[pos] = true;
		if (node->kind == CONF_NODE_BLOCK)
			mark_statements(doc, node, inside);
	}
}

struct region {
	size_t start; /* a line start */
	size_t end;   /* one past a newline, or the end of the text */
};

/* Saves the region's lines as comments, then writes them again with the
 * insertions applied, every resulting line marked. A newline inside a statement
 * becomes a blank so that no mark lands inside one. */
static void rewrite_region(const char *text, size_t length, const bool *inside, struct region r,
                           struct insertion *ins, size_t count, size_t *next, const char *eol, struct buffer *out)
{
	struct buffer changed = { 0 };
	size_t pos, piece_start, i;

	for (pos = r.start; pos < r.end;) {
		size_t end = line_end(text, length, pos);
		bool has_newline = text[end - 1] == '\n';

		append_str(out, has_newline ? CONF_EDIT_SAVED : CONF_EDIT_SAVED_NOEOL);
		append(out, text + pos, end - pos);
		if (!has_newline)
			append_str(out, "\n"); /* the marker says to drop it again */
		pos = end;
	}

	for (pos = r.start; pos < r.end; pos++) {
		char c = text[pos];

		while (*next < count && !ins[*next].whole_lines && ins[*next].offset == pos) {
			append(&changed, ins[*next].text.data, ins[*next].text.length);
			(*next)++;
		}
		if (c == '\n' && inside[pos]) {
			append_str(&changed, " ");
			while (pos + 1 < r.end && (text[pos + 1] == ' ' || text[pos + 1] == '\t')
			       && !(*next < count && ins[*next].offset == pos + 1))
				pos++;
		} else if (!(c == '\r' && pos + 1 < length && text[pos + 1] == '\n' && inside[pos + 1])) {
			append(&changed, &c, 1);
		}
	}
	if (changed.failed) {
		out->failed = true;
		free(changed.data);
		return;
	}
	/* a region ends with its newline, which must not open an empty marked line */
	if (changed.length > 0 && changed.data[changed.length - 1] == '\n')
		changed.length--;
	piece_start = 0;
	for (i = 0; i <= changed.length; i++) {
		if (i == changed.length || changed.data[i] == '\n') {
			size_t piece_length = i - piece_start;

			rstrip(changed.data + piece_start, &piece_length);
			append(out, changed.data + piece_start, piece_length);
			append_str(out, CONF_EDIT_MARK);
			append_str(out, eol);
			piece_start = i + 1;
		}
	}
	free(changed.data);
}

/* Writes the base text with the insertions (sorted by offset) applied. */
static void apply_insertions(const struct conf_doc *doc, struct insertion *ins, size_t count, const char *eol,
                             struct buffer *out)
{
	const char *text = doc->text;
	size_t length = doc->length, pos = 0, next = 0;
	bool *inside = calloc(length + 1, sizeof *inside);

	if (inside == NULL) {
		out->failed = true;
		return;
	}
	mark_statements(doc, &doc->root, inside);
	/* pos is always a line start outside any statement */
	while (pos < length) {
		struct region r = { pos, line_end(text, length, pos) };

		while (next < count && ins[next].whole_lines && ins[next].offset == pos) {
			append(out, ins[next].text.data, ins[next].text.length);
			next++;
		}
		while (r.end < length && inside[r.end - 1])
			r.end = line_end(text, length, r.end);
		if (next < count && !ins[next].whole_lines && ins[next].offset < r.end)
			rewrite_region(text, length, inside, r, ins, count, &next, eol, out);
		else
			append(out, text + pos, r.end - pos);
		pos = r.end;
	}
	free(inside);
	if (next != count)
		out->failed = true; /* an insertion was not placed: never half-apply */
}

static const struct conf_node *find_app_default(const struct conf_doc *doc, struct conf_error *err)
{
	const struct conf_node *app = conf_find_block(doc, &doc->root, "app", "default");

	if (app == NULL)
		conf_set_error(err, 0, "no 'app default' block: this is not an opensc.conf OpenSC would use");
	return app;
}

static bool list_has(const struct conf_doc *doc, const struct conf_node *value, const char *name)
{
	size_t i;

	for (i = value->open_token + 1; i < value->close_token; i++)
		if (doc->tokens[i].kind != CONF_TOKEN_PUNCT && conf_token_equals(doc, i, name))
			return true;
	return false;
}

static size_t first_value_offset(const struct conf_doc *doc, const struct conf_node *value)
{
	return doc->tokens[value->open_token + 1].start;
}

/* A name the user configured by hand would sit before (or shadow) ours. */
static int check_no_foreign_mention(const struct conf_doc *doc, const struct conf_node *app, const char *name,
                                    struct conf_error *err)
{
	const struct conf_node *drivers = conf_find_value(doc, app, "card_drivers");
	const struct conf_node *driver = conf_find_block(doc, app, "card_driver", name);
	const struct conf_node *framework = conf_find_block(doc, app, "framework", "pkcs15");
	const struct conf_node *emulate = framework ? conf_find_block(doc, framework, "emulate", name) : NULL;
	const struct conf_node *culprit = NULL;
	const char *what = NULL;

	if (drivers != NULL && list_has(doc, drivers, name)) {
		culprit = drivers;
		what = "'card_drivers' already lists";
	} else if (driver != NULL) {
		culprit = driver;
		what = "there is already a 'card_driver' block for";
	} else if (emulate != NULL) {
		culprit = emulate;
		what = "there is already an 'emulate' block for";
	}
	if (culprit == NULL)
		return 0;
	conf_set_error(err, conf_line_of(doc, doc->tokens[culprit->key_token].start),
	          "%s '%s', not added by opensc-jpki-config; remove it by hand or choose another --name", what,
	          name);
	return -1;
}

static int check_enabled(const char *text, size_t length, const char *name, struct conf_error *err)
{
	struct conf_status status;

	if (conf_edit_status(text, length, name, &status, err) != 0) {
		char reason[sizeof err->message];

		memcpy(reason, err->message, sizeof reason);
		conf_set_error(err, 0, "internal error: the edited file would not parse (line %u: %s); please report",
		          err->line, reason);
		return -1;
	}
	if (!conf_status_enabled(&status)) {
		conf_set_error(err, 0, "internal error: the edited file does not configure '%s'", name);
		return -1;
	}
	return 0;
}

/* disable must give back exactly the text we started from; lines that merely
 * look like our marks (a saved copy of a saved line...) would break that. */
static int check_restores(const struct conf_text *enabled, const struct conf_text *base, struct conf_error *err)
{
	struct buffer restored = { 0 };
	bool found, same;

	strip_marks(enabled->data, enabled->length, &restored, &found);
	if (restored.failed) {
		free(restored.data);
		conf_set_error(err, 0, "out of memory");
		return -1;
	}
	same = restored.length == base->length && (base->length == 0 || memcmp(restored.data, base->data, base->length) == 0);
	free(restored.data);
	if (!same) {
		conf_set_error(err, 0, "lines in the file look like opensc-jpki-config's own marks ('%s', '%s'); edit it by hand",
		          CONF_EDIT_SAVED, &CONF_EDIT_MARK[1]);
		return -1;
	}
	return 0;
}

static int build_insertions(const struct conf_doc *doc, const struct conf_node *app,
                            const struct conf_plugin *plugin, const char *eol, struct insertion *ins,
                            size_t *count, struct conf_error *err)
{
	const struct conf_node *drivers = conf_find_value(doc, app, "card_drivers");
	const struct conf_node *framework = conf_find_block(doc, app, "framework", "pkcs15");
	struct new_lines app_lines = { .count = 0 };
	struct new_lines framework_lines = { .count = 0 };
	char module_value[sizeof app_lines.lines[0].content - 32];

	format_module(module_value, sizeof module_value, plugin->module);
	*count = 0;

	if (drivers != NULL) {
		struct insertion *prepend = &ins[(*count)++];
		bool empty = drivers->open_token + 1 == drivers->close_token;

		memset(prepend, 0, sizeof *prepend);
		prepend->offset = first_value_offset(doc, drivers);
		append_str(&prepend->text, plugin->name);
		if (!empty)
			append_str(&prepend->text, ", ");
	} else {
		/* ours first: the first driver that claims a card wins */
		add_line(&app_lines, 0, "card_drivers = %s, internal;", plugin->name);
	}
	add_line(&app_lines, 0, "card_driver %s {", plugin->name);
	add_line(&app_lines, 1, "module = %s;", module_value);
	if (plugin->card_info)
		add_line(&app_lines, 1, "card_info = yes;");
	add_line(&app_lines, 0, "}");

	if (framework != NULL) {
		add_emulate_lines(&framework_lines, 0, plugin, module_value);
		render_into_block(doc, framework, &framework_lines, eol, &ins[(*count)++]);
	} else {
		/* OpenSC only tries external emulators when this block exists */
		add_line(&app_lines, 0, "framework pkcs15 {");
		add_emulate_lines(&app_lines, 1, plugin, module_value);
		add_line(&app_lines, 0, "}");
	}
	render_into_block(doc, app, &app_lines, eol, &ins[(*count)++]);

	if (app_lines.overflow || framework_lines.overflow) {
		conf_set_error(err, 0, "module path or name too long");
		return -1;
	}
	return 0;
}

static void sort_insertions(struct insertion *ins, size_t count)
{
	size_t i, j;

	for (i = 1; i < count; i++)
		/* at one offset, whole lines go before the line they precede is changed */
		for (j = i; j > 0 && (ins[j].offset < ins[j - 1].offset
		                      || (ins[j].offset == ins[j - 1].offset && ins[j].whole_lines
		                          && !ins[j - 1].whole_lines));
		     j--) {
			struct insertion swap = ins[j];

			ins[j] = ins[j - 1];
			ins[j - 1] = swap;
		}
}

int conf_edit_enable(const char *text, size_t length, const struct conf_plugin *plugin,
                     struct conf_text *out, struct conf_error *err)
{
	struct conf_text base = { 0 };
	struct conf_doc doc;
	const struct conf_node *app;
	struct insertion ins[MAX_INSERTIONS];
	struct buffer buf = { 0 };
	size_t count = 0, i;
	bool failed;
	int result = -1;

	memset(ins, 0, sizeof ins);
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
	/* Anything we added before is replaced, so enabling twice is a no-op. */
	if (conf_edit_disable(text, length, &base, err) != 0)
		return -1;
	/* A lone CR ends a scconf comment: a saved copy of such a line would come alive. */
	for (i = 0; i < base.length; i++)
		if (base.data[i] == '\r' && (i + 1 == base.length || base.data[i + 1] != '\n')) {
			struct conf_doc where = { .text = base.data, .length = base.length };

			conf_set_error(err, conf_line_of(&where, i),
			          "carriage return without a newline; convert the file's line ends first");
			goto out;
		}
	if (conf_parse(base.data, base.length, &doc, err) != 0)
		goto out;
	app = find_app_default(&doc, err);
	if (app == NULL || check_no_foreign_mention(&doc, app, plugin->name, err) != 0
	    || build_insertions(&doc, app, plugin, file_eol(base.data, base.length), ins, &count, err) != 0)
		goto out_doc;
	failed = false;
	for (i = 0; i < count; i++)
		failed = failed || ins[i].text.failed;
	if (failed) {
		conf_set_error(err, 0, "out of memory");
		goto out_doc;
	}
	sort_insertions(ins, count);
	apply_insertions(&doc, ins, count, file_eol(base.data, base.length), &buf);
	if (buffer_finish(&buf, out, err) != 0)
		goto out_doc;
	if (check_enabled(out->data, out->length, plugin->name, err) != 0
	    || check_restores(out, &base, err) != 0) {
		conf_text_free(out);
		goto out_doc;
	}
	result = 0;
out_doc:
	conf_doc_free(&doc);
out:
	for (i = 0; i < MAX_INSERTIONS; i++)
		free(ins[i].text.data);
	conf_text_free(&base);
	return result;
}

/* ---- status ----------------------------------------------------------------- */

static bool block_module(const struct conf_doc *doc, const struct conf_node *block, char *module, size_t size)
{
	const struct conf_node *value = block ? conf_find_value(doc, block, "module") : NULL;
	const char *text;
	size_t length;

	module[0] = '\0';
	/* scconf_get_str hands OpenSC the first value */
	if (value == NULL || value->open_token + 1 == value->close_token)
		return false;
	conf_token_value(doc, value->open_token + 1, &text, &length);
	if (length >= size)
		length = size - 1;
	memcpy(module, text, length);
	module[length] = '\0';
	return true;
}

int conf_edit_status(const char *text, size_t length, const char *name, struct conf_status *status,
                     struct conf_error *err)
{
	struct conf_doc doc;
	const struct conf_node *app, *drivers, *framework;
	struct buffer scratch = { 0 };

	memset(status, 0, sizeof *status);
	if (conf_parse(text, length, &doc, err) != 0)
		return -1;
	app = find_app_default(&doc, err);
	if (app == NULL) {
		conf_doc_free(&doc);
		return -1;
	}
	drivers = conf_find_value(&doc, app, "card_drivers");
	status->driver_listed = drivers != NULL && list_has(&doc, drivers, name);
	status->driver_block = block_module(&doc, conf_find_block(&doc, app, "card_driver", name),
	                                    status->driver_module, sizeof status->driver_module);
	framework = conf_find_block(&doc, app, "framework", "pkcs15");
	status->emulator_block = framework != NULL
	                         && block_module(&doc, conf_find_block(&doc, framework, "emulate", name),
	                                         status->emulator_module, sizeof status->emulator_module);
	strip_marks(text, length, &scratch, &status->marked_lines);
	free(scratch.data);
	conf_doc_free(&doc);
	return 0;
}
