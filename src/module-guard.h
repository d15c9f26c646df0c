/*
 * Refuse to run inside a libopensc other than the one we were compiled against:
 * OpenSC's structs change layout between releases, and a foreign layout corrupts
 * memory silently.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef MODULE_GUARD_H
#define MODULE_GUARD_H

#include <stdbool.h>

/* The libopensc version this module's structs were compiled for. */
const char *module_guard_built_for(void);

/* True only when the running libopensc reports exactly that version. */
bool module_guard_running_matches(void);

/* A driver that claims no card and, whenever OpenSC offers it one, says in
 * OpenSC's log why it refuses. Its layout only relies on what every OpenSC
 * release shares: the first members of sc_card_driver, sc_card_operations and
 * sc_card. */
void *module_guard_refusing_driver(void);

#endif
