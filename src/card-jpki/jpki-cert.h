/*
 * What the driver and the emulator need from a certificate: its serial number
 * (the token's identity), its public key's type and size (never hard-coded) and
 * the public key itself. Pure: DER bytes in, values out; OpenSSL parses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef JPKI_CERT_H
#define JPKI_CERT_H

#include <stddef.h>
#include <stdint.h>

enum jpki_key_type {
	JPKI_KEY_UNSUPPORTED = 0,
	JPKI_KEY_RSA,
	JPKI_KEY_EC,
};

struct jpki_cert_key {
	enum jpki_key_type type;
	size_t bits;                /* RSA modulus / EC field size */
};

/* Return values: 0, or a negative SC_ERROR_* code (libopensc/errors.h). */

/* Upper-case hex of the serial number's magnitude, two digits per byte as DER
 * holds it (leading zero octet dropped), NUL-terminated. */
int jpki_cert_serial_hex(const uint8_t *der, size_t der_len, char *out, size_t out_cap);

int jpki_cert_key_info(const uint8_t *der, size_t der_len, struct jpki_cert_key *key);

/* SubjectPublicKeyInfo, DER, malloc'd. */
int jpki_cert_spki(const uint8_t *der, size_t der_len, uint8_t **spki, size_t *spki_len);

/* The subjectPublicKey BIT STRING's content (RSAPublicKey for RSA, the point
 * for EC), malloc'd: what OpenSC's sc_pkcs15_decode_pubkey expects. */
int jpki_cert_public_key_raw(const uint8_t *der, size_t der_len, uint8_t **raw, size_t *raw_len);

#endif
