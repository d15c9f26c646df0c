/*
 * libFuzzer target: arbitrary card responses against our driver and emulator.
 * A reader answers each APDU with the next chunk of the input (response-chunks.h)
 * while card-scenario.c runs a whole session: connect (ours the only driver),
 * PKCS#15 bind, read every object, verify PINs, sign, change PIN. Whatever the
 * card says, every path must end in a clean OpenSC error.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libopensc/internal.h"

#include "tests/lib/sim-reader.h"

#include "card-scenario.h"
#include "response-chunks.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sc_context_t *ctx;

static int chunk_reader_release(sc_reader_t *reader)
{
	free(reader->drv_data);
	reader->drv_data = NULL;
	return SC_SUCCESS;
}

static int chunk_reader_connect(sc_reader_t *reader)
{
	const uint8_t *atr;
	size_t atr_len;

	if (response_chunks_take(reader->drv_data, &atr, &atr_len) != 0)
		return SC_ERROR_CARD_NOT_PRESENT;
	if (atr_len > SC_MAX_ATR_SIZE)
		atr_len = SC_MAX_ATR_SIZE;
	memcpy(reader->atr.value, atr, atr_len);
	reader->atr.len = atr_len;
	reader->flags |= SC_READER_CARD_PRESENT;
	reader->active_protocol = SC_PROTO_T1;
	return SC_SUCCESS;
}

static int chunk_reader_disconnect(sc_reader_t *reader)
{
	return SC_SUCCESS;
}

static int chunk_reader_transmit(sc_reader_t *reader, sc_apdu_t *apdu)
{
	const uint8_t *rapdu;
	size_t rapdu_len, data_len;

	if (response_chunks_take(reader->drv_data, &rapdu, &rapdu_len) != 0) {
		reader->flags &= ~(unsigned long)SC_READER_CARD_PRESENT;
		return SC_ERROR_CARD_REMOVED;
	}
	if (rapdu_len < 2)
		return SC_ERROR_TRANSMIT_FAILED;
	data_len = rapdu_len - 2;
	if (data_len > apdu->resplen)
		data_len = apdu->resplen;
	if (data_len > 0)
		memcpy(apdu->resp, rapdu, data_len);
	apdu->resplen = data_len;
	apdu->sw1 = rapdu[rapdu_len - 2];
	apdu->sw2 = rapdu[rapdu_len - 1];
	return SC_SUCCESS;
}

static int chunk_reader_lock(sc_reader_t *reader)
{
	return SC_SUCCESS;
}

static int chunk_reader_unlock(sc_reader_t *reader)
{
	return SC_SUCCESS;
}

static struct sc_reader_operations chunk_reader_ops = {
	.release = chunk_reader_release,
	.connect = chunk_reader_connect,
	.disconnect = chunk_reader_disconnect,
	.transmit = chunk_reader_transmit,
	.lock = chunk_reader_lock,
	.unlock = chunk_reader_unlock,
};

static struct sc_reader_driver chunk_reader_driver = {
	"opensc-jpki fuzzing reader", "jpkifuzz", &chunk_reader_ops, NULL
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* One context for the whole run: creating one per input would spend the
	 * time parsing configuration instead of fuzzing the driver. */
	if (simreader_context_new(&ctx, CARD_SCENARIO_CONF) != SC_SUCCESS ||
	    simreader_keep_only_our_driver(ctx) != SC_SUCCESS)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct response_chunks *chunks = malloc(sizeof *chunks);
	unsigned steps;

	if (chunks == NULL)
		return 0;
	chunks->next = data;
	chunks->left = size;
	/* Replaces the previous input's reader (releasing its chunks). */
	if (simreader_install_reader(ctx, &chunk_reader_driver, chunks, "fuzz") != SC_SUCCESS)
		return 0;
	simreader_reader(ctx)->max_send_size = 65535;
	simreader_reader(ctx)->max_recv_size = 65536;
	steps = card_scenario_run(ctx);
	/* Lets a replay show how far a seed gets (a recorded session must reach
	 * every step, or the recorder and the replay have drifted apart). */
	if (getenv("FUZZ_CARD_RESPONSES_STEPS") != NULL)
		fprintf(stderr, "card_scenario steps 0x%03x\n", steps);
	return 0;
}
