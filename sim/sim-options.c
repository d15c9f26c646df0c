/*
 * The simulator's switches: defaults and "key=value" parsing, shared by the
 * library's users, jpki-sim's --set and its --config file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim-internal.h"

void jpki_sim_options_init(struct jpki_sim_options *opts)
{
	if (opts == NULL)
		return;
	memset(opts, 0, sizeof(*opts));
	opts->blocked_sw = 0x6983;
	opts->past_end = JPKI_SIM_PAST_END_6B00;
	opts->reselect_clears_pin = true;
	opts->extended_length = true;
	opts->sfi = true;
	memcpy(opts->atr, sim_known_atrs[0].bytes, sim_known_atrs[0].len);
	opts->atr_len = sim_known_atrs[0].len;
	opts->fail_sw = 0x6F00;
}

static int fail(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && err_len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int parse_bool(const char *text, bool *out)
{
	static const char *const truthy[] = { "yes", "true", "on", "1" };
	static const char *const falsy[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++) {
		if (strcmp(text, truthy[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(text, falsy[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_ulong(const char *text, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long value;

	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || value > max)
		return -1;
	*out = value;
	return 0;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits with optional ':' or ' ' between bytes. */
static int parse_hex(const char *text, uint8_t *out, size_t out_cap, size_t *out_len)
{
	size_t len = 0;

	while (*text != '\0') {
		int hi, lo;

		if (*text == ':' || *text == ' ') {
			text++;
			continue;
		}
		hi = hex_nibble(text[0]);
		lo = hi < 0 ? -1 : hex_nibble(text[1]);
		if (hi < 0 || lo < 0 || len >= out_cap)
			return -1;
		out[len++] = (uint8_t)(hi << 4 | lo);
		text += 2;
	}
	*out_len = len;
	return 0;
}

static int parse_sw(const char *text, uint16_t *out)
{
	uint8_t bytes[2];
	size_t len = 0;

	if (strlen(text) != 4 || parse_hex(text, bytes, sizeof(bytes), &len) != 0 || len != 2)
		return -1;
	*out = (uint16_t)(bytes[0] << 8 | bytes[1]);
	return 0;
}

int jpki_sim_options_set(struct jpki_sim_options *opts, const char *setting,
                         char *err, size_t err_len)
{
	char key[32];
	const char *value, *eq;
	size_t key_len;
	unsigned long number;
	bool flag;

	if (opts == NULL || setting == NULL)
		return fail(err, err_len, "no setting");
	eq = strchr(setting, '=');
	if (eq == NULL)
		return fail(err, err_len, "'%s': expected key=value", setting);
	key_len = (size_t)(eq - setting);
	if (key_len == 0 || key_len >= sizeof(key))
		return fail(err, err_len, "'%s': bad key", setting);
	memcpy(key, setting, key_len);
	key[key_len] = '\0';
	value = eq + 1;

	if (strcmp(key, "blocked_sw") == 0) {
		uint16_t sw;
		if (parse_sw(value, &sw) != 0 || (sw != 0x6983 && sw != 0x6984))
			return fail(err, err_len, "blocked_sw must be 6983 or 6984, not '%s'", value);
		opts->blocked_sw = sw;
	} else if (strcmp(key, "past_end") == 0) {
		if (strcmp(value, "6B00") == 0 || strcmp(value, "6b00") == 0)
			opts->past_end = JPKI_SIM_PAST_END_6B00;
		else if (strcmp(value, "6282") == 0)
			opts->past_end = JPKI_SIM_PAST_END_6282;
		else
			return fail(err, err_len, "past_end must be 6B00 or 6282, not '%s'", value);
	} else if (strcmp(key, "reselect_clears_pin") == 0 || strcmp(key, "extended_length") == 0 ||
	           strcmp(key, "chain_61xx") == 0 || strcmp(key, "wrong_le_6cxx") == 0 ||
	           strcmp(key, "tamper_text_basic_info") == 0 || strcmp(key, "sfi") == 0) {
		if (parse_bool(value, &flag) != 0)
			return fail(err, err_len, "%s must be yes or no, not '%s'", key, value);
		if (strcmp(key, "reselect_clears_pin") == 0)
			opts->reselect_clears_pin = flag;
		else if (strcmp(key, "extended_length") == 0)
			opts->extended_length = flag;
		else if (strcmp(key, "sfi") == 0)
			opts->sfi = flag;
		else if (strcmp(key, "chain_61xx") == 0)
			opts->chain_61xx = flag;
		else if (strcmp(key, "wrong_le_6cxx") == 0)
			opts->wrong_le_6cxx = flag;
		else
			opts->tamper_text_basic_info = flag;
	} else if (strcmp(key, "atr") == 0) {
		uint8_t atr[sizeof(opts->atr)];
		size_t atr_len = 0;
		/* ISO 7816-3: TS and T0 at least, 33 bytes at most */
		if (parse_hex(value, atr, sizeof(atr), &atr_len) != 0 || atr_len < 2)
			return fail(err, err_len, "atr must be 2 to 33 hex bytes, not '%s'", value);
		memcpy(opts->atr, atr, atr_len);
		opts->atr_len = atr_len;
	} else if (strcmp(key, "atr_index") == 0) {
		if (parse_ulong(value, SIM_KNOWN_ATR_COUNT - 1, &number) != 0)
			return fail(err, err_len, "atr_index must be 0..%d (0-%d contact, %d-%d contactless), not '%s'",
			            SIM_KNOWN_ATR_COUNT - 1, SIM_KNOWN_ATR_CONTACT - 1, SIM_KNOWN_ATR_CONTACT,
			            SIM_KNOWN_ATR_COUNT - 1, value);
		memcpy(opts->atr, sim_known_atrs[number].bytes, sim_known_atrs[number].len);
		opts->atr_len = sim_known_atrs[number].len;
	} else if (strcmp(key, "latency_ms") == 0) {
		if (parse_ulong(value, 60000, &number) != 0)
			return fail(err, err_len, "latency_ms must be 0..60000, not '%s'", value);
		opts->latency_ms = (unsigned)number;
	} else if (strcmp(key, "truncate_apdu") == 0 || strcmp(key, "fail_apdu") == 0 ||
	           strcmp(key, "remove_after") == 0) {
		if (parse_ulong(value, UINT_MAX, &number) != 0)
			return fail(err, err_len, "%s must be an APDU count, not '%s'", key, value);
		if (strcmp(key, "truncate_apdu") == 0)
			opts->truncate_apdu = (unsigned)number;
		else if (strcmp(key, "fail_apdu") == 0)
			opts->fail_apdu = (unsigned)number;
		else
			opts->remove_after = (unsigned)number;
	} else if (strcmp(key, "truncate_after") == 0) {
		if (parse_ulong(value, JPKI_SIM_MAX_APDU, &number) != 0)
			return fail(err, err_len, "truncate_after must be a byte count, not '%s'", value);
		opts->truncate_after = (size_t)number;
	} else if (strcmp(key, "fail_sw") == 0) {
		uint16_t sw;
		if (parse_sw(value, &sw) != 0)
			return fail(err, err_len, "fail_sw must be 4 hex digits, not '%s'", value);
		opts->fail_sw = sw;
	} else {
		return fail(err, err_len, "unknown setting '%s'", key);
	}
	return 0;
}
