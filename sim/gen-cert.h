/*
 * jpki-sim-gen: the card's key pairs and certificates.
 *
 * Two self-signed CAs shaped like JPKI's (C=JP, O=JPKI, OU=JPKI for user
 * authentication / for digital signature) but marked TEST; an authentication
 * certificate without personal data and a signature certificate carrying the
 * four basic facts in subjectAltName otherNames.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef GEN_CERT_H
#define GEN_CERT_H

#include <stdbool.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "gen-person.h"

/* JPKI's personal-data arc 1.2.392.200149.8.5.5 (public registries of JPKI OIDs
 * agree on these; .2 is the substitute-character form of the name, which only
 * cards whose name has characters outside the card's set carry, so a synthetic
 * card has no use for it). */
#define GEN_OID_JPKI_NAME    "1.2.392.200149.8.5.5.1"
#define GEN_OID_JPKI_SEX     "1.2.392.200149.8.5.5.3"
#define GEN_OID_JPKI_BIRTH   "1.2.392.200149.8.5.5.4"
#define GEN_OID_JPKI_ADDRESS "1.2.392.200149.8.5.5.5"

struct gen_pki {
	EVP_PKEY *auth_ca_key;
	EVP_PKEY *sign_ca_key;
	EVP_PKEY *auth_key;
	EVP_PKEY *sign_key;
	X509 *auth_ca_cert;
	X509 *sign_ca_cert;
	X509 *auth_cert;
	X509 *sign_cert;
};

/* small: the authentication certificate and its CA are X.509 v1 with 512-bit RSA
 * keys and one-letter names, so each DER encoding is at most 255 bytes of
 * content (outer header 30 81 xx): with a 2048-bit key or any extension there is
 * no way under 256 bytes, and an EC P-256 key saves too little to matter while
 * changing the card's signing path. Every other certificate is RSA-2048 and v3
 * with header 30 82 xx xx; the two user certificates are 1-2 KiB like real ones.
 * All of this is checked before returning.
 * Returns 0, or -1 with a message on stderr (nothing allocated is left). */
int gen_pki_make(const struct gen_person *person, bool small, struct gen_pki *pki);
void gen_pki_free(struct gen_pki *pki);

/* Upper-case hex of the certificate's serial, no sign byte: what the plugin
 * reports as the token serial. out_cap must hold 2 bytes per serial byte + 1. */
int gen_cert_serial_hex(const X509 *cert, char *out, size_t out_cap);

/* Fresh RSA key of the given size, or NULL. */
EVP_PKEY *gen_rsa_key(unsigned bits);

#endif
