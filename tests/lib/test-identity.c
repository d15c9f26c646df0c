/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <spawn.h>
#include <unistd.h>

#include "test-identity.h"

extern char **environ;

static int run(char *const argv[])
{
	pid_t pid;
	int status;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int test_identity_acquire(struct test_identity *id)
{
	const char *given = getenv("JPKI_IDENTITY");
	const char *builddir = getenv("top_builddir");
	const char *tmpdir = getenv("TMPDIR");
	char generator[4096], out[4096 + 16];
	int n;

	memset(id, 0, sizeof *id);
	if (given != NULL && given[0] != '\0') {
		if (strlen(given) >= sizeof id->dir)
			return -1;
		memcpy(id->dir, given, strlen(given) + 1);
		return 0;
	}
	if (builddir == NULL || builddir[0] == '\0')
		builddir = ".";
	if (tmpdir == NULL || tmpdir[0] == '\0')
		tmpdir = "/tmp";
	n = snprintf(generator, sizeof generator, "%s/sim/jpki-sim-gen", builddir);
	if (n < 0 || (size_t)n >= sizeof generator)
		return -1;
	n = snprintf(id->dir, sizeof id->dir, "%s/simreader-identity-XXXXXX", tmpdir);
	if (n < 0 || (size_t)n >= sizeof id->dir || mkdtemp(id->dir) == NULL) {
		fprintf(stderr, "test-identity: cannot make a temporary directory: %s\n", strerror(errno));
		return -1;
	}
	id->generated = 1;
	/* The generator writes into DIR itself; give it a fresh subdirectory so
	 * it never meets a directory it did not make. */
	n = snprintf(out, sizeof out, "%s/card", id->dir);
	if (n < 0 || (size_t)n >= sizeof out)
		return -1;
	{
		char *const argv[] = { generator, "--out", out, NULL };
		if (run(argv) != 0) {
			fprintf(stderr, "test-identity: %s --out %s failed (set JPKI_IDENTITY to use an existing identity)\n",
			        generator, out);
			test_identity_release(id);
			return -1;
		}
	}
	memcpy(id->dir + strlen(id->dir), "/card", sizeof "/card");
	return 0;
}

void test_identity_release(struct test_identity *id)
{
	char top[sizeof id->dir];
	char *slash;

	if (id == NULL || !id->generated)
		return;
	memcpy(top, id->dir, sizeof top);
	/* dir is TMP/simreader-identity-XXXXXX[/card]: remove the mkdtemp'd one. */
	slash = strstr(top, "/simreader-identity-");
	if (slash != NULL && (slash = strchr(slash + 1, '/')) != NULL)
		*slash = '\0';
	{
		char *const argv[] = { "/bin/rm", "-rf", "--", top, NULL };
		(void)run(argv);
	}
	id->generated = 0;
}

uint8_t *test_identity_read(const struct test_identity *id, const char *relative_path, size_t *len)
{
	char path[sizeof id->dir + 256];
	uint8_t *content = NULL;
	long size;
	FILE *file;
	int n;

	n = snprintf(path, sizeof path, "%s/%s", id->dir, relative_path);
	if (n < 0 || (size_t)n >= sizeof path)
		return NULL;
	file = fopen(path, "rb");
	if (file == NULL)
		return NULL;
	if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 && fseek(file, 0, SEEK_SET) == 0) {
		content = malloc(size > 0 ? (size_t)size : 1);
		if (content != NULL && fread(content, 1, (size_t)size, file) != (size_t)size) {
			free(content);
			content = NULL;
		}
		if (content != NULL)
			*len = (size_t)size;
	}
	fclose(file);
	return content;
}

char *test_identity_value(const struct test_identity *id, const char *relative_path, const char *key)
{
	size_t len = 0;
	uint8_t *bytes = test_identity_read(id, relative_path, &len);
	size_t key_len = strlen(key);
	size_t pos = 0;
	char *value = NULL;

	if (bytes == NULL)
		return NULL;
	while (pos < len && value == NULL) {
		size_t end = pos;

		while (end < len && bytes[end] != '\n')
			end++;
		if (end - pos > key_len && memcmp(bytes + pos, key, key_len) == 0 && bytes[pos + key_len] == '=') {
			size_t value_len = end - pos - key_len - 1;

			value = malloc(value_len + 1);
			if (value == NULL)
				break;
			memcpy(value, bytes + pos + key_len + 1, value_len);
			value[value_len] = '\0';
		}
		pos = end + 1;
	}
	free(bytes);
	return value;
}
