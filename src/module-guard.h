/*
 * Refuse to run inside a libopensc other than the one we were compiled against:
 * OpenSC's structs and function types change between releases, and a foreign
 * one corrupts memory silently or crashes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef MODULE_GUARD_H
#define MODULE_GUARD_H

/* The libopensc version this module's structs were compiled for. */
const char *module_guard_built_for(void);

/* Why this module must not run in the libopensc it is loaded into, as one
 * line for OpenSC's log and opensc-jpki-config; NULL when it may run. Two
 * tests, asked of the running library, never of a package database:
 * - its sc_get_version() equals the version compiled for (not only begins
 *   with it, as OpenSC's own check);
 * - its sc_pin_cmd() has the calling convention compiled for: OpenSC master
 *   after 0.27.1 dropped pin_cmd's tries_left argument yet still reports
 *   0.27.1 (upstream PR #3589). Asked by calling the library's sc_verify()
 *   on a card of the module's own that never reaches a reader
 *   (module-guard.c says how).
 * The answer is computed once; the string is static. */
const char *module_guard_refusal(void);

/* A driver that claims no card and, whenever OpenSC offers it one, says in
 * OpenSC's log why it refuses. Its layout only relies on what every OpenSC
 * release shares: the first members of sc_card_driver, sc_card_operations and
 * sc_card. */
void *module_guard_refusing_driver(void);

#endif
