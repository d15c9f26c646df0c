/*
 * The test reader's APDU codec: every case, both length forms, the limits.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apdu-bytes.h"

static uint8_t encoded[SIMREADER_MAX_CAPDU];

static sc_apdu_t make_apdu(int cse, const uint8_t *data, size_t datalen, size_t le)
{
	sc_apdu_t apdu;

	memset(&apdu, 0, sizeof apdu);
	apdu.cse = cse;
	apdu.cla = 0x00;
	apdu.ins = 0xB0;
	apdu.p1 = 0x12;
	apdu.p2 = 0x34;
	apdu.data = data;
	apdu.datalen = datalen;
	apdu.lc = datalen;
	apdu.le = le;
	return apdu;
}

static void expect_encoding(const sc_apdu_t *apdu, const uint8_t *expected, size_t expected_len)
{
	size_t len = 0;

	assert_int_equal(simreader_apdu_encode(apdu, encoded, sizeof encoded, &len), SC_SUCCESS);
	assert_int_equal(len, expected_len);
	assert_memory_equal(encoded, expected, expected_len);
}

static void test_case1(void **state)
{
	const uint8_t expected[] = { 0x00, 0xB0, 0x12, 0x34 };
	sc_apdu_t apdu = make_apdu(SC_APDU_CASE_1, NULL, 0, 0);

	expect_encoding(&apdu, expected, sizeof expected);
}

static void test_case2_short_le_256_is_00(void **state)
{
	const uint8_t expected_256[] = { 0x00, 0xB0, 0x12, 0x34, 0x00 };
	const uint8_t expected_17[] = { 0x00, 0xB0, 0x12, 0x34, 0x11 };
	sc_apdu_t apdu = make_apdu(SC_APDU_CASE_2_SHORT, NULL, 0, 256);

	expect_encoding(&apdu, expected_256, sizeof expected_256);
	apdu.le = 0;
	expect_encoding(&apdu, expected_256, sizeof expected_256);
	apdu.le = 17;
	expect_encoding(&apdu, expected_17, sizeof expected_17);
}

static void test_case2_extended(void **state)
{
	const uint8_t expected_65536[] = { 0x00, 0xB0, 0x12, 0x34, 0x00, 0x00, 0x00 };
	const uint8_t expected_1583[] = { 0x00, 0xB0, 0x12, 0x34, 0x00, 0x06, 0x2F };
	sc_apdu_t apdu = make_apdu(SC_APDU_CASE_2_EXT, NULL, 0, 65536);

	expect_encoding(&apdu, expected_65536, sizeof expected_65536);
	apdu.le = 1583;
	expect_encoding(&apdu, expected_1583, sizeof expected_1583);
}

static void test_case3_short_and_extended(void **state)
{
	const uint8_t aid[] = { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
	const uint8_t expected_short[] = { 0x00, 0xB0, 0x12, 0x34, 0x0A,
		0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
	const uint8_t expected_ext[] = { 0x00, 0xB0, 0x12, 0x34, 0x00, 0x00, 0x0A,
		0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
	sc_apdu_t apdu = make_apdu(SC_APDU_CASE_3_SHORT, aid, sizeof aid, 0);

	expect_encoding(&apdu, expected_short, sizeof expected_short);
	apdu.cse = SC_APDU_CASE_3_EXT;
	expect_encoding(&apdu, expected_ext, sizeof expected_ext);
}

static void test_case4_short_and_extended(void **state)
{
	const uint8_t digest_info[] = { 0x30, 0x31, 0x30 };
	const uint8_t expected_short[] = { 0x00, 0xB0, 0x12, 0x34, 0x03, 0x30, 0x31, 0x30, 0x00 };
	const uint8_t expected_ext[] = { 0x00, 0xB0, 0x12, 0x34, 0x00, 0x00, 0x03, 0x30, 0x31, 0x30, 0x01, 0x00 };
	sc_apdu_t apdu = make_apdu(SC_APDU_CASE_4_SHORT, digest_info, sizeof digest_info, 256);

	expect_encoding(&apdu, expected_short, sizeof expected_short);
	apdu.cse = SC_APDU_CASE_4_EXT;
	/* Extended form carries Le in two bytes after the data, no marker. */
	expect_encoding(&apdu, expected_ext, sizeof expected_ext);
}

static void test_largest_extended_fits(void **state)
{
	static uint8_t data[65535];
	sc_apdu_t apdu = make_apdu(SC_APDU_CASE_4_EXT, data, sizeof data, 65536);
	size_t len = 0;

	assert_int_equal(simreader_apdu_encode(&apdu, encoded, sizeof encoded, &len), SC_SUCCESS);
	assert_int_equal(len, SIMREADER_MAX_CAPDU);
	assert_int_equal(encoded[len - 2], 0x00);
	assert_int_equal(encoded[len - 1], 0x00);
}

static void test_rejects_what_cannot_be_encoded(void **state)
{
	uint8_t data[300] = { 0 };
	size_t len = 0;
	sc_apdu_t apdu;

	/* Unresolved case (sc_transmit_apdu picks short or extended first). */
	apdu = make_apdu(SC_APDU_CASE_2, NULL, 0, 10);
	assert_int_equal(simreader_apdu_encode(&apdu, encoded, sizeof encoded, &len), SC_ERROR_INVALID_ARGUMENTS);
	/* Short Lc over 255, short Le over 256, extended Le over 65536. */
	apdu = make_apdu(SC_APDU_CASE_3_SHORT, data, 256, 0);
	assert_int_equal(simreader_apdu_encode(&apdu, encoded, sizeof encoded, &len), SC_ERROR_INVALID_ARGUMENTS);
	apdu = make_apdu(SC_APDU_CASE_2_SHORT, NULL, 0, 257);
	assert_int_equal(simreader_apdu_encode(&apdu, encoded, sizeof encoded, &len), SC_ERROR_INVALID_ARGUMENTS);
	apdu = make_apdu(SC_APDU_CASE_2_EXT, NULL, 0, 65537);
	assert_int_equal(simreader_apdu_encode(&apdu, encoded, sizeof encoded, &len), SC_ERROR_INVALID_ARGUMENTS);
	/* Lc disagreeing with the data, data missing. */
	apdu = make_apdu(SC_APDU_CASE_3_SHORT, data, 5, 0);
	apdu.lc = 6;
	assert_int_equal(simreader_apdu_encode(&apdu, encoded, sizeof encoded, &len), SC_ERROR_INVALID_ARGUMENTS);
	apdu = make_apdu(SC_APDU_CASE_3_SHORT, NULL, 5, 0);
	assert_int_equal(simreader_apdu_encode(&apdu, encoded, sizeof encoded, &len), SC_ERROR_INVALID_ARGUMENTS);
	/* Case 1 has no extended form. */
	apdu = make_apdu(SC_APDU_CASE_1 | SC_APDU_EXT, NULL, 0, 0);
	assert_int_equal(simreader_apdu_encode(&apdu, encoded, sizeof encoded, &len), SC_ERROR_INVALID_ARGUMENTS);
	assert_int_equal(len, 0);
}

static void test_output_bounds(void **state)
{
	const uint8_t data[10] = { 0 };
	sc_apdu_t apdu = make_apdu(SC_APDU_CASE_4_SHORT, data, sizeof data, 16);
	uint8_t small[4 + 1 + 10 + 1 + 1];
	size_t len = 0;

	memset(small, 0xEE, sizeof small);
	/* One byte short of the 16 needed: refused, and the guard byte untouched. */
	assert_int_equal(simreader_apdu_encode(&apdu, small, sizeof small - 2, &len), SC_ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(small[sizeof small - 2], 0xEE);
	assert_int_equal(small[sizeof small - 1], 0xEE);
	assert_int_equal(simreader_apdu_encode(&apdu, small, sizeof small - 1, &len), SC_SUCCESS);
	assert_int_equal(len, 16);
	assert_int_equal(small[sizeof small - 1], 0xEE);
}

static void test_response_fits_capacity(void **state)
{
	const uint8_t rapdu[] = { 0x30, 0x82, 0x06, 0x2B, 0x90, 0x00 };
	uint8_t resp[8];
	sc_apdu_t apdu;

	memset(&apdu, 0, sizeof apdu);
	memset(resp, 0xEE, sizeof resp);
	apdu.resp = resp;
	apdu.resplen = sizeof resp;
	assert_int_equal(simreader_apdu_store_response(&apdu, rapdu, sizeof rapdu), SC_SUCCESS);
	assert_int_equal(apdu.resplen, 4);
	assert_memory_equal(resp, rapdu, 4);
	assert_int_equal(resp[4], 0xEE);
	assert_int_equal(apdu.sw1, 0x90);
	assert_int_equal(apdu.sw2, 0x00);
}

static void test_response_cut_at_capacity(void **state)
{
	const uint8_t rapdu[] = { 1, 2, 3, 4, 5, 0x62, 0x82 };
	uint8_t resp[4] = { 0 };
	sc_apdu_t apdu;

	memset(&apdu, 0, sizeof apdu);
	apdu.resp = resp;
	apdu.resplen = 3;
	assert_int_equal(simreader_apdu_store_response(&apdu, rapdu, sizeof rapdu), SC_SUCCESS);
	assert_int_equal(apdu.resplen, 3);
	assert_memory_equal(resp, rapdu, 3);
	assert_int_equal(resp[3], 0);
	assert_int_equal(apdu.sw1, 0x62);
	assert_int_equal(apdu.sw2, 0x82);
}

static void test_response_sw_only_and_too_short(void **state)
{
	const uint8_t sw_only[] = { 0x6A, 0x82 };
	const uint8_t one_byte[] = { 0x90 };
	sc_apdu_t apdu;

	memset(&apdu, 0, sizeof apdu);
	apdu.resplen = 0;
	assert_int_equal(simreader_apdu_store_response(&apdu, sw_only, sizeof sw_only), SC_SUCCESS);
	assert_int_equal(apdu.resplen, 0);
	assert_int_equal(apdu.sw1, 0x6A);
	assert_int_equal(apdu.sw2, 0x82);

	apdu.sw1 = 0x12;
	assert_int_equal(simreader_apdu_store_response(&apdu, one_byte, sizeof one_byte), SC_ERROR_TRANSMIT_FAILED);
	assert_int_equal(apdu.sw1, 0x12);
	assert_int_equal(simreader_apdu_store_response(&apdu, one_byte, 0), SC_ERROR_TRANSMIT_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case1),
		cmocka_unit_test(test_case2_short_le_256_is_00),
		cmocka_unit_test(test_case2_extended),
		cmocka_unit_test(test_case3_short_and_extended),
		cmocka_unit_test(test_case4_short_and_extended),
		cmocka_unit_test(test_largest_extended_fits),
		cmocka_unit_test(test_rejects_what_cannot_be_encoded),
		cmocka_unit_test(test_output_bounds),
		cmocka_unit_test(test_response_fits_capacity),
		cmocka_unit_test(test_response_cut_at_capacity),
		cmocka_unit_test(test_response_sw_only_and_too_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
