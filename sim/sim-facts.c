/*
 * The card's files, PIN rules and ATRs, as ../shared/jpki-card.md gives them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "sim-internal.h"

const struct sim_file_desc sim_file_table[SIM_FILE_COUNT] = {
	[SIM_FILE_JPKI_SIGN_CERT]    = { SIM_AP_JPKI, 0x0001, SIM_EF_DATA, JPKI_SIM_PIN_SIGN, "jpki/0001" },
	[SIM_FILE_JPKI_SIGN_CA_CERT] = { SIM_AP_JPKI, 0x0002, SIM_EF_DATA, -1, "jpki/0002" },
	[SIM_FILE_JPKI_TOKEN_INFO]   = { SIM_AP_JPKI, 0x0006, SIM_EF_DATA, -1, "jpki/0006" },
	[SIM_FILE_JPKI_AUTH_CERT]    = { SIM_AP_JPKI, 0x000A, SIM_EF_DATA, -1, "jpki/000A" },
	[SIM_FILE_JPKI_AUTH_CA_CERT] = { SIM_AP_JPKI, 0x000B, SIM_EF_DATA, -1, "jpki/000B" },
	[SIM_FILE_JPKI_AUTH_KEY]     = { SIM_AP_JPKI, 0x0017, SIM_EF_KEY, JPKI_SIM_PIN_AUTH, NULL },
	[SIM_FILE_JPKI_AUTH_PIN]     = { SIM_AP_JPKI, 0x0018, SIM_EF_PIN, -1, NULL },
	[SIM_FILE_JPKI_SIGN_KEY]     = { SIM_AP_JPKI, 0x001A, SIM_EF_KEY, JPKI_SIM_PIN_SIGN, NULL },
	[SIM_FILE_JPKI_SIGN_PIN]     = { SIM_AP_JPKI, 0x001B, SIM_EF_PIN, -1, NULL },
	[SIM_FILE_TEXT_MY_NUMBER]    = { SIM_AP_TEXT, 0x0001, SIM_EF_DATA, JPKI_SIM_PIN_TEXT, "text/0001" },
	[SIM_FILE_TEXT_BASIC_INFO]   = { SIM_AP_TEXT, 0x0002, SIM_EF_DATA, JPKI_SIM_PIN_TEXT, "text/0002" },
	[SIM_FILE_TEXT_INTEGRITY]    = { SIM_AP_TEXT, 0x0003, SIM_EF_DATA, JPKI_SIM_PIN_TEXT, "text/0003" },
	[SIM_FILE_TEXT_CV_CERT]      = { SIM_AP_TEXT, 0x0004, SIM_EF_DATA, -1, "text/0004" },
	[SIM_FILE_TEXT_AP_INFO]      = { SIM_AP_TEXT, 0x0005, SIM_EF_DATA, -1, "text/0005" },
	[SIM_FILE_TEXT_PIN]          = { SIM_AP_TEXT, 0x0011, SIM_EF_PIN, -1, NULL },
};

const struct sim_pin_rule sim_pin_rules[JPKI_SIM_PIN_COUNT] = {
	[JPKI_SIM_PIN_AUTH] = { SIM_FILE_JPKI_AUTH_PIN, 4, 4, true, 3, "auth", "tries_auth" },
	[JPKI_SIM_PIN_SIGN] = { SIM_FILE_JPKI_SIGN_PIN, 6, 16, false, 5, "sign", "tries_sign" },
	[JPKI_SIM_PIN_TEXT] = { SIM_FILE_TEXT_PIN, 4, 4, true, 3, "text", "tries_text" },
};

const struct sim_atr sim_known_atrs[SIM_KNOWN_ATR_COUNT] = {
	/* contact */
	{ { 0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1,
	    0x73, 0xC6, 0x01, 0xC0, 0x3B }, 19 },
	{ { 0x3B, 0xC5, 0xFF, 0x81, 0x31, 0xFB, 0x45, 0x80, 0x73, 0xC6, 0x01, 0x00, 0x00 }, 13 },
	{ { 0x3B, 0xF5, 0x91, 0x00, 0xFF, 0x91, 0x81, 0x71, 0xFE, 0x40, 0x00, 0x42, 0x00, 0x01,
	    0x00, 0xD1, 0xD6 }, 17 },
	{ { 0x3B, 0xF5, 0x91, 0x00, 0xFF, 0x91, 0x81, 0x71, 0xFE, 0x40, 0x00, 0x42, 0x00, 0x01,
	    0xB3, 0xA1, 0x15 }, 17 },
	/* contactless, built by PC/SC from the ATQB */
	{ { 0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x05, 0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x7F }, 13 },
	{ { 0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x41, 0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x3B }, 13 },
	{ { 0x3B, 0x88, 0x80, 0x01, 0x00, 0x4B, 0x51, 0xFF, 0x00, 0x81, 0xD1, 0x00, 0xBC }, 13 },
	{ { 0x3B, 0x88, 0x80, 0x01, 0x00, 0x4B, 0x51, 0xFF, 0xB3, 0x81, 0xD1, 0x00, 0x0F }, 13 },
};

bool sim_pin_format_ok(enum jpki_sim_pin pin, const uint8_t *value, size_t len)
{
	const struct sim_pin_rule *rule;
	size_t i;

	if ((unsigned)pin >= JPKI_SIM_PIN_COUNT || value == NULL)
		return false;
	rule = &sim_pin_rules[pin];
	if (len < rule->min_len || len > rule->max_len)
		return false;
	for (i = 0; i < len; i++) {
		bool digit = value[i] >= '0' && value[i] <= '9';
		bool upper = value[i] >= 'A' && value[i] <= 'Z';
		if (!(digit || (!rule->digits_only && upper)))
			return false;
	}
	return true;
}
