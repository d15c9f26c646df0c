/*
 * Loading an identity directory (sim/IDENTITY.md) into the card model.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>

#include "sim-internal.h"

/* Bigger than any EF of the card; a larger file is a broken identity. */
#define SIM_MAX_FILE_SIZE 32768

void sim_blob_clear(struct sim_blob *blob)
{
	if (blob == NULL || blob->bytes == NULL)
		return;
	OPENSSL_cleanse(blob->bytes, blob->len);
	free(blob->bytes);
	blob->bytes = NULL;
	blob->len = 0;
}

static int join_path(char *out, size_t out_cap, const char *dir, const char *name)
{
	int written = snprintf(out, out_cap, "%s/%s", dir, name);
	return (written < 0 || (size_t)written >= out_cap) ? -1 : 0;
}

/* Reads a whole file. Returns 0, 1 when it does not exist (and !required), -1 on error. */
static int read_whole_file(const char *path, bool required, struct sim_blob *out)
{
	FILE *file;
	uint8_t *bytes = NULL;
	size_t len = 0;
	int rc = -1;

	file = fopen(path, "rb");
	if (file == NULL) {
		if (errno == ENOENT && !required)
			return 1;
		fprintf(stderr, "jpki-sim: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	bytes = malloc(SIM_MAX_FILE_SIZE + 1);
	if (bytes == NULL) {
		fprintf(stderr, "jpki-sim: out of memory\n");
		goto out;
	}
	len = fread(bytes, 1, SIM_MAX_FILE_SIZE + 1, file);
	if (ferror(file)) {
		fprintf(stderr, "jpki-sim: cannot read %s\n", path);
		goto out;
	}
	if (len > SIM_MAX_FILE_SIZE) {
		fprintf(stderr, "jpki-sim: %s is larger than %d bytes\n", path, SIM_MAX_FILE_SIZE);
		goto out;
	}
	if (len == 0) {
		fprintf(stderr, "jpki-sim: %s is empty\n", path);
		goto out;
	}
	out->bytes = bytes;
	out->len = len;
	bytes = NULL;
	rc = 0;
out:
	free(bytes);
	fclose(file);
	return rc;
}

static EVP_PKEY *load_key(const char *dir, const char *name)
{
	char path[4096];
	FILE *file;
	EVP_PKEY *key;

	if (join_path(path, sizeof(path), dir, name) != 0)
		return NULL;
	file = fopen(path, "r");
	if (file == NULL) {
		fprintf(stderr, "jpki-sim: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	key = PEM_read_PrivateKey(file, NULL, NULL, NULL);
	fclose(file);
	if (key == NULL) {
		fprintf(stderr, "jpki-sim: %s is not a PEM private key\n", path);
		return NULL;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		fprintf(stderr, "jpki-sim: %s is not an RSA key (the model signs with RSA only)\n", path);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

/* "pins": auth=NNNN, sign=XXXXXX, text=NNNN. Every one must be present and
 * follow the card's format rules, or the card could not hold it. */
static int load_pins(struct jpki_sim *sim, const char *dir)
{
	char path[4096];
	char line[128];
	bool seen[JPKI_SIM_PIN_COUNT] = { false };
	FILE *file;
	int rc = -1;
	int pin;

	if (join_path(path, sizeof(path), dir, "pins") != 0)
		return -1;
	file = fopen(path, "r");
	if (file == NULL) {
		fprintf(stderr, "jpki-sim: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), file) != NULL) {
		char *eq = strchr(line, '=');
		size_t value_len;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (eq == NULL) {
			fprintf(stderr, "jpki-sim: %s: line without '='\n", path);
			goto out;
		}
		*eq = '\0';
		for (pin = 0; pin < JPKI_SIM_PIN_COUNT; pin++)
			if (strcmp(line, sim_pin_rules[pin].identity_key) == 0)
				break;
		if (pin == JPKI_SIM_PIN_COUNT)
			continue; /* later identity formats may add PINs */
		value_len = strlen(eq + 1);
		if (!sim_pin_format_ok((enum jpki_sim_pin)pin, (const uint8_t *)eq + 1, value_len)) {
			fprintf(stderr, "jpki-sim: %s: the %s PIN does not follow the card's format\n",
			        path, line);
			goto out;
		}
		memcpy(sim->pins[pin].value, eq + 1, value_len);
		sim->pins[pin].len = value_len;
		sim->pins[pin].tries_left = sim_pin_rules[pin].max_tries;
		seen[pin] = true;
	}
	for (pin = 0; pin < JPKI_SIM_PIN_COUNT; pin++) {
		if (!seen[pin]) {
			fprintf(stderr, "jpki-sim: %s: no %s= line\n", path, sim_pin_rules[pin].identity_key);
			goto out;
		}
	}
	rc = 0;
out:
	OPENSSL_cleanse(line, sizeof(line));
	fclose(file);
	return rc;
}

/* Reads a BER length at *pos (short form, 81, 82). -1 when malformed or past end. */
static int read_ber_length(const uint8_t *bytes, size_t len, size_t *pos, size_t *value)
{
	if (*pos >= len)
		return -1;
	if (bytes[*pos] < 0x80) {
		*value = bytes[(*pos)++];
		return 0;
	}
	if (bytes[*pos] == 0x81 && len - *pos >= 2) {
		*value = bytes[*pos + 1];
		*pos += 2;
		return 0;
	}
	if (bytes[*pos] == 0x82 && len - *pos >= 3) {
		*value = (size_t)bytes[*pos + 1] << 8 | bytes[*pos + 2];
		*pos += 3;
		return 0;
	}
	return -1;
}

/* Flips a bit in the middle of the name (DF 22) so that the text stays valid
 * UTF-8 but no longer matches DF 32's hash; falls back to the last byte. */
static void tamper_basic_info(struct sim_blob *blob)
{
	size_t pos = 2, outer_len, end;

	if (blob->len < 3 || blob->bytes[0] != 0xFF || blob->bytes[1] != 0x20 ||
	    read_ber_length(blob->bytes, blob->len, &pos, &outer_len) != 0 ||
	    outer_len > blob->len - pos)
		goto fallback;
	end = pos + outer_len;
	while (end - pos >= 3) {
		uint8_t tag_hi = blob->bytes[pos], tag_lo = blob->bytes[pos + 1];
		size_t value_len;

		pos += 2;
		if (read_ber_length(blob->bytes, end, &pos, &value_len) != 0 || value_len > end - pos)
			break;
		if (tag_hi == 0xDF && tag_lo == 0x22 && value_len > 0) {
			blob->bytes[pos + value_len / 2] ^= 0x01;
			return;
		}
		pos += value_len;
	}
fallback:
	blob->bytes[blob->len - 1] ^= 0x01;
}

int sim_identity_load(struct jpki_sim *sim, const char *dir)
{
	char path[4096];
	int file;

	for (file = 0; file < SIM_FILE_COUNT; file++) {
		const struct sim_file_desc *desc = &sim_file_table[file];
		int rc;

		if (desc->identity_path == NULL)
			continue;
		if (join_path(path, sizeof(path), dir, desc->identity_path) != 0)
			return -1;
		/* A card always has its JPKI files; the text AP's are optional in an
		 * identity, and an EF missing there is answered with 6A82. */
		rc = read_whole_file(path, desc->ap == SIM_AP_JPKI, &sim->files[file]);
		if (rc < 0)
			return -1;
	}
	if (sim->opts.tamper_text_basic_info && sim->files[SIM_FILE_TEXT_BASIC_INFO].bytes != NULL)
		tamper_basic_info(&sim->files[SIM_FILE_TEXT_BASIC_INFO]);

	sim->auth_key = load_key(dir, "keys/auth.pem");
	if (sim->auth_key == NULL)
		return -1;
	sim->sign_key = load_key(dir, "keys/sign.pem");
	if (sim->sign_key == NULL)
		return -1;
	return load_pins(sim, dir);
}
