/*
 * The fuzz input format of fuzz_card_responses, shared with the seed recorder:
 * a sequence of chunks, each a 2-byte big-endian length and that many bytes.
 * The first chunk is the ATR, every following one the R-APDU (data + SW1 SW2)
 * of the next APDU the host sends. When the input runs out the card is gone.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef RESPONSE_CHUNKS_H
#define RESPONSE_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

struct response_chunks {
	const uint8_t *next;
	size_t left;
};

/* Takes the next chunk; a length running past the input takes what is left.
 * Returns 0, or -1 when the input is exhausted. */
static inline int response_chunks_take(struct response_chunks *chunks, const uint8_t **bytes, size_t *len)
{
	size_t want;

	if (chunks->left < 2)
		return -1;
	want = ((size_t)chunks->next[0] << 8) | chunks->next[1];
	chunks->next += 2;
	chunks->left -= 2;
	if (want > chunks->left)
		want = chunks->left;
	*bytes = chunks->next;
	*len = want;
	chunks->next += want;
	chunks->left -= want;
	return 0;
}

#endif
