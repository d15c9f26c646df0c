/*
 * A strict reader for OpenSC's scconf syntax (opensc.conf) that remembers where
 * every statement sits in the text, so an editor can change a file by inserting
 * bytes at known offsets and leave the rest untouched.
 *
 * It splits tokens exactly as libopensc's scconf lexer does (a bare word only ends
 * at ; , blank or end of line, so "default{" is ONE word), but refuses what scconf
 * merely warns about or silently accepts: an unterminated string, a '{' never
 * closed, a missing ';'. A file we cannot read unambiguously is never edited.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef CONF_PARSE_H
#define CONF_PARSE_H

#include <stddef.h>

/* scconf's own nesting limit (DEPTH_LIMIT in scconf/internal.h). */
#define CONF_MAX_DEPTH 16

enum conf_token_kind {
	CONF_TOKEN_WORD,   /* bare word */
	CONF_TOKEN_QUOTED, /* "..." with both quotes */
	CONF_TOKEN_PUNCT,  /* one of , { } = ; */
	/* A comment, or a newline that follows a newline (a blank line): scconf turns
	 * both into items of their own, so inside a statement they break it (a
	 * comment there even steals the statement's key). Only allowed between
	 * statements. */
	CONF_TOKEN_GAP
};

struct conf_token {
	enum conf_token_kind kind;
	size_t start; /* offset in the text */
	size_t end;   /* one past the last byte */
};

enum conf_node_kind { CONF_NODE_BLOCK, CONF_NODE_VALUE };

/* One statement: `key name {...}` or `key = v1, v2;`. Token fields are indexes
 * into conf_doc.tokens. */
struct conf_node {
	enum conf_node_kind kind;
	size_t key_token;
	size_t name_token;      /* blocks: first name; NO_TOKEN when unnamed */
	size_t open_token;      /* blocks: '{'; values: '=' */
	size_t close_token;     /* blocks: '}'; values: ';' */
	struct conf_node *children; /* blocks only */
	size_t child_count;
	size_t child_capacity;
};

#define CONF_NO_TOKEN ((size_t)-1)

struct conf_doc {
	const char *text; /* not owned */
	size_t length;
	struct conf_token *tokens;
	size_t token_count;
	size_t token_capacity;
	struct conf_node root; /* a block without key: the file's top level */
};

/* Where and why parsing failed. line is 1-based; 0 when no line applies. */
struct conf_error {
	unsigned line;
	char message[160];
};

/* Returns 0 and fills doc, or -1 with err filled (doc then holds nothing to free).
 * text need not be NUL-terminated; it must outlive doc. */
int conf_parse(const char *text, size_t length, struct conf_doc *doc, struct conf_error *err);

/* Records a refusal: where it is and why, for the message the user sees. */
void conf_set_error(struct conf_error *err, unsigned line, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
void conf_doc_free(struct conf_doc *doc);

/* The token's text without surrounding quotes, as scconf hands it to OpenSC. */
void conf_token_value(const struct conf_doc *doc, size_t token, const char **value, size_t *value_length);

/* Case-insensitive comparison, as scconf compares keys and block names. */
int conf_token_equals(const struct conf_doc *doc, size_t token, const char *expected);

/* The first direct child of block that is a block with this key and first name
 * (name NULL: any), as scconf_find_blocks(...)[0] would pick; NULL if none. */
const struct conf_node *conf_find_block(const struct conf_doc *doc, const struct conf_node *block,
                                        const char *key, const char *name);

/* The first direct child `key = ...;` of block, as scconf_find_list uses. */
const struct conf_node *conf_find_value(const struct conf_doc *doc, const struct conf_node *block,
                                        const char *key);

/* 1-based line of a byte offset. */
unsigned conf_line_of(const struct conf_doc *doc, size_t offset);

#endif
