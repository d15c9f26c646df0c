/*
 * jpki-sim-gen: where the synthetic facts' randomness comes from.
 *
 * Without a seed every draw comes from OpenSSL's CSPRNG, so two cards differ.
 * With --seed the person's facts and PINs come from a small deterministic
 * generator instead, so a test can ask for the same card face twice; keys and
 * certificate serials stay random either way (OpenSSL's key generation cannot
 * be seeded, and two cards must never share a serial).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef GEN_RAND_H
#define GEN_RAND_H

#include <stdbool.h>
#include <stdint.h>

struct gen_rand {
	bool seeded;
	uint64_t state;
};

void gen_rand_init(struct gen_rand *rng);
void gen_rand_seed(struct gen_rand *rng, uint64_t seed);

/* Uniform in [0, bound); bound must be at least 1. Returns 0 and sets *value, or
 * -1 when the CSPRNG fails. */
int gen_rand_below(struct gen_rand *rng, uint32_t bound, uint32_t *value);

#endif
