/*
 * The opensc.conf editor against OpenSC's own scconf parser, on generated files:
 * whatever our parser accepts, scconf accepts too; enable yields a file in which
 * scconf finds exactly the plugin's blocks where OpenSC looks for them and the
 * site's settings unchanged; enable twice is a no-op; disable restores every byte.
 * Plus the parser's refusals, with their exact messages and lines.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scconf/scconf.h"

#include "conf-edit.h"
#include "conf-parse.h"

#define MODULE "/usr/lib/x86_64-linux-gnu/opensc-jpki.so"
#define GENERATED_FILES 600

/* ---- a small deterministic generator of valid scconf text ---------------------- */

static uint32_t rng_state;

static uint32_t rng(uint32_t bound)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % bound;
}

struct text {
	char data[16384];
	size_t length;
	int overflow;
};

static void put(struct text *t, const char *s)
{
	size_t n = strlen(s);

	if (n >= sizeof t->data - t->length) {
		t->overflow = 1;
		return;
	}
	memcpy(t->data + t->length, s, n);
	t->length += n;
	t->data[t->length] = '\0';
}

/* Blanks inside a statement: never a blank line nor a comment (scconf breaks). */
static void inner_space(struct text *t)
{
	static const char *const choices[] = { " ", "  ", "\t", "\n\t", "\r\n    ", " \n" };

	put(t, choices[rng(6)]);
}

/* Between statements anything goes, comments and blank lines included. */
static void outer_space(struct text *t)
{
	static const char *const choices[] = { "\n", "\n\t", " ", "\n\n", "\t# a comment; { } = \"\n",
		                               "\r\n", " # trailing\n  ", "\n\n# two\n# lines\n", ";" };

	put(t, choices[rng(9)]);
}

static void word(struct text *t)
{
	static const char *const words[] = { "internal", "old", "yes", "no", "3", "/usr/lib/x.so",
		                             "\"a quoted, value\"", "3b:aa:bb", "default", "\"\"" };

	put(t, words[rng(10)]);
}

static void value_statement(struct text *t, const char *key)
{
	unsigned count = rng(4), i;

	put(t, key);
	inner_space(t);
	put(t, "=");
	for (i = 0; i < count; i++) {
		if (i > 0)
			put(t, ",");
		inner_space(t);
		word(t);
	}
	if (rng(2))
		inner_space(t);
	put(t, ";");
}

static void items(struct text *t, unsigned depth);

static void block_statement(struct text *t, const char *key, const char *name, unsigned depth)
{
	put(t, key);
	if (name != NULL) {
		inner_space(t);
		put(t, name);
	}
	inner_space(t);
	put(t, "{");
	items(t, depth + 1);
	outer_space(t);
	put(t, "}");
}

static void items(struct text *t, unsigned depth)
{
	static const char *const keys[] = { "debug", "use_file_caching", "builtin_emulators", "card_drivers_x" };
	static const char *const blocks[] = { "reader_driver", "card_atr", "secure_messaging", "pkcs11" };
	unsigned count = rng(4), i;

	for (i = 0; i < count; i++) {
		outer_space(t);
		if (depth < 3 && rng(3) == 0)
			block_statement(t, blocks[rng(4)], rng(4) ? "pcsc" : NULL, depth);
		else
			value_statement(t, keys[rng(4)]);
	}
}

struct generated {
	int has_card_drivers;
	int framework_count;
};

static void generate(struct text *t, struct generated *g)
{
	unsigned i, app_items;

	memset(t, 0, sizeof *t);
	memset(g, 0, sizeof *g);
	if (rng(2)) {
		put(t, "# leading comment\n");
		block_statement(t, "app", "opensc-pkcs11", 0);
		outer_space(t);
	}
	put(t, "app");
	inner_space(t);
	put(t, rng(4) ? "default" : "\"default\"");
	inner_space(t);
	put(t, "{");
	app_items = 1 + rng(5);
	for (i = 0; i < app_items; i++) {
		outer_space(t);
		switch (rng(5)) {
		case 0:
			if (!g->has_card_drivers) {
				value_statement(t, rng(2) ? "card_drivers" : "CARD_DRIVERS");
				g->has_card_drivers = 1;
				break;
			}
			/* fall through */
		case 1:
			block_statement(t, "framework", "pkcs15", 1);
			g->framework_count++;
			break;
		default:
			if (rng(2))
				value_statement(t, "debug");
			else
				block_statement(t, "reader_driver", "pcsc", 1);
		}
	}
	outer_space(t);
	put(t, "}");
	if (rng(2)) {
		outer_space(t);
		block_statement(t, "app", "other", 0);
	}
	if (rng(3))
		put(t, "\n");
}

/* ---- OpenSC's view -------------------------------------------------------------- */

static scconf_context *scconf_read(const char *text)
{
	scconf_context *conf = scconf_new("generated");

	assert_non_null(conf);
	if (scconf_parse_string(conf, text) != 1) {
		scconf_free(conf);
		return NULL;
	}
	return conf;
}

static scconf_block *first_block(scconf_context *conf, scconf_block *in, const char *key, const char *name)
{
	scconf_block **found = scconf_find_blocks(conf, in, key, name);
	scconf_block *first;

	assert_non_null(found);
	first = found[0];
	free(found);
	return first;
}

static int count_statements(const scconf_block *block)
{
	const scconf_item *item;
	int count = 0;

	for (item = block->items; item != NULL; item = item->next)
		count += item->type != SCCONF_ITEM_TYPE_COMMENT;
	return count;
}

static char *list_text(const scconf_list *list)
{
	static char joined[1024];

	joined[0] = '\0';
	for (; list != NULL; list = list->next) {
		strncat(joined, list->data, sizeof joined - strlen(joined) - 2);
		strncat(joined, ",", sizeof joined - strlen(joined) - 1);
	}
	return joined;
}

static void check_enabled_for_opensc(const char *original, const char *enabled, const struct generated *g)
{
	scconf_context *before = scconf_read(original);
	scconf_context *after = scconf_read(enabled);
	scconf_block *app_before, *app_after, *driver, *framework, *emulate;
	char drivers_before[1024];
	const scconf_list *drivers_after;

	assert_non_null(before);
	if (after == NULL) {
		fprintf(stderr, "scconf refuses the enabled text:\n%s\n", enabled);
		fail();
	}
	app_before = first_block(before, NULL, "app", "default");
	app_after = first_block(after, NULL, "app", "default");
	assert_non_null(app_before);
	assert_non_null(app_after);

	/* card_drivers: ours first, then the site's list unchanged */
	snprintf(drivers_before, sizeof drivers_before, "%s", list_text(scconf_find_list(app_before, "card_drivers")));
	drivers_after = scconf_find_list(app_after, "card_drivers");
	assert_non_null(drivers_after);
	assert_string_equal(drivers_after->data, "mynumber");
	if (g->has_card_drivers)
		assert_string_equal(list_text(drivers_after->next), drivers_before);
	else
		assert_string_equal(list_text(drivers_after->next), "internal,");

	driver = first_block(after, app_after, "card_driver", "mynumber");
	assert_non_null(driver);
	assert_string_equal(scconf_get_str(driver, "module", ""), MODULE);

	framework = first_block(after, app_after, "framework", "pkcs15");
	assert_non_null(framework);
	emulate = first_block(after, framework, "emulate", "mynumber");
	assert_non_null(emulate);
	assert_string_equal(scconf_get_str(emulate, "module", ""), MODULE);

	/* nothing else appeared or went away in app default */
	assert_int_equal(count_statements(app_after),
	                 count_statements(app_before) + (g->has_card_drivers ? 0 : 1) + 1
	                         + (g->framework_count ? 0 : 1));
	if (g->framework_count) {
		scconf_block *framework_before = first_block(before, app_before, "framework", "pkcs15");

		assert_int_equal(count_statements(framework), count_statements(framework_before) + 1);
	}
	scconf_free(before);
	scconf_free(after);
}

static void test_generated_round_trips(void **state)
{
	static struct text t;
	struct generated g;
	const struct conf_plugin plugin = { .name = "mynumber", .module = MODULE, .card_info = false };
	unsigned seed;

	(void)state;
	for (seed = 1; seed <= GENERATED_FILES; seed++) {
		struct conf_doc doc;
		struct conf_error err;
		struct conf_text enabled, again, disabled;
		struct conf_status status;

		rng_state = seed;
		generate(&t, &g);
		assert_false(t.overflow);
		if (conf_parse(t.data, t.length, &doc, &err) != 0) {
			fprintf(stderr, "seed %u: line %u: %s\n%s\n", seed, err.line, err.message, t.data);
			fail();
		}
		conf_doc_free(&doc);

		if (conf_edit_enable(t.data, t.length, &plugin, &enabled, &err) != 0) {
			fprintf(stderr, "seed %u: enable: line %u: %s\n%s\n", seed, err.line, err.message, t.data);
			fail();
		}
		check_enabled_for_opensc(t.data, enabled.data, &g);
		assert_int_equal(conf_edit_status(enabled.data, enabled.length, "mynumber", &status, &err), 0);
		assert_true(conf_status_enabled(&status));
		assert_true(status.marked_lines);

		assert_int_equal(conf_edit_enable(enabled.data, enabled.length, &plugin, &again, &err), 0);
		assert_int_equal(again.length, enabled.length);
		assert_memory_equal(again.data, enabled.data, enabled.length);

		assert_int_equal(conf_edit_disable(enabled.data, enabled.length, &disabled, &err), 0);
		if (disabled.length != t.length || memcmp(disabled.data, t.data, t.length) != 0) {
			fprintf(stderr, "seed %u: not restored\n--- original\n%s\n--- enabled\n%s\n--- disabled\n%s\n", seed,
			        t.data, enabled.data, disabled.data);
			fail();
		}
		conf_text_free(&enabled);
		conf_text_free(&again);
		conf_text_free(&disabled);
	}
}

/* Our parser may refuse more than scconf, never less: damage generated files
 * one byte at a time; whenever we still accept, scconf must accept too. */
static void test_never_more_lenient_than_scconf(void **state)
{
	static struct text t;
	struct generated g;
	static const char damage[] = "{}\";#\n=,x \r";
	unsigned seed, accepted = 0, refused = 0;

	(void)state;
	for (seed = 1; seed <= GENERATED_FILES * 4; seed++) {
		struct conf_doc doc;
		struct conf_error err;
		size_t at;

		rng_state = seed;
		generate(&t, &g);
		at = rng((uint32_t)t.length);
		if (rng(2))
			t.data[at] = damage[rng(sizeof damage - 1)];
		else
			memmove(t.data + at, t.data + at + 1, t.length - at); /* delete one byte, NUL included */
		t.length = strlen(t.data);
		if (conf_parse(t.data, t.length, &doc, &err) == 0) {
			scconf_context *conf = scconf_read(t.data);

			conf_doc_free(&doc);
			if (conf == NULL) {
				fprintf(stderr, "seed %u: we accept what scconf refuses:\n%s\n", seed, t.data);
				fail();
			}
			scconf_free(conf);
			accepted++;
		} else {
			refused++;
		}
	}
	/* the damage must have exercised both sides */
	assert_true(accepted > 100);
	assert_true(refused > 100);
}

/* ---- refusals, message and line exactly ------------------------------------------ */

static void expect_refusal(const char *text, unsigned line, const char *message)
{
	struct conf_doc doc;
	struct conf_error err;

	assert_int_equal(conf_parse(text, strlen(text), &doc, &err), -1);
	assert_int_equal(err.line, line);
	assert_string_equal(err.message, message);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_refusal("app default {\n", 1, "'{' is never closed");
	expect_refusal("app default {\n}\n}\n", 3, "'}' without a matching '{'");
	expect_refusal("app default {\n\tx = \"abc;\n}\n", 2,
	               "unterminated string (a quoted string must end on the same line)");
	expect_refusal("app default {\n\tx = \"abc\r\n\";\n}\n", 2,
	               "unterminated string (a quoted string must end on the same line)");
	expect_refusal("app default {\n\tdebug = 3\n}\n", 3, "expected ';' after the value of 'debug'");
	expect_refusal("app default{\n}\n", 2,
	               "expected '{' or '=' after 'app' (scconf needs a blank around '=', '{' and '}')");
	expect_refusal("app default {\n\tdebug=3;\n}\n", 2,
	               "expected '{' or '=' after 'debug=3' (scconf needs a blank around '=', '{' and '}')");
	expect_refusal("app default {\n\tcard_drivers = a,\n\n\tb;\n}\n", 3,
	               "blank line inside the statement 'card_drivers' (OpenSC cannot read it there)");
	expect_refusal("app default # here\n{\n}\n", 1,
	               "comment inside the statement 'app' (OpenSC cannot read it there)");
	expect_refusal("= 3;\n", 1, "unexpected '='");
	expect_refusal("a = b,;\n", 1, "expected a value after 'a ='");
	expect_refusal("a b c { }\n", 1, "expected '{' or '=' after 'a'");
}

static void test_refusals_nul(void **state)
{
	static const char text[] = "a { }\nb = x\0y;\n";
	struct conf_doc doc;
	struct conf_error err;

	(void)state;
	assert_int_equal(conf_parse(text, sizeof text - 1, &doc, &err), -1);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.message, "NUL byte in the file");
}

/* Found by the fuzzer: restoring a saved last line (no newline) in front of a
 * CR made a lone CR, which a second enable would have refused. */
static void test_enable_refuses_what_it_could_not_redo(void **state)
{
	static const char text[] = "# opensc-jpki-was-noeol: # x\r\n\t\napp default {\n}\n";
	const struct conf_plugin plugin = { .name = "mynumber", .module = MODULE, .card_info = false };
	struct conf_text out;
	struct conf_error err;

	(void)state;
	assert_int_equal(conf_edit_enable(text, sizeof text - 1, &plugin, &out, &err), -1);
	assert_int_equal(err.line, 1);
	assert_string_equal(err.message, "carriage return without a newline; convert the file's line ends first");
}

static void test_depth_limit(void **state)
{
	char text[512] = "";
	struct conf_doc doc;
	struct conf_error err;
	int i;

	(void)state;
	for (i = 0; i < CONF_MAX_DEPTH; i++)
		strcat(text, "b {\n");
	for (i = 0; i < CONF_MAX_DEPTH; i++)
		strcat(text, "}\n");
	assert_int_equal(conf_parse(text, strlen(text), &doc, &err), 0);
	conf_doc_free(&doc);

	text[0] = '\0';
	for (i = 0; i <= CONF_MAX_DEPTH; i++)
		strcat(text, "b {\n");
	for (i = 0; i <= CONF_MAX_DEPTH; i++)
		strcat(text, "}\n");
	assert_int_equal(conf_parse(text, strlen(text), &doc, &err), -1);
	assert_int_equal(err.line, CONF_MAX_DEPTH + 1);
	assert_string_equal(err.message, "blocks nested deeper than 16");
}

static void test_names_and_modules(void **state)
{
	(void)state;
	assert_true(conf_edit_name_ok("mynumber"));
	assert_true(conf_edit_name_ok("my_number-2"));
	assert_false(conf_edit_name_ok(""));
	assert_false(conf_edit_name_ok("jpki"));
	assert_false(conf_edit_name_ok("Internal"));
	assert_false(conf_edit_name_ok("my number"));
	assert_false(conf_edit_name_ok("a;b"));
	assert_false(conf_edit_name_ok("0123456789012345678901234567890123456789012345678901234567890123"));
	assert_true(conf_edit_module_ok("/a b/c.so"));
	assert_false(conf_edit_module_ok("c.so"));
	assert_false(conf_edit_module_ok("/a\"b.so"));
	assert_false(conf_edit_module_ok("/a\nb.so"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_round_trips),
		cmocka_unit_test(test_never_more_lenient_than_scconf),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_refusals_nul),
		cmocka_unit_test(test_enable_refuses_what_it_could_not_redo),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_names_and_modules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
