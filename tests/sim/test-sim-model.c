/*
 * The virtual card's model, driven with raw APDUs in-process: every access
 * rule, counter, switch and fault of sim/jpki-sim.h.
 *
 * The identity is made here (two fresh RSA-2048 keys, self-issued certificates,
 * synthetic text-AP files) so the test depends on nothing but OpenSSL.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "jpki-sim.h"

#define AUTH_PIN "4821"
#define SIGN_PIN "TESTPW42"
#define TEXT_PIN "7395"

#define SELECT_JPKI "00A4040C0AD392F000260100000001"
#define SELECT_TEXT "00A4040C0AD3921000310001010408"

static char identity_dir[] = "/tmp/test-sim-model.XXXXXX";

/* The identity's files, kept for comparisons. */
struct blob {
	unsigned char *bytes;
	size_t len;
};
static struct blob auth_cert, sign_cert, auth_ca_cert, text_basic_info;

/* ---- building the identity ------------------------------------------------ */

static void write_file(const char *rel, const void *bytes, size_t len)
{
	char path[512];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", identity_dir, rel);
	file = fopen(path, "wb");
	assert_non_null(file);
	assert_int_equal(fwrite(bytes, 1, len, file), len);
	assert_int_equal(fclose(file), 0);
}

static EVP_PKEY *make_key(const char *rel)
{
	char path[512];
	EVP_PKEY *key = EVP_RSA_gen(2048);
	FILE *file;

	assert_non_null(key);
	snprintf(path, sizeof(path), "%s/%s", identity_dir, rel);
	file = fopen(path, "w");
	assert_non_null(file);
	assert_int_equal(PEM_write_PrivateKey(file, key, NULL, NULL, 0, NULL, NULL), 1);
	assert_int_equal(fclose(file), 0);
	return key;
}

/* A certificate for key, signed by itself: the model never checks the chain. */
static void make_cert(EVP_PKEY *key, const char *cn, long serial, const char *rel, struct blob *keep)
{
	X509 *cert = X509_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL;
	int der_len;

	assert_non_null(cert);
	assert_non_null(name);
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(cert, name);
	X509_set_issuer_name(cert, name);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
	X509_set_pubkey(cert, key);
	assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
	der_len = i2d_X509(cert, &der);
	assert_true(der_len > 0);
	write_file(rel, der, (size_t)der_len);
	if (keep != NULL) {
		keep->bytes = malloc((size_t)der_len);
		assert_non_null(keep->bytes);
		memcpy(keep->bytes, der, (size_t)der_len);
		keep->len = (size_t)der_len;
	}
	OPENSSL_free(der);
	X509_NAME_free(name);
	X509_free(cert);
}

static void make_subdir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", identity_dir, rel);
	assert_int_equal(mkdir(path, 0700), 0);
}

static int group_setup(void **state)
{
	static const unsigned char my_number[] = { 0xFF, 0x10, 0x0C, '1', '2', '3', '4', '5', '6',
	                                            '7', '8', '9', '0', '1', '8', 0xFF, 0xFF };
	/* FF 20 { DF 21 offsets, DF 22 name, DF 23 address, DF 24 birth, DF 25 sex } */
	static const unsigned char basic_info[] = {
		0xFF, 0x20, 0x2D,
		0xDF, 0x21, 0x08, 0x00, 0x0B, 0x00, 0x15, 0x00, 0x1E, 0x00, 0x2B,
		0xDF, 0x22, 0x07, 'T', 'E', 'S', 'T', ' ', 'T', 'A',
		0xDF, 0x23, 0x06, 'T', 'O', 'K', 'Y', 'O', '1',
		0xDF, 0x24, 0x08, '2', '0', '0', '0', '0', '1', '0', '1',
		0xDF, 0x25, 0x01, '9',
	};
	static const unsigned char integrity[] = { 0xFF, 0x30, 0x02, 0xDF, 0x31 };
	static const unsigned char cv_cert[] = { 0x7F, 0x21, 0x04, 0x5F, 0x4E, 0x01, 0x00 };
	static const unsigned char ap_info[] = { 0xFF, 0x40, 0x06, 0xDF, 0x41, 0x04, 0x01, 0x01, 0x00, 0x00 };
	static const char pins[] = "auth=" AUTH_PIN "\nsign=" SIGN_PIN "\ntext=" TEXT_PIN "\n";
	EVP_PKEY *auth_key, *sign_key, *ca_key;

	(void)state;
	assert_non_null(mkdtemp(identity_dir));
	make_subdir("jpki");
	make_subdir("keys");
	make_subdir("text");
	auth_key = make_key("keys/auth.pem");
	sign_key = make_key("keys/sign.pem");
	ca_key = EVP_RSA_gen(2048);
	assert_non_null(ca_key);
	make_cert(auth_key, "Synthetic Auth", 0x1234AB, "jpki/000A", &auth_cert);
	make_cert(sign_key, "Synthetic Sign", 7, "jpki/0001", &sign_cert);
	make_cert(ca_key, "Synthetic Auth CA", 1, "jpki/000B", &auth_ca_cert);
	make_cert(ca_key, "Synthetic Sign CA", 2, "jpki/0002", NULL);
	write_file("jpki/0006", "JPKIAPICCTOKEN2     ", 20);
	write_file("text/0001", my_number, sizeof(my_number));
	write_file("text/0002", basic_info, sizeof(basic_info));
	write_file("text/0003", integrity, sizeof(integrity));
	write_file("text/0004", cv_cert, sizeof(cv_cert));
	write_file("text/0005", ap_info, sizeof(ap_info));
	write_file("pins", pins, strlen(pins));
	text_basic_info.bytes = malloc(sizeof(basic_info));
	assert_non_null(text_basic_info.bytes);
	memcpy(text_basic_info.bytes, basic_info, sizeof(basic_info));
	text_basic_info.len = sizeof(basic_info);
	EVP_PKEY_free(auth_key);
	EVP_PKEY_free(sign_key);
	EVP_PKEY_free(ca_key);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st; (void)type; (void)ftw;
	return remove(path);
}

static int group_teardown(void **state)
{
	(void)state;
	nftw(identity_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(auth_cert.bytes);
	free(sign_cert.bytes);
	free(auth_ca_cert.bytes);
	free(text_basic_info.bytes);
	return 0;
}

/* ---- driving the card ------------------------------------------------------- */

struct response {
	unsigned char data[JPKI_SIM_MAX_APDU];
	size_t len;     /* data only */
	unsigned sw;
};

static size_t hex_to_bytes(const char *hex, unsigned char *out, size_t cap)
{
	size_t len = 0;

	while (*hex != '\0') {
		unsigned byte;

		if (*hex == ' ') {
			hex++;
			continue;
		}
		assert_true(len < cap);
		assert_int_equal(sscanf(hex, "%2x", &byte), 1);
		out[len++] = (unsigned char)byte;
		hex += 2;
	}
	return len;
}

static unsigned send_bytes(struct jpki_sim *sim, const unsigned char *capdu, size_t len,
                           struct response *resp)
{
	static unsigned char rapdu[JPKI_SIM_MAX_APDU + 2];
	size_t rapdu_len = 0;

	assert_int_equal(jpki_sim_transmit(sim, capdu, len, rapdu, sizeof(rapdu), &rapdu_len), 0);
	assert_true(rapdu_len >= 2);
	if (resp != NULL) {
		resp->len = rapdu_len - 2;
		memcpy(resp->data, rapdu, resp->len);
		resp->sw = (unsigned)rapdu[rapdu_len - 2] << 8 | rapdu[rapdu_len - 1];
	}
	return (unsigned)rapdu[rapdu_len - 2] << 8 | rapdu[rapdu_len - 1];
}

/* Sends a C-APDU written in hex, returns the SW. */
static unsigned send_hex(struct jpki_sim *sim, const char *hex, struct response *resp)
{
	unsigned char capdu[600];
	size_t len = hex_to_bytes(hex, capdu, sizeof(capdu));

	return send_bytes(sim, capdu, len, resp);
}

/* VERIFY / CHANGE with an ASCII value. */
static unsigned send_pin(struct jpki_sim *sim, unsigned char ins, unsigned char p1, const char *value)
{
	unsigned char capdu[5 + 32];
	size_t len = strlen(value);

	assert_true(len < 32);
	capdu[0] = 0x00;
	capdu[1] = ins;
	capdu[2] = p1;
	capdu[3] = 0x80;
	capdu[4] = (unsigned char)len;
	memcpy(capdu + 5, value, len);
	return send_bytes(sim, capdu, 5 + len, NULL);
}

static unsigned verify(struct jpki_sim *sim, const char *pin)
{
	return send_pin(sim, 0x20, 0x00, pin);
}

static struct jpki_sim *new_sim_with(const char *first, ...)
{
	struct jpki_sim_options opts;
	struct jpki_sim *sim;
	const char *setting;
	char err[200];
	va_list ap;

	jpki_sim_options_init(&opts);
	va_start(ap, first);
	for (setting = first; setting != NULL; setting = va_arg(ap, const char *)) {
		if (jpki_sim_options_set(&opts, setting, err, sizeof(err)) != 0)
			fail_msg("setting %s: %s", setting, err);
	}
	va_end(ap);
	sim = jpki_sim_new(identity_dir, &opts);
	assert_non_null(sim);
	assert_non_null(jpki_sim_reset(sim, NULL));
	return sim;
}

#define new_sim() new_sim_with(NULL)

/* Reads the whole current EF with short READ BINARYs of chunk bytes. */
static size_t read_all(struct jpki_sim *sim, unsigned char *out, size_t cap, size_t chunk)
{
	size_t off = 0;
	struct response resp;

	for (;;) {
		char apdu[32];
		unsigned sw;

		snprintf(apdu, sizeof(apdu), "00B0%04zX%02zX", off, chunk & 0xFF);
		sw = send_hex(sim, apdu, &resp);
		if (sw == 0x6B00)
			return off;
		assert_int_equal(sw, 0x9000);
		assert_true(off + resp.len <= cap);
		memcpy(out + off, resp.data, resp.len);
		off += resp.len;
		if (resp.len < chunk)
			return off;
	}
}

/* ---- selection --------------------------------------------------------------- */

static void test_select(void **state)
{
	struct jpki_sim *sim = new_sim();

	(void)state;
	/* no AP yet: EFs are not found */
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x6A82);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4040C0AD392F000260100000002", NULL), 0x6A82);
	assert_int_equal(send_hex(sim, "00A4040C07A0000000791000", NULL), 0x6A82);
	/* P2=00 probes of other drivers: still answered by AID */
	assert_int_equal(send_hex(sim, "00A404000AD392F00026010000000100", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020003", NULL), 0x6A82);
	/* text AP's EF 0004 is not in the JPKI AP */
	assert_int_equal(send_hex(sim, "00A4020C020004", NULL), 0x6A82);
	assert_int_equal(send_hex(sim, "00A4020C03000A00", NULL), 0x6700);
	assert_int_equal(send_hex(sim, "00A4020102000A", NULL), 0x6A86);
	assert_int_equal(send_hex(sim, "00A4070C02000A", NULL), 0x6A86);
	assert_int_equal(send_hex(sim, "00A4000C023F00", NULL), 0x6A82);
	assert_int_equal(send_hex(sim, SELECT_TEXT, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020004", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x6A82);
	/* visual and resident-registry APs are there, their files are not modelled */
	assert_int_equal(send_hex(sim, "00A4040C0AD3921000310001010402", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4040C0AD3921000310001010100", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x6A82);
	jpki_sim_free(&sim);
	assert_null(sim);
}

static void test_cla_ins_and_length(void **state)
{
	struct jpki_sim *sim = new_sim();

	(void)state;
	assert_int_equal(send_hex(sim, "10A4040C0AD392F000260100000001", NULL), 0x6E00);
	assert_int_equal(send_hex(sim, "0CA4040C0AD392F000260100000001", NULL), 0x6E00);
	assert_int_equal(send_hex(sim, "80A4040C0AD392F000260100000001", NULL), 0x6E00);
	assert_int_equal(send_hex(sim, "002A0080030102 0300", NULL), 0x6E00);
	assert_int_equal(send_hex(sim, "0084000008", NULL), 0x6D00);
	assert_int_equal(send_hex(sim, "00CADF3005", NULL), 0x6D00);
	/* Lc says 5, two bytes follow */
	assert_int_equal(send_hex(sim, "00A4040C050102", NULL), 0x6700);
	assert_int_equal(send_hex(sim, "00A4", NULL), 0x6700);
	/* extended case 2E: a SELECT without its AID */
	assert_int_equal(send_hex(sim, "00A4040C000000", NULL), 0x6700);
	jpki_sim_free(&sim);
}

/* ---- READ BINARY --------------------------------------------------------------- */

static void test_read_with_offsets(void **state)
{
	unsigned char whole[4096];
	struct jpki_sim *sim = new_sim();
	struct response resp;
	char apdu[32];

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	/* no current EF */
	assert_int_equal(send_hex(sim, "00B0000010", NULL), 0x6986);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(read_all(sim, whole, sizeof(whole), 0x80), auth_cert.len);
	assert_memory_equal(whole, auth_cert.bytes, auth_cert.len);
	/* one read at an odd offset */
	assert_int_equal(send_hex(sim, "00B0010307", &resp), 0x9000);
	assert_int_equal(resp.len, 7);
	assert_memory_equal(resp.data, auth_cert.bytes + 0x103, 7);
	/* Le 00 = 256 */
	assert_int_equal(send_hex(sim, "00B0000000", &resp), 0x9000);
	assert_int_equal(resp.len, 256);
	/* READ BINARY with data, or without Le */
	assert_int_equal(send_hex(sim, "00B00000", NULL), 0x6700);
	assert_int_equal(send_hex(sim, "00B000000100", NULL), 0x6700);
	/* key and PIN EFs are not readable */
	assert_int_equal(send_hex(sim, "00A4020C020017", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000010", NULL), 0x6981);
	assert_int_equal(send_hex(sim, "00A4020C020018", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000010", NULL), 0x6981);
	/* short EF identifier: P1 = 80 | low byte of the FID */
	assert_int_equal(send_hex(sim, "00B08B0004", &resp), 0x9000);
	assert_int_equal(resp.len, 4);
	assert_memory_equal(resp.data, auth_ca_cert.bytes, 4);
	assert_int_equal(send_hex(sim, "00B08C0004", NULL), 0x6A82);
	assert_int_equal(send_hex(sim, "00B0A00004", NULL), 0x6A86);
	/* token info */
	assert_int_equal(send_hex(sim, "00A4020C020006", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000014", &resp), 0x9000);
	assert_int_equal(resp.len, 20);
	assert_memory_equal(resp.data, "JPKIAPICCTOKEN2     ", 20);
	(void)apdu;
	jpki_sim_free(&sim);
}

static void past_end(const char *mode, unsigned tail_sw)
{
	char setting[32], apdu[32];
	struct jpki_sim *sim;
	struct response resp;
	size_t len = auth_cert.len;

	snprintf(setting, sizeof(setting), "past_end=%s", mode);
	sim = new_sim_with(setting, NULL);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	/* offset inside, Le past the end: what is left */
	snprintf(apdu, sizeof(apdu), "00B0%04zX10", len - 5);
	assert_int_equal(send_hex(sim, apdu, &resp), tail_sw);
	assert_int_equal(resp.len, 5);
	assert_memory_equal(resp.data, auth_cert.bytes + len - 5, 5);
	/* exactly to the end: 9000 */
	snprintf(apdu, sizeof(apdu), "00B0%04zX05", len - 5);
	assert_int_equal(send_hex(sim, apdu, &resp), 0x9000);
	assert_int_equal(resp.len, 5);
	/* offset at and after the end */
	snprintf(apdu, sizeof(apdu), "00B0%04zX01", len);
	assert_int_equal(send_hex(sim, apdu, &resp), 0x6B00);
	assert_int_equal(resp.len, 0);
	snprintf(apdu, sizeof(apdu), "00B0%04zX01", len + 100);
	assert_int_equal(send_hex(sim, apdu, NULL), 0x6B00);
	jpki_sim_free(&sim);
}

static void test_past_end_6b00(void **state)
{
	(void)state;
	past_end("6B00", 0x9000);
}

static void test_past_end_6282(void **state)
{
	(void)state;
	past_end("6282", 0x6282);
}

static void test_wrong_le_6cxx(void **state)
{
	struct jpki_sim *sim = new_sim_with("wrong_le_6cxx=yes", NULL);
	struct response resp;
	char apdu[32];

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	snprintf(apdu, sizeof(apdu), "00B0%04zX10", auth_cert.len - 5);
	assert_int_equal(send_hex(sim, apdu, &resp), 0x6C05);
	assert_int_equal(resp.len, 0);
	snprintf(apdu, sizeof(apdu), "00B0%04zX05", auth_cert.len - 5);
	assert_int_equal(send_hex(sim, apdu, &resp), 0x9000);
	assert_memory_equal(resp.data, auth_cert.bytes + auth_cert.len - 5, 5);
	/* extended Le asks for "up to": no 6Cxx */
	assert_int_equal(send_hex(sim, "00B00000001000", &resp), 0x9000);
	assert_int_equal(resp.len, auth_cert.len);
	jpki_sim_free(&sim);

	sim = new_sim();
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, apdu, NULL), 0x9000);
	snprintf(apdu, sizeof(apdu), "00B0%04zX10", auth_cert.len - 5);
	assert_int_equal(send_hex(sim, apdu, NULL), 0x9000);
	jpki_sim_free(&sim);
}

static void test_extended_length(void **state)
{
	struct jpki_sim *sim = new_sim();
	struct response resp;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	/* case 2E with Le 0000 = 65536: the whole file */
	assert_int_equal(send_hex(sim, "00B00000000000", &resp), 0x9000);
	assert_int_equal(resp.len, auth_cert.len);
	assert_memory_equal(resp.data, auth_cert.bytes, auth_cert.len);
	/* case 3E select */
	assert_int_equal(send_hex(sim, "00A4020C00000200 0B", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B00000000004", &resp), 0x9000);
	assert_memory_equal(resp.data, auth_ca_cert.bytes, 4);
	jpki_sim_free(&sim);

	sim = new_sim_with("extended_length=no", NULL);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B00000000000", &resp), 0x6700);
	assert_int_equal(resp.len, 0);
	assert_int_equal(send_hex(sim, "00A4020C00000200 0B", NULL), 0x6700);
	/* short ones still work */
	assert_int_equal(send_hex(sim, "00B0000004", &resp), 0x9000);
	assert_memory_equal(resp.data, auth_cert.bytes, 4);
	jpki_sim_free(&sim);
}

/* An SFI read makes its EF the current one; without SFI support (sfi=no) the
 * card refuses P1 and keeps its current EF. */
static void test_sfi_switch(void **state)
{
	struct jpki_sim *sim = new_sim();
	struct response resp;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B08B0004", &resp), 0x9000);
	assert_memory_equal(resp.data, auth_ca_cert.bytes, 4);
	/* later chunks by plain offset come from 000B, not 000A */
	assert_int_equal(send_hex(sim, "00B0010004", &resp), 0x9000);
	assert_memory_equal(resp.data, auth_ca_cert.bytes + 0x100, 4);
	jpki_sim_free(&sim);

	sim = new_sim_with("sfi=no", NULL);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B08B0004", &resp), 0x6A86);
	assert_int_equal(resp.len, 0);
	assert_int_equal(send_hex(sim, "00B0000004", &resp), 0x9000);
	assert_memory_equal(resp.data, auth_cert.bytes, 4);
	jpki_sim_free(&sim);
}

/* ---- access rules --------------------------------------------------------------- */

static void test_sign_cert_needs_sign_pin(void **state)
{
	unsigned char whole[4096];
	struct jpki_sim *sim = new_sim();

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6982);
	/* the authentication PIN does not open it */
	assert_int_equal(send_hex(sim, "00A4020C020018", NULL), 0x9000);
	assert_int_equal(verify(sim, AUTH_PIN), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6982);
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(verify(sim, SIGN_PIN), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(read_all(sim, whole, sizeof(whole), 0xFF), sign_cert.len);
	assert_memory_equal(whole, sign_cert.bytes, sign_cert.len);
	/* the CA certificates are free */
	assert_int_equal(send_hex(sim, "00A4020C020002", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x9000);
	jpki_sim_free(&sim);
}

static void test_text_ap_needs_text_pin(void **state)
{
	static const char *const guarded[] = { "00A4020C020001", "00A4020C020002", "00A4020C020003" };
	unsigned char whole[512];
	struct jpki_sim *sim = new_sim();
	size_t i;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_TEXT, NULL), 0x9000);
	for (i = 0; i < 3; i++) {
		assert_int_equal(send_hex(sim, guarded[i], NULL), 0x9000);
		assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6982);
	}
	assert_int_equal(send_hex(sim, "00A4020C020004", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000002", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020005", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000002", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020011", NULL), 0x9000);
	assert_int_equal(verify(sim, TEXT_PIN), 0x9000);
	for (i = 0; i < 3; i++) {
		assert_int_equal(send_hex(sim, guarded[i], NULL), 0x9000);
		assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x9000);
	}
	assert_int_equal(send_hex(sim, "00A4020C020002", NULL), 0x9000);
	assert_int_equal(read_all(sim, whole, sizeof(whole), 0x20), text_basic_info.len);
	assert_memory_equal(whole, text_basic_info.bytes, text_basic_info.len);
	/* another AP drops the text PIN */
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, SELECT_TEXT, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6982);
	jpki_sim_free(&sim);
}

static void test_tamper_text_basic_info(void **state)
{
	unsigned char whole[512];
	struct jpki_sim *sim = new_sim_with("tamper_text_basic_info=yes", NULL);
	size_t i, differing = 0;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_TEXT, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020011", NULL), 0x9000);
	assert_int_equal(verify(sim, TEXT_PIN), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020002", NULL), 0x9000);
	assert_int_equal(read_all(sim, whole, sizeof(whole), 0x80), text_basic_info.len);
	for (i = 0; i < text_basic_info.len; i++)
		if (whole[i] != text_basic_info.bytes[i]) {
			differing++;
			/* inside the name (DF 22 value at offsets 17-23) */
			assert_true(i >= 17 && i < 24);
		}
	assert_int_equal(differing, 1);
	jpki_sim_free(&sim);
}

/* ---- PINs ------------------------------------------------------------------------ */

static void test_verify_counts_tries(void **state)
{
	struct jpki_sim *sim = new_sim();

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	/* no PIN EF selected */
	assert_int_equal(send_hex(sim, "00200080", NULL), 0x6986);
	assert_int_equal(send_hex(sim, "00A4020C020018", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00200080", NULL), 0x63C3);
	assert_int_equal(send_hex(sim, "00200080", NULL), 0x63C3);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_AUTH), 3);
	assert_int_equal(verify(sim, "0000"), 0x63C2);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_AUTH), 2);
	/* no-data VERIFY spends nothing */
	assert_int_equal(send_hex(sim, "00200080", NULL), 0x63C2);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_AUTH), 2);
	/* a value of the wrong format is just wrong to the card */
	assert_int_equal(verify(sim, "12345"), 0x63C1);
	assert_int_equal(verify(sim, AUTH_PIN), 0x9000);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_AUTH), 3);
	/* and after success, still 63Cx: the host cannot read back "logged in" */
	assert_int_equal(send_hex(sim, "00200080", NULL), 0x63C3);
	/* wrong P1/P2, Le present */
	assert_int_equal(send_hex(sim, "002000810431323334", NULL), 0x6A86);
	assert_int_equal(send_hex(sim, "002001800431323334", NULL), 0x6A86);
	assert_int_equal(send_hex(sim, "0020008000", NULL), 0x6700);
	/* the signature PIN has 5 */
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00200080", NULL), 0x63C5);
	assert_int_equal(verify(sim, "WRONG1"), 0x63C4);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_SIGN), 4);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_AUTH), 3);
	jpki_sim_free(&sim);
}

static void blocked(const char *setting, unsigned blocked_sw)
{
	struct jpki_sim *sim = new_sim_with(setting, NULL);

	assert_int_equal(send_hex(sim, SELECT_TEXT, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020011", NULL), 0x9000);
	assert_int_equal(verify(sim, "0000"), 0x63C2);
	assert_int_equal(verify(sim, "0000"), 0x63C1);
	assert_int_equal(verify(sim, "0000"), 0x63C0);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_TEXT), 0);
	assert_int_equal(send_hex(sim, "00200080", NULL), blocked_sw);
	/* the right PIN does not help any more */
	assert_int_equal(verify(sim, TEXT_PIN), blocked_sw);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "1111"), blocked_sw);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6982);
	/* blocked stays blocked across a reset */
	assert_non_null(jpki_sim_reset(sim, NULL));
	assert_int_equal(send_hex(sim, SELECT_TEXT, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020011", NULL), 0x9000);
	assert_int_equal(verify(sim, TEXT_PIN), blocked_sw);
	jpki_sim_free(&sim);
}

static void test_blocked_6983(void **state)
{
	(void)state;
	blocked("blocked_sw=6983", 0x6983);
}

static void test_blocked_6984(void **state)
{
	(void)state;
	blocked("blocked_sw=6984", 0x6984);
}

static void test_tries_survive_reset(void **state)
{
	struct jpki_sim *sim = new_sim();
	size_t atr_len = 0;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(verify(sim, "NOTIT1"), 0x63C4);
	assert_non_null(jpki_sim_reset(sim, &atr_len));
	assert_int_equal(atr_len, 19);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_SIGN), 4);
	/* reset drops the selection */
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x6A82);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00200080", NULL), 0x63C4);
	assert_int_equal(verify(sim, "NOTIT2"), 0x63C3);
	assert_non_null(jpki_sim_reset(sim, NULL));
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_SIGN), 3);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00200080", NULL), 0x63C3);
	/* and the security state */
	assert_int_equal(verify(sim, SIGN_PIN), 0x9000);
	assert_non_null(jpki_sim_reset(sim, NULL));
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6982);
	assert_int_equal(jpki_sim_counters(sim)->resets, 3);
	jpki_sim_free(&sim);
}

static void test_wrong_verify_drops_state(void **state)
{
	struct jpki_sim *sim = new_sim();

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_TEXT, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020011", NULL), 0x9000);
	assert_int_equal(verify(sim, TEXT_PIN), 0x9000);
	assert_int_equal(verify(sim, "0000"), 0x63C2);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6982);
	jpki_sim_free(&sim);
}

static void test_change_pin(void **state)
{
	struct jpki_sim *sim = new_sim();

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020018", NULL), 0x9000);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "5555"), 0x6982);
	assert_int_equal(verify(sim, AUTH_PIN), 0x9000);
	/* formats the card refuses */
	assert_int_equal(send_pin(sim, 0x24, 0x01, "555"), 0x6A80);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "55555"), 0x6A80);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "55A5"), 0x6A80);
	assert_int_equal(send_pin(sim, 0x24, 0x00, "5555"), 0x6A86);
	assert_int_equal(send_hex(sim, "00240180", NULL), 0x6700);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_AUTH), 3);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "5555"), 0x9000);
	assert_int_equal(verify(sim, AUTH_PIN), 0x63C2);
	assert_int_equal(verify(sim, "5555"), 0x9000);

	/* signature PIN: 6-16 of A-Z 0-9 */
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(verify(sim, SIGN_PIN), 0x9000);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "abc123"), 0x6A80);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "ABC12"), 0x6A80);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "ABCDEFGHIJ1234567"), 0x6A80);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "ABCDEFGHIJ123456"), 0x9000);
	assert_int_equal(verify(sim, "ABCDEFGHIJ123456"), 0x9000);
	/* outside a PIN EF */
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "5555"), 0x6986);
	jpki_sim_free(&sim);
}

static void test_reselect_switch(void **state)
{
	struct jpki_sim *sim = new_sim();

	(void)state;
	/* default: re-selecting the same AP drops the PIN */
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(verify(sim, SIGN_PIN), 0x9000);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6982);
	jpki_sim_free(&sim);

	sim = new_sim_with("reselect_clears_pin=no", NULL);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(verify(sim, SIGN_PIN), 0x9000);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x9000);
	/* another AP still drops it */
	assert_int_equal(send_hex(sim, SELECT_TEXT, NULL), 0x9000);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6982);
	/* an unknown AID changes nothing */
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(verify(sim, SIGN_PIN), 0x9000);
	assert_int_equal(send_hex(sim, "00A4040C07A0000000791000", NULL), 0x6A82);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x9000);
	jpki_sim_free(&sim);
}

/* ---- signatures -------------------------------------------------------------------- */

/* DigestInfo of a SHA-x hash of msg, DER, as a client sends it. */
static size_t digest_info(const EVP_MD *md, const char *msg, unsigned char *out)
{
	static const unsigned char prefix_sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E,
	                                             0x03, 0x02, 0x1A, 0x05, 0x00, 0x04, 0x14 };
	static const unsigned char prefix_sha2[] = { 0x30, 0x00, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48,
	                                             0x01, 0x65, 0x03, 0x04, 0x02, 0x00, 0x05, 0x00, 0x04,
	                                             0x00 };
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned hash_len = 0;
	size_t prefix_len;

	assert_int_equal(EVP_Digest(msg, strlen(msg), hash, &hash_len, md, NULL), 1);
	if (EVP_MD_get_type(md) == NID_sha1) {
		memcpy(out, prefix_sha1, sizeof(prefix_sha1));
		prefix_len = sizeof(prefix_sha1);
	} else {
		memcpy(out, prefix_sha2, sizeof(prefix_sha2));
		prefix_len = sizeof(prefix_sha2);
		out[1] = (unsigned char)(sizeof(prefix_sha2) - 2 + hash_len);
		out[14] = EVP_MD_get_type(md) == NID_sha256 ? 1 : EVP_MD_get_type(md) == NID_sha384 ? 2 : 3;
		out[18] = (unsigned char)hash_len;
	}
	memcpy(out + prefix_len, hash, hash_len);
	return prefix_len + hash_len;
}

/* COMPUTE DIGITAL SIGNATURE over the DigestInfo of msg; returns the SW. */
static unsigned sign(struct jpki_sim *sim, const EVP_MD *md, const char *msg, struct response *resp)
{
	unsigned char capdu[6 + 128];
	size_t len = digest_info(md, msg, capdu + 5);

	capdu[0] = 0x80;
	capdu[1] = 0x2A;
	capdu[2] = 0x00;
	capdu[3] = 0x80;
	capdu[4] = (unsigned char)len;
	capdu[5 + len] = 0x00;
	return send_bytes(sim, capdu, 6 + len, resp);
}

/* Checks sig against the certificate's public key, the way a relying party does. */
static void assert_signature_valid(const struct blob *cert_der, const EVP_MD *md, const char *msg,
                                   const unsigned char *sig, size_t sig_len)
{
	const unsigned char *p = cert_der->bytes;
	X509 *cert = d2i_X509(NULL, &p, (long)cert_der->len);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY *pub;

	assert_non_null(cert);
	assert_non_null(ctx);
	pub = X509_get0_pubkey(cert);
	assert_non_null(pub);
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub), 1);
	assert_int_equal(EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(ctx);
	X509_free(cert);
}

static void test_signatures(void **state)
{
	const EVP_MD *mds[] = { EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512() };
	struct jpki_sim *sim = new_sim();
	struct response resp;
	size_t i;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	/* no key selected */
	assert_int_equal(sign(sim, EVP_sha256(), "x", NULL), 0x6986);
	assert_int_equal(send_hex(sim, "00A4020C020017", NULL), 0x9000);
	assert_int_equal(sign(sim, EVP_sha256(), "x", &resp), 0x6982);
	assert_int_equal(resp.len, 0);
	assert_int_equal(send_hex(sim, "00A4020C020018", NULL), 0x9000);
	assert_int_equal(verify(sim, AUTH_PIN), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020017", NULL), 0x9000);
	/* several signatures after one VERIFY */
	for (i = 0; i < 4; i++) {
		assert_int_equal(sign(sim, mds[i], "authentication challenge", &resp), 0x9000);
		assert_int_equal(resp.len, 256);
		assert_signature_valid(&auth_cert, mds[i], "authentication challenge", resp.data, resp.len);
	}
	/* the signature key wants its own PIN */
	assert_int_equal(send_hex(sim, "00A4020C02001A", NULL), 0x9000);
	assert_int_equal(sign(sim, EVP_sha256(), "contract", NULL), 0x6982);
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(verify(sim, SIGN_PIN), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02001A", NULL), 0x9000);
	for (i = 0; i < 4; i++) {
		assert_int_equal(sign(sim, mds[i], "contract", &resp), 0x9000);
		assert_int_equal(resp.len, 256);
		assert_signature_valid(&sign_cert, mds[i], "contract", resp.data, resp.len);
	}
	/* a signature by the other key does not pass */
	{
		const unsigned char *p = auth_cert.bytes;
		X509 *cert = d2i_X509(NULL, &p, (long)auth_cert.len);
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)), 1);
		assert_int_equal(sign(sim, EVP_sha256(), "contract", &resp), 0x9000);
		assert_int_not_equal(EVP_DigestVerify(ctx, resp.data, resp.len,
		                                      (const unsigned char *)"contract", 8), 1);
		EVP_MD_CTX_free(ctx);
		X509_free(cert);
	}
	/* no Le, wrong P1/P2, short Le, input too long for type-01 padding */
	assert_int_equal(send_hex(sim, "802A00800401020304", NULL), 0x6700);
	assert_int_equal(send_hex(sim, "802A0180040102030400", NULL), 0x6A86);
	assert_int_equal(send_hex(sim, "802A0080040102030480", NULL), 0x6700);
	{
		unsigned char capdu[5 + 250 + 1];
		memset(capdu, 0x11, sizeof(capdu));
		capdu[0] = 0x80; capdu[1] = 0x2A; capdu[2] = 0x00; capdu[3] = 0x80; capdu[4] = 250;
		capdu[5 + 250] = 0x00;
		assert_int_equal(send_bytes(sim, capdu, sizeof(capdu), NULL), 0x6A80);
	}
	/* selecting the text AP drops both PINs */
	assert_int_equal(send_hex(sim, SELECT_TEXT, NULL), 0x9000);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020017", NULL), 0x9000);
	assert_int_equal(sign(sim, EVP_sha256(), "x", NULL), 0x6982);
	jpki_sim_free(&sim);
}

/* ---- 61xx chaining ----------------------------------------------------------------- */

static void test_chain_61xx(void **state)
{
	struct jpki_sim *sim = new_sim_with("chain_61xx=yes", NULL);
	unsigned char sig[256];
	struct response resp;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	/* nothing pending */
	assert_int_equal(send_hex(sim, "00C0000010", NULL), 0x6985);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000010", &resp), 0x6110);
	assert_int_equal(resp.len, 0);
	assert_int_equal(send_hex(sim, "00C0000008", &resp), 0x6108);
	assert_int_equal(resp.len, 8);
	assert_memory_equal(resp.data, auth_cert.bytes, 8);
	assert_int_equal(send_hex(sim, "00C0000008", &resp), 0x9000);
	assert_memory_equal(resp.data, auth_cert.bytes + 8, 8);
	assert_int_equal(send_hex(sim, "00C0000008", NULL), 0x6985);
	assert_int_equal(send_hex(sim, "00C0010008", NULL), 0x6A86);
	/* any other command drops a pending response */
	assert_int_equal(send_hex(sim, "00B0000010", NULL), 0x6110);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00C0000010", NULL), 0x6985);
	/* the final SW comes with the last part */
	{
		char apdu[32];
		snprintf(apdu, sizeof(apdu), "00B0%04zX10", auth_cert.len - 3);
		assert_int_equal(send_hex(sim, apdu, NULL), 0x6103);
	}
	/* 256 bytes announce themselves as 6100 */
	assert_int_equal(send_hex(sim, "00A4020C020018", NULL), 0x9000);
	assert_int_equal(verify(sim, AUTH_PIN), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020017", NULL), 0x9000);
	assert_int_equal(sign(sim, EVP_sha256(), "chained", &resp), 0x6100);
	assert_int_equal(send_hex(sim, "00C0000080", &resp), 0x6180);
	memcpy(sig, resp.data, 128);
	assert_int_equal(send_hex(sim, "00C0000000", &resp), 0x9000);
	assert_int_equal(resp.len, 128);
	memcpy(sig + 128, resp.data, 128);
	assert_signature_valid(&auth_cert, EVP_sha256(), "chained", sig, sizeof(sig));
	jpki_sim_free(&sim);

	/* switch off: GET RESPONSE has nothing to give */
	sim = new_sim();
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000010", &resp), 0x9000);
	assert_int_equal(resp.len, 16);
	assert_int_equal(send_hex(sim, "00C0000010", NULL), 0x6985);
	jpki_sim_free(&sim);
}

/* ---- faults ------------------------------------------------------------------------- */

static void test_fault_truncate(void **state)
{
	struct jpki_sim *sim = new_sim_with("truncate_apdu=3", "truncate_after=5", NULL);
	struct response resp;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000040", &resp), 0x9000);
	assert_int_equal(resp.len, 5);
	assert_memory_equal(resp.data, auth_cert.bytes, 5);
	/* only the 3rd */
	assert_int_equal(send_hex(sim, "00B0000040", &resp), 0x9000);
	assert_int_equal(resp.len, 0x40);
	jpki_sim_free(&sim);
}

static void test_fault_sw(void **state)
{
	struct jpki_sim *sim = new_sim_with("fail_apdu=2", "fail_sw=6581", NULL);
	struct response resp;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", &resp), 0x6581);
	assert_int_equal(resp.len, 0);
	/* nothing was done: no EF is selected */
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6986);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x9000);
	jpki_sim_free(&sim);

	/* a failed VERIFY costs nothing */
	sim = new_sim_with("fail_apdu=3", NULL);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020018", NULL), 0x9000);
	assert_int_equal(verify(sim, "0000"), 0x6F00);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_AUTH), 3);
	jpki_sim_free(&sim);
}

static void test_fault_removal(void **state)
{
	struct jpki_sim *sim = new_sim_with("remove_after=2", NULL);
	unsigned char capdu[] = { 0x00, 0xB0, 0x00, 0x00, 0x04 };
	unsigned char rapdu[64];
	size_t rapdu_len = 99, atr_len = 99;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(jpki_sim_transmit(sim, capdu, sizeof(capdu), rapdu, sizeof(rapdu), &rapdu_len), -1);
	assert_int_equal(rapdu_len, 0);
	assert_int_equal(jpki_sim_transmit(sim, capdu, sizeof(capdu), rapdu, sizeof(rapdu), &rapdu_len), -1);
	/* gone for good: no ATR either */
	assert_null(jpki_sim_reset(sim, &atr_len));
	assert_int_equal(atr_len, 0);
	assert_int_equal(jpki_sim_counters(sim)->apdus, 2);
	jpki_sim_free(&sim);
}

static void test_transmit_misuse(void **state)
{
	struct jpki_sim *sim = new_sim();
	unsigned char capdu[] = { 0x00, 0xA4, 0x04, 0x0C };
	unsigned char rapdu[4];
	size_t rapdu_len;

	(void)state;
	assert_int_equal(jpki_sim_transmit(sim, capdu, sizeof(capdu), rapdu, 1, &rapdu_len), -1);
	assert_int_equal(jpki_sim_transmit(NULL, capdu, sizeof(capdu), rapdu, sizeof(rapdu), &rapdu_len), -1);
	/* a response that does not fit the caller's buffer */
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	{
		unsigned char read[] = { 0x00, 0xB0, 0x00, 0x00, 0x10 };
		assert_int_equal(jpki_sim_transmit(sim, read, sizeof(read), rapdu, sizeof(rapdu), &rapdu_len), -1);
	}
	jpki_sim_free(&sim);
	jpki_sim_free(&sim);
	jpki_sim_free(NULL);
}

/* ---- counters, stats, trace ----------------------------------------------------------- */

static void test_counters_and_stats(void **state)
{
	struct jpki_sim *sim = new_sim();
	const struct jpki_sim_counters *counters;
	char *text = NULL;
	size_t text_len = 0;
	FILE *out;

	(void)state;
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);          /* 15 in, 2 out */
	assert_int_equal(send_hex(sim, "00A4020C020018", NULL), 0x9000);     /* 7 in, 2 out */
	assert_int_equal(verify(sim, "0000"), 0x63C2);                       /* 9 in, 2 out */
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);     /* 7 in, 2 out */
	assert_int_equal(send_hex(sim, "00B0000010", NULL), 0x9000);         /* 5 in, 18 out */
	assert_int_equal(send_hex(sim, "0084000008", NULL), 0x6D00);         /* 5 in, 2 out */
	assert_non_null(jpki_sim_reset(sim, NULL));
	counters = jpki_sim_counters(sim);
	assert_int_equal(counters->apdus, 6);
	assert_int_equal(counters->bytes_in, 15 + 7 + 9 + 7 + 5 + 5);
	assert_int_equal(counters->bytes_out, 2 + 2 + 2 + 2 + 18 + 2);
	assert_int_equal(counters->by_ins[0xA4], 3);
	assert_int_equal(counters->by_ins[0x20], 1);
	assert_int_equal(counters->by_ins[0xB0], 1);
	assert_int_equal(counters->by_ins[0x84], 1);
	assert_int_equal(counters->by_ins[0x2A], 0);
	assert_int_equal(counters->resets, 1);
	/* the one VERIFY carried a PIN */
	assert_int_equal(counters->pin_values, 1);

	out = open_memstream(&text, &text_len);
	assert_non_null(out);
	assert_int_equal(jpki_sim_write_stats(sim, out), 0);
	fclose(out);
	assert_string_equal(text,
		"apdus=6\nbytes_in=48\nbytes_out=28\n"
		"ins_20=1\nins_84=1\nins_A4=3\nins_B0=1\n"
		"resets=1\npin_values=1\ntries_auth=2\ntries_sign=5\ntries_text=3\n");
	free(text);

	jpki_sim_counters_reset(sim);
	assert_int_equal(jpki_sim_counters(sim)->apdus, 0);
	assert_int_equal(jpki_sim_counters(sim)->by_ins[0xA4], 0);
	/* tries are the card's, not counters */
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_AUTH), 2);
	assert_int_equal(jpki_sim_tries_left(sim, JPKI_SIM_PIN_COUNT), -1);
	jpki_sim_free(&sim);
}

static void test_trace_masks_pins(void **state)
{
	struct jpki_sim_options opts;
	struct jpki_sim *sim;
	char *text = NULL;
	size_t text_len = 0;
	FILE *trace = open_memstream(&text, &text_len);

	(void)state;
	assert_non_null(trace);
	jpki_sim_options_init(&opts);
	opts.trace = trace;
	sim = jpki_sim_new(identity_dir, &opts);
	assert_non_null(sim);
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(verify(sim, SIGN_PIN), 0x9000);
	assert_int_equal(send_pin(sim, 0x24, 0x01, "NEWPIN99"), 0x9000);
	assert_int_equal(send_hex(sim, "00200080", NULL), 0x63C5);
	assert_int_equal(send_hex(sim, "00A4020C02000A", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000010", NULL), 0x9000);
	/* malformed VERIFY: the whole body is hidden */
	assert_int_equal(send_hex(sim, "002000800931323334", NULL), 0x6700);
	jpki_sim_free(&sim);
	fclose(trace);

	assert_string_equal(text,
		"#1 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01 => 90 00\n"
		"#2 00 A4 02 0C 02 00 1B => 90 00\n"
		"#3 00 20 00 80 08 ** ** ** ** ** ** ** ** => 90 00\n"
		"#4 00 24 01 80 08 ** ** ** ** ** ** ** ** => 90 00\n"
		"#5 00 20 00 80 => 63 C5\n"
		"#6 00 A4 02 0C 02 00 0A => 90 00\n"
		"#7 00 B0 00 00 10 => 16 bytes + 90 00\n"
		"#8 00 20 00 80 ** ** ** ** ** => 67 00\n");
	assert_null(strstr(text, "54 45 53 54"));
	free(text);
}

/* ---- options and identity ------------------------------------------------------------- */

static void test_options(void **state)
{
	static const unsigned char contactless[] = { 0x3B, 0x88, 0x80, 0x01, 0x00, 0x4B, 0x51, 0xFF,
	                                             0x00, 0x81, 0xD1, 0x00, 0xBC };
	static const unsigned char first_contact[] = { 0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46,
	                                               0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6,
	                                               0x01, 0xC0, 0x3B };
	struct jpki_sim_options opts;
	char err[200];

	(void)state;
	jpki_sim_options_init(&opts);
	assert_int_equal(opts.blocked_sw, 0x6983);
	assert_int_equal(opts.past_end, JPKI_SIM_PAST_END_6B00);
	assert_true(opts.reselect_clears_pin);
	assert_true(opts.extended_length);
	assert_true(opts.sfi);
	assert_false(opts.chain_61xx);
	assert_int_equal(opts.atr_len, sizeof(first_contact));
	assert_memory_equal(opts.atr, first_contact, sizeof(first_contact));

	assert_int_equal(jpki_sim_options_set(&opts, "atr_index=6", err, sizeof(err)), 0);
	assert_int_equal(opts.atr_len, sizeof(contactless));
	assert_memory_equal(opts.atr, contactless, sizeof(contactless));
	assert_int_equal(jpki_sim_options_set(&opts, "atr=3B:02:14:50", err, sizeof(err)), 0);
	assert_int_equal(opts.atr_len, 4);
	assert_int_equal(opts.atr[3], 0x50);
	assert_int_equal(jpki_sim_options_set(&opts, "blocked_sw=6984", err, sizeof(err)), 0);
	assert_int_equal(opts.blocked_sw, 0x6984);
	assert_int_equal(jpki_sim_options_set(&opts, "past_end=6282", err, sizeof(err)), 0);
	assert_int_equal(opts.past_end, JPKI_SIM_PAST_END_6282);
	assert_int_equal(jpki_sim_options_set(&opts, "sfi=no", err, sizeof(err)), 0);
	assert_false(opts.sfi);
	assert_int_equal(jpki_sim_options_set(&opts, "latency_ms=20", err, sizeof(err)), 0);
	assert_int_equal(opts.latency_ms, 20);
	assert_int_equal(jpki_sim_options_set(&opts, "remove_after=9", err, sizeof(err)), 0);
	assert_int_equal(opts.remove_after, 9);
	assert_int_equal(jpki_sim_options_set(&opts, "fail_sw=6a88", err, sizeof(err)), 0);
	assert_int_equal(opts.fail_sw, 0x6A88);
	assert_int_equal(jpki_sim_options_set(&opts, "chain_61xx=yes", err, sizeof(err)), 0);
	assert_true(opts.chain_61xx);

	assert_int_equal(jpki_sim_options_set(&opts, "atr_index=8", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "atr_index"));
	assert_int_equal(jpki_sim_options_set(&opts, "atr=3", err, sizeof(err)), -1);
	assert_int_equal(jpki_sim_options_set(&opts, "atr=3B", err, sizeof(err)), -1);
	assert_int_equal(jpki_sim_options_set(&opts, "blocked_sw=6982", err, sizeof(err)), -1);
	assert_int_equal(jpki_sim_options_set(&opts, "chain_61xx=maybe", err, sizeof(err)), -1);
	assert_int_equal(jpki_sim_options_set(&opts, "latency_ms=-1", err, sizeof(err)), -1);
	assert_int_equal(jpki_sim_options_set(&opts, "fail_sw=6F", err, sizeof(err)), -1);
	assert_int_equal(jpki_sim_options_set(&opts, "no_equals", err, sizeof(err)), -1);
	assert_int_equal(jpki_sim_options_set(&opts, "colour=blue", err, sizeof(err)), -1);
	assert_string_equal(err, "unknown setting 'colour'");
	/* a failed setting leaves the options as they were */
	assert_int_equal(opts.atr_len, 4);
	assert_int_equal(opts.blocked_sw, 0x6984);
}

static void test_atr_from_reset(void **state)
{
	struct jpki_sim *sim = new_sim_with("atr=3B:88:80:01:11:22:33:44:55:66:77:88:99", NULL);
	const uint8_t *atr;
	size_t atr_len = 0;

	(void)state;
	atr = jpki_sim_reset(sim, &atr_len);
	assert_non_null(atr);
	assert_int_equal(atr_len, 13);
	assert_int_equal(atr[4], 0x11);
	assert_int_equal(atr[12], 0x99);
	jpki_sim_free(&sim);
}

static void test_identity_errors(void **state)
{
	char broken[] = "/tmp/test-sim-broken.XXXXXX";
	char cmd[1200];

	(void)state;
	assert_null(jpki_sim_new("/nonexistent/identity", NULL));
	assert_null(jpki_sim_new(NULL, NULL));
	/* a copy whose signature PIN could never be on a card */
	assert_non_null(mkdtemp(broken));
	snprintf(cmd, sizeof(cmd), "cp -r %s/. %s && printf 'auth=1234\\nsign=abc\\ntext=1234\\n' > %s/pins",
	         identity_dir, broken, broken);
	assert_int_equal(system(cmd), 0);
	assert_null(jpki_sim_new(broken, NULL));
	/* no text= line */
	snprintf(cmd, sizeof(cmd), "printf 'auth=1234\\nsign=ABCDEF\\n' > %s/pins", broken);
	assert_int_equal(system(cmd), 0);
	assert_null(jpki_sim_new(broken, NULL));
	/* all fine again, but a JPKI file missing */
	snprintf(cmd, sizeof(cmd), "printf 'auth=1234\\nsign=ABCDEF\\ntext=1234\\n' > %s/pins", broken);
	assert_int_equal(system(cmd), 0);
	{
		struct jpki_sim *sim = jpki_sim_new(broken, NULL);
		assert_non_null(sim);
		jpki_sim_free(&sim);
	}
	snprintf(cmd, sizeof(cmd), "rm %s/jpki/000B", broken);
	assert_int_equal(system(cmd), 0);
	assert_null(jpki_sim_new(broken, NULL));
	/* text files are optional: missing ones are not found */
	snprintf(cmd, sizeof(cmd), "cp %s/jpki/000B %s/jpki/000B && rm %s/text/0004", identity_dir, broken, broken);
	assert_int_equal(system(cmd), 0);
	{
		struct jpki_sim *sim = jpki_sim_new(broken, NULL);
		assert_non_null(sim);
		assert_int_equal(send_hex(sim, SELECT_TEXT, NULL), 0x9000);
		assert_int_equal(send_hex(sim, "00A4020C020004", NULL), 0x6A82);
		assert_int_equal(send_hex(sim, "00A4020C020005", NULL), 0x9000);
		jpki_sim_free(&sim);
	}
	snprintf(cmd, sizeof(cmd), "rm -r %s", broken);
	assert_int_equal(system(cmd), 0);
}

/* pcscd powers an idle card down after about a second and up again for the
 * next client: that is no reset of the card by a driver, which is what the
 * benchmark's hygiene check counts. A reset while powered is one. */
static void test_power_off_is_no_reset(void **state)
{
	struct jpki_sim *sim = new_sim(); /* powered on */
	unsigned long resets = jpki_sim_counters(sim)->resets;

	jpki_sim_power_off(sim);
	assert_non_null(jpki_sim_reset(sim, NULL));
	assert_int_equal(jpki_sim_counters(sim)->resets, resets);
	assert_non_null(jpki_sim_reset(sim, NULL));
	assert_int_equal(jpki_sim_counters(sim)->resets, resets + 1);
	/* and a power cycle drops the security state like a reset */
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C02001B", NULL), 0x9000);
	assert_int_equal(verify(sim, SIGN_PIN), 0x9000);
	jpki_sim_power_off(sim);
	assert_non_null(jpki_sim_reset(sim, NULL));
	assert_int_equal(send_hex(sim, SELECT_JPKI, NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00A4020C020001", NULL), 0x9000);
	assert_int_equal(send_hex(sim, "00B0000004", NULL), 0x6982);
	jpki_sim_free(&sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_cla_ins_and_length),
		cmocka_unit_test(test_read_with_offsets),
		cmocka_unit_test(test_past_end_6b00),
		cmocka_unit_test(test_past_end_6282),
		cmocka_unit_test(test_wrong_le_6cxx),
		cmocka_unit_test(test_extended_length),
		cmocka_unit_test(test_sfi_switch),
		cmocka_unit_test(test_sign_cert_needs_sign_pin),
		cmocka_unit_test(test_text_ap_needs_text_pin),
		cmocka_unit_test(test_tamper_text_basic_info),
		cmocka_unit_test(test_verify_counts_tries),
		cmocka_unit_test(test_blocked_6983),
		cmocka_unit_test(test_blocked_6984),
		cmocka_unit_test(test_tries_survive_reset),
		cmocka_unit_test(test_wrong_verify_drops_state),
		cmocka_unit_test(test_change_pin),
		cmocka_unit_test(test_reselect_switch),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_chain_61xx),
		cmocka_unit_test(test_fault_truncate),
		cmocka_unit_test(test_fault_sw),
		cmocka_unit_test(test_fault_removal),
		cmocka_unit_test(test_transmit_misuse),
		cmocka_unit_test(test_counters_and_stats),
		cmocka_unit_test(test_trace_masks_pins),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_atr_from_reset),
		cmocka_unit_test(test_power_off_is_no_reset),
		cmocka_unit_test(test_identity_errors),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
