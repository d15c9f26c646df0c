/*
 * sc_apdu_t <-> bytes, as a PC/SC reader driver does it, for test readers that
 * hand APDUs to something speaking bytes (the virtual card, a recorded session).
 *
 * OpenSC's own encoder (sc_apdu2bytes) is not exported from libopensc, so test
 * readers carry their own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SIMREADER_APDU_BYTES_H
#define SIMREADER_APDU_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "libopensc/opensc.h"

/* Longest C-APDU: header, 3-byte Lc, 65535 data bytes, 2-byte Le. */
#define SIMREADER_MAX_CAPDU (4 + 3 + 65535 + 2)

/* Encodes apdu (its cse must be a concrete case: 1, 2/3/4 short or extended)
 * into out. Short Le 256 (or 0) is sent as 00, extended Le 65536 (or 0) as
 * 00 00.
 * Returns SC_SUCCESS, SC_ERROR_INVALID_ARGUMENTS for an APDU that cannot be
 * encoded (lengths outside the case's range, data missing), or
 * SC_ERROR_BUFFER_TOO_SMALL. */
int simreader_apdu_encode(const sc_apdu_t *apdu, uint8_t *out, size_t out_cap, size_t *out_len);

/* True if apdu's case is one of the extended-length cases. */
int simreader_apdu_is_extended(const sc_apdu_t *apdu);

/* Stores an R-APDU (data + SW1 SW2) into apdu: sw1/sw2 set, as much data as
 * apdu->resplen (the capacity of apdu->resp on entry) allows copied, resplen
 * set to the number of bytes copied. A response shorter than the two status
 * bytes is a transmission failure (SC_ERROR_TRANSMIT_FAILED), apdu untouched. */
int simreader_apdu_store_response(sc_apdu_t *apdu, const uint8_t *rapdu, size_t rapdu_len);

#endif
