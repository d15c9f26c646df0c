/*
 * Which pin_cmd calling convention a libopensc has, asked of its running code:
 * OpenSC master after 0.27.1 (upstream PR #3589) dropped pin_cmd's
 * int *tries_left, yet still reports 0.27.1 with the same soname, so neither
 * the version nor the dynamic linker tells it from 0.27.1. One home for the
 * probe: the module's load-time guard (src/module-guard.c) and configure
 * (which compares the library with the tree's headers) both include it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PIN_CMD_PROBE_H
#define PIN_CMD_PROBE_H

#include <stdbool.h>

#include "libopensc/opensc.h"

#include "common/opensc-compat.h"

/* What the probe's pin_cmd leaves in data->pin1.tries_left: no card has so
 * many tries. */
#define PIN_CMD_PROBE_MARK 0x4A504B49

/* The probe card's pin_cmd: touches nothing but data. Where the library calls
 * it with one argument more or fewer than declared here (the very mismatch
 * probed for), the argument is never read, which the C calling conventions of
 * every platform OpenSC runs on allow (the caller cleans up). */
static int pin_cmd_probe_op(COMPAT_PIN_CMD_OP_PARAMS)
{
	(void)card;
	data->pin1.tries_left = PIN_CMD_PROBE_MARK;
	return SC_ERROR_NOT_SUPPORTED;
}

typedef int (*pin_cmd_probe_verify_fn)(sc_card_t *, unsigned int, int, const u8 *, size_t, int *);

/* Takes the library's sc_verify (its signature is the same in 0.22.0 to
 * master). Returns true when that library hands its tries_left pointer down
 * to the driver's pin_cmd (0.22.0 to 0.27.1), false when it reads the tries
 * from data->pin1.tries_left (master). The card exists only here: a zeroed
 * sc_card whose ctx has debug level 0 (so sc_pin_cmd logs nothing) and whose
 * ops hold only the probe's pin_cmd; sc_pin_cmd reads nothing else of them on
 * any release, and nothing is sent anywhere. Only call it where the struct
 * layouts are the library's (same version). */
static inline bool pin_cmd_probe_has_tries_left(pin_cmd_probe_verify_fn verify)
{
	static struct sc_context ctx;
	static struct sc_card card;
	static struct sc_card_operations ops;
	int tries = -1;

	ops.pin_cmd = pin_cmd_probe_op;
	card.ctx = &ctx;
	card.ops = &ops;
	(void)verify(&card, SC_AC_CHV, 0, NULL, 0, &tries);
	return tries != PIN_CMD_PROBE_MARK;
}

#endif
