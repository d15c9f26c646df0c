/*
 * The card-face text data as PKCS#15 objects (opt-in: card_info = yes).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PKCS15_TEXT_AP_H
#define PKCS15_TEXT_AP_H

#include "libopensc/pkcs15.h"

/* Adds the text-AP PIN (auth ID 03) and the five private data objects. */
int mynumber_pkcs15_add_text_ap_objects(sc_pkcs15_card_t *p15card);

#endif
