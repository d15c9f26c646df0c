/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "libopensc/errors.h"

#include "jpki-cert.h"

/* d2i_X509 accepts trailing bytes; a certificate file must hold exactly one
 * certificate, so the whole input has to be consumed. */
static X509 *parse_certificate(const uint8_t *der, size_t der_len)
{
	const unsigned char *cursor = der;
	X509 *cert;

	if (der == NULL || der_len == 0 || der_len > LONG_MAX)
		return NULL;
	cert = d2i_X509(NULL, &cursor, (long)der_len);
	if (cert != NULL && cursor != der + der_len) {
		X509_free(cert);
		cert = NULL;
	}
	return cert;
}

int jpki_cert_serial_hex(const uint8_t *der, size_t der_len, char *out, size_t out_cap)
{
	static const char hex_digits[] = "0123456789ABCDEF";
	const ASN1_INTEGER *serial;
	const unsigned char *bytes;
	X509 *cert;
	int byte_count, i, rv = SC_SUCCESS;

	if (out == NULL || out_cap == 0)
		return SC_ERROR_INVALID_ARGUMENTS;
	cert = parse_certificate(der, der_len);
	if (cert == NULL)
		return SC_ERROR_INVALID_ASN1_OBJECT;
	serial = X509_get0_serialNumber(cert);
	bytes = ASN1_STRING_get0_data(serial);
	byte_count = ASN1_STRING_length(serial);
	/* A negative or empty serial is not one a CA issues; a zero serial would
	 * collide like OpenSC's "00000000" does. */
	if (byte_count <= 0 || ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) {
		rv = SC_ERROR_INVALID_DATA;
	} else if ((size_t)byte_count * 2 + 1 > out_cap) {
		rv = SC_ERROR_BUFFER_TOO_SMALL;
	} else {
		int all_zero = 1;

		for (i = 0; i < byte_count; i++) {
			out[2 * i] = hex_digits[bytes[i] >> 4];
			out[2 * i + 1] = hex_digits[bytes[i] & 0x0F];
			if (bytes[i] != 0)
				all_zero = 0;
		}
		out[2 * byte_count] = '\0';
		if (all_zero)
			rv = SC_ERROR_INVALID_DATA;
	}
	if (rv != SC_SUCCESS)
		out[0] = '\0';
	X509_free(cert);
	return rv;
}

int jpki_cert_key_info(const uint8_t *der, size_t der_len, struct jpki_cert_key *key)
{
	EVP_PKEY *public_key;
	X509 *cert;
	int bits, rv = SC_SUCCESS;

	if (key == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	cert = parse_certificate(der, der_len);
	if (cert == NULL)
		return SC_ERROR_INVALID_ASN1_OBJECT;
	public_key = X509_get0_pubkey(cert);
	if (public_key == NULL) {
		rv = SC_ERROR_INVALID_ASN1_OBJECT;
		goto out;
	}
	bits = EVP_PKEY_get_bits(public_key);
	if (bits <= 0) {
		rv = SC_ERROR_INVALID_DATA;
		goto out;
	}
	switch (EVP_PKEY_get_base_id(public_key)) {
	case EVP_PKEY_RSA:
		key->type = JPKI_KEY_RSA;
		break;
	case EVP_PKEY_EC:
		key->type = JPKI_KEY_EC;
		break;
	default:
		key->type = JPKI_KEY_UNSUPPORTED;
		break;
	}
	key->bits = (size_t)bits;
out:
	X509_free(cert);
	return rv;
}

int jpki_cert_spki(const uint8_t *der, size_t der_len, uint8_t **spki, size_t *spki_len)
{
	unsigned char *encoded = NULL;
	X509 *cert;
	int encoded_len;

	if (spki == NULL || spki_len == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	cert = parse_certificate(der, der_len);
	if (cert == NULL)
		return SC_ERROR_INVALID_ASN1_OBJECT;
	encoded_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &encoded);
	X509_free(cert);
	if (encoded_len <= 0)
		return SC_ERROR_INVALID_ASN1_OBJECT;
	/* Hand over a malloc'd copy: OpenSC frees it with free(). */
	*spki = malloc((size_t)encoded_len);
	if (*spki == NULL) {
		OPENSSL_free(encoded);
		return SC_ERROR_OUT_OF_MEMORY;
	}
	memcpy(*spki, encoded, (size_t)encoded_len);
	*spki_len = (size_t)encoded_len;
	OPENSSL_free(encoded);
	return SC_SUCCESS;
}

int jpki_cert_public_key_raw(const uint8_t *der, size_t der_len, uint8_t **raw, size_t *raw_len)
{
	const unsigned char *key_bytes = NULL;
	int key_len = 0;
	X509 *cert;
	int rv = SC_SUCCESS;

	if (raw == NULL || raw_len == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	cert = parse_certificate(der, der_len);
	if (cert == NULL)
		return SC_ERROR_INVALID_ASN1_OBJECT;
	if (!X509_PUBKEY_get0_param(NULL, &key_bytes, &key_len, NULL, X509_get_X509_PUBKEY(cert))
	    || key_bytes == NULL || key_len <= 0) {
		rv = SC_ERROR_INVALID_ASN1_OBJECT;
		goto out;
	}
	*raw = malloc((size_t)key_len);
	if (*raw == NULL) {
		rv = SC_ERROR_OUT_OF_MEMORY;
		goto out;
	}
	memcpy(*raw, key_bytes, (size_t)key_len);
	*raw_len = (size_t)key_len;
out:
	X509_free(cert);
	return rv;
}
