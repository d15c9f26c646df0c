/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-cert.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

/*
 * Static extension profiles. The policy OIDs are JPKI's own (class 30
 * authentication, class 20 signature) so that software looking for them finds
 * them; every URL is under .invalid so nothing ever fetches from a real host,
 * and the notice text says the certificate is synthetic. The notices and the
 * CA-issuers pointers also bring the certificates to the 1-2 KiB of real ones.
 */
static const char extension_profiles[] =
	"[ca_ext]\n"
	"basicConstraints = critical,CA:TRUE\n"
	"keyUsage = critical,keyCertSign,cRLSign\n"
	"subjectKeyIdentifier = hash\n"
	"\n"
	"[auth_ext]\n"
	"keyUsage = critical,digitalSignature\n"
	"extendedKeyUsage = clientAuth\n"
	"certificatePolicies = ia5org,@auth_policy\n"
	"subjectKeyIdentifier = hash\n"
	"authorityKeyIdentifier = keyid:always\n"
	"crlDistributionPoints = URI:http://jpki-test.invalid/crl/auth/latest.crl\n"
	"authorityInfoAccess = OCSP;URI:http://jpki-test.invalid/ocsp/auth,"
	"caIssuers;URI:http://jpki-test.invalid/ca/auth-ca.cer\n"
	"\n"
	"[auth_policy]\n"
	"policyIdentifier = 1.2.392.200149.8.5.1.3.30\n"
	"CPS.1 = http://jpki-test.invalid/cps/auth/\n"
	"userNotice.1 = @auth_notice\n"
	"\n"
	"[auth_notice]\n"
	"explicitText = \"TEST ONLY: synthetic user authentication certificate made by "
	"opensc-jpki's jpki-sim-gen for automated tests. Not issued by J-LIS; no real person.\"\n"
	"\n"
	"[sign_ext]\n"
	"keyUsage = critical,digitalSignature,nonRepudiation\n"
	"certificatePolicies = ia5org,@sign_policy\n"
	"subjectKeyIdentifier = hash\n"
	"authorityKeyIdentifier = keyid:always\n"
	"crlDistributionPoints = URI:http://jpki-test.invalid/crl/sign/latest.crl\n"
	"authorityInfoAccess = OCSP;URI:http://jpki-test.invalid/ocsp/sign,"
	"caIssuers;URI:http://jpki-test.invalid/ca/sign-ca.cer\n"
	"\n"
	"[sign_policy]\n"
	"policyIdentifier = 1.2.392.200149.8.5.1.1.20\n"
	"CPS.1 = http://jpki-test.invalid/cps/sign/\n"
	"userNotice.1 = @sign_notice\n"
	"\n"
	"[sign_notice]\n"
	"explicitText = \"TEST ONLY: synthetic digital signature certificate made by "
	"opensc-jpki's jpki-sim-gen for automated tests. Not issued by J-LIS; no real person.\"\n";

#define DAYS_CA   3650
#define DAYS_USER 1825
#define DER_MIN_NORMAL 1024
#define DER_MAX_NORMAL 2048

struct cert_profile {
	const char *const *rdns;       /* "field=value" pairs, NULL-terminated */
	unsigned serial_min, serial_max; /* bytes */
	long days;
	const char *extensions;        /* section of extension_profiles, NULL for v1 */
};

static const char *const auth_ca_rdns[] = {
	"C=JP", "O=JPKI", "OU=JPKI for user authentication",
	"OU=TEST CA - synthetic, not J-LIS", NULL
};
static const char *const sign_ca_rdns[] = {
	"C=JP", "O=JPKI", "OU=JPKI for digital signature",
	"OU=TEST CA - synthetic, not J-LIS", NULL
};
/* Room for nothing more in 255 bytes with a 512-bit key (see gen-cert.h). */
static const char *const small_ca_rdns[] = { "CN=T", NULL };
static const char *const no_rdns[] = { NULL };

static void report(const char *what)
{
	fprintf(stderr, "jpki-sim-gen: %s\n", what);
	ERR_print_errors_fp(stderr);
}

static EVP_PKEY *rsa_key_with_exponent(unsigned bits, unsigned long exponent)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *e = BN_new();
	EVP_PKEY *key = NULL;

	if (ctx == NULL || e == NULL || !BN_set_word(e, exponent) ||
	    EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) <= 0 ||
	    EVP_PKEY_generate(ctx, &key) <= 0) {
		report("RSA key generation failed");
		key = NULL;
	}
	BN_free(e);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

EVP_PKEY *gen_rsa_key(unsigned bits)
{
	return rsa_key_with_exponent(bits, 65537);
}

static int add_rdns(X509_NAME *name, const char *const *rdns)
{
	for (size_t i = 0; rdns[i] != NULL; i++) {
		char field[8];
		const char *eq = strchr(rdns[i], '=');
		size_t field_len = eq ? (size_t)(eq - rdns[i]) : 0;

		if (field_len == 0 || field_len >= sizeof field)
			return -1;
		memcpy(field, rdns[i], field_len);
		field[field_len] = '\0';
		if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
		                                (const unsigned char *)eq + 1, -1, -1, 0))
			return -1;
	}
	return 0;
}

/* CN of random hex, like JPKI's opaque subjects: no personal data. */
static int add_random_cn(X509_NAME *name)
{
	unsigned char bytes[8];
	char hex[2 * sizeof bytes + 1];

	if (RAND_bytes(bytes, sizeof bytes) != 1)
		return -1;
	for (size_t i = 0; i < sizeof bytes; i++)
		snprintf(hex + 2 * i, 3, "%02X", bytes[i]);
	if (!X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"JP", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)hex, -1, -1, 0))
		return -1;
	return 0;
}

/* Positive, first byte 01-7F: no 00 sign byte, and exactly the drawn length. */
static int set_random_serial(X509 *cert, unsigned min_len, unsigned max_len)
{
	unsigned char bytes[20], pick;
	unsigned len;
	BIGNUM *bn = NULL;
	int ret = -1;

	if (RAND_bytes(&pick, 1) != 1)
		return -1;
	len = min_len + pick % (max_len - min_len + 1);
	if (len == 0 || len > sizeof bytes || RAND_bytes(bytes, (int)len) != 1)
		return -1;
	bytes[0] = (unsigned char)(1 + bytes[0] % 0x7F);
	bn = BN_bin2bn(bytes, (int)len, NULL);
	if (bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL)
		ret = 0;
	BN_free(bn);
	return ret;
}

static int add_profile_extensions(X509 *cert, X509 *issuer, const char *section)
{
	BIO *bio = BIO_new_mem_buf(extension_profiles, -1);
	CONF *conf = NCONF_new(NULL);
	long error_line = 0;
	X509V3_CTX ctx;
	int ret = -1;

	if (bio == NULL || conf == NULL || NCONF_load_bio(conf, bio, &error_line) <= 0)
		goto out;
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509V3_set_nconf(&ctx, conf);
	if (X509V3_EXT_add_nconf(conf, &ctx, section, cert))
		ret = 0;
out:
	NCONF_free(conf);
	BIO_free(bio);
	return ret;
}

static int add_other_name(GENERAL_NAMES *names, const char *oid_text, const char *utf8_value)
{
	GENERAL_NAME *entry = GENERAL_NAME_new();
	ASN1_OBJECT *oid = OBJ_txt2obj(oid_text, 1);
	ASN1_TYPE *value = ASN1_TYPE_new();
	ASN1_UTF8STRING *text = ASN1_UTF8STRING_new();

	if (entry == NULL || oid == NULL || value == NULL || text == NULL ||
	    !ASN1_STRING_set(text, utf8_value, -1))
		goto fail;
	ASN1_TYPE_set(value, V_ASN1_UTF8STRING, text);
	text = NULL;
	if (!GENERAL_NAME_set0_othername(entry, oid, value))
		goto fail;
	oid = NULL;
	value = NULL;
	if (!sk_GENERAL_NAME_push(names, entry))
		goto fail;
	return 0;
fail:
	ASN1_UTF8STRING_free(text);
	ASN1_TYPE_free(value);
	ASN1_OBJECT_free(oid);
	GENERAL_NAME_free(entry);
	return -1;
}

/* The four basic facts as JPKI's signature certificate carries them. The birth
 * date is written as the era digit followed by YYYYMMDD, the form J-LIS's
 * certificate profile describes; facts and the text AP keep plain YYYYMMDD. */
static int add_personal_san(X509 *cert, const struct gen_person *person)
{
	GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
	char birth[1 + sizeof person->birth], sex[2] = { person->sex, '\0' };
	int era = gen_era_digit(person->birth);
	int ret = -1;

	if (names == NULL || era < 0)
		goto out;
	birth[0] = (char)('0' + era);
	memcpy(birth + 1, person->birth, sizeof person->birth);
	if (add_other_name(names, GEN_OID_JPKI_NAME, person->name) != 0 ||
	    add_other_name(names, GEN_OID_JPKI_BIRTH, birth) != 0 ||
	    add_other_name(names, GEN_OID_JPKI_SEX, sex) != 0 ||
	    add_other_name(names, GEN_OID_JPKI_ADDRESS, person->address) != 0)
		goto out;
	if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1)
		ret = 0;
out:
	GENERAL_NAMES_free(names);
	OPENSSL_cleanse(birth, sizeof birth);
	return ret;
}

/* issuer == NULL: self-signed with key. */
static X509 *make_cert(const struct cert_profile *profile, EVP_PKEY *subject_key,
                       X509 *issuer, EVP_PKEY *issuer_key, const struct gen_person *person)
{
	X509 *cert = X509_new();
	X509_NAME *subject = X509_NAME_new();

	if (cert == NULL || subject == NULL)
		goto fail;
	if (!X509_set_version(cert, profile->extensions ? X509_VERSION_3 : X509_VERSION_1) ||
	    set_random_serial(cert, profile->serial_min, profile->serial_max) != 0 ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), -86400L) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(cert), (int)profile->days, 0, NULL) == NULL ||
	    !X509_set_pubkey(cert, subject_key))
		goto fail;
	if (issuer == NULL) {
		if (add_rdns(subject, profile->rdns) != 0 || !X509_set_issuer_name(cert, subject))
			goto fail;
	} else {
		if (add_rdns(subject, profile->rdns) != 0)
			goto fail;
		if (profile->extensions != NULL && add_random_cn(subject) != 0)
			goto fail;
		if (!X509_set_issuer_name(cert, X509_get_subject_name(issuer)))
			goto fail;
	}
	if (!X509_set_subject_name(cert, subject))
		goto fail;
	if (profile->extensions != NULL &&
	    add_profile_extensions(cert, issuer ? issuer : cert, profile->extensions) != 0)
		goto fail;
	if (person != NULL && add_personal_san(cert, person) != 0)
		goto fail;
	if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0)
		goto fail;
	X509_NAME_free(subject);
	return cert;
fail:
	report("certificate construction failed");
	X509_NAME_free(subject);
	X509_free(cert);
	return NULL;
}

/* The promise each certificate makes to the tests: its size and length form. */
static int check_der_shape(X509 *cert, const char *what, bool one_byte_form, bool user_size)
{
	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der);
	int ok;

	if (len <= 0) {
		report("certificate encoding failed");
		return -1;
	}
	if (one_byte_form)
		ok = len >= 3 && der[0] == 0x30 && der[1] == 0x81 && len == 3 + der[2];
	else
		ok = der[0] == 0x30 && der[1] == 0x82 &&
		     (!user_size || (len >= DER_MIN_NORMAL && len <= DER_MAX_NORMAL));
	if (!ok)
		fprintf(stderr, "jpki-sim-gen: %s certificate is %d bytes, header %02X %02X: not the promised shape\n",
		        what, len, der[0], len > 1 ? der[1] : 0);
	OPENSSL_free(der);
	return ok ? 0 : -1;
}

int gen_pki_make(const struct gen_person *person, bool small, struct gen_pki *pki)
{
	const struct cert_profile auth_ca = {
		small ? small_ca_rdns : auth_ca_rdns, small ? 1 : 8, small ? 1 : 8, DAYS_CA,
		small ? NULL : "ca_ext"
	};
	const struct cert_profile sign_ca = { sign_ca_rdns, 8, 8, DAYS_CA, "ca_ext" };
	const struct cert_profile auth_user = {
		no_rdns, 8, small ? 8 : 16, DAYS_USER, small ? NULL : "auth_ext"
	};
	const struct cert_profile sign_user = { no_rdns, 8, 16, DAYS_USER, "sign_ext" };
	unsigned auth_bits = small ? 512 : 2048;

	memset(pki, 0, sizeof *pki);
	/* The small CA's exponent is 3: with 65537 its self-signed v1 certificate
	 * is 261 bytes, with 3 it is 255 (two bytes less in the key, no room in
	 * the one-letter names, the validity or the one-byte serial). */
	pki->auth_ca_key = small ? rsa_key_with_exponent(auth_bits, 3) : gen_rsa_key(auth_bits);
	if (pki->auth_ca_key == NULL ||
	    (pki->sign_ca_key = gen_rsa_key(2048)) == NULL ||
	    (pki->auth_key = gen_rsa_key(auth_bits)) == NULL ||
	    (pki->sign_key = gen_rsa_key(2048)) == NULL)
		goto fail;
	if ((pki->auth_ca_cert = make_cert(&auth_ca, pki->auth_ca_key, NULL, pki->auth_ca_key, NULL)) == NULL ||
	    (pki->sign_ca_cert = make_cert(&sign_ca, pki->sign_ca_key, NULL, pki->sign_ca_key, NULL)) == NULL ||
	    (pki->auth_cert = make_cert(&auth_user, pki->auth_key, pki->auth_ca_cert, pki->auth_ca_key, NULL)) == NULL ||
	    (pki->sign_cert = make_cert(&sign_user, pki->sign_key, pki->sign_ca_cert, pki->sign_ca_key, person)) == NULL)
		goto fail;
	if (check_der_shape(pki->auth_ca_cert, "authentication CA", small, false) != 0 ||
	    check_der_shape(pki->auth_cert, "authentication", small, true) != 0 ||
	    check_der_shape(pki->sign_ca_cert, "signature CA", false, false) != 0 ||
	    check_der_shape(pki->sign_cert, "signature", false, true) != 0)
		goto fail;
	return 0;
fail:
	gen_pki_free(pki);
	return -1;
}

void gen_pki_free(struct gen_pki *pki)
{
	EVP_PKEY_free(pki->auth_ca_key);
	EVP_PKEY_free(pki->sign_ca_key);
	EVP_PKEY_free(pki->auth_key);
	EVP_PKEY_free(pki->sign_key);
	X509_free(pki->auth_ca_cert);
	X509_free(pki->sign_ca_cert);
	X509_free(pki->auth_cert);
	X509_free(pki->sign_cert);
	memset(pki, 0, sizeof *pki);
}

int gen_cert_serial_hex(const X509 *cert, char *out, size_t out_cap)
{
	const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char *hex = NULL;
	int ret = -1;

	if (bn == NULL || BN_is_negative(bn) || BN_is_zero(bn))
		goto out;
	hex = BN_bn2hex(bn);
	if (hex == NULL)
		goto out;
	/* BN_bn2hex pads to whole bytes and writes upper case already. */
	if (strlen(hex) < out_cap) {
		memcpy(out, hex, strlen(hex) + 1);
		ret = 0;
	}
out:
	OPENSSL_free(hex);
	BN_free(bn);
	return ret;
}
