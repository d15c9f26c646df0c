/*
 * The card's commands: what each one does to the card state and what it answers.
 * Framing, faults, counters and 61xx chaining are sim-card.c's business.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include "sim-internal.h"

#define SW_INCOMPATIBLE_FILE 0x6981
#define SW_INTERNAL_ERROR    0x6F00

struct sim_aid_entry {
	uint8_t aid[SIM_AID_LEN];
	enum sim_ap ap;
};

static const struct sim_aid_entry sim_aids[] = {
	{ SIM_AID_JPKI, SIM_AP_JPKI },
	{ SIM_AID_TEXT, SIM_AP_TEXT },
	{ SIM_AID_VISUAL, SIM_AP_VISUAL },
	{ SIM_AID_JUKI, SIM_AP_JUKI },
};

static void drop_security_state(struct jpki_sim *sim)
{
	int pin;

	for (pin = 0; pin < JPKI_SIM_PIN_COUNT; pin++)
		sim->pins[pin].verified = false;
}

static int pin_of_file(enum sim_file file)
{
	int pin;

	for (pin = 0; pin < JPKI_SIM_PIN_COUNT; pin++)
		if (sim_pin_rules[pin].file == file)
			return pin;
	return -1;
}

/* The file with that FID in the current AP, if this card has it. */
static enum sim_file find_file(const struct jpki_sim *sim, uint16_t fid)
{
	int file;

	for (file = 0; file < SIM_FILE_COUNT; file++) {
		const struct sim_file_desc *desc = &sim_file_table[file];

		if (desc->ap != sim->current_ap || desc->fid != fid)
			continue;
		if (desc->kind == SIM_EF_DATA && sim->files[file].bytes == NULL)
			return SIM_FILE_NONE;
		return (enum sim_file)file;
	}
	return SIM_FILE_NONE;
}

static uint16_t cmd_select(struct jpki_sim *sim, const struct sim_capdu *apdu)
{
	size_t i;

	if (apdu->p2 != 0x0C && apdu->p2 != 0x00)
		return SW_WRONG_P1P2;
	switch (apdu->p1) {
	case 0x04: /* by AID */
		if (apdu->data == NULL || apdu->lc > 16)
			return SW_WRONG_LENGTH;
		for (i = 0; i < sizeof(sim_aids) / sizeof(sim_aids[0]); i++) {
			if (apdu->lc == SIM_AID_LEN && memcmp(apdu->data, sim_aids[i].aid, SIM_AID_LEN) == 0)
				break;
		}
		if (i == sizeof(sim_aids) / sizeof(sim_aids[0]))
			return SW_FILE_NOT_FOUND;
		if (sim_aids[i].ap != sim->current_ap || sim->opts.reselect_clears_pin)
			drop_security_state(sim);
		sim->current_ap = sim_aids[i].ap;
		sim->current_ef = SIM_FILE_NONE;
		return SW_OK;
	case 0x02: { /* EF by FID, within the current AP */
		enum sim_file file;

		if (apdu->data == NULL || apdu->lc != 2)
			return SW_WRONG_LENGTH;
		/* Outside an AP there is no EF to find (documented choice: 6A82). */
		file = find_file(sim, (uint16_t)(apdu->data[0] << 8 | apdu->data[1]));
		if (file == SIM_FILE_NONE)
			return SW_FILE_NOT_FOUND;
		sim->current_ef = file;
		return SW_OK;
	}
	case 0x00: case 0x01: case 0x08: case 0x09:
		/* MF, DF and path selection: the model has no MF to offer. */
		return SW_FILE_NOT_FOUND;
	default:
		return SW_WRONG_P1P2;
	}
}

static uint16_t cmd_read_binary(struct jpki_sim *sim, const struct sim_capdu *apdu,
                                uint8_t *out, size_t out_cap, size_t *out_len)
{
	const struct sim_file_desc *desc;
	const struct sim_blob *blob;
	enum sim_file file = sim->current_ef;
	size_t offset, avail, count;

	if (apdu->data != NULL || !apdu->has_le)
		return SW_WRONG_LENGTH;
	if (apdu->p1 & 0x80) {
		/* Short EF identifier, as jsapdu reads: the model takes an EF's SFI to be
		 * the low byte of its FID (all of them are below 0x20). A card without
		 * short EF identifiers (sfi=no) refuses P1 as a parameter error. */
		if (!sim->opts.sfi || (apdu->p1 & 0x60))
			return SW_WRONG_P1P2;
		file = find_file(sim, apdu->p1 & 0x1F);
		if (file == SIM_FILE_NONE)
			return SW_FILE_NOT_FOUND;
		sim->current_ef = file;
		offset = apdu->p2;
	} else {
		offset = (size_t)apdu->p1 << 8 | apdu->p2;
	}
	if (file == SIM_FILE_NONE)
		return SW_NO_CURRENT_EF;
	desc = &sim_file_table[file];
	if (desc->kind != SIM_EF_DATA)
		return SW_INCOMPATIBLE_FILE;
	if (desc->read_pin >= 0 && !sim->pins[desc->read_pin].verified)
		return SW_SECURITY_NOT_SATISFIED;
	blob = &sim->files[file];
	if (offset >= blob->len)
		return SW_WRONG_OFFSET;
	avail = blob->len - offset;
	count = apdu->le < avail ? apdu->le : avail;
	if (apdu->le > avail && sim->opts.wrong_le_6cxx && !apdu->extended)
		return (uint16_t)(SW_EXACT_LENGTH_BASE | avail);
	if (count > out_cap)
		return SW_INTERNAL_ERROR;
	memcpy(out, blob->bytes + offset, count);
	*out_len = count;
	if (apdu->le > avail && sim->opts.past_end == JPKI_SIM_PAST_END_6282)
		return SW_END_OF_FILE;
	return SW_OK;
}

/* The PIN behind the current EF, or -1 when the current EF is no PIN. */
static int current_pin(const struct jpki_sim *sim)
{
	if (sim->current_ef == SIM_FILE_NONE || sim_file_table[sim->current_ef].kind != SIM_EF_PIN)
		return -1;
	return pin_of_file(sim->current_ef);
}

static uint16_t tries_left_sw(const struct sim_pin_state *state)
{
	return (uint16_t)(SW_TRIES_LEFT_BASE | (state->tries_left & 0x0F));
}

static uint16_t cmd_verify(struct jpki_sim *sim, const struct sim_capdu *apdu)
{
	struct sim_pin_state *state;
	int pin;

	if (apdu->p1 != 0x00 || apdu->p2 != 0x80)
		return SW_WRONG_P1P2;
	if (apdu->has_le)
		return SW_WRONG_LENGTH;
	pin = current_pin(sim);
	if (pin < 0)
		return SW_NO_CURRENT_EF;
	state = &sim->pins[pin];
	if (state->tries_left <= 0)
		return sim->opts.blocked_sw;
	/* No data: the card reports tries left, even after a successful VERIFY. */
	if (apdu->data == NULL)
		return tries_left_sw(state);
	/* A value of the wrong format is simply wrong: the card spends a try on it,
	 * which is why the host must never send one. */
	if (apdu->lc != state->len || CRYPTO_memcmp(apdu->data, state->value, state->len) != 0) {
		state->tries_left--;
		state->verified = false;
		return tries_left_sw(state);
	}
	state->tries_left = sim_pin_rules[pin].max_tries;
	state->verified = true;
	return SW_OK;
}

static uint16_t cmd_change_reference_data(struct jpki_sim *sim, const struct sim_capdu *apdu)
{
	struct sim_pin_state *state;
	int pin;

	if (apdu->p1 != 0x01 || apdu->p2 != 0x80)
		return SW_WRONG_P1P2;
	if (apdu->data == NULL || apdu->has_le)
		return SW_WRONG_LENGTH;
	pin = current_pin(sim);
	if (pin < 0)
		return SW_NO_CURRENT_EF;
	state = &sim->pins[pin];
	if (state->tries_left <= 0)
		return sim->opts.blocked_sw;
	if (!state->verified)
		return SW_SECURITY_NOT_SATISFIED;
	if (!sim_pin_format_ok((enum jpki_sim_pin)pin, apdu->data, apdu->lc))
		return SW_WRONG_DATA;
	OPENSSL_cleanse(state->value, sizeof(state->value));
	memcpy(state->value, apdu->data, apdu->lc);
	state->len = apdu->lc;
	return SW_OK;
}

static uint16_t cmd_compute_signature(struct jpki_sim *sim, const struct sim_capdu *apdu,
                                      uint8_t *out, size_t out_cap, size_t *out_len)
{
	const struct sim_file_desc *desc;
	EVP_PKEY *key;
	EVP_PKEY_CTX *ctx = NULL;
	size_t key_size, sig_len;
	uint16_t sw = SW_INTERNAL_ERROR;

	if (apdu->p1 != 0x00 || apdu->p2 != 0x80)
		return SW_WRONG_P1P2;
	if (apdu->data == NULL || !apdu->has_le)
		return SW_WRONG_LENGTH;
	if (sim->current_ef == SIM_FILE_NONE)
		return SW_NO_CURRENT_EF;
	desc = &sim_file_table[sim->current_ef];
	if (desc->kind != SIM_EF_KEY)
		return SW_NO_CURRENT_EF;
	if (!sim->pins[desc->read_pin].verified)
		return SW_SECURITY_NOT_SATISFIED;
	key = sim->current_ef == SIM_FILE_JPKI_AUTH_KEY ? sim->auth_key : sim->sign_key;
	key_size = (size_t)EVP_PKEY_get_size(key);
	if (apdu->le < key_size)
		return SW_WRONG_LENGTH;
	/* PKCS#1 v1.5 type 01 needs at least 11 bytes of padding. */
	if (apdu->lc + 11 > key_size)
		return SW_WRONG_DATA;
	if (key_size > out_cap)
		return SW_INTERNAL_ERROR;

	/* No signature digest set: OpenSSL pads the given DigestInfo with type 01
	 * and applies the private key, which is exactly the card's operation. */
	ctx = EVP_PKEY_CTX_new(key, NULL);
	if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		goto out;
	sig_len = out_cap;
	if (EVP_PKEY_sign(ctx, out, &sig_len, apdu->data, apdu->lc) <= 0 || sig_len != key_size)
		goto out;
	*out_len = sig_len;
	sw = SW_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	return sw;
}

static uint16_t cmd_get_response(struct jpki_sim *sim, const struct sim_capdu *apdu,
                                 uint8_t *out, size_t out_cap, size_t *out_len)
{
	size_t remaining, count;
	uint16_t final_sw;

	if (apdu->p1 != 0x00 || apdu->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (apdu->data != NULL || !apdu->has_le)
		return SW_WRONG_LENGTH;
	if (sim->pending == NULL)
		return SW_CONDITIONS_NOT_SATISFIED;
	remaining = sim->pending_len - sim->pending_off;
	count = apdu->le < remaining ? apdu->le : remaining;
	if (count > out_cap)
		return SW_INTERNAL_ERROR;
	memcpy(out, sim->pending + sim->pending_off, count);
	*out_len = count;
	sim->pending_off += count;
	remaining -= count;
	if (remaining > 0)
		return (uint16_t)(SW_MORE_DATA_BASE | (remaining >= 256 ? 0 : remaining));
	final_sw = sim->pending_sw;
	sim_drop_pending(sim);
	return final_sw;
}

uint16_t sim_execute(struct jpki_sim *sim, const struct sim_capdu *apdu,
                     uint8_t *out, size_t out_cap, size_t *out_len)
{
	uint8_t expected_cla;

	*out_len = 0;
	if (apdu->cla != 0x00 && apdu->cla != 0x80)
		return SW_CLA_NOT_SUPPORTED;
	switch (apdu->ins) {
	case 0x2A:
		expected_cla = 0x80;
		break;
	case 0xA4: case 0xB0: case 0x20: case 0x24: case 0xC0:
		expected_cla = 0x00;
		break;
	default:
		return SW_INS_NOT_SUPPORTED;
	}
	if (apdu->cla != expected_cla)
		return SW_CLA_NOT_SUPPORTED;

	switch (apdu->ins) {
	case 0xA4:
		return cmd_select(sim, apdu);
	case 0xB0:
		return cmd_read_binary(sim, apdu, out, out_cap, out_len);
	case 0x20:
		return cmd_verify(sim, apdu);
	case 0x24:
		return cmd_change_reference_data(sim, apdu);
	case 0x2A:
		return cmd_compute_signature(sim, apdu, out, out_cap, out_len);
	default:
		return cmd_get_response(sim, apdu, out, out_cap, out_len);
	}
}
