/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf-parse.h"

struct parser {
	struct conf_doc *doc;
	struct conf_error *err;
	size_t next; /* index of the next token to read */
};

unsigned conf_line_of(const struct conf_doc *doc, size_t offset)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < offset && i < doc->length; i++)
		if (doc->text[i] == '\n')
			line++;
	return line;
}

void conf_set_error(struct conf_error *err, unsigned line, const char *format, ...)
{
	va_list args;

	err->line = line;
	va_start(args, format);
	vsnprintf(err->message, sizeof err->message, format, args);
	va_end(args);
}

static int add_token(struct conf_doc *doc, enum conf_token_kind kind, size_t start, size_t end)
{
	if (doc->token_count == doc->token_capacity) {
		size_t capacity = doc->token_capacity ? doc->token_capacity * 2 : 64;
		struct conf_token *grown = realloc(doc->tokens, capacity * sizeof *grown);

		if (grown == NULL)
			return -1;
		doc->tokens = grown;
		doc->token_capacity = capacity;
	}
	doc->tokens[doc->token_count].kind = kind;
	doc->tokens[doc->token_count].start = start;
	doc->tokens[doc->token_count].end = end;
	doc->token_count++;
	return 0;
}

/* The same token boundaries as scconf's lexer (sclex.c). */
static int tokenize(struct conf_doc *doc, struct conf_error *err)
{
	const char *text = doc->text;
	size_t length = doc->length;
	size_t pos = 0;
	/* scconf counts a newline as a blank line only right after another newline;
	 * blanks in between do not count, comments and other tokens do. */
	bool after_newline = false;

	while (pos < length) {
		char c = text[pos];
		size_t start = pos;

		if (c == '\0') {
			conf_set_error(err, conf_line_of(doc, pos), "NUL byte in the file");
			return -1;
		}
		if (c == ' ' || c == '\t' || c == '\r') {
			pos++;
			continue;
		}
		if (c == '\n') {
			if (after_newline && add_token(doc, CONF_TOKEN_GAP, pos, pos + 1) != 0)
				goto out_of_memory;
			after_newline = true;
			pos++;
			continue;
		}
		after_newline = false;
		if (c == '#') {
			while (pos < length && text[pos] != '\n' && text[pos] != '\r')
				pos++;
			if (add_token(doc, CONF_TOKEN_GAP, start, pos) != 0)
				goto out_of_memory;
			continue;
		}
		if (strchr(",{}=;", c) != NULL) {
			if (add_token(doc, CONF_TOKEN_PUNCT, pos, pos + 1) != 0)
				goto out_of_memory;
			pos++;
			continue;
		}
		if (c == '"') {
			pos++;
			while (pos < length && text[pos] != '"' && text[pos] != '\n' && text[pos] != '\r'
			       && text[pos] != '\0')
				pos++;
			if (pos >= length || text[pos] != '"') {
				conf_set_error(err, conf_line_of(doc, start),
				          "unterminated string (a quoted string must end on the same line)");
				return -1;
			}
			pos++;
			if (add_token(doc, CONF_TOKEN_QUOTED, start, pos) != 0)
				goto out_of_memory;
			continue;
		}
		while (pos < length && strchr(";, \t\r\n", text[pos]) == NULL && text[pos] != '\0')
			pos++;
		if (add_token(doc, CONF_TOKEN_WORD, start, pos) != 0)
			goto out_of_memory;
	}
	return 0;

out_of_memory:
	conf_set_error(err, 0, "out of memory");
	return -1;
}

static const struct conf_token *peek(const struct parser *p)
{
	return p->next < p->doc->token_count ? &p->doc->tokens[p->next] : NULL;
}

static int is_punct(const struct parser *p, const struct conf_token *token, char which)
{
	return token != NULL && token->kind == CONF_TOKEN_PUNCT && p->doc->text[token->start] == which;
}

static int is_string(const struct conf_token *token)
{
	return token != NULL && (token->kind == CONF_TOKEN_WORD || token->kind == CONF_TOKEN_QUOTED);
}

static int is_gap(const struct conf_token *token)
{
	return token != NULL && token->kind == CONF_TOKEN_GAP;
}

static unsigned token_line(const struct parser *p, const struct conf_token *token)
{
	return conf_line_of(p->doc, token != NULL ? token->start : p->doc->length);
}

/* Called where a statement continues: say plainly what scconf would choke on. */
static int reject_gap(struct parser *p, const struct conf_token *token, size_t key_token)
{
	const struct conf_token *key = &p->doc->tokens[key_token];

	if (!is_gap(token))
		return 0;
	conf_set_error(p->err, token_line(p, token), "%s inside the statement '%.*s' (OpenSC cannot read it there)",
	          p->doc->text[token->start] == '#' ? "comment" : "blank line", (int)(key->end - key->start),
	          p->doc->text + key->start);
	return -1;
}

/* scconf does not split "debug=3" or "default{" into several tokens; say so,
 * because that is the usual reason a statement looks fine and is not. */
static const char *glued_hint(const struct parser *p, const struct conf_token *token)
{
	size_t i;

	if (token == NULL || token->kind != CONF_TOKEN_WORD)
		return "";
	for (i = token->start; i < token->end; i++)
		if (strchr("{}=", p->doc->text[i]) != NULL)
			return " (scconf needs a blank around '=', '{' and '}')";
	return "";
}

static int add_child(struct conf_node *parent, const struct conf_node *child)
{
	if (parent->child_count == parent->child_capacity) {
		size_t capacity = parent->child_capacity ? parent->child_capacity * 2 : 8;
		struct conf_node *grown = realloc(parent->children, capacity * sizeof *grown);

		if (grown == NULL)
			return -1;
		parent->children = grown;
		parent->child_capacity = capacity;
	}
	parent->children[parent->child_count++] = *child;
	return 0;
}

static void free_children(struct conf_node *node)
{
	size_t i;

	for (i = 0; i < node->child_count; i++)
		free_children(&node->children[i]);
	free(node->children);
	node->children = NULL;
	node->child_count = node->child_capacity = 0;
}

static int parse_items(struct parser *p, struct conf_node *block, unsigned depth);

/* key = value (, value)* ;   the key is already consumed, p->next is at '=' */
static int parse_value(struct parser *p, struct conf_node *node)
{
	const struct conf_token *key = &p->doc->tokens[node->key_token];
	const struct conf_token *token;

	node->kind = CONF_NODE_VALUE;
	node->open_token = p->next++;
	token = peek(p);
	if (reject_gap(p, token, node->key_token) != 0)
		return -1;
	if (is_punct(p, token, ';')) {
		node->close_token = p->next++;
		return 0;
	}
	for (;;) {
		if (!is_string(token)) {
			conf_set_error(p->err, token_line(p, token), "expected a value after '%.*s ='",
			          (int)(key->end - key->start), p->doc->text + key->start);
			return -1;
		}
		p->next++;
		token = peek(p);
		if (reject_gap(p, token, node->key_token) != 0)
			return -1;
		if (is_punct(p, token, ';')) {
			node->close_token = p->next++;
			return 0;
		}
		if (!is_punct(p, token, ',')) {
			conf_set_error(p->err, token_line(p, token), "expected ';' after the value of '%.*s'%s",
			          (int)(key->end - key->start), p->doc->text + key->start, glued_hint(p, token));
			return -1;
		}
		p->next++;
		token = peek(p);
		if (reject_gap(p, token, node->key_token) != 0)
			return -1;
	}
}

/* key [name (, name)*] { items }   the key is consumed, p->next is at a name or '{' */
static int parse_block(struct parser *p, struct conf_node *node, unsigned depth)
{
	const struct conf_token *key = &p->doc->tokens[node->key_token];
	const struct conf_token *token = peek(p);

	node->kind = CONF_NODE_BLOCK;
	if (reject_gap(p, token, node->key_token) != 0)
		return -1;
	if (is_string(token)) {
		node->name_token = p->next++;
		token = peek(p);
		if (reject_gap(p, token, node->key_token) != 0)
			return -1;
		while (is_punct(p, token, ',')) {
			p->next++;
			token = peek(p);
			if (reject_gap(p, token, node->key_token) != 0)
				return -1;
			if (!is_string(token)) {
				conf_set_error(p->err, token_line(p, token), "expected a name after ',' in '%.*s'",
				          (int)(key->end - key->start), p->doc->text + key->start);
				return -1;
			}
			p->next++;
			token = peek(p);
			if (reject_gap(p, token, node->key_token) != 0)
				return -1;
		}
	}
	if (!is_punct(p, token, '{')) {
		const struct conf_token *culprit =
			node->name_token != CONF_NO_TOKEN ? &p->doc->tokens[node->name_token] : key;

		conf_set_error(p->err, token_line(p, token), "expected '{' or '=' after '%.*s'%s",
		          (int)(key->end - key->start), p->doc->text + key->start,
		          *glued_hint(p, culprit) ? glued_hint(p, culprit) : glued_hint(p, token));
		return -1;
	}
	if (depth + 1 > CONF_MAX_DEPTH) {
		conf_set_error(p->err, token_line(p, token), "blocks nested deeper than %d", CONF_MAX_DEPTH);
		return -1;
	}
	node->open_token = p->next++;
	return parse_items(p, node, depth + 1);
}

/* Statements up to this block's '}' (or, at top level, the end of the file). */
static int parse_items(struct parser *p, struct conf_node *block, unsigned depth)
{
	for (;;) {
		const struct conf_token *token = peek(p);
		struct conf_node child;

		if (token == NULL) {
			if (depth == 0)
				return 0;
			conf_set_error(p->err, token_line(p, &p->doc->tokens[block->open_token]),
			          "'{' is never closed");
			return -1;
		}
		if (is_punct(p, token, '}')) {
			if (depth == 0) {
				conf_set_error(p->err, token_line(p, token), "'}' without a matching '{'");
				return -1;
			}
			block->close_token = p->next++;
			return 0;
		}
		if (is_punct(p, token, ';') || is_gap(token)) {
			p->next++; /* an empty statement, as scconf allows, or a comment */
			continue;
		}
		if (!is_string(token)) {
			conf_set_error(p->err, token_line(p, token), "unexpected '%c'", p->doc->text[token->start]);
			return -1;
		}
		memset(&child, 0, sizeof child);
		child.key_token = p->next++;
		child.name_token = CONF_NO_TOKEN;
		child.open_token = child.close_token = CONF_NO_TOKEN;
		if (reject_gap(p, peek(p), child.key_token) != 0)
			return -1;
		if (is_punct(p, peek(p), '=')) {
			if (parse_value(p, &child) != 0)
				return -1;
		} else if (parse_block(p, &child, depth) != 0) {
			free_children(&child);
			return -1;
		}
		if (add_child(block, &child) != 0) {
			free_children(&child);
			conf_set_error(p->err, 0, "out of memory");
			return -1;
		}
	}
}

int conf_parse(const char *text, size_t length, struct conf_doc *doc, struct conf_error *err)
{
	struct parser p;

	memset(doc, 0, sizeof *doc);
	memset(err, 0, sizeof *err);
	doc->text = text;
	doc->length = length;
	doc->root.kind = CONF_NODE_BLOCK;
	doc->root.key_token = doc->root.name_token = CONF_NO_TOKEN;
	doc->root.open_token = doc->root.close_token = CONF_NO_TOKEN;

	p.doc = doc;
	p.err = err;
	p.next = 0;
	if (tokenize(doc, err) != 0 || parse_items(&p, &doc->root, 0) != 0) {
		conf_doc_free(doc);
		return -1;
	}
	return 0;
}

void conf_doc_free(struct conf_doc *doc)
{
	free_children(&doc->root);
	free(doc->tokens);
	doc->tokens = NULL;
	doc->token_count = doc->token_capacity = 0;
}

void conf_token_value(const struct conf_doc *doc, size_t token, const char **value, size_t *value_length)
{
	const struct conf_token *t = &doc->tokens[token];

	if (t->kind == CONF_TOKEN_QUOTED) {
		*value = doc->text + t->start + 1;
		*value_length = t->end - t->start - 2;
	} else {
		*value = doc->text + t->start;
		*value_length = t->end - t->start;
	}
}

int conf_token_equals(const struct conf_doc *doc, size_t token, const char *expected)
{
	const char *value;
	size_t value_length;

	if (token == CONF_NO_TOKEN)
		return 0;
	conf_token_value(doc, token, &value, &value_length);
	return value_length == strlen(expected) && strncasecmp(value, expected, value_length) == 0;
}

const struct conf_node *conf_find_block(const struct conf_doc *doc, const struct conf_node *block,
                                        const char *key, const char *name)
{
	size_t i;

	for (i = 0; i < block->child_count; i++) {
		const struct conf_node *child = &block->children[i];

		if (child->kind != CONF_NODE_BLOCK || !conf_token_equals(doc, child->key_token, key))
			continue;
		/* scconf names an unnamed block "" */
		if (name != NULL && !(child->name_token == CONF_NO_TOKEN ? name[0] == '\0'
		                                                           : conf_token_equals(doc, child->name_token, name)))
			continue;
		return child;
	}
	return NULL;
}

const struct conf_node *conf_find_value(const struct conf_doc *doc, const struct conf_node *block,
                                        const char *key)
{
	size_t i;

	for (i = 0; i < block->child_count; i++) {
		const struct conf_node *child = &block->children[i];

		if (child->kind == CONF_NODE_VALUE && conf_token_equals(doc, child->key_token, key))
			return child;
	}
	return NULL;
}
