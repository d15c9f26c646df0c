/*
 * jpki-sim internals shared by the model's files; not part of the API.
 *
 * The card's facts are kept here, apart from src/common/jpki-facts.h on
 * purpose: a wrong fact must not hide by being wrong in the driver and the
 * simulator at once. Source: ../shared/jpki-card.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef JPKI_SIM_INTERNAL_H
#define JPKI_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "jpki-sim.h"

/* ---- the card's facts ------------------------------------------------------ */

#define SIM_AID_LEN 10
#define SIM_AID_JPKI   { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 }
#define SIM_AID_TEXT   { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 }
#define SIM_AID_VISUAL { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02 }
#define SIM_AID_JUKI   { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00 }

enum sim_ap {
	SIM_AP_NONE,   /* after power-on: no application selected */
	SIM_AP_JPKI,
	SIM_AP_TEXT,
	SIM_AP_VISUAL, /* selectable, but its files are not modelled */
	SIM_AP_JUKI,   /* likewise */
};

enum sim_ef_kind {
	SIM_EF_DATA,   /* transparent file, READ BINARY */
	SIM_EF_KEY,    /* private key: COMPUTE DIGITAL SIGNATURE only */
	SIM_EF_PIN,    /* PIN: VERIFY, CHANGE REFERENCE DATA */
};

/* Files the model knows, in the order of sim->files[]. */
enum sim_file {
	SIM_FILE_JPKI_SIGN_CERT,     /* JPKI 0001: signature PIN to read */
	SIM_FILE_JPKI_SIGN_CA_CERT,  /* JPKI 0002 */
	SIM_FILE_JPKI_TOKEN_INFO,    /* JPKI 0006 */
	SIM_FILE_JPKI_AUTH_CERT,     /* JPKI 000A */
	SIM_FILE_JPKI_AUTH_CA_CERT,  /* JPKI 000B */
	SIM_FILE_JPKI_AUTH_KEY,      /* JPKI 0017 */
	SIM_FILE_JPKI_AUTH_PIN,      /* JPKI 0018 */
	SIM_FILE_JPKI_SIGN_KEY,      /* JPKI 001A */
	SIM_FILE_JPKI_SIGN_PIN,      /* JPKI 001B */
	SIM_FILE_TEXT_MY_NUMBER,     /* text 0001: text PIN to read */
	SIM_FILE_TEXT_BASIC_INFO,    /* text 0002: text PIN to read */
	SIM_FILE_TEXT_INTEGRITY,     /* text 0003: text PIN to read */
	SIM_FILE_TEXT_CV_CERT,       /* text 0004 */
	SIM_FILE_TEXT_AP_INFO,       /* text 0005 */
	SIM_FILE_TEXT_PIN,           /* text 0011 */
	SIM_FILE_COUNT,
	SIM_FILE_NONE = SIM_FILE_COUNT
};

struct sim_file_desc {
	enum sim_ap ap;
	uint16_t fid;
	enum sim_ef_kind kind;
	int read_pin;                /* enum jpki_sim_pin guarding READ BINARY / the key, or -1 */
	const char *identity_path;   /* where the identity directory keeps it, or NULL */
};

extern const struct sim_file_desc sim_file_table[SIM_FILE_COUNT];

struct sim_pin_rule {
	enum sim_file file;
	unsigned min_len, max_len;
	bool digits_only;            /* else A-Z and 0-9 */
	int max_tries;
	const char *identity_key;    /* key in the identity's "pins" file */
	const char *stats_key;
};

extern const struct sim_pin_rule sim_pin_rules[JPKI_SIM_PIN_COUNT];

/* true when value has the format the card accepts for that PIN. */
bool sim_pin_format_ok(enum jpki_sim_pin pin, const uint8_t *value, size_t len);

#define SIM_KNOWN_ATR_COUNT 8
#define SIM_KNOWN_ATR_CONTACT 4  /* the first ones are contact ATRs, the rest contactless */
struct sim_atr {
	uint8_t bytes[33];
	size_t len;
};
extern const struct sim_atr sim_known_atrs[SIM_KNOWN_ATR_COUNT];

/* ---- status words ------------------------------------------------------------ */
enum {
	SW_OK                  = 0x9000,
	SW_END_OF_FILE         = 0x6282,
	SW_TRIES_LEFT_BASE     = 0x63C0,
	SW_WRONG_LENGTH        = 0x6700,
	SW_SECURITY_NOT_SATISFIED = 0x6982,
	SW_CONDITIONS_NOT_SATISFIED = 0x6985,
	SW_NO_CURRENT_EF       = 0x6986,
	SW_WRONG_DATA          = 0x6A80,
	SW_FILE_NOT_FOUND      = 0x6A82,
	SW_WRONG_P1P2          = 0x6A86,
	SW_WRONG_OFFSET        = 0x6B00,
	SW_EXACT_LENGTH_BASE   = 0x6C00,
	SW_MORE_DATA_BASE      = 0x6100,
	SW_INS_NOT_SUPPORTED   = 0x6D00,
	SW_CLA_NOT_SUPPORTED   = 0x6E00,
};

/* ---- a parsed C-APDU ------------------------------------------------------------ */

struct sim_capdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;         /* NULL when no command data */
	size_t lc;
	size_t le;                   /* 0 when no Le; a coded 00 / 0000 is 256 / 65536 */
	bool has_le;
	bool extended;
};

/* Splits a C-APDU into header, data and Le (ISO 7816-3 cases 1-4, short and
 * extended). Returns 0, or -1 when the length fields do not add up. */
int sim_capdu_parse(const uint8_t *raw, size_t raw_len, struct sim_capdu *out);

/* ---- the card ------------------------------------------------------------------ */

struct sim_blob {
	uint8_t *bytes;
	size_t len;
};

struct sim_pin_state {
	uint8_t value[16];
	size_t len;
	int tries_left;
	bool verified;               /* security state: dropped by AP change and reset */
};

struct jpki_sim {
	struct jpki_sim_options opts;
	struct sim_blob files[SIM_FILE_COUNT]; /* data EFs; .bytes NULL = not on this card */
	EVP_PKEY *auth_key;
	EVP_PKEY *sign_key;
	struct sim_pin_state pins[JPKI_SIM_PIN_COUNT];

	enum sim_ap current_ap;
	enum sim_file current_ef;
	bool powered;                 /* between a power-on and a power-off */

	uint8_t *scratch;            /* JPKI_SIM_MAX_APDU bytes for a response's data */

	/* Response waiting for GET RESPONSE (chain_61xx). */
	uint8_t *pending;
	size_t pending_len, pending_off;
	uint16_t pending_sw;

	unsigned long apdu_number;   /* sequence number for fault injection, never reset */
	bool removed;
	struct jpki_sim_counters counters;
};

/* Loads the identity directory's files, keys and PINs into sim. 0 or -1 (message
 * on stderr). */
int sim_identity_load(struct jpki_sim *sim, const char *dir);

/* Executes one parsed command against the card state; writes response data to
 * out (capacity out_cap) and returns the status word. */
uint16_t sim_execute(struct jpki_sim *sim, const struct sim_capdu *apdu,
                     uint8_t *out, size_t out_cap, size_t *out_len);

/* Forgets a response waiting for GET RESPONSE (wiped). */
void sim_drop_pending(struct jpki_sim *sim);

/* Wipes and frees. */
void sim_blob_clear(struct sim_blob *blob);

#endif
