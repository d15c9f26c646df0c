/*
 * The reader driver: transmit hands each APDU to the virtual card as bytes,
 * exactly what a PC/SC reader would put on the wire.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/internal.h"

#include "sim/jpki-sim.h"

#include "apdu-bytes.h"
#include "sim-reader.h"

/* Reader limits as CCID readers report them. */
#define SHORT_MAX_SEND 255
#define SHORT_MAX_RECV 256
#define EXT_MAX_SEND 65535
#define EXT_MAX_RECV 65536

struct simreader_data {
	struct jpki_sim *sim;
	struct simreader_options opts;
	bool card_gone;        /* remove_after fired: sticky, like a pulled card */
	bool reset_by_other;   /* another client reset the card: the next lock says so */
	uint8_t *capdu;        /* SIMREADER_MAX_CAPDU bytes */
	uint8_t *rapdu;        /* JPKI_SIM_MAX_APDU bytes */
};

static int sim_gone_error(const struct simreader_data *data)
{
	return data->opts.removal == SIMREADER_REMOVAL_READER ? SC_ERROR_READER_DETACHED
	                                                     : SC_ERROR_CARD_REMOVED;
}

/* What pcsc does on removal: the card is no longer present, and a reader that
 * went away is flagged removed so OpenSC stops using it. */
static void mark_gone(sc_reader_t *reader, struct simreader_data *data)
{
	data->card_gone = true;
	reader->flags &= ~(unsigned long)(SC_READER_CARD_PRESENT | SC_READER_CARD_INUSE);
	reader->flags |= SC_READER_CARD_CHANGED;
	if (data->opts.removal == SIMREADER_REMOVAL_READER)
		reader->flags |= SC_READER_REMOVED;
}

static int power_up(sc_reader_t *reader, struct simreader_data *data)
{
	const uint8_t *atr;
	size_t atr_len = 0;

	atr = jpki_sim_reset(data->sim, &atr_len);
	if (atr == NULL || atr_len == 0 || atr_len > SC_MAX_ATR_SIZE)
		return SC_ERROR_CARD_UNRESPONSIVE;
	memcpy(reader->atr.value, atr, atr_len);
	reader->atr.len = atr_len;
	if (data->opts.observe != NULL)
		data->opts.observe(data->opts.observe_arg, SIMREADER_EVENT_ATR, atr, atr_len);
	return SC_SUCCESS;
}

static int simreader_op_release(sc_reader_t *reader)
{
	struct simreader_data *data = reader->drv_data;

	if (data != NULL) {
		free(data->capdu);
		free(data->rapdu);
		free(data);
	}
	reader->drv_data = NULL;
	return SC_SUCCESS;
}

static int simreader_op_detect_card_presence(sc_reader_t *reader)
{
	struct simreader_data *data = reader->drv_data;

	/* No card either way: sc_detect_card_presence turns an error whose low
	 * bit is clear into SC_ERROR_INTERNAL, so a detached reader says 0 too. */
	if (data->card_gone)
		return 0;
	reader->flags |= SC_READER_CARD_PRESENT;
	return SC_READER_CARD_PRESENT;
}

static int simreader_op_connect(sc_reader_t *reader)
{
	struct simreader_data *data = reader->drv_data;
	int r;

	if (data->card_gone)
		return data->opts.removal == SIMREADER_REMOVAL_READER ? SC_ERROR_READER_DETACHED
		                                                      : SC_ERROR_CARD_NOT_PRESENT;
	r = power_up(reader, data);
	if (r != SC_SUCCESS)
		return r;
	reader->flags |= SC_READER_CARD_PRESENT;
	reader->active_protocol = SC_PROTO_T1;
	return SC_SUCCESS;
}

static int simreader_op_disconnect(sc_reader_t *reader)
{
	return SC_SUCCESS;
}

static int simreader_op_transmit(sc_reader_t *reader, sc_apdu_t *apdu)
{
	struct simreader_data *data = reader->drv_data;
	size_t capdu_len = 0, rapdu_len = 0;
	int r;

	if (data->card_gone)
		return sim_gone_error(data);
	if (data->opts.refuse_extended && simreader_apdu_is_extended(apdu)) {
		sc_log(reader->ctx, "simreader: extended APDU refused by a short-only reader");
		return SC_ERROR_TRANSMIT_FAILED;
	}
	r = simreader_apdu_encode(apdu, data->capdu, SIMREADER_MAX_CAPDU, &capdu_len);
	if (r != SC_SUCCESS)
		return r;
	if (jpki_sim_transmit(data->sim, data->capdu, capdu_len, data->rapdu,
	                      JPKI_SIM_MAX_APDU, &rapdu_len) != 0) {
		/* The APDU is well-formed (we encoded it), so the card is gone. */
		mark_gone(reader, data);
		return sim_gone_error(data);
	}
	if (rapdu_len > JPKI_SIM_MAX_APDU)
		return SC_ERROR_TRANSMIT_FAILED;
	if (data->opts.observe != NULL)
		data->opts.observe(data->opts.observe_arg, SIMREADER_EVENT_RESPONSE, data->rapdu, rapdu_len);
	return simreader_apdu_store_response(apdu, data->rapdu, rapdu_len);
}

/* As pcsc-lite answers SCardBeginTransaction with SCARD_W_RESET_CARD once to
 * every handle but the one that reset the card (OpenSC's pcsc reader then
 * reconnects and retries the lock). */
static int simreader_op_lock(sc_reader_t *reader)
{
	struct simreader_data *data = reader->drv_data;

	if (data->card_gone)
		return sim_gone_error(data);
	if (data->reset_by_other) {
		data->reset_by_other = false;
		return SC_ERROR_CARD_RESET;
	}
	return SC_SUCCESS;
}

static int simreader_op_unlock(sc_reader_t *reader)
{
	return SC_SUCCESS;
}

static int simreader_op_reset(sc_reader_t *reader, int do_cold_reset)
{
	struct simreader_data *data = reader->drv_data;

	if (data->card_gone)
		return sim_gone_error(data);
	return power_up(reader, data);
}

static struct sc_reader_operations simreader_ops;
static struct sc_reader_driver simreader_driver = {
	"opensc-jpki in-process virtual card reader",
	"jpkisim",
	&simreader_ops,
	NULL
};

static struct sc_reader_driver *simreader_get_driver(void)
{
	simreader_ops.release = simreader_op_release;
	simreader_ops.detect_card_presence = simreader_op_detect_card_presence;
	simreader_ops.connect = simreader_op_connect;
	simreader_ops.disconnect = simreader_op_disconnect;
	simreader_ops.transmit = simreader_op_transmit;
	simreader_ops.lock = simreader_op_lock;
	simreader_ops.unlock = simreader_op_unlock;
	simreader_ops.reset = simreader_op_reset;
	return &simreader_driver;
}

int simreader_attach(sc_context_t *ctx, struct jpki_sim *sim)
{
	struct simreader_options defaults = { .refuse_extended = false,
	                                      .removal = SIMREADER_REMOVAL_CARD,
	                                      .observe = NULL, .observe_arg = NULL };

	return simreader_attach_ex(ctx, sim, &defaults);
}

int simreader_attach_ex(sc_context_t *ctx, struct jpki_sim *sim, const struct simreader_options *opts)
{
	struct simreader_data *data;
	sc_reader_t *reader;
	int r;

	if (ctx == NULL || sim == NULL || opts == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	data = calloc(1, sizeof *data);
	if (data == NULL)
		return SC_ERROR_OUT_OF_MEMORY;
	data->sim = sim;
	data->opts = *opts;
	data->capdu = malloc(SIMREADER_MAX_CAPDU);
	data->rapdu = malloc(JPKI_SIM_MAX_APDU);
	if (data->capdu == NULL || data->rapdu == NULL) {
		free(data->capdu);
		free(data->rapdu);
		free(data);
		return SC_ERROR_OUT_OF_MEMORY;
	}
	r = simreader_install_reader(ctx, simreader_get_driver(), data,
	                             opts->refuse_extended ? "Virtual My Number Card (short APDUs only)"
	                                                   : "Virtual My Number Card");
	if (r != SC_SUCCESS)
		return r; /* install released data through the driver */

	reader = simreader_reader(ctx);
	reader->active_protocol = SC_PROTO_T1;
	reader->supported_protocols = SC_PROTO_T1;
	if (opts->refuse_extended) {
		reader->max_send_size = SHORT_MAX_SEND;
		reader->max_recv_size = SHORT_MAX_RECV;
	} else {
		reader->max_send_size = EXT_MAX_SEND;
		reader->max_recv_size = EXT_MAX_RECV;
	}
	reader->flags |= SC_READER_CARD_PRESENT;
	return SC_SUCCESS;
}

int simreader_reset_by_other_client(sc_context_t *ctx)
{
	sc_reader_t *reader = simreader_reader(ctx);
	struct simreader_data *data;
	int r;

	if (reader == NULL || reader->drv_data == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	data = reader->drv_data;
	if (data->card_gone)
		return sim_gone_error(data);
	r = power_up(reader, data);
	if (r == SC_SUCCESS)
		data->reset_by_other = true;
	return r;
}
