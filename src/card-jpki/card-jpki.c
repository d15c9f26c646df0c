/*
 * The My Number Card driver: ops table, detection, and the per-card state.
 * Starts from OpenSC's ISO 7816 driver and overrides what the card does its
 * own way; the APDUs live in jpki-apdu.c, files in jpki-files.c, PINs in
 * jpki-pin-cmd.c, signatures in jpki-sign.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "card-jpki.h"
#include "card-link.h"
#include "jpki-read.h"
#include "jpki-state.h"
#include "text-ap.h"

/* A transient answer to detection is asked again this often, this far apart.
 * (A fuzzer exercises the retries, not the wait between them.) */
#define DETECT_TRIES 3
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define DETECT_RETRY_MS 0
#else
#define DETECT_RETRY_MS 50
#endif

/* jpki-card.md's known ATRs; contactless readers may put a random PUPI into
 * the ATR, so a match here is never the only test: the JPKI AID must answer. */
static const struct sc_atr_table mynumber_atrs[] = {
	{ "3B:DA:13:FF:81:31:FB:46:80:12:39:2F:31:C1:73:C6:01:C0:3B", NULL, NULL, MYNUMBER_CARD_TYPE, 0, NULL },
	{ "3B:C5:FF:81:31:FB:45:80:73:C6:01:00:00", NULL, NULL, MYNUMBER_CARD_TYPE, 0, NULL },
	{ "3B:F5:91:00:FF:91:81:71:FE:40:00:42:00:01:00:D1:D6", NULL, NULL, MYNUMBER_CARD_TYPE, 0, NULL },
	{ "3B:F5:91:00:FF:91:81:71:FE:40:00:42:00:01:B3:A1:15", NULL, NULL, MYNUMBER_CARD_TYPE, 0, NULL },
	{ "3B:88:80:01:00:00:05:E0:B3:81:A1:00:7F", NULL, NULL, MYNUMBER_CARD_TYPE, 0, NULL },
	{ "3B:88:80:01:00:00:41:E0:B3:81:A1:00:3B", NULL, NULL, MYNUMBER_CARD_TYPE, 0, NULL },
	{ "3B:88:80:01:00:4B:51:FF:00:81:D1:00:BC", NULL, NULL, MYNUMBER_CARD_TYPE, 0, NULL },
	{ "3B:88:80:01:00:4B:51:FF:B3:81:D1:00:0F", NULL, NULL, MYNUMBER_CARD_TYPE, 0, NULL },
	{ NULL, NULL, NULL, 0, 0, NULL }
};

static void sleep_ms(long ms)
{
	struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };

	if (ms > 0)
		nanosleep(&pause, NULL);
}

static struct sc_card_operations mynumber_ops;
static struct sc_card_driver mynumber_driver = {
	"My Number Card (JPKI), opensc-jpki plugin",
	MYNUMBER_DRIVER_SHORT_NAME,
	&mynumber_ops,
	NULL, 0, NULL
};

int mynumber_card_is_ours(const sc_card_t *card)
{
	return card != NULL && card->type == MYNUMBER_CARD_TYPE && card->driver == &mynumber_driver
	       && card->drv_data != NULL;
}

/* Logout, reset, finish: this process's PIN beliefs, the consent and what
 * was read under a PIN (the held signature certificate, the card-face text)
 * all go. */
static void drop_read_with_pin(sc_card_t *card)
{
	mynumber_files_forget_private(card);
	mynumber_text_forget(card);
}

static void drop_security_state(sc_card_t *card)
{
	mynumber_link_forget_pins(card);
	drop_read_with_pin(card);
}

int mynumber_public_file(sc_card_t *card, unsigned fid, const u8 **data, size_t *len)
{
	if (!mynumber_card_is_ours(card))
		return SC_ERROR_INVALID_ARGUMENTS;
	return mynumber_files_public(card, fid, data, len);
}

void mynumber_set_consent_by_any_verify(sc_card_t *card, bool any_verify)
{
	if (mynumber_card_is_ours(card))
		mynumber_drv(card)->consent_by_any_verify = any_verify;
}

enum jpki_token_kind mynumber_token_kind(sc_card_t *card)
{
	if (!mynumber_card_is_ours(card))
		return JPKI_KIND_UNKNOWN;
	return mynumber_drv(card)->token_kind;
}

int mynumber_register_key(sc_card_t *card, const struct jpki_cert_key *key)
{
	if (!mynumber_card_is_ours(card) || key == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	return mynumber_keys_note(card, JPKI_PIN_REF_AUTH, key);
}

int mynumber_key_bits(sc_card_t *card, int key_ref)
{
	if (!mynumber_card_is_ours(card) || key_ref <= 0 || key_ref >= MYNUMBER_PIN_SLOTS)
		return 0;
	return (int)mynumber_drv(card)->key_bits[key_ref];
}

void mynumber_watch_key_sizes(sc_card_t *card, mynumber_key_size_fn fn, void *arg)
{
	if (!mynumber_card_is_ours(card))
		return;
	mynumber_drv(card)->key_size_fn = fn;
	mynumber_drv(card)->key_size_arg = arg;
}

static void free_drv_data(sc_card_t *card, struct mynumber_drv_data *drv)
{
	if (drv == NULL)
		return;
	mynumber_blob_wipe(&drv->token_info);
	mynumber_blob_wipe(&drv->auth_cert);
	mynumber_blob_wipe(&drv->auth_ca_cert);
	mynumber_blob_wipe(&drv->sign_ca_cert);
	mynumber_blob_wipe(&drv->sign_cert);
	explicit_bzero(drv, sizeof *drv);
	free(drv);
	if (card->drv_data == drv)
		card->drv_data = NULL;
}

/* Answers to SELECT of the JPKI AID that say for sure the card has no JPKI
 * application; anything else may be a glitch (a contactless card that
 * bounced, 6F00) and is asked again. */
static bool definitely_absent(int r)
{
	switch (r) {
	case SC_ERROR_FILE_NOT_FOUND:       /* 6A82 */
	case SC_ERROR_NO_CARD_SUPPORT:      /* 6A81 */
	case SC_ERROR_INCORRECT_PARAMETERS: /* 6A86 */
	case SC_ERROR_INS_NOT_SUPPORTED:    /* 6D00 */
	case SC_ERROR_CLASS_NOT_SUPPORTED:  /* 6E00 */
		return true;
	default:
		return false;
	}
}

/* The card's definite answer about EF 0006 (it lacks the file, or refuses to
 * read it): a JPKI token of unknown kind. Anything else (6F00, a garbled or
 * missing answer, a card gone) may be a glitch and is asked again. */
static bool definite_file_answer(int r)
{
	return definitely_absent(r) || r == SC_ERROR_SECURITY_STATUS_NOT_SATISFIED /* 6982 */
	       || r == SC_ERROR_NOT_ALLOWED;                                      /* 6986 */
}

/* One attempt in one transaction: SELECT of the JPKI AID, then EF 0006. */
static int detect_once(sc_card_t *card, struct mynumber_drv_data *drv)
{
	int r;

	r = mynumber_link_begin(card);
	if (r < 0)
		return r;
	r = mynumber_link_select_ap(card, JPKI_AP_JPKI);
	if (r == SC_SUCCESS) {
		mynumber_blob_wipe(&drv->token_info);
		r = mynumber_read_whole_ef(card, JPKI_AP_JPKI, JPKI_EF_TOKEN_INFO, MYNUMBER_READ_RAW,
		                           &drv->token_info.data, &drv->token_info.len);
		if (r == SC_SUCCESS) {
			drv->token_info.loaded = true;
			drv->token_kind = jpki_token_info_classify(drv->token_info.data, drv->token_info.len);
		} else if (definite_file_answer(r)) {
			sc_log(card->ctx, "EF 0006 unreadable (%s): a JPKI token of unknown kind", sc_strerror(r));
			drv->token_kind = JPKI_KIND_UNKNOWN;
			r = SC_SUCCESS;
		}
	}
	mynumber_link_end(card);
	return r;
}

/* Decides whether the card is ours. card->drv_data is left set when it is:
 * detected, or (detect_error) a card that may be a My Number Card whose
 * detection failed, which init then refuses with that error rather than let
 * another driver (OpenSC's own jpki, say) take it and spend PIN tries.
 * Returns 1 (ours) or 0 (a definite "not a JPKI card"). */
static int detect(sc_card_t *card)
{
	struct mynumber_drv_data *drv;
	int attempt, r;

	drv = calloc(1, sizeof *drv);
	if (drv == NULL)
		return 0;
	drv->atr_known = _sc_match_atr(card, mynumber_atrs, NULL) >= 0;
	card->drv_data = drv;

	for (attempt = 1;; attempt++) {
		r = detect_once(card, drv);
		if (r == SC_SUCCESS || attempt >= DETECT_TRIES || (definitely_absent(r) && !drv->atr_known))
			break;
		sc_log(card->ctx, "JPKI application: %s on try %d of %d; asking again", sc_strerror(r), attempt,
		       DETECT_TRIES);
		sleep_ms(DETECT_RETRY_MS);
	}
	if (r == SC_SUCCESS) {
		sc_log(card->ctx, "JPKI application found: %s%s", jpki_token_kind_name(drv->token_kind),
		       drv->atr_known ? " (known ATR)" : " (ATR not in the known list)");
		return 1;
	}
	if (definitely_absent(r) && !drv->atr_known) {
		sc_log(card->ctx, "JPKI application not found (%s): not a JPKI card", sc_strerror(r));
		free_drv_data(card, drv);
		return 0;
	}
	/* Never SC_ERROR_INVALID_CARD from init: OpenSC would try the next driver. */
	drv->detect_error = definitely_absent(r) || r == SC_ERROR_INVALID_CARD ? SC_ERROR_NO_CARD_SUPPORT : r;
	sc_log(card->ctx, "%s, but the JPKI application did not answer after %d tries (%s): claimed and "
	                  "refused, not handed to another driver; remove the card and insert it again",
	       drv->atr_known ? "a known My Number Card ATR" : "a card that may be a JPKI card", attempt,
	       sc_strerror(r));
	return 1;
}

static int mynumber_match_card(sc_card_t *card)
{
	/* ISO 7816 class byte and a clean slate: match_card may run on a card
	 * object another driver's match_card left behind. */
	card->cla = 0x00;
	card->drv_data = NULL;
	return detect(card);
}

static int mynumber_init(sc_card_t *card)
{
	struct mynumber_drv_data *drv;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	/* Forced through card_atr/OPENSC_DRIVER, match_card's verdict is ignored
	 * by OpenSC; detect again so a card without the JPKI AID is refused. */
	if (card->drv_data == NULL && detect(card) != 1)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_CARD);
	drv = mynumber_drv(card);
	if (drv->detect_error != 0) {
		r = drv->detect_error;
		free_drv_data(card, drv);
		LOG_TEST_RET(card->ctx, r, "My Number Card detection failed; the card is refused");
	}
	card->type = MYNUMBER_CARD_TYPE;
	card->name = jpki_token_kind_name(drv->token_kind);
	drv->link.on_reset = drop_read_with_pin;
	card->cla = 0x00;
	/* Extended length is tried; a 6700 switches to short APDUs for good. */
	card->caps |= SC_CARD_CAP_APDU_EXT;
	card->max_recv_size = 0;
	card->max_send_size = 0;
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* No PIN this process verified is left verified on the card for the
 * processes that come after it. */
static void end_pins_on_card(sc_card_t *card)
{
	if (!mynumber_link_pins_on_card(card) || mynumber_link_begin(card) < 0)
		return;
	if (mynumber_link_clear_card_pins(card) < 0)
		sc_log(card->ctx, "disconnecting: the card's PIN state may remain");
	mynumber_link_end(card);
}

static int mynumber_finish(sc_card_t *card)
{
	if (card->drv_data != NULL) {
		end_pins_on_card(card);
		drop_security_state(card);
		free_drv_data(card, mynumber_drv(card));
	}
	return SC_SUCCESS;
}

/* This process's logins end, and the card's PIN state with them. */
static int mynumber_logout(sc_card_t *card)
{
	int r;

	LOG_FUNC_CALLED(card->ctx);
	drop_security_state(card);
	r = mynumber_link_begin(card);
	LOG_TEST_RET(card->ctx, r, "cannot lock the card");
	r = mynumber_link_clear_card_pins(card);
	mynumber_link_end(card);
	LOG_FUNC_RETURN(card->ctx, r);
}

/* What follows a successful VERIFY, in its transaction, so that no PIN is
 * left verified on the card for other processes any longer than this
 * process needs it there:
 * - the text-AP PIN: its files are read now and kept in memory; then the
 *   card's PIN state is ended;
 * - the signature PIN: the certificate it protects is read for this process,
 *   then the card's PIN state is ended. As consent to a signature, the PIN
 *   itself was kept for that signature (card-link.h); when the signature
 *   follows in this very transaction, nothing is ended here. */
static void after_verify(sc_card_t *card, int ref)
{
	struct mynumber_link *link = &mynumber_drv(card)->link;
	int r;

	switch (ref) {
	case JPKI_PIN_REF_TEXT:
		mynumber_text_forget(card);
		r = mynumber_text_load(card);
		if (r < 0)
			sc_log(card->ctx, "text AP: PIN verified, files not read (%s)", sc_strerror(r));
		break;
	case JPKI_PIN_REF_SIGN:
		if (mynumber_link_consent_pending(card) && link->consent_pin_len == 0)
			return;
		r = mynumber_files_hold_sign_cert(card);
		if (r < 0)
			sc_log(card->ctx, "signature PIN verified, its certificate not read (%s)", sc_strerror(r));
		break;
	default:
		return;
	}
	if (mynumber_link_clear_card_pins(card) < 0)
		sc_log(card->ctx, "the card's PIN state may remain");
}

/* A change verifies the current value first, and that VERIFY stays on the
 * card whatever CHANGE REFERENCE DATA answers. A change is no login: unless
 * this process had the authentication PIN verified already (a login it
 * keeps), the card's PIN state is ended, so no other process signs or reads
 * the card face with what was typed to change a PIN. was_believed: whether
 * this process held the PIN verified before the command. */
static void after_change(sc_card_t *card, int ref, bool was_believed)
{
	if (!mynumber_link_pin_on_card(card, ref))
		return;
	if (ref == JPKI_PIN_REF_AUTH && was_believed)
		return;
	if (!was_believed)
		mynumber_link_pin_set(card, ref, false);
	if (mynumber_link_clear_card_pins(card) < 0)
		sc_log(card->ctx, "the card's PIN state may remain");
}

/* A failed VERIFY: what the PIN had unlocked for this process goes too. */
static void after_failed_verify(sc_card_t *card, int ref)
{
	if (ref == JPKI_PIN_REF_TEXT)
		mynumber_text_forget(card);
	else if (ref == JPKI_PIN_REF_SIGN && !mynumber_link_pin_believed(card, JPKI_PIN_REF_SIGN))
		mynumber_files_forget_private(card);
}

/* The ops table's pin_cmd: the PIN command and what follows it, in one
 * transaction. */
static int mynumber_pin_cmd_op(COMPAT_PIN_CMD_OP_PARAMS)
{
	int *tries_left = COMPAT_PIN_CMD_OP_TRIES_LEFT;
	bool was_believed;
	int r;

	if (data == NULL || (data->cmd != SC_PIN_CMD_VERIFY && data->cmd != SC_PIN_CMD_CHANGE))
		return mynumber_pin_cmd(card, data, tries_left);
	r = mynumber_link_begin(card);
	if (r < 0)
		return r;
	was_believed = mynumber_link_pin_believed(card, data->pin_reference);
	r = mynumber_pin_cmd(card, data, tries_left);
	if (data->cmd == SC_PIN_CMD_CHANGE)
		after_change(card, data->pin_reference, was_believed);
	else if (r == SC_SUCCESS)
		after_verify(card, data->pin_reference);
	else
		after_failed_verify(card, data->pin_reference);
	mynumber_link_end(card);
	return r;
}

/* OpenSC calls this whenever it takes the reader lock: a new transaction,
 * so nothing selected before is trusted; after a reset no PIN is verified. */
static int mynumber_card_reader_lock_obtained(sc_card_t *card, int was_reset)
{
	if (card->drv_data == NULL)
		return SC_SUCCESS;
	mynumber_link_lock_obtained(card, was_reset);
	return SC_SUCCESS;
}

struct sc_card_driver *mynumber_get_driver(void)
{
	mynumber_ops = *sc_get_iso7816_driver()->ops;
	mynumber_ops.match_card = mynumber_match_card;
	mynumber_ops.init = mynumber_init;
	mynumber_ops.finish = mynumber_finish;
	mynumber_ops.select_file = mynumber_select_file;
	mynumber_ops.read_binary = mynumber_read_binary;
	mynumber_ops.pin_cmd = mynumber_pin_cmd_op;
	mynumber_ops.logout = mynumber_logout;
	mynumber_ops.set_security_env = mynumber_set_security_env;
	mynumber_ops.compute_signature = mynumber_compute_signature;
	mynumber_ops.read_public_key = mynumber_read_public_key;
	mynumber_ops.card_reader_lock_obtained = mynumber_card_reader_lock_obtained;
	/* Nothing on this card can be written, created or deleted. */
	mynumber_ops.write_binary = NULL;
	mynumber_ops.update_binary = NULL;
	mynumber_ops.erase_binary = NULL;
	mynumber_ops.create_file = NULL;
	mynumber_ops.delete_file = NULL;
	mynumber_ops.list_files = NULL;
	mynumber_ops.decipher = NULL;
	/* The card refuses GET CHALLENGE: no random number generator to offer. */
	mynumber_ops.get_challenge = NULL;
	return &mynumber_driver;
}
