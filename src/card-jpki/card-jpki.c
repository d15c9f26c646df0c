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

#include "libopensc/internal.h"
#include "libopensc/log.h"

#include "card-jpki.h"
#include "jpki-state.h"
#include "text-ap.h"

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

/* Forgets every verified PIN and what the text layer decoded under one. */
void mynumber_drop_security_state(sc_card_t *card)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);

	memset(drv->pin_verified, 0, sizeof drv->pin_verified);
	mynumber_forget_selection(card);
	if (card->driver == &mynumber_driver)
		mynumber_text_forget(card);
}

static const u8 aid_jpki[JPKI_AID_LEN] = JPKI_AID_JPKI;
static const u8 aid_text[JPKI_AID_LEN] = JPKI_AID_TEXT;

/* OpenSC empties card->cache on every reset it sees, its own sc_reset
 * included (which never reaches card_reader_lock_obtained). The selected
 * application is recorded there too; finding it gone means the card was
 * reset and holds no selection and no verified PIN. */
static void mark_selection(sc_card_t *card, enum jpki_ap ap)
{
	sc_path_t *marker = &card->cache.current_path;

	memset(marker, 0, sizeof *marker);
	if (ap == JPKI_AP_NONE)
		return;
	memcpy(marker->value, ap == JPKI_AP_JPKI ? aid_jpki : aid_text, JPKI_AID_LEN);
	marker->len = JPKI_AID_LEN;
	marker->type = SC_PATH_TYPE_DF_NAME;
}

void mynumber_notice_reset(sc_card_t *card)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);

	if (drv == NULL || drv->current_ap == JPKI_AP_NONE || card->cache.current_path.len != 0)
		return;
	sc_log(card->ctx, "card state was reset: selection and PIN state forgotten");
	mynumber_drop_security_state(card);
	drv->current_ap = JPKI_AP_NONE;
	drv->current_ef = 0;
}

int mynumber_select_ap(sc_card_t *card, enum jpki_ap ap)
{
	struct mynumber_drv_data *drv;
	int r;

	if (card == NULL || card->drv_data == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	drv = mynumber_drv(card);
	mynumber_notice_reset(card);
	if (drv->current_ap == ap && ap != JPKI_AP_NONE)
		return SC_SUCCESS;
	/* Whatever the answer, the card's security state may be gone: a SELECT
	 * of another application drops it, and the same one may. */
	if (drv->current_ap != JPKI_AP_NONE || drv->pin_verified[JPKI_PIN_REF_AUTH]
	    || drv->pin_verified[JPKI_PIN_REF_SIGN] || drv->pin_verified[JPKI_PIN_REF_TEXT])
		mynumber_drop_security_state(card);
	drv->current_ap = JPKI_AP_NONE;
	drv->current_ef = 0;
	mark_selection(card, JPKI_AP_NONE);
	r = jpki_apdu_select_aid(card, ap);
	LOG_TEST_RET(card->ctx, r, "SELECT application failed");
	drv->current_ap = ap;
	mark_selection(card, ap);
	return SC_SUCCESS;
}

int mynumber_pin_is_verified(sc_card_t *card, enum jpki_pin_ref ref)
{
	if (!mynumber_card_is_ours(card) || ref < JPKI_PIN_REF_AUTH || ref > JPKI_PIN_REF_TEXT)
		return 0;
	mynumber_notice_reset(card);
	return mynumber_drv(card)->pin_verified[ref];
}

enum jpki_token_kind mynumber_token_kind(sc_card_t *card)
{
	if (!mynumber_card_is_ours(card))
		return JPKI_KIND_UNKNOWN;
	return mynumber_drv(card)->token_kind;
}

void **mynumber_text_state(sc_card_t *card)
{
	if (card == NULL || card->drv_data == NULL)
		return NULL;
	return &mynumber_drv(card)->text_state;
}

int mynumber_register_key(sc_card_t *card, const struct jpki_cert_key *key)
{
	struct mynumber_drv_data *drv;
	int i;

	if (!mynumber_card_is_ours(card) || key == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	drv = mynumber_drv(card);
	if (key->type != JPKI_KEY_RSA) {
		sc_log(card->ctx, "key type %d from the certificate: this driver signs with RSA only", key->type);
		return SC_ERROR_NOT_SUPPORTED;
	}
	drv->signature_len = (key->bits + 7) / 8;
	for (i = 0; i < card->algorithm_count; i++)
		if (card->algorithms[i].algorithm == SC_ALGORITHM_RSA
		    && card->algorithms[i].key_length == key->bits)
			return SC_SUCCESS;
	/* The card builds the PKCS#1 padding around a DigestInfo it is given. */
	return _sc_card_add_rsa_alg(card, (unsigned)key->bits,
	                            SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_NONE, 0);
}

static void free_drv_data(sc_card_t *card, struct mynumber_drv_data *drv)
{
	if (drv == NULL)
		return;
	mynumber_blob_wipe(&drv->token_info);
	mynumber_blob_wipe(&drv->auth_cert);
	mynumber_blob_wipe(&drv->auth_ca_cert);
	mynumber_blob_wipe(&drv->sign_ca_cert);
	mynumber_blob_wipe(&drv->private_file);
	explicit_bzero(drv, sizeof *drv);
	free(drv);
	if (card->drv_data == drv)
		card->drv_data = NULL;
}

/* The JPKI AID must answer 9000; EF 0006 then says which token it is. Leaves
 * card->drv_data set on success only. */
static int detect(sc_card_t *card)
{
	struct mynumber_drv_data *drv;
	const u8 *token_info;
	size_t token_info_len;
	int r;

	drv = calloc(1, sizeof *drv);
	if (drv == NULL)
		return SC_ERROR_OUT_OF_MEMORY;
	drv->atr_known = _sc_match_atr(card, mynumber_atrs, NULL) >= 0;
	card->drv_data = drv;

	r = jpki_apdu_select_aid(card, JPKI_AP_JPKI);
	if (r < 0) {
		sc_log(card->ctx, "JPKI application not found (%s): not a JPKI card%s", sc_strerror(r),
		       drv->atr_known ? " despite a known ATR" : "");
		free_drv_data(card, drv);
		return SC_ERROR_INVALID_CARD;
	}
	drv->current_ap = JPKI_AP_JPKI;
	mark_selection(card, JPKI_AP_JPKI);

	/* card->type and driver are not ours yet during match_card, so read
	 * through the blob directly rather than mynumber_public_file. */
	r = mynumber_read_whole_ef(card, JPKI_EF_TOKEN_INFO, MYNUMBER_READ_RAW,
	                           &drv->token_info.data, &drv->token_info.len);
	if (r == SC_SUCCESS) {
		drv->token_info.loaded = true;
		token_info = drv->token_info.data;
		token_info_len = drv->token_info.len;
		drv->token_kind = jpki_token_info_classify(token_info, token_info_len);
	} else {
		sc_log(card->ctx, "EF 0006 unreadable (%s): a JPKI token of unknown kind", sc_strerror(r));
		drv->token_kind = JPKI_KIND_UNKNOWN;
		if (r == SC_ERROR_CARD_REMOVED || r == SC_ERROR_READER_DETACHED || r == SC_ERROR_TRANSMIT_FAILED) {
			free_drv_data(card, drv);
			return r;
		}
	}
	sc_log(card->ctx, "JPKI application found: %s%s", jpki_token_kind_name(drv->token_kind),
	       drv->atr_known ? " (known ATR)" : " (ATR not in the known list)");
	return SC_SUCCESS;
}

static int mynumber_match_card(sc_card_t *card)
{
	/* ISO 7816 class byte and a clean slate: match_card may run on a card
	 * object another driver's match_card left behind. */
	card->cla = 0x00;
	card->drv_data = NULL;
	return detect(card) == SC_SUCCESS ? 1 : 0;
}

static int mynumber_init(sc_card_t *card)
{
	struct mynumber_drv_data *drv;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	/* Forced through card_atr/OPENSC_DRIVER, match_card's verdict is ignored
	 * by OpenSC; detect again so a card without the JPKI AID is refused. */
	if (card->drv_data == NULL) {
		r = detect(card);
		if (r < 0)
			LOG_FUNC_RETURN(card->ctx, r == SC_ERROR_OUT_OF_MEMORY ? r : SC_ERROR_INVALID_CARD);
	}
	drv = mynumber_drv(card);
	card->type = MYNUMBER_CARD_TYPE;
	card->name = jpki_token_kind_name(drv->token_kind);
	card->cla = 0x00;
	/* Extended length is tried; a 6700 switches to short APDUs for good. */
	card->caps |= SC_CARD_CAP_APDU_EXT;
	card->max_recv_size = 0;
	card->max_send_size = 0;
	drv->signature_len = 0;
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

static int mynumber_finish(sc_card_t *card)
{
	if (card->drv_data != NULL) {
		mynumber_drop_security_state(card);
		free_drv_data(card, mynumber_drv(card));
	}
	return SC_SUCCESS;
}

static int mynumber_logout(sc_card_t *card)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);
	enum jpki_ap other;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	/* Only a SELECT of another application surely drops the card's PIN
	 * state; re-selecting the same one may not. */
	other = drv->current_ap == JPKI_AP_JPKI ? JPKI_AP_TEXT : JPKI_AP_JPKI;
	mynumber_drop_security_state(card);
	r = mynumber_select_ap(card, other);
	if (r < 0) {
		drv->current_ap = JPKI_AP_NONE;
		drv->current_ef = 0;
	}
	LOG_FUNC_RETURN(card->ctx, r);
}

/* OpenSC calls this whenever it takes the reader lock. After a reset the card
 * has nothing selected and no PIN verified; the right application is selected
 * again by the next operation that needs it. */
static int mynumber_card_reader_lock_obtained(sc_card_t *card, int was_reset)
{
	struct mynumber_drv_data *drv = mynumber_drv(card);

	if (was_reset > 0 && drv != NULL) {
		sc_log(card->ctx, "card was reset: selection and PIN state forgotten");
		mynumber_drop_security_state(card);
		drv->current_ap = JPKI_AP_NONE;
		drv->current_ef = 0;
	}
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
	mynumber_ops.pin_cmd = mynumber_pin_cmd;
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
	return &mynumber_driver;
}
