/*
 * The card's life: creation, power, one APDU in and out with the faults,
 * 61xx chaining, counters and trace around the commands of sim-commands.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "sim-internal.h"

struct jpki_sim *jpki_sim_new(const char *identity_dir, const struct jpki_sim_options *opts)
{
	struct jpki_sim *sim;

	if (identity_dir == NULL) {
		fprintf(stderr, "jpki-sim: no identity directory\n");
		return NULL;
	}
	sim = calloc(1, sizeof(*sim));
	if (sim == NULL) {
		fprintf(stderr, "jpki-sim: out of memory\n");
		return NULL;
	}
	if (opts != NULL)
		sim->opts = *opts;
	else
		jpki_sim_options_init(&sim->opts);
	if (sim->opts.atr_len == 0 || sim->opts.atr_len > sizeof(sim->opts.atr)) {
		fprintf(stderr, "jpki-sim: the options carry no valid ATR\n");
		jpki_sim_free(&sim);
		return NULL;
	}
	sim->current_ap = SIM_AP_NONE;
	sim->current_ef = SIM_FILE_NONE;
	sim->scratch = malloc(JPKI_SIM_MAX_APDU);
	if (sim->scratch == NULL) {
		fprintf(stderr, "jpki-sim: out of memory\n");
		jpki_sim_free(&sim);
		return NULL;
	}
	if (sim_identity_load(sim, identity_dir) != 0) {
		jpki_sim_free(&sim);
		return NULL;
	}
	return sim;
}

void sim_drop_pending(struct jpki_sim *sim)
{
	if (sim->pending != NULL) {
		OPENSSL_cleanse(sim->pending, sim->pending_len);
		free(sim->pending);
	}
	sim->pending = NULL;
	sim->pending_len = 0;
	sim->pending_off = 0;
}

void jpki_sim_free(struct jpki_sim **simp)
{
	struct jpki_sim *sim;
	int file;

	if (simp == NULL || *simp == NULL)
		return;
	sim = *simp;
	for (file = 0; file < SIM_FILE_COUNT; file++)
		sim_blob_clear(&sim->files[file]);
	EVP_PKEY_free(sim->auth_key);
	EVP_PKEY_free(sim->sign_key);
	sim_drop_pending(sim);
	free(sim->scratch);
	OPENSSL_cleanse(sim, sizeof(*sim));
	free(sim);
	*simp = NULL;
}

void jpki_sim_power_off(struct jpki_sim *sim)
{
	if (sim != NULL)
		sim->powered = false;
}

const uint8_t *jpki_sim_reset(struct jpki_sim *sim, size_t *atr_len)
{
	int pin;

	if (atr_len != NULL)
		*atr_len = 0;
	if (sim == NULL || sim->removed)
		return NULL;
	if (sim->powered)
		sim->counters.resets++;
	sim->powered = true;
	for (pin = 0; pin < JPKI_SIM_PIN_COUNT; pin++)
		sim->pins[pin].verified = false;
	sim->current_ap = SIM_AP_NONE;
	sim->current_ef = SIM_FILE_NONE;
	sim_drop_pending(sim);
	if (atr_len != NULL)
		*atr_len = sim->opts.atr_len;
	return sim->opts.atr;
}

/* One trace line: number, C-APDU with the PIN bytes of VERIFY / CHANGE
 * REFERENCE DATA as "**", then the response's length and status word. */
static void trace_apdu(const struct jpki_sim *sim, const uint8_t *capdu, size_t capdu_len,
                       const struct sim_capdu *parsed, bool parsed_ok,
                       size_t data_len, uint16_t sw)
{
	FILE *trace = sim->opts.trace;
	bool carries_pin;
	size_t secret_from = capdu_len, secret_to = capdu_len, i;

	if (trace == NULL)
		return;
	carries_pin = capdu_len >= 2 && (capdu[1] == 0x20 || capdu[1] == 0x24);
	if (carries_pin) {
		if (parsed_ok && parsed->data != NULL) {
			secret_from = (size_t)(parsed->data - capdu);
			secret_to = secret_from + parsed->lc;
		} else if (!parsed_ok) {
			/* Cannot tell the PIN from the length bytes: hide all of the body. */
			secret_from = capdu_len > 4 ? 4 : capdu_len;
		}
	}
	fprintf(trace, "#%lu", sim->apdu_number);
	for (i = 0; i < capdu_len; i++) {
		if (i >= secret_from && i < secret_to)
			fputs(" **", trace);
		else
			fprintf(trace, " %02X", capdu[i]);
	}
	fprintf(trace, " => ");
	if (data_len > 0)
		fprintf(trace, "%zu bytes + ", data_len);
	fprintf(trace, "%02X %02X\n", sw >> 8, sw & 0xFF);
	fflush(trace);
}

/* Keeps a response for GET RESPONSE; the final SW comes with its last part.
 * Returns the 61xx to answer now, or 6F00 when there is no memory for it. */
static uint16_t hold_for_get_response(struct jpki_sim *sim, const uint8_t *data, size_t data_len,
                                      uint16_t final_sw)
{
	sim->pending = malloc(data_len);
	if (sim->pending == NULL)
		return 0x6F00;
	memcpy(sim->pending, data, data_len);
	sim->pending_len = data_len;
	sim->pending_off = 0;
	sim->pending_sw = final_sw;
	return (uint16_t)(SW_MORE_DATA_BASE | (data_len >= 256 ? 0 : data_len));
}

int jpki_sim_transmit(struct jpki_sim *sim, const uint8_t *capdu, size_t capdu_len,
                      uint8_t *rapdu, size_t rapdu_cap, size_t *rapdu_len)
{
	struct sim_capdu parsed;
	bool parsed_ok;
	size_t data_len = 0;
	uint16_t sw;

	if (rapdu_len != NULL)
		*rapdu_len = 0;
	if (sim == NULL || capdu == NULL || rapdu == NULL || rapdu_len == NULL || rapdu_cap < 2)
		return -1;
	if (sim->removed)
		return -1;
	if (sim->opts.remove_after != 0 && sim->apdu_number >= sim->opts.remove_after) {
		sim->removed = true;
		return -1;
	}
	sim->apdu_number++;
	sim->counters.apdus++;
	sim->counters.bytes_in += capdu_len;
	if (capdu_len >= 2)
		sim->counters.by_ins[capdu[1]]++;

	memset(&parsed, 0, sizeof(parsed));
	parsed_ok = sim_capdu_parse(capdu, capdu_len, &parsed) == 0;
	/* What reached the card as a PIN: a VERIFY with data or a CHANGE
	 * REFERENCE DATA (a no-data VERIFY only asks for the tries). */
	if (parsed_ok && (parsed.ins == 0x20 || parsed.ins == 0x24) && parsed.lc > 0)
		sim->counters.pin_values++;
	if (!parsed_ok || parsed.ins != 0xC0)
		sim_drop_pending(sim);

	if (sim->opts.fail_apdu != 0 && sim->apdu_number == sim->opts.fail_apdu)
		sw = sim->opts.fail_sw;
	else if (!parsed_ok || (parsed.extended && !sim->opts.extended_length))
		sw = SW_WRONG_LENGTH;
	else
		sw = sim_execute(sim, &parsed, sim->scratch, JPKI_SIM_MAX_APDU, &data_len);

	if (sim->opts.chain_61xx && data_len > 0 && parsed.ins != 0xC0) {
		sw = hold_for_get_response(sim, sim->scratch, data_len, sw);
		data_len = 0;
	}
	if (sim->opts.truncate_apdu != 0 && sim->apdu_number == sim->opts.truncate_apdu &&
	    data_len > sim->opts.truncate_after)
		data_len = sim->opts.truncate_after;

	if (data_len > rapdu_cap - 2) {
		OPENSSL_cleanse(sim->scratch, data_len);
		return -1;
	}
	memcpy(rapdu, sim->scratch, data_len);
	OPENSSL_cleanse(sim->scratch, data_len);
	rapdu[data_len] = (uint8_t)(sw >> 8);
	rapdu[data_len + 1] = (uint8_t)(sw & 0xFF);
	*rapdu_len = data_len + 2;
	sim->counters.bytes_out += *rapdu_len;
	trace_apdu(sim, capdu, capdu_len, &parsed, parsed_ok, data_len, sw);
	return 0;
}

const struct jpki_sim_counters *jpki_sim_counters(const struct jpki_sim *sim)
{
	return sim == NULL ? NULL : &sim->counters;
}

void jpki_sim_counters_reset(struct jpki_sim *sim)
{
	if (sim != NULL)
		memset(&sim->counters, 0, sizeof(sim->counters));
}

int jpki_sim_tries_left(const struct jpki_sim *sim, enum jpki_sim_pin pin)
{
	if (sim == NULL || (unsigned)pin >= JPKI_SIM_PIN_COUNT)
		return -1;
	return sim->pins[pin].tries_left;
}

int jpki_sim_write_stats(const struct jpki_sim *sim, FILE *out)
{
	const struct jpki_sim_counters *c;
	int ins, pin;

	if (sim == NULL || out == NULL)
		return -1;
	c = &sim->counters;
	fprintf(out, "apdus=%lu\nbytes_in=%lu\nbytes_out=%lu\n", c->apdus, c->bytes_in, c->bytes_out);
	for (ins = 0; ins < 256; ins++)
		if (c->by_ins[ins] != 0)
			fprintf(out, "ins_%02X=%lu\n", ins, c->by_ins[ins]);
	fprintf(out, "resets=%lu\npin_values=%lu\n", c->resets, c->pin_values);
	for (pin = 0; pin < JPKI_SIM_PIN_COUNT; pin++)
		fprintf(out, "%s=%d\n", sim_pin_rules[pin].stats_key, sim->pins[pin].tries_left);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
