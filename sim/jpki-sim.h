/*
 * jpki-sim: a virtual My Number Card, modelled on ../shared/jpki-card.md.
 *
 * A test instrument, not a mirror of the driver: it keeps its own copy of the
 * card's facts (it must not include src/common/jpki-facts.h), applies the card's
 * access rules and try counters strictly, and has a switch for every point the
 * card notes call uncertain.
 *
 * Choices where jpki-card.md says nothing (a driver must not depend on them):
 * - SELECT: P1 04 (AID) and 02 (EF in the current AP) with P2 0C or 00, never
 *   an FCI; P1 00/01/08/09 -> 6A82 (no MF); other P1/P2 -> 6A86. An EF select
 *   with no AP selected -> 6A82. The visual and resident-registry APs can be
 *   selected, their files are not modelled (6A82). A failed select changes
 *   nothing.
 * - READ BINARY: P1 bit 8 set = short EF identifier (P1 = 80 | low byte of the
 *   FID, as jsapdu reads; sfi=no: 6A86, nothing selected). No current EF -> 6986;
 *   a key or PIN EF -> 6981.
 *   Offset at/after the end -> 6B00; Le beyond the end -> what is left with
 *   9000 (past_end=6B00) or 6282 (past_end=6282), or 6Cxx (wrong_le_6cxx, short
 *   APDUs only).
 * - VERIFY / CHANGE REFERENCE DATA need the PIN EF selected (else 6986). A
 *   wrong VERIFY also drops that PIN's verified state. A value of the wrong
 *   format counts as a wrong PIN on VERIFY (the card cannot know better); on
 *   CHANGE it is 6A80 and costs nothing.
 * - COMPUTE DIGITAL SIGNATURE needs Le (case 4, Le >= key size, else 6700) and
 *   a key EF selected (else 6986); input longer than the key size - 11 -> 6A80.
 * - Check order: length framing (6700), extended length when off (6700), CLA
 *   (not 00/80: 6E00), INS (6D00), CLA not matching the INS (6E00), then P1/P2.
 * - GET RESPONSE (00 C0 00 00 Le) with nothing pending -> 6985; any other
 *   command drops a pending response.
 * - remove_after: after removal jpki_sim_transmit fails and jpki_sim_reset
 *   returns NULL for good.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef JPKI_SIM_H
#define JPKI_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Largest C-APDU / R-APDU the model handles (extended length, 2 KiB files). */
#define JPKI_SIM_MAX_APDU 65544

enum jpki_sim_past_end {
	JPKI_SIM_PAST_END_6B00,    /* READ BINARY at/after the end: 6B00; offset inside,
	                              Le too long: the bytes left with 9000 */
	JPKI_SIM_PAST_END_6282,    /* short data with 6282 (offset inside, Le too long);
	                              offset at/after the end still 6B00 */
};

struct jpki_sim_options {
	uint16_t blocked_sw;          /* 0x6983 (default) or 0x6984 */
	enum jpki_sim_past_end past_end;
	bool reselect_clears_pin;     /* SELECT of the AP already selected drops PIN state (default true) */
	bool extended_length;         /* accept extended-length APDUs (default true); else 6700 */
	bool sfi;                     /* READ BINARY by short EF identifier (default true); else 6A86 */
	uint8_t atr[33];              /* default: first known contact ATR */
	size_t atr_len;
	unsigned latency_ms;          /* added to every APDU by the front-ends (the model never sleeps) */
	bool chain_61xx;              /* answer with 61xx, data via GET RESPONSE (00 C0 00 00 Le) */
	bool wrong_le_6cxx;           /* a short READ BINARY whose Le exceeds what is left: 6Cxx (exact length) */
	/* Fault injection; APDU numbers count from 1 within the sim's lifetime, 0 = off. */
	unsigned truncate_apdu;       /* this APDU's response data ... */
	size_t truncate_after;        /* ... is cut after this many bytes (SW kept) */
	unsigned fail_apdu;           /* this APDU is answered with fail_sw, nothing done */
	uint16_t fail_sw;
	unsigned remove_after;        /* after this many APDUs the card is gone: transmit fails */
	bool tamper_text_basic_info;  /* flip one byte of text EF 0002 (integrity check must catch it) */
	FILE *trace;                  /* one line per APDU, PIN bytes masked; NULL = off */
};

struct jpki_sim_counters {
	unsigned long apdus;
	unsigned long bytes_in;       /* C-APDU bytes host -> card */
	unsigned long bytes_out;      /* R-APDU bytes card -> host, SW included */
	unsigned long by_ins[256];    /* APDUs per INS byte */
	unsigned long resets;         /* resets of a powered card; a power-on after
	                               * jpki_sim_power_off (pcscd powers an idle
	                               * card down after about a second) is none */
	unsigned long pin_values;     /* VERIFYs with data and CHANGE REFERENCE DATAs:
	                               * PIN values that reached the card */
};

enum jpki_sim_pin {
	JPKI_SIM_PIN_AUTH,            /* JPKI EF 0018 */
	JPKI_SIM_PIN_SIGN,            /* JPKI EF 001B */
	JPKI_SIM_PIN_TEXT,            /* text AP EF 0011 */
	JPKI_SIM_PIN_COUNT
};

struct jpki_sim;

/* Defaults as described in each field's comment. */
void jpki_sim_options_init(struct jpki_sim_options *opts);

/* Applies one "key=value" setting (the same names as jpki-sim's --set and its
 * config file: blocked_sw=6984, past_end=6282, reselect_clears_pin=no,
 * extended_length=no, sfi=no, atr=3B..., atr_index=N, latency_ms=20, chain_61xx=yes,
 * wrong_le_6cxx=yes, truncate_apdu=K, truncate_after=N, fail_apdu=K,
 * fail_sw=6F00, remove_after=K, tamper_text_basic_info=yes).
 * Returns 0, or -1 with a message in err. */
int jpki_sim_options_set(struct jpki_sim_options *opts, const char *setting,
                         char *err, size_t err_len);

/* Loads an identity directory (see sim/IDENTITY.md). NULL on error, with a
 * message on stderr. */
struct jpki_sim *jpki_sim_new(const char *identity_dir, const struct jpki_sim_options *opts);
void jpki_sim_free(struct jpki_sim **sim);

/* Power on / reset: security state and selection cleared, try counters kept.
 * Returns the ATR (and its length in *atr_len), or NULL once the card has been
 * removed (remove_after). A call while the card is powered counts as a reset;
 * the first one, and the first after jpki_sim_power_off, is a power-on. */
const uint8_t *jpki_sim_reset(struct jpki_sim *sim, size_t *atr_len);

/* Power off (vpcd's control code 0): the next jpki_sim_reset is a power-on. */
void jpki_sim_power_off(struct jpki_sim *sim);

/* One C-APDU in, one R-APDU (data + SW1 SW2) out. Returns 0, or -1 when the
 * card has been removed (remove_after) or the call is malformed (NULL
 * pointers, rapdu_cap < 2 or too small for the response). A C-APDU of fewer
 * than 4 bytes is answered 6700, like any framing error. */
int jpki_sim_transmit(struct jpki_sim *sim, const uint8_t *capdu, size_t capdu_len,
                      uint8_t *rapdu, size_t rapdu_cap, size_t *rapdu_len);

const struct jpki_sim_counters *jpki_sim_counters(const struct jpki_sim *sim);
void jpki_sim_counters_reset(struct jpki_sim *sim);
int jpki_sim_tries_left(const struct jpki_sim *sim, enum jpki_sim_pin pin);

/* Writes counters and tries as "key=value" lines (apdus=, bytes_in=, bytes_out=,
 * ins_XX= for each INS used, resets=, pin_values=, tries_auth=, tries_sign=,
 * tries_text=). */
int jpki_sim_write_stats(const struct jpki_sim *sim, FILE *out);

#endif
