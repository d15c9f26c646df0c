/*
 * The card-face text data as PKCS#15 objects: the text-AP PIN (auth ID 03) and
 * five private data objects, one per decoded field.
 *
 * Only describes objects; every byte comes from the driver's text AP layer
 * (card-jpki/text-ap.c) when a data object's virtual file is read.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "libopensc/log.h"
#include "libopensc/pkcs15.h"

#include "card-jpki/text-ap.h"
#include "common/jpki-facts.h"
#include "common/module-config.h"
#include "common/opensc-compat.h"

#include "pkcs15-text-ap.h"

#define TEXT_AP_PIN_LABEL   "Card Info Input Support PIN"
#define TEXT_AP_AUTH_ID     0x03

/* Labels users pass to pkcs15-tool --read-data-object, in field order. */
static const char *const field_labels[MYNUMBER_FIELD_COUNT] = {
	[MYNUMBER_FIELD_MY_NUMBER] = "My Number",
	[MYNUMBER_FIELD_NAME]      = "Name",
	[MYNUMBER_FIELD_ADDRESS]   = "Address",
	[MYNUMBER_FIELD_BIRTH]     = "Date of Birth",
	[MYNUMBER_FIELD_SEX]       = "Sex",
};

static void set_text_ap_aid(struct sc_aid *aid)
{
	static const u8 text_aid[JPKI_AID_LEN] = JPKI_AID_TEXT;

	memcpy(aid->value, text_aid, sizeof(text_aid));
	aid->len = sizeof(text_aid);
}

static int add_text_ap_pin(sc_pkcs15_card_t *p15card)
{
	sc_context_t *ctx = p15card->card->ctx;
	struct sc_pkcs15_auth_info pin_info;
	struct sc_pkcs15_object pin_obj;
	struct sc_pkcs15_object *added = NULL;
	int r;

	memset(&pin_info, 0, sizeof(pin_info));
	memset(&pin_obj, 0, sizeof(pin_obj));

	pin_info.auth_type = SC_PKCS15_PIN_AUTH_TYPE_PIN;
	pin_info.auth_method = SC_AC_CHV;
	pin_info.auth_id.len = 1;
	pin_info.auth_id.value[0] = TEXT_AP_AUTH_ID;
	pin_info.attrs.pin.reference = JPKI_PIN_REF_TEXT;
	pin_info.attrs.pin.flags = SC_PKCS15_PIN_FLAG_LOCAL | SC_PKCS15_PIN_FLAG_INITIALIZED;
	pin_info.attrs.pin.type = SC_PKCS15_PIN_TYPE_ASCII_NUMERIC;
	pin_info.attrs.pin.min_length = JPKI_TEXT_PIN_LEN;
	pin_info.attrs.pin.stored_length = JPKI_TEXT_PIN_LEN;
	pin_info.attrs.pin.max_length = JPKI_TEXT_PIN_LEN;
	pin_info.max_tries = JPKI_TEXT_PIN_TRIES;
	/* Unknown until the card is asked (below): a guessed "3" would hide a
	 * PIN one wrong try away from blocking. */
	pin_info.tries_left = -1;
	/* No path: the driver's pin_cmd knows reference 3 lives in the text AP
	 * and selects it itself, so OpenSC's generic select-before-verify cannot
	 * move the card to another AP behind the driver's back. */

	strncpy(pin_obj.label, TEXT_AP_PIN_LABEL, sizeof(pin_obj.label) - 1);
	pin_obj.flags = SC_PKCS15_CO_FLAG_PRIVATE;
	pin_obj.auth_id.len = 0;

	r = sc_pkcs15emu_add_pin_obj(p15card, &pin_obj, &pin_info);
	LOG_TEST_RET(ctx, r, "Cannot add the text AP PIN object");

	/* A no-data VERIFY in the driver: no try is spent. Only where nobody
	 * else asks (as for the JPKI PINs, pkcs15-jpki.c). */
	if (COMPAT_BIND_ASKS_TRIES && !module_config_app_is_pkcs11(ctx) &&
	    sc_pkcs15_find_pin_by_auth_id(p15card, &pin_info.auth_id, &added) == SC_SUCCESS) {
		r = sc_pkcs15_get_pin_info(p15card, added);
		if (r != SC_SUCCESS)
			sc_log(ctx, "text AP PIN: tries left unknown (%s)", sc_strerror(r));
	}
	return SC_SUCCESS;
}

static int add_field_object(sc_pkcs15_card_t *p15card, enum mynumber_text_field field)
{
	sc_context_t *ctx = p15card->card->ctx;
	struct sc_pkcs15_data_info data_info;
	struct sc_pkcs15_object data_obj;
	unsigned vfid = MYNUMBER_TEXT_VFID_FIRST + (unsigned)field;
	int r;

	memset(&data_info, 0, sizeof(data_info));
	memset(&data_obj, 0, sizeof(data_obj));

	data_info.id.len = 2;
	data_info.id.value[0] = (u8)(vfid >> 8);
	data_info.id.value[1] = (u8)(vfid & 0xFF);
	/* Same as the label, so --read-data-object finds the field by either. */
	strncpy(data_info.app_label, field_labels[field], sizeof(data_info.app_label) - 1);
	data_info.path.type = SC_PATH_TYPE_FILE_ID;
	data_info.path.value[0] = (u8)(vfid >> 8);
	data_info.path.value[1] = (u8)(vfid & 0xFF);
	data_info.path.len = 2;
	data_info.path.index = 0;
	data_info.path.count = -1;
	set_text_ap_aid(&data_info.path.aid);

	strncpy(data_obj.label, field_labels[field], sizeof(data_obj.label) - 1);
	/* Private: OpenSC's file cache keeps private objects off the disk unless
	 * told to cache everything, which mynumber_pkcs15_add_text_ap_objects
	 * turns down. */
	data_obj.flags = SC_PKCS15_CO_FLAG_PRIVATE;
	data_obj.auth_id.len = 1;
	data_obj.auth_id.value[0] = TEXT_AP_AUTH_ID;

	r = sc_pkcs15emu_add_data_object(p15card, &data_obj, &data_info);
	LOG_TEST_RET(ctx, r, "Cannot add a text AP data object");
	return SC_SUCCESS;
}

int mynumber_pkcs15_add_text_ap_objects(sc_pkcs15_card_t *p15card)
{
	sc_context_t *ctx;
	int field;
	int r;

	if (p15card == NULL || p15card->card == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	ctx = p15card->card->ctx;
	LOG_FUNC_CALLED(ctx);

	/* use_file_caching = yes caches private files too (sc_pkcs15_read_file),
	 * and would both write the decoded fields to disk and serve them back
	 * later without the PIN or the hash check. Public files stay cached. */
	if (p15card->opts.use_file_cache & COMPAT_FILE_CACHE_ALL) {
		sc_log(ctx, "card_info: file cache limited to public files (to none, where OpenSC caches all or none), so card-face "
		            "data never reaches the disk");
		p15card->opts.use_file_cache = COMPAT_FILE_CACHE_PUBLIC;
	}

	r = add_text_ap_pin(p15card);
	LOG_TEST_RET(ctx, r, "text AP PIN");
	for (field = 0; field < MYNUMBER_FIELD_COUNT; field++) {
		r = add_field_object(p15card, (enum mynumber_text_field)field);
		LOG_TEST_RET(ctx, r, "text AP data object");
	}
	LOG_FUNC_RETURN(ctx, SC_SUCCESS);
}
