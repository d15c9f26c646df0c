/*
 * The card is shared (shared/jpki-card.md, "The card is shared"): between two
 * of our reader transactions another client may select another application
 * or EF, verify a PIN, sign, or reset the card, and nothing tells us. Every
 * operation must still reach the right PIN, the right key and the right file,
 * and cost no PIN try it should not.
 *
 * A case is one way the other client acts (table `others`) times one operation
 * (table `operations`). The operation is a short list of steps, each one
 * top-level OpenSC call and so its own reader transaction; the other client
 * acts before the steps marked X_BEFORE, by calling the virtual card directly
 * (jpki_sim_transmit, or a reset reported at the next reader lock). Each step asserts its outcome,
 * and the PIN tries the card itself counts (jpki_sim_tries_left) before and
 * after. At the end the card's APDU trace is checked for the safety invariant:
 * every VERIFY (00 20), CHANGE REFERENCE DATA (00 24) and COMPUTE DIGITAL
 * SIGNATURE (80 2A) goes to the right EF of an application confirmed since
 * the other client last acted (see check_trace).
 *
 * Run one case: CMOCKA_TEST_FILTER='f: sign-auth' (cmocka's glob on the case
 * name "X: operation"); SHARED_CARD_TRACE=1 prints a failed case's APDU trace,
 * each line with who sent it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "libopensc/internal.h"
#include "libopensc/pkcs15.h"

#include "common/opensc-compat.h"

#include "sim/jpki-sim.h"
#include "tests/lib/sim-reader.h"
#include "tests/lib/test-world.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CONF_CARD_INFO \
	"app default {\n" \
	"  card_driver mynumber { card_info = yes; }\n" \
	"  framework pkcs15 { }\n" \
	"}\n"

/* The APDUs the other client sends (jpki-card.md). */
#define SELECT_JPKI_AP "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
#define SELECT_TEXT_AP "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"
#define SELECT_EF_000A "00 A4 02 0C 02 00 0A"
#define SELECT_EF_0018 "00 A4 02 0C 02 00 18"
#define SELECT_EF_001A "00 A4 02 0C 02 00 1A"
#define SELECT_EF_001B "00 A4 02 0C 02 00 1B"
#define SELECT_EF_0011 "00 A4 02 0C 02 00 11"
/* COMPUTE DIGITAL SIGNATURE over a SHA-256 DigestInfo (of 32 zero bytes), Le 256 */
#define SIGN_DIGESTINFO \
	"80 2A 00 80 33 30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"

/* The EFs the safety invariant speaks of. */
#define EF_NONE 0x0000
#define EF_UNKNOWN 0xFFFF
#define EF_AUTH_CERT 0x000A
#define EF_AUTH_KEY 0x0017
#define EF_AUTH_PIN 0x0018
#define EF_SIGN_KEY 0x001A
#define EF_SIGN_PIN 0x001B
#define EF_TEXT_PIN 0x0011

/* The identity's PINs and files, read once by the group setup. */
static char *auth_pin, *sign_pin, *text_pin;
static char wrong_auth_pin[8], wrong_sign_pin[20], new_auth_pin[8];
static uint8_t *cert_auth, *cert_sign, *cert_auth_ca;
static size_t cert_auth_len, cert_sign_len, cert_auth_ca_len;

/* ---- one case's world ------------------------------------------------------ */

struct shared_world;

/* What the other client did between two of our transactions. */
struct other_client {
	const char *tag;
	const char *what;
	void (*act)(struct shared_world *s);   /* NULL: nobody else uses the card */
	bool keeps_text_pin;   /* PIN state left on the card when it acts in the text AP */
};

struct operation {
	const char *name;
	const char *conf;     /* opensc.conf text; NULL: the test world's default */
	void (*run)(struct shared_world *s);
};

/* APDU numbers n with after < n <= upto. */
struct span {
	unsigned long after, upto;
};

/* A step's APDUs, and the EFs its PIN and key commands may go to. */
struct step_span {
	struct span apdus;
	uint16_t pin_ef, key_ef;
	char what[80];
};

struct response {
	uint8_t *bytes;
	size_t len;
};

#define MAX_SPANS 32

struct shared_world {
	const struct other_client *x;
	const struct operation *op;
	struct test_world w;
	struct response *responses;           /* every R-APDU our reader saw, in order */
	size_t n_responses, cap_responses;
	struct span other[MAX_SPANS];         /* the other client's APDUs (a reset: none) */
	size_t n_other;
	struct step_span steps[MAX_SPANS];
	size_t n_steps;
	const char *step;                     /* the step running, for messages */
	int tries[JPKI_SIM_PIN_COUNT];        /* the card's tries when it began */
	/* what a step holds while it asserts (a failed assertion leaves it to the teardown) */
	sc_pkcs15_cert_t *cert;
	struct sc_pkcs15_data *data;
	char *fact;
};

struct shared_case {
	const struct other_client *x;
	const struct operation *op;
	char name[96];
};

/* One case at a time; the teardown frees whatever a failed case left. */
static struct shared_world S;

static void dump_trace(void);

static void case_fail(const char *fmt, ...) CMOCKA_PRINTF_ATTRIBUTE(1, 2);
static void case_fail(const char *fmt, ...)
{
	const char *dump = getenv("SHARED_CARD_TRACE");
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (dump != NULL && dump[0] != '\0' && S.w.trace != NULL)
		dump_trace();
	fail_msg("[other client: %s | %s | step: %s] %s", S.x->what, S.op->name, S.step != NULL ? S.step : "-", msg);
}

#define EXPECT(cond, ...) do { if (!(cond)) case_fail(__VA_ARGS__); } while (0)

static unsigned long apdus_so_far(void)
{
	return jpki_sim_counters(S.w.sim)->apdus;
}

static void observe(void *arg, enum simreader_event event, const uint8_t *bytes, size_t len)
{
	struct shared_world *s = arg;

	if (event != SIMREADER_EVENT_RESPONSE)
		return;
	if (s->n_responses == s->cap_responses) {
		size_t cap = s->cap_responses == 0 ? 64 : 2 * s->cap_responses;
		struct response *grown = realloc(s->responses, cap * sizeof *grown);

		assert_non_null(grown);
		s->responses = grown;
		s->cap_responses = cap;
	}
	s->responses[s->n_responses].bytes = malloc(len > 0 ? len : 1);
	assert_non_null(s->responses[s->n_responses].bytes);
	memcpy(s->responses[s->n_responses].bytes, bytes, len);
	s->responses[s->n_responses].len = len;
	s->n_responses++;
}

static const char *pin_name[JPKI_SIM_PIN_COUNT] = { "auth", "sign", "text" };

/* "auth 3->2 sign 5->5 text 3->3": the card's tries since the step began. */
static const char *tries_text(void)
{
	static char text[96];
	size_t used = 0;
	int pin;

	for (pin = 0; pin < JPKI_SIM_PIN_COUNT; pin++)
		used += (size_t)snprintf(text + used, sizeof text - used, "%s%s %d->%d", pin > 0 ? " " : "",
		                         pin_name[pin], S.tries[pin], jpki_sim_tries_left(S.w.sim, pin));
	return text;
}

/* ---- the other client: direct calls into the virtual card ------------------ */

static uint16_t other_apdu(const uint8_t *capdu, size_t len)
{
	uint8_t rapdu[1024];
	size_t rapdu_len = 0;

	EXPECT(jpki_sim_transmit(S.w.sim, capdu, len, rapdu, sizeof rapdu, &rapdu_len) == 0 && rapdu_len >= 2,
	       "the other client's APDU was not answered");
	return (uint16_t)(rapdu[rapdu_len - 2] << 8 | rapdu[rapdu_len - 1]);
}

static uint16_t other_hex(const char *hex)
{
	uint8_t capdu[300];
	size_t len = 0;
	unsigned byte;
	int used;

	while (sscanf(hex, " %2x%n", &byte, &used) == 1) {
		assert_true(len < sizeof capdu);
		capdu[len++] = (uint8_t)byte;
		hex += used;
	}
	return other_apdu(capdu, len);
}

/* A command the other client needs to succeed (else the case is broken, not the driver). */
static void other_must(const char *hex)
{
	uint16_t sw = other_hex(hex);

	EXPECT(sw == 0x9000, "the other client's %s got %04X", hex, sw);
}

static uint16_t other_verify(const char *pin)
{
	uint8_t capdu[5 + 16];
	size_t len = strlen(pin);

	assert_true(len <= 16);
	memcpy(capdu, "\x00\x20\x00\x80", 4);
	capdu[4] = (uint8_t)len;
	memcpy(capdu + 5, pin, len);
	return other_apdu(capdu, 5 + len);
}

/* Selects an EF of the JPKI AP, selecting the AP first when the card is elsewhere. */
static void other_select_jpki_ef(const char *select_ef)
{
	if (other_hex(select_ef) == 0x9000)
		return;
	other_must(SELECT_JPKI_AP);
	other_must(select_ef);
}

/* One helper per X. */
static void x_text_ap(struct shared_world *s)
{
	other_must(SELECT_TEXT_AP);
}

static void x_jpki_ef_001b(struct shared_world *s)
{
	other_hex(SELECT_EF_001B);   /* 6A82 when the card is in the text AP: nothing changes */
}

static void x_jpki_ef_000a(struct shared_world *s)
{
	other_hex(SELECT_EF_000A);
}

static void x_text_pin_ef(struct shared_world *s)
{
	other_must(SELECT_TEXT_AP);
	other_must(SELECT_EF_0011);
}

/* Another process resets the card: OpenSC learns of it at its next reader
 * lock (SC_ERROR_CARD_RESET), as through pcsc-lite. */
static void x_reset(struct shared_world *s)
{
	EXPECT(simreader_reset_by_other_client(s->w.ctx) == SC_SUCCESS, "the other client's reset failed");
}

static void x_jpki_ap(struct shared_world *s)
{
	other_must(SELECT_JPKI_AP);
}

static void x_verify_sign_pin(struct shared_world *s)
{
	uint16_t sw;

	other_select_jpki_ef(SELECT_EF_001B);
	sw = other_verify(sign_pin);
	EXPECT(sw == 0x9000, "the other client's VERIFY of the signature PIN got %04X", sw);
}

static void x_sign_with_key_2(struct shared_world *s)
{
	x_verify_sign_pin(s);
	other_must(SELECT_EF_001A);
	other_must(SIGN_DIGESTINFO);
}

/* Who acted, and whether the card still holds the PIN state we left (the sim's
 * default reselect_clears_pin = yes: a SELECT of the same AP drops it too). */
static const struct other_client others[] = {
	{ "none", "nobody", NULL, true },
	{ "a", "(a) selected the text AP", x_text_ap, false },
	{ "b1", "(b) selected JPKI EF 001B (signature PIN)", x_jpki_ef_001b, true },
	{ "b2", "(b) selected JPKI EF 000A (authentication certificate)", x_jpki_ef_000a, true },
	{ "c", "(c) selected the text AP's PIN EF 0011", x_text_pin_ef, false },
	{ "d", "(d) reset the card", x_reset, false },
	{ "e", "(e) selected the JPKI AP again", x_jpki_ap, false },
	{ "f", "(f) verified the signature PIN", x_verify_sign_pin, false },
	{ "g", "(g) verified the signature PIN and signed with key 02", x_sign_with_key_2, false },
};

/* The other client acts; its APDUs are kept apart from ours for the trace check. */
static void other_client_acts(void)
{
	struct span *span;

	if (S.x->act == NULL)
		return;
	assert_true(S.n_other < MAX_SPANS);
	span = &S.other[S.n_other++];
	span->after = apdus_so_far();
	S.x->act(&S);
	span->upto = apdus_so_far();
}

/* Something else the other client does once (not the case's X): setup, probes. */
static void other_client_does(void (*act)(void))
{
	struct span *span;

	assert_true(S.n_other < MAX_SPANS);
	span = &S.other[S.n_other++];
	span->after = apdus_so_far();
	act();
	span->upto = apdus_so_far();
}

/* ---- steps: one top-level OpenSC call each --------------------------------- */

#define X_BEFORE true
#define NO_X false

static void step_begin(bool x_before, uint16_t pin_ef, uint16_t key_ef, const char *fmt, ...)
	CMOCKA_PRINTF_ATTRIBUTE(4, 5);
static void step_begin(bool x_before, uint16_t pin_ef, uint16_t key_ef, const char *fmt, ...)
{
	struct step_span *step;
	va_list ap;
	int pin;

	if (x_before)
		other_client_acts();
	assert_true(S.n_steps < MAX_SPANS);
	step = &S.steps[S.n_steps++];
	va_start(ap, fmt);
	vsnprintf(step->what, sizeof step->what, fmt, ap);
	va_end(ap);
	step->pin_ef = pin_ef;
	step->key_ef = key_ef;
	step->apdus.after = apdus_so_far();
	step->apdus.upto = (unsigned long)-1;   /* open until step_end */
	S.step = step->what;
	for (pin = 0; pin < JPKI_SIM_PIN_COUNT; pin++)
		S.tries[pin] = jpki_sim_tries_left(S.w.sim, pin);
}

/* Closes the step: no PIN try lost but auth_lost of the authentication PIN. */
static void step_end(int auth_lost)
{
	int pin;

	S.steps[S.n_steps - 1].apdus.upto = apdus_so_far();
	for (pin = 0; pin < JPKI_SIM_PIN_COUNT; pin++) {
		int expected = S.tries[pin] - (pin == JPKI_SIM_PIN_AUTH ? auth_lost : 0);

		EXPECT(jpki_sim_tries_left(S.w.sim, pin) == expected, "%s PIN tries %d on the card, expected %d (%s)",
		       pin_name[pin], jpki_sim_tries_left(S.w.sim, pin), expected, tries_text());
	}
	S.step = NULL;
}

static uint16_t pin_ef_of(int auth_id)
{
	return auth_id == 1 ? EF_AUTH_PIN : auth_id == 2 ? EF_SIGN_PIN : EF_TEXT_PIN;
}

static sc_pkcs15_object_t *pin_object(int auth_id)
{
	struct sc_pkcs15_id id = { .value = { (u8)auth_id }, .len = 1 };
	sc_pkcs15_object_t *obj = NULL;

	EXPECT(sc_pkcs15_find_pin_by_auth_id(S.w.p15, &id, &obj) == SC_SUCCESS, "no PIN object %02X", auth_id);
	return obj;
}

static void do_verify(bool x_before, int auth_id, const char *pin, int expected)
{
	int r;

	step_begin(x_before, pin_ef_of(auth_id), EF_NONE, "VERIFY PIN %02X (%s)", auth_id,
	           expected == SC_SUCCESS ? "right" : "wrong");
	r = sc_pkcs15_verify_pin(S.w.p15, pin_object(auth_id), (const u8 *)pin, strlen(pin));
	EXPECT(r == expected, "sc_pkcs15_verify_pin returned %d (%s), expected %d (%s); tries %s", r, sc_strerror(r),
	       expected, sc_strerror(expected), tries_text());
	step_end(expected == SC_ERROR_PIN_CODE_INCORRECT ? 1 : 0);
}

/* 1 when the signature verifies with the certificate, else 0. */
static int signature_verifies(const uint8_t *cert_der, size_t cert_len, const u8 *digest, size_t digest_len,
                              const u8 *signature, size_t signature_len)
{
	const unsigned char *cursor = cert_der;
	X509 *x509 = d2i_X509(NULL, &cursor, (long)cert_len);
	EVP_PKEY_CTX *verify_ctx;
	int ok;

	assert_non_null(x509);
	verify_ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(x509), NULL);
	assert_non_null(verify_ctx);
	assert_int_equal(EVP_PKEY_verify_init(verify_ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(verify_ctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(verify_ctx, EVP_sha256()), 1);
	ok = EVP_PKEY_verify(verify_ctx, signature, signature_len, digest, digest_len) == 1;
	EVP_PKEY_CTX_free(verify_ctx);
	X509_free(x509);
	return ok;
}

/* A SHA-256 signature with key_id; expected SC_SUCCESS (it must verify with
 * the key's own certificate) or an error. */
static void do_sign(bool x_before, int key_id, int expected)
{
	static unsigned serial;
	struct sc_pkcs15_id id = { .value = { (u8)key_id }, .len = 1 };
	sc_pkcs15_object_t *key = NULL;
	u8 message[64], digest[32], signature[512];
	unsigned digest_len = 0;
	int r, by_cert_1, by_cert_2;

	step_begin(x_before, key_id == 1 ? EF_AUTH_PIN : EF_SIGN_PIN, key_id == 1 ? EF_AUTH_KEY : EF_SIGN_KEY,
	           "signature with key %02X", key_id);
	snprintf((char *)message, sizeof message, "message %u for the shared card", serial++);
	assert_true(EVP_Digest(message, strlen((char *)message), digest, &digest_len, EVP_sha256(), NULL));
	EXPECT(sc_pkcs15_find_prkey_by_id(S.w.p15, &id, &key) == SC_SUCCESS, "no key %02X", key_id);
	r = compat_pkcs15_compute_signature(S.w.p15, key, SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256, digest,
	                                digest_len, signature, sizeof signature);
	by_cert_1 = r > 0 && signature_verifies(cert_auth, cert_auth_len, digest, digest_len, signature, (size_t)r);
	by_cert_2 = r > 0 && signature_verifies(cert_sign, cert_sign_len, digest, digest_len, signature, (size_t)r);
	if (expected == SC_SUCCESS) {
		EXPECT(r == 256, "sc_pkcs15_compute_signature returned %d (%s); tries %s", r, sc_strerror(r),
		       tries_text());
		EXPECT(key_id == 1 ? by_cert_1 : by_cert_2,
		       "the signature does not verify with certificate %02X (made with key %s)", key_id,
		       by_cert_1 ? "01" : by_cert_2 ? "02" : "unknown");
	} else {
		const char *made_by = by_cert_1 ? "01" : by_cert_2 ? "02" : "??";

		EXPECT(r == expected, "sc_pkcs15_compute_signature returned %d (%s%s), expected %d (%s); tries %s", r,
		       r > 0 ? "a signature by key " : sc_strerror(r), r > 0 ? made_by : "", expected,
		       sc_strerror(expected), tries_text());
	}
	step_end(0);
}

static void do_change_auth_pin(bool x_before)
{
	int r;

	step_begin(x_before, EF_AUTH_PIN, EF_NONE, "CHANGE of the authentication PIN");
	r = sc_pkcs15_change_pin(S.w.p15, pin_object(1), (const u8 *)auth_pin, strlen(auth_pin),
	                         (const u8 *)new_auth_pin, strlen(new_auth_pin));
	EXPECT(r == SC_SUCCESS, "sc_pkcs15_change_pin returned %d (%s); tries %s", r, sc_strerror(r), tries_text());
	step_end(0);
}

/* Reads certificate cert_id: the identity's bytes, or refusal when refusal is not 0. */
static void do_read_cert(bool x_before, int cert_id, const uint8_t *file, size_t len, int refusal)
{
	struct sc_pkcs15_id id = { .value = { (u8)cert_id }, .len = 1 };
	sc_pkcs15_object_t *obj = NULL;
	int r;

	step_begin(x_before, cert_id == 2 ? EF_SIGN_PIN : EF_NONE, EF_NONE, "read certificate %02X", cert_id);
	EXPECT(sc_pkcs15_find_cert_by_id(S.w.p15, &id, &obj) == SC_SUCCESS, "no certificate %02X", cert_id);
	r = compat_pkcs15_read_certificate(S.w.p15, obj->data, (obj->flags & SC_PKCS15_CO_FLAG_PRIVATE) != 0, &S.cert);
	if (refusal != 0) {
		EXPECT(r == refusal, "sc_pkcs15_read_certificate returned %d (%s), expected %d (%s)", r, sc_strerror(r),
		       refusal, sc_strerror(refusal));
	} else {
		EXPECT(r == SC_SUCCESS, "sc_pkcs15_read_certificate returned %d (%s)", r, sc_strerror(r));
		EXPECT(S.cert->data.len == len && memcmp(S.cert->data.value, file, len) == 0,
		       "certificate %02X: %zu bytes that are not the card's EF (%zu bytes)", cert_id, S.cert->data.len,
		       len);
	}
	sc_pkcs15_free_certificate(S.cert);
	S.cert = NULL;
	step_end(0);
}

static void do_pin_info(bool x_before, int auth_id, enum jpki_sim_pin pin)
{
	sc_pkcs15_object_t *obj;
	int r;

	step_begin(x_before, pin_ef_of(auth_id), EF_NONE, "tries of PIN %02X", auth_id);
	obj = pin_object(auth_id);
	((sc_pkcs15_auth_info_t *)obj->data)->tries_left = -1;
	r = sc_pkcs15_get_pin_info(S.w.p15, obj);
	EXPECT(r == SC_SUCCESS, "sc_pkcs15_get_pin_info returned %d (%s)", r, sc_strerror(r));
	EXPECT(((sc_pkcs15_auth_info_t *)obj->data)->tries_left == jpki_sim_tries_left(S.w.sim, pin),
	       "PIN %02X: %d tries reported, the card counts %d (tries %s)", auth_id,
	       ((sc_pkcs15_auth_info_t *)obj->data)->tries_left, jpki_sim_tries_left(S.w.sim, pin), tries_text());
	step_end(0);
}

/* Reads a text data object as pkcs15-tool does, leaving nothing in the object
 * (sc_pkcs15_read_data_object keeps what it read in the object's info). The
 * identity's fact, or refusal (when refusal is not 0) is accepted. */
static void do_read_field(bool x_before, const char *label, const char *fact_key, int refusal)
{
	sc_pkcs15_object_t *objs[16], *obj = NULL;
	struct sc_pkcs15_data_info *info;
	int n, i, r;

	step_begin(x_before, EF_TEXT_PIN, EF_NONE, "read text data object '%s'", label);
	n = sc_pkcs15_get_objects(S.w.p15, SC_PKCS15_TYPE_DATA_OBJECT, objs, 16);
	for (i = 0; i < n; i++)
		if (strcmp(objs[i]->label, label) == 0)
			obj = objs[i];
	EXPECT(obj != NULL, "no data object '%s'", label);
	info = obj->data;
	r = compat_pkcs15_read_data_object(S.w.p15, info, 1, &S.data);
	if (info->data.value != NULL) {
		memset(info->data.value, 0, info->data.len);
		free(info->data.value);
		info->data.value = NULL;
		info->data.len = 0;
	}
	S.fact = test_world_fact("facts", fact_key);
	if (!(refusal != 0 && r == refusal)) {
		EXPECT(r == SC_SUCCESS, "sc_pkcs15_read_data_object returned %d (%s)%s", r, sc_strerror(r),
		       refusal != 0 ? ", expected the value or a refusal" : "");
		EXPECT(S.data->data_len == strlen(S.fact) && memcmp(S.data->data, S.fact, S.data->data_len) == 0,
		       "'%s': %zu bytes that are not the identity's '%s'", label, S.data->data_len, S.fact);
	}
	free(S.fact);
	S.fact = NULL;
	sc_pkcs15_free_data_object(S.data);
	S.data = NULL;
	step_end(0);
}

/* ---- the operations --------------------------------------------------------- */

static void op_verify_auth(struct shared_world *s)
{
	do_verify(X_BEFORE, 1, auth_pin, SC_SUCCESS);
}

static void op_verify_auth_wrong(struct shared_world *s)
{
	do_verify(X_BEFORE, 1, wrong_auth_pin, SC_ERROR_PIN_CODE_INCORRECT);
}

/* Key 01 after a login: OpenSC's PIN cache (on in the test world) verifies
 * again when the other client took the card's PIN state away. */
static void op_sign_auth(struct shared_world *s)
{
	do_verify(X_BEFORE, 1, auth_pin, SC_SUCCESS);
	do_sign(X_BEFORE, 1, SC_SUCCESS);
	do_sign(X_BEFORE, 1, SC_SUCCESS);
}

/* The same with the other client only after the login: the signatures alone. */
static void op_sign_auth_x_between(struct shared_world *s)
{
	do_verify(NO_X, 1, auth_pin, SC_SUCCESS);
	do_sign(X_BEFORE, 1, SC_SUCCESS);
	do_sign(X_BEFORE, 1, SC_SUCCESS);
}

/* Key 02: one VERIFY, one signature; the other client acts before the VERIFY. */
static void op_sign_sign(struct shared_world *s)
{
	do_verify(X_BEFORE, 2, sign_pin, SC_SUCCESS);
	do_sign(NO_X, 2, SC_SUCCESS);
	do_verify(X_BEFORE, 2, sign_pin, SC_SUCCESS);
	do_sign(NO_X, 2, SC_SUCCESS);
}

/* Key 02 with the other client between the VERIFY and the signature: signed
 * with key 02 while the card kept PIN 2, else refused (the signature PIN is
 * never cached: the key asks for user consent). */
/* Whatever another client did between the VERIFY (the consent) and the
 * signature, the signature comes, from key 02: the driver ended the card's PIN
 * state at the VERIFY and verifies the kept PIN again right before it signs.
 * A reset of the card is the exception: it cancels the consent (the
 * application is asked for the PIN again). */
static void op_sign_sign_x_between(struct shared_world *s)
{
	do_verify(NO_X, 2, sign_pin, SC_SUCCESS);
	do_sign(X_BEFORE, 2, S.x->act == x_reset ? SC_ERROR_SECURITY_STATUS_NOT_SATISFIED : SC_SUCCESS);
}

/* Both keys in turn: after a key-02 signature, key 01 needs PIN 1 again (the
 * PIN cache gives it). */
static void op_sign_both(struct shared_world *s)
{
	do_verify(X_BEFORE, 1, auth_pin, SC_SUCCESS);
	do_sign(X_BEFORE, 1, SC_SUCCESS);
	do_verify(X_BEFORE, 2, sign_pin, SC_SUCCESS);
	do_sign(NO_X, 2, SC_SUCCESS);
	do_sign(X_BEFORE, 1, SC_SUCCESS);
}

static void probe_pins_after_change(void)
{
	uint16_t sw;

	other_must(SELECT_JPKI_AP);
	other_must(SELECT_EF_0018);
	sw = other_verify(new_auth_pin);
	EXPECT(sw == 0x9000, "the card does not take the new authentication PIN (%04X)", sw);
	other_must(SELECT_EF_001B);
	sw = other_verify(sign_pin);
	EXPECT(sw == 0x9000, "the card no longer takes the signature PIN (%04X)", sw);
	other_must(SELECT_TEXT_AP);
	other_must(SELECT_EF_0011);
	sw = other_verify(text_pin);
	EXPECT(sw == 0x9000, "the card no longer takes the text PIN (%04X)", sw);
}

static void op_change_auth(struct shared_world *s)
{
	do_change_auth_pin(X_BEFORE);
	S.step = "the card's PINs afterwards (checked directly)";
	other_client_does(probe_pins_after_change);
}

static void op_read_certs(struct shared_world *s)
{
	do_read_cert(X_BEFORE, 1, cert_auth, cert_auth_len, 0);
	do_read_cert(X_BEFORE, 3, cert_auth_ca, cert_auth_ca_len, 0);
	do_verify(X_BEFORE, 2, sign_pin, SC_SUCCESS);
	do_read_cert(NO_X, 2, cert_sign, cert_sign_len, 0);
}

/* The certificate was read in the VERIFY's transaction and is this
 * process's until logout: whatever the other client did, it reads. A reset
 * ends the login, and what was read with it goes too. */
static void op_read_cert2_x_between(struct shared_world *s)
{
	do_verify(NO_X, 2, sign_pin, SC_SUCCESS);
	do_read_cert(X_BEFORE, 2, cert_sign, cert_sign_len,
	             S.x->act == x_reset ? SC_ERROR_SECURITY_STATUS_NOT_SATISFIED : SC_SUCCESS);
}

/* Tries made to differ first (auth 2, sign 4, text 3) by another client's
 * wrong VERIFYs, so that the tries of one PIN cannot pass for another's. */
static void burn_auth_and_sign_tries(void)
{
	uint16_t sw;

	other_must(SELECT_JPKI_AP);
	other_must(SELECT_EF_0018);
	sw = other_verify(wrong_auth_pin);
	EXPECT(sw == 0x63C2, "wrong authentication PIN: %04X", sw);
	other_must(SELECT_EF_001B);
	sw = other_verify(wrong_sign_pin);
	EXPECT(sw == 0x63C4, "wrong signature PIN: %04X", sw);
}

static void op_pin_info(struct shared_world *s)
{
	other_client_does(burn_auth_and_sign_tries);
	do_pin_info(X_BEFORE, 1, JPKI_SIM_PIN_AUTH);
	do_pin_info(X_BEFORE, 2, JPKI_SIM_PIN_SIGN);
	do_pin_info(X_BEFORE, 3, JPKI_SIM_PIN_TEXT);
	do_pin_info(X_BEFORE, 1, JPKI_SIM_PIN_AUTH);
}

static void op_text_read(struct shared_world *s)
{
	do_verify(X_BEFORE, 3, text_pin, SC_SUCCESS);
	do_read_field(NO_X, "Name", "name", 0);
}

/* The value, or a refusal when the other client took the text PIN's state
 * away (the driver may still hold what it decoded with the PIN). */
static void op_text_read_x_between(struct shared_world *s)
{
	do_verify(NO_X, 3, text_pin, SC_SUCCESS);
	do_read_field(X_BEFORE, "Address", "address", S.x->keeps_text_pin ? 0 : SC_ERROR_SECURITY_STATUS_NOT_SATISFIED);
}

/* Each run in a fresh world (bound, PINs at their maximum tries); conf NULL is
 * the test world's default, whose PIN cache is on. */
static const struct operation operations[] = {
	{ "verify-auth: right authentication PIN", NULL, op_verify_auth },
	{ "verify-auth-wrong: wrong authentication PIN", NULL, op_verify_auth_wrong },
	{ "sign-auth: login, key 01 twice", NULL, op_sign_auth },
	{ "sign-auth-x-between: login, other client, key 01 twice", NULL, op_sign_auth_x_between },
	{ "sign-sign: VERIFY PIN 2 + key 02, twice", NULL, op_sign_sign },
	{ "sign-sign-x-between: VERIFY PIN 2, other client, key 02", NULL, op_sign_sign_x_between },
	{ "sign-both: key 01, key 02, key 01", NULL, op_sign_both },
	{ "change-auth: authentication PIN changed", NULL, op_change_auth },
	{ "read-certs: certificates 01, 03, 02 after PIN 2", NULL, op_read_certs },
	{ "read-cert2-x-between: VERIFY PIN 2, other client, certificate 02", NULL, op_read_cert2_x_between },
	{ "pin-info: tries of PINs 01, 02, 03", CONF_CARD_INFO, op_pin_info },
	{ "text-read: text PIN, data object", CONF_CARD_INFO, op_text_read },
	{ "text-read-x-between: text PIN, other client, data object", CONF_CARD_INFO, op_text_read_x_between },
};

/* ---- the safety invariant, from the card's trace --------------------------- */

#define CONFIRM_MIN 32

enum ap { AP_UNKNOWN, AP_JPKI, AP_TEXT, AP_OTHER };
static const char *const ap_name[] = { "not confirmed", "JPKI", "text", "another" };

struct trace_line {
	unsigned long number;
	uint8_t cmd[512];
	size_t cmd_len;
	size_t data_len;
	uint16_t sw;
};

/* "#12 00 A4 02 0C 02 00 18 => 90 00" or "#13 00 B0 8A 00 00 00 00 => 1583 bytes + 90 00". */
static bool parse_trace_line(char *line, struct trace_line *t)
{
	char *token, *save = NULL, *answer[8];
	size_t n_answer = 0;
	bool response = false;

	memset(t, 0, sizeof *t);
	token = strtok_r(line, " \n", &save);
	if (token == NULL || token[0] != '#')
		return false;
	t->number = strtoul(token + 1, NULL, 10);
	while ((token = strtok_r(NULL, " \n", &save)) != NULL) {
		if (strcmp(token, "=>") == 0)
			response = true;
		else if (response && n_answer < ARRAY_SIZE(answer))
			answer[n_answer++] = token;
		else if (!response && t->cmd_len < sizeof t->cmd)
			t->cmd[t->cmd_len++] = strcmp(token, "**") == 0 ? 0 : (uint8_t)strtoul(token, NULL, 16);
	}
	if (n_answer == 5 && strcmp(answer[1], "bytes") == 0)
		t->data_len = strtoul(answer[0], NULL, 10);
	else if (n_answer != 2)
		return false;
	t->sw = (uint16_t)(strtoul(answer[n_answer - 2], NULL, 16) << 8 | strtoul(answer[n_answer - 1], NULL, 16));
	return true;
}

static bool in_span(const struct span *span, unsigned long n)
{
	return n > span->after && n <= span->upto;
}

static const struct step_span *step_of(unsigned long n)
{
	size_t i;

	for (i = 0; i < S.n_steps; i++)
		if (in_span(&S.steps[i].apdus, n))
			return &S.steps[i];
	return NULL;
}

static bool sent_by_other(unsigned long n)
{
	size_t i;

	for (i = 0; i < S.n_other; i++)
		if (in_span(&S.other[i], n))
			return true;
	return false;
}

/* Whether the other client acted after APDU `since` and before APDU n. */
static bool other_acted_between(unsigned long since, unsigned long n)
{
	size_t i;

	for (i = 0; i < S.n_other; i++)
		if (S.other[i].upto >= since && S.other[i].upto < n)
			return true;
	return false;
}

/* The trace as the case saw it, each line with who sent it (SHARED_CARD_TRACE=1). */
static void dump_trace(void)
{
	char line[8192];

	fflush(S.w.trace);
	rewind(S.w.trace);
	while (fgets(line, sizeof line, S.w.trace) != NULL) {
		unsigned long n = strtoul(line + 1, NULL, 10);
		const struct step_span *step = step_of(n);

		print_error("  %-32.32s %s", sent_by_other(n) ? "OTHER CLIENT" : step != NULL ? step->what : "(bind)",
		            line);
	}
	fseek(S.w.trace, 0, SEEK_END);
}

static enum ap ap_of_aid(const uint8_t *cmd, size_t len)
{
	static const uint8_t jpki[] = { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t text[] = { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };

	if (len >= 15 && cmd[4] == 10 && memcmp(cmd + 5, jpki, 10) == 0)
		return AP_JPKI;
	if (len >= 15 && cmd[4] == 10 && memcmp(cmd + 5, text, 10) == 0)
		return AP_TEXT;
	return AP_OTHER;
}

static enum ap ap_of_ef(uint16_t ef)
{
	return ef == EF_TEXT_PIN ? AP_TEXT : AP_JPKI;
}

static bool is_pin_ef(uint16_t ef)
{
	return ef == EF_AUTH_PIN || ef == EF_SIGN_PIN || ef == EF_TEXT_PIN;
}

static void format_line(const struct trace_line *t, char *out, size_t cap)
{
	size_t used = (size_t)snprintf(out, cap, "#%lu", t->number), i;

	for (i = 0; i < t->cmd_len && i < 8 && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, " %02X", t->cmd[i]);
	if (used < cap)
		snprintf(out + used, cap - used, "%s => %04X", t->cmd_len > 8 ? " .." : "", t->sw);
}

/*
 * Replays our APDUs, forgetting the selected application and EF wherever the
 * other client acted. The application counts as confirmed by a SELECT of it
 * or by a READ BINARY of EF 000A (selected, or short EF id 0x8A) that returned
 * the authentication certificate's bytes (CONFIRM_MIN of them at least: the
 * DER header alone could be any certificate's); the EF by a SELECT EF after that.
 * A VERIFY or CHANGE carrying a PIN must then find its step's PIN EF current,
 * a signature its step's key EF, a no-data VERIFY (tries query) some PIN EF.
 */
static void check_trace(void)
{
	char line[8192], shown[96];
	struct trace_line t;
	enum ap ap = AP_UNKNOWN;
	uint16_t ef = EF_NONE;
	unsigned long last = 0;
	size_t response = 0;

	S.step = "(APDU trace)";
	fflush(S.w.trace);
	rewind(S.w.trace);
	while (fgets(line, sizeof line, S.w.trace) != NULL) {
		const struct step_span *step;
		const struct response *rsp;
		const uint8_t *data;
		uint8_t ins;

		EXPECT(parse_trace_line(line, &t), "unreadable trace line after #%lu", last);
		if (sent_by_other(t.number)) {
			last = t.number;
			continue;
		}
		if (other_acted_between(last, t.number)) {
			ap = AP_UNKNOWN;
			ef = EF_UNKNOWN;
		}
		last = t.number;
		EXPECT(response < S.n_responses, "trace #%lu: the reader saw no such exchange", t.number);
		rsp = &S.responses[response++];
		EXPECT(rsp->len == t.data_len + 2 &&
		               (uint16_t)(rsp->bytes[rsp->len - 2] << 8 | rsp->bytes[rsp->len - 1]) == t.sw,
		       "trace #%lu and the reader's response disagree", t.number);
		data = rsp->bytes;
		if (t.cmd_len < 4)
			continue;
		ins = t.cmd[1];
		format_line(&t, shown, sizeof shown);
		if (ins == 0xA4 && t.sw == 0x9000 && t.cmd_len >= 7) {
			if (t.cmd[2] == 0x04) {
				ap = ap_of_aid(t.cmd, t.cmd_len);
				ef = EF_NONE;
			} else if (t.cmd[2] == 0x02) {
				ef = (uint16_t)(t.cmd[5] << 8 | t.cmd[6]);
			}
		} else if (ins == 0xB0) {
			bool by_sfi = (t.cmd[2] & 0x80) != 0;
			uint16_t target = by_sfi ? (uint16_t)(t.cmd[2] & 0x1F) : ef;
			size_t offset = by_sfi ? t.cmd[3] : (size_t)(t.cmd[2] << 8 | t.cmd[3]);
			bool read = (t.sw == 0x9000 || t.sw == 0x6282) && t.data_len > 0;

			if (by_sfi)
				ef = read ? target : EF_UNKNOWN;
			if (read && target == EF_AUTH_CERT && t.data_len >= CONFIRM_MIN &&
			    offset + t.data_len <= cert_auth_len && memcmp(data, cert_auth + offset, t.data_len) == 0)
				ap = AP_JPKI;
		} else if (ins == 0x20 || ins == 0x24 || ins == 0x2A) {
			bool carries_pin = ins != 0x2A && t.cmd_len > 4;
			uint16_t want;

			step = step_of(t.number);
			if (ins == 0x2A)
				want = step != NULL ? step->key_ef : EF_NONE;
			else if (carries_pin)
				want = step != NULL ? step->pin_ef : EF_NONE;
			else
				want = is_pin_ef(ef) ? ef : EF_AUTH_PIN;
			EXPECT(want != EF_NONE, "%s: %s where %s asks for none", shown,
			       ins == 0x2A ? "a signature" : "a PIN", step != NULL ? step->what : "the bind");
			EXPECT(ef == want && ap == ap_of_ef(want),
			       "%s (in '%s'): sent with EF %04X current in the %s AP; wanted EF %04X selected "
			       "in the %s AP, confirmed since the other client last acted",
			       shown, step != NULL ? step->what : "the bind", ef, ap_name[ap], want,
			       ap_name[ap_of_ef(want)]);
		}
	}
	fseek(S.w.trace, 0, SEEK_END);
	S.step = NULL;
}

/* ---- cases ------------------------------------------------------------------- */

static void run_case(void **state)
{
	const struct shared_case *c = *state;
	struct simreader_options reader = { .refuse_extended = false, .removal = SIMREADER_REMOVAL_CARD,
	                                    .observe = observe, .observe_arg = &S };
	struct test_world_options opts = { .conf_text = c->op->conf, .reader = &reader, .trace = true };

	S.x = c->x;
	S.op = c->op;
	S.step = "bind";
	test_world_open_ex(&S.w, &opts);
	test_world_bind(&S.w);
	S.step = NULL;
	c->op->run(&S);
	check_trace();
}

static int case_setup(void **state)
{
	memset(&S, 0, sizeof S);
	return 0;
}

static int case_teardown(void **state)
{
	size_t i;

	sc_pkcs15_free_certificate(S.cert);
	if (S.data != NULL)
		sc_pkcs15_free_data_object(S.data);
	free(S.fact);
	test_world_close(&S.w);
	for (i = 0; i < S.n_responses; i++)
		free(S.responses[i].bytes);
	free(S.responses);
	memset(&S, 0, sizeof S);
	return 0;
}

static int group_setup(void **state)
{
	char first;

	if (test_world_group_setup(state) != 0)
		return -1;
	auth_pin = test_identity_value(&test_world_identity, "pins", "auth");
	sign_pin = test_identity_value(&test_world_identity, "pins", "sign");
	text_pin = test_identity_value(&test_world_identity, "pins", "text");
	cert_auth = test_identity_read(&test_world_identity, "jpki/000A", &cert_auth_len);
	cert_sign = test_identity_read(&test_world_identity, "jpki/0001", &cert_sign_len);
	cert_auth_ca = test_identity_read(&test_world_identity, "jpki/000B", &cert_auth_ca_len);
	if (auth_pin == NULL || sign_pin == NULL || text_pin == NULL || cert_auth == NULL || cert_sign == NULL ||
	    cert_auth_ca == NULL || strlen(sign_pin) >= sizeof wrong_sign_pin)
		return -1;
	snprintf(wrong_auth_pin, sizeof wrong_auth_pin, "%04d", (atoi(auth_pin) + 1) % 10000);
	snprintf(new_auth_pin, sizeof new_auth_pin, "%04d", (atoi(auth_pin) + 4321) % 10000);
	/* the same format, one character off */
	strcpy(wrong_sign_pin, sign_pin);
	first = wrong_sign_pin[0];
	wrong_sign_pin[0] = first == 'Z' ? 'A' : first == '9' ? '0' : (char)(first + 1);
	return 0;
}

static int group_teardown(void **state)
{
	free(auth_pin);
	free(sign_pin);
	free(text_pin);
	free(cert_auth);
	free(cert_sign);
	free(cert_auth_ca);
	return test_world_group_teardown(state);
}

int main(void)
{
	static struct shared_case cases[ARRAY_SIZE(others) * ARRAY_SIZE(operations)];
	static struct CMUnitTest tests[ARRAY_SIZE(cases)];
	const char *filter = getenv("CMOCKA_TEST_FILTER");
	size_t i, j, n = 0;

	for (i = 0; i < ARRAY_SIZE(others); i++) {
		for (j = 0; j < ARRAY_SIZE(operations); j++, n++) {
			cases[n].x = &others[i];
			cases[n].op = &operations[j];
			snprintf(cases[n].name, sizeof cases[n].name, "%s: %.*s", others[i].tag,
			         (int)strcspn(operations[j].name, ":"), operations[j].name);
			tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate_setup_teardown(
				run_case, case_setup, case_teardown, &cases[n]);
			tests[n].name = cases[n].name;
		}
	}
	if (filter != NULL && filter[0] != '\0')
		cmocka_set_test_filter(filter);
	return _cmocka_run_group_tests("shared card", tests, n, group_setup, group_teardown);
}
