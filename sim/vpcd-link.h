/*
 * The vpcd wire: jpki-sim is the TCP client of vsmartcard's IFD handler.
 * Each frame is a 2-byte big-endian length and a payload; a 1-byte payload is a
 * control code, a longer one a C-APDU (and the reply an R-APDU).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VPCD_LINK_H
#define VPCD_LINK_H

#include <stddef.h>
#include <stdint.h>

enum vpcd_control {
	VPCD_CTRL_OFF = 0,
	VPCD_CTRL_ON = 1,
	VPCD_CTRL_RESET = 2,
	VPCD_CTRL_ATR = 4,
};

#define VPCD_MAX_FRAME 0xFFFF

/* A connected socket to 127.0.0.1:port, or -1 (errno set). */
int vpcd_connect(uint16_t port);

/* Reads one frame into buf. 0: a frame of *len bytes; 1: vpcd closed the
 * connection; -1: error, an oversized frame, or interrupted by a signal. */
int vpcd_read_frame(int fd, uint8_t *buf, size_t cap, size_t *len);

/* 0, or -1 when the frame cannot be sent. */
int vpcd_write_frame(int fd, const uint8_t *payload, size_t len);

/* A TCP port P in [lowest, highest) such that P and P + 1 (vpcd's second slot)
 * are free right now (bind check on the wildcard address, as vpcd binds), or -1. */
int vpcd_find_free_port(uint16_t lowest, uint16_t highest);

#endif
