/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-person.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

static const char *const family_names[] = { "試験", "見本", "検証", "模擬", "架空" };

static const struct {
	const char *name;
	char sex;
} given_names[] = {
	{ "太郎", '1' }, { "一郎", '1' }, { "健太", '1' }, { "次郎", '1' },
	{ "花子", '2' }, { "陽子", '2' }, { "桜", '2' }, { "明美", '2' },
	{ "光", '9' },
};

static const char *const municipalities[] = {
	"東京都千代田区", "大阪府大阪市北区", "北海道札幌市中央区",
	"福岡県福岡市博多区", "愛知県名古屋市中区", "宮城県仙台市青葉区",
};

/* Appended to the long address until it is long enough; says what it is. */
static const char long_address_filler[] = "（検証用の架空住所・実在しません）";
#define LONG_ADDRESS_MIN_BYTES 220

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int pick(struct gen_rand *rng, size_t count, size_t *index)
{
	uint32_t value;

	if (gen_rand_below(rng, (uint32_t)count, &value) != 0)
		return -1;
	*index = value;
	return 0;
}

static int random_in(struct gen_rand *rng, unsigned lo, unsigned hi, unsigned *value)
{
	uint32_t offset;

	if (gen_rand_below(rng, hi - lo + 1, &offset) != 0)
		return -1;
	*value = lo + offset;
	return 0;
}

static int random_digits(struct gen_rand *rng, char *out, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		unsigned digit;
		if (random_in(rng, 0, 9, &digit) != 0)
			return -1;
		out[i] = (char)('0' + digit);
	}
	out[count] = '\0';
	return 0;
}

int gen_my_number_check_digit(const char *first_11_digits)
{
	static const unsigned weights[11] = { 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
	unsigned sum = 0;

	for (size_t i = 0; i < 11; i++) {
		char c = first_11_digits[i];
		if (c < '0' || c > '9')
			return -1;
		sum += (unsigned)(c - '0') * weights[i];
	}
	unsigned remainder = sum % 11;
	return '0' + (remainder <= 1 ? 0 : (int)(11 - remainder));
}

static int leap_year(unsigned year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int make_birth(struct gen_rand *rng, char out[9])
{
	static const unsigned month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned year, month, day;

	if (random_in(rng, 1940, 2005, &year) != 0 || random_in(rng, 1, 12, &month) != 0)
		return -1;
	unsigned days = month_days[month - 1] + (month == 2 && leap_year(year));
	if (random_in(rng, 1, days, &day) != 0)
		return -1;
	snprintf(out, 9, "%04u%02u%02u", year % 10000, month % 100, day % 100);
	return 0;
}

int gen_era_digit(const char *yyyymmdd)
{
	/* First days of each era, as YYYYMMDD, compared as strings. */
	static const char *const era_starts[] = { "18681023", "19120730", "19261225", "19890108", "20190501" };

	for (int era = (int)NELEM(era_starts); era >= 1; era--)
		if (strncmp(yyyymmdd, era_starts[era - 1], 8) >= 0)
			return era;
	return -1;
}

static int append(char *out, size_t cap, const char *text)
{
	size_t used = strlen(out), add = strlen(text);

	if (add >= cap - used)
		return -1;
	memcpy(out + used, text, add + 1);
	return 0;
}

static int make_address(struct gen_rand *rng, bool long_address, char *out, size_t cap)
{
	size_t municipality;
	unsigned chome, banchi, go, room;
	char numbers[96];

	if (pick(rng, NELEM(municipalities), &municipality) != 0 ||
	    random_in(rng, 1, 9, &chome) != 0 || random_in(rng, 1, 30, &banchi) != 0 ||
	    random_in(rng, 1, 20, &go) != 0 || random_in(rng, 101, 1210, &room) != 0)
		return -1;
	/* The building part keeps even the shortest address long enough for EF 0002's
	 * outer TLV to need the 81 length form (checked again where it is built). */
	snprintf(numbers, sizeof numbers, "試験町%u丁目%u番%u号 試験見本レジデンス東棟%u号室",
	         chome, banchi, go, room);
	out[0] = '\0';
	if (append(out, cap, municipalities[municipality]) != 0 || append(out, cap, numbers) != 0)
		return -1;
	while (long_address && strlen(out) < LONG_ADDRESS_MIN_BYTES)
		if (append(out, cap, long_address_filler) != 0)
			return -1;
	return 0;
}

static int make_sign_pin(struct gen_rand *rng, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned len, letter_at, letter;

	if (random_in(rng, GEN_SIGN_PIN_MIN, GEN_SIGN_PIN_MAX, &len) != 0)
		return -1;
	for (unsigned i = 0; i < len; i++) {
		unsigned c;
		if (random_in(rng, 0, sizeof alphabet - 2, &c) != 0)
			return -1;
		out[i] = alphabet[c];
	}
	/* The card's rule allows all digits, but a password with a letter is what
	 * exercises the host's upper-casing and the 6-16 alphanumeric check. */
	if (random_in(rng, 0, len - 1, &letter_at) != 0 || random_in(rng, 0, 25, &letter) != 0)
		return -1;
	out[letter_at] = (char)('A' + letter);
	out[len] = '\0';
	return 0;
}

int gen_person_make(struct gen_rand *rng, bool long_address, struct gen_person *person)
{
	size_t family, given;
	int check;

	memset(person, 0, sizeof *person);
	if (random_digits(rng, person->my_number, 11) != 0)
		goto fail;
	check = gen_my_number_check_digit(person->my_number);
	if (check < 0)
		goto fail;
	person->my_number[11] = (char)check;
	person->my_number[12] = '\0';

	if (pick(rng, NELEM(family_names), &family) != 0 || pick(rng, NELEM(given_names), &given) != 0)
		goto fail;
	snprintf(person->name, sizeof person->name, "%s %s", family_names[family], given_names[given].name);
	person->sex = given_names[given].sex;

	if (make_address(rng, long_address, person->address, sizeof person->address) != 0 ||
	    make_birth(rng, person->birth) != 0 ||
	    random_digits(rng, person->pin_auth, 4) != 0 ||
	    make_sign_pin(rng, person->pin_sign) != 0 ||
	    random_digits(rng, person->pin_text, 4) != 0)
		goto fail;
	return 0;
fail:
	gen_person_wipe(person);
	return -1;
}

void gen_person_wipe(struct gen_person *person)
{
	OPENSSL_cleanse(person, sizeof *person);
}
