/*
 * The My Number Card driver ("mynumber"), seen from the rest of the module.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef CARD_JPKI_H
#define CARD_JPKI_H

#include "libopensc/opensc.h"

/* Our own card type: never SC_CARD_TYPE_JPKI_BASE, or OpenSC's built-in jpki
 * emulator would bind our card and read our drv_data as its own struct.
 * "JPKI" in ASCII, far from every built-in range. */
#define MYNUMBER_CARD_TYPE 0x4A504B49

#define MYNUMBER_DRIVER_SHORT_NAME "mynumber"

struct sc_card_driver *mynumber_get_driver(void);

#endif
