/*
 * jpki-sim-gen: a synthetic cardholder. Never a real person: names are built
 * from words meaning "test", "sample", "verification"; addresses from a made-up
 * town name (試験町) under real prefectures so they look like addresses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef GEN_PERSON_H
#define GEN_PERSON_H

#include <stdbool.h>
#include <stddef.h>

#include "gen-rand.h"

#define GEN_MY_NUMBER_LEN 12
#define GEN_ADDRESS_MAX   400
#define GEN_SIGN_PIN_MIN  6
#define GEN_SIGN_PIN_MAX  16

struct gen_person {
	char my_number[GEN_MY_NUMBER_LEN + 1];
	char name[64];            /* UTF-8, family name, one ASCII space, given name */
	char address[GEN_ADDRESS_MAX + 1]; /* UTF-8 */
	char birth[9];            /* YYYYMMDD */
	char sex;                 /* ISO 5218: '1', '2' or '9' */
	char pin_auth[5];         /* exactly 4 digits */
	char pin_sign[GEN_SIGN_PIN_MAX + 1]; /* 6-16 of A-Z 0-9, at least one letter */
	char pin_text[5];         /* exactly 4 digits */
};

/* long_address: an address long enough that its own TLV in the text AP's EF 0002
 * needs the 81 length form and the file's outer TLV the 82 form. Otherwise the
 * address is just long enough for the outer TLV to need the 81 form.
 * Returns 0, or -1 when randomness fails. */
int gen_person_make(struct gen_rand *rng, bool long_address, struct gen_person *person);

/* My Number check digit ('0'..'9') over the first 11 digits, or -1 when they are
 * not 11 ASCII digits. Weights 6,5,4,3,2,7,6,5,4,3,2 left to right; the check is
 * 11 - (sum mod 11), or 0 when the remainder is 0 or 1. */
int gen_my_number_check_digit(const char *first_11_digits);

/* The birth date's era digit as JPKI writes it before YYYYMMDD in the
 * certificate: 1 Meiji, 2 Taisho, 3 Showa, 4 Heisei, 5 Reiwa; -1 before Meiji. */
int gen_era_digit(const char *yyyymmdd);

void gen_person_wipe(struct gen_person *person);

#endif
