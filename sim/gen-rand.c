/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-rand.h"

#include <openssl/rand.h>

void gen_rand_init(struct gen_rand *rng)
{
	rng->seeded = false;
	rng->state = 0;
}

void gen_rand_seed(struct gen_rand *rng, uint64_t seed)
{
	rng->seeded = true;
	rng->state = seed;
}

/* splitmix64: tiny, well distributed, and the same on every platform, which is
 * all a reproducible card face needs. Not for secrets of a real card. */
static uint32_t next_seeded(struct gen_rand *rng)
{
	uint64_t z = (rng->state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static int next_u32(struct gen_rand *rng, uint32_t *value)
{
	unsigned char bytes[4];

	if (rng->seeded) {
		*value = next_seeded(rng);
		return 0;
	}
	if (RAND_bytes(bytes, sizeof bytes) != 1)
		return -1;
	*value = (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 |
	         (uint32_t)bytes[2] << 8 | bytes[3];
	return 0;
}

int gen_rand_below(struct gen_rand *rng, uint32_t bound, uint32_t *value)
{
	/* Rejection sampling: a plain modulo would favour small values. */
	uint32_t limit = UINT32_MAX - UINT32_MAX % bound;
	uint32_t draw;

	if (bound == 0)
		return -1;
	do {
		if (next_u32(rng, &draw) != 0)
			return -1;
	} while (draw >= limit);
	*value = draw % bound;
	return 0;
}
