/*
 * An in-process OpenSC reader whose one card is the virtual My Number Card
 * (sim/jpki-sim.h), for tests that drive libopensc and our driver/emulator
 * directly: no pcscd, no sockets, every APDU visible to a debugger and to ASan.
 *
 * Typical use:
 *
 *     sc_context_t *ctx = NULL;
 *     sc_card_t *card = NULL;
 *     sc_pkcs15_card_t *p15 = NULL;
 *     simreader_context_new(&ctx, NULL);
 *     simreader_attach(ctx, sim);            // sim stays the caller's
 *     simreader_connect(ctx, &card);         // our driver first in line
 *     simreader_bind(card, &p15);            // our emulator
 *     ...
 *     simreader_unbind(&p15);
 *     simreader_disconnect(&card);
 *     simreader_context_free(&ctx);
 *     jpki_sim_free(&sim);
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SIMREADER_SIM_READER_H
#define SIMREADER_SIM_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"

struct jpki_sim;

/* What the reader reports once the virtual card's remove_after fault fires. */
enum simreader_removal {
	SIMREADER_REMOVAL_CARD,    /* card pulled: SC_ERROR_CARD_REMOVED, reader stays */
	SIMREADER_REMOVAL_READER,  /* reader unplugged: SC_ERROR_READER_DETACHED */
};

/* What an observer is shown. */
enum simreader_event {
	SIMREADER_EVENT_ATR,       /* after each power-up or reset: the ATR */
	SIMREADER_EVENT_RESPONSE,  /* after each exchange: the whole R-APDU (data + SW) */
};

struct simreader_options {
	/* A reader limited to short APDUs (many contactless and older CCID
	 * readers): max send/recv 255/256, and an extended APDU fails to
	 * transmit (SC_ERROR_TRANSMIT_FAILED), whatever the card accepts. */
	bool refuse_extended;
	enum simreader_removal removal;
	/* Optional: sees every ATR and R-APDU as the card produced it, before
	 * it is cut to the caller's buffer (used to record fuzzing seeds). */
	void (*observe)(void *arg, enum simreader_event event, const uint8_t *bytes, size_t len);
	void *observe_arg;
};

/* Creates a context configured by conf_text (opensc.conf syntax; NULL: an
 * empty `framework pkcs15` block, as Debian ships). The text is written to a
 * private temporary file which OPENSC_CONF names only while the context is
 * created. The context has no readers until simreader_attach. */
int simreader_context_new(sc_context_t **ctx, const char *conf_text);

/* Replaces every reader of ctx with one reader holding sim. The sim is not
 * owned: free it after simreader_context_free. */
int simreader_attach(sc_context_t *ctx, struct jpki_sim *sim);
int simreader_attach_ex(sc_context_t *ctx, struct jpki_sim *sim, const struct simreader_options *opts);

/* Generic form used by the fuzzer: replaces ctx's reader driver and readers
 * with one reader of the given driver. drv_data is released by ops->release. */
int simreader_install_reader(sc_context_t *ctx, struct sc_reader_driver *driver,
                             void *drv_data, const char *reader_name);

/* The one reader, or NULL. */
sc_reader_t *simreader_reader(sc_context_t *ctx);

/* Connects with our driver (mynumber_get_driver(), linked in) placed first in
 * ctx->card_drivers, so its match_card decides, as with `card_drivers =
 * mynumber, internal;`. */
int simreader_connect(sc_context_t *ctx, sc_card_t **card);

/* Leaves our linked driver as ctx's only card driver, so no built-in driver
 * ever sees the card (the fuzzer and its seed recorder want every APDU to be
 * ours). */
int simreader_keep_only_our_driver(sc_context_t *ctx);

/* Connects with ctx's card drivers exactly as its conf lists them (e.g.
 * `card_drivers = mynumber, internal;` with `card_driver mynumber { module =
 * $OPENSC_JPKI_MODULE; }`): the installed-form module, not the linked code. */
int simreader_connect_config(sc_context_t *ctx, sc_card_t **card);

/* Connects with our driver forced (match_card's answer ignored, as with
 * OPENSC_DRIVER=mynumber). */
int simreader_connect_forced(sc_context_t *ctx, sc_card_t **card);

/* Connects with any driver forced, e.g. sc_get_iso7816_driver() for raw APDUs. */
int simreader_connect_with_driver(sc_context_t *ctx, struct sc_card_driver *driver, sc_card_t **card);

/* Binds PKCS#15 through our linked emulator (mynumber_pkcs15emu_init_ex),
 * with the options sc_pkcs15_bind would take from ctx's `framework pkcs15`
 * block. Returns the emulator's error when it declines the card. */
int simreader_bind(sc_card_t *card, sc_pkcs15_card_t **p15);

/* Binds through OpenSC's own sc_pkcs15_bind: the conf must carry an
 * `emulate NAME { module = $OPENSC_JPKI_MODULE; }` block (this runs the
 * installed-form module, not the linked code). The card must have been
 * connected by the same module (simreader_connect_config): the emulator only
 * accepts cards its own copy of the driver holds. */
int simreader_bind_config(sc_card_t *card, sc_pkcs15_card_t **p15);

/* Teardown; each takes T ** and leaves NULL behind. Safe on NULL. */
/* Another client resets the card: the virtual card is powered up again (its
 * volatile state gone) behind OpenSC's back, and the reader's next lock
 * returns SC_ERROR_CARD_RESET once, as pcsc-lite tells every other handle.
 * (sc_reset is this process's own reset, which nothing reports.)
 * SC_SUCCESS, SC_ERROR_INVALID_ARGUMENTS without a virtual reader, or the
 * removal error once the card is gone. */
int simreader_reset_by_other_client(sc_context_t *ctx);

void simreader_unbind(sc_pkcs15_card_t **p15);
void simreader_disconnect(sc_card_t **card);
void simreader_context_free(sc_context_t **ctx);

#endif
