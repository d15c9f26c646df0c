/*
 * The My Number Card's PKCS#15 emulator, seen from the module's entry point.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PKCS15_JPKI_H
#define PKCS15_JPKI_H

#include "libopensc/pkcs15.h"

int mynumber_pkcs15emu_init_ex(sc_pkcs15_card_t *p15card, struct sc_aid *aid);

#endif
