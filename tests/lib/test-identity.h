/*
 * A virtual card's identity directory for in-process tests: the one named by
 * $JPKI_IDENTITY, or a fresh one made by $top_builddir/sim/jpki-sim-gen in a
 * temporary directory (removed again by test_identity_release).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SIMREADER_TEST_IDENTITY_H
#define SIMREADER_TEST_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

struct test_identity {
	char dir[4096];
	int generated;      /* ours to delete */
};

/* 0 on success; -1 with a message on stderr. */
int test_identity_acquire(struct test_identity *id);
void test_identity_release(struct test_identity *id);

/* Reads DIR/relative_path whole into a malloc'd buffer. NULL on error. */
uint8_t *test_identity_read(const struct test_identity *id, const char *relative_path, size_t *len);

/* The value of the first `key=value` line of DIR/relative_path (the `pins`
 * and `facts` files), malloc'd. NULL when the file or the key is missing. */
char *test_identity_value(const struct test_identity *id, const char *relative_path, const char *key);

#endif
