/*
 * C-APDU framing (ISO 7816-3 cases 1-4, short and extended), nothing else.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "sim-internal.h"

int sim_capdu_parse(const uint8_t *raw, size_t raw_len, struct sim_capdu *out)
{
	struct sim_capdu parsed;
	size_t body_len;
	const uint8_t *body;

	if (raw == NULL || out == NULL || raw_len < 4)
		return -1;
	memset(&parsed, 0, sizeof(parsed));
	parsed.cla = raw[0];
	parsed.ins = raw[1];
	parsed.p1 = raw[2];
	parsed.p2 = raw[3];
	body = raw + 4;
	body_len = raw_len - 4;

	if (body_len == 0) {
		/* case 1 */
	} else if (body_len == 1) {
		/* case 2 short */
		parsed.has_le = true;
		parsed.le = body[0] ? body[0] : 256;
	} else if (body[0] != 0) {
		/* case 3 or 4 short */
		parsed.lc = body[0];
		if (body_len == 1 + parsed.lc) {
			parsed.data = body + 1;
		} else if (body_len == 2 + parsed.lc) {
			parsed.data = body + 1;
			parsed.has_le = true;
			parsed.le = body[1 + parsed.lc] ? body[1 + parsed.lc] : 256;
		} else {
			return -1;
		}
	} else {
		/* extended: a 00 byte, then 2-byte Le (case 2E) or 2-byte Lc */
		parsed.extended = true;
		if (body_len == 3) {
			parsed.has_le = true;
			parsed.le = ((size_t)body[1] << 8 | body[2]);
			if (parsed.le == 0)
				parsed.le = 65536;
		} else if (body_len > 3) {
			parsed.lc = ((size_t)body[1] << 8 | body[2]);
			if (parsed.lc == 0)
				return -1;
			if (body_len == 3 + parsed.lc) {
				parsed.data = body + 3;
			} else if (body_len == 5 + parsed.lc) {
				const uint8_t *le = body + 3 + parsed.lc;
				parsed.data = body + 3;
				parsed.has_le = true;
				parsed.le = ((size_t)le[0] << 8 | le[1]);
				if (parsed.le == 0)
					parsed.le = 65536;
			} else {
				return -1;
			}
		} else {
			return -1;
		}
	}
	*out = parsed;
	return 0;
}
