/*
 * jpki-sim-gen: writes a synthetic My Number Card identity directory
 * (sim/IDENTITY.md) for the virtual card and the tests.
 *
 *   jpki-sim-gen --out DIR [--variant normal|small] [--long-address] [--seed N]
 *
 * DIR must not exist or be empty: the generator never overwrites anything.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "gen-buf.h"
#include "gen-cert.h"
#include "gen-person.h"
#include "gen-rand.h"
#include "gen-textap.h"

#define TOKEN_INFO     "JPKIAPICCTOKEN2"
#define TOKEN_INFO_LEN 20
#define MODE_PUBLIC    0644
#define MODE_SECRET    0600  /* keys and PINs: test data, but still nobody else's */

static const char *const subdirs[] = { "jpki", "keys", "ca", "text" };
#define SUBDIR_COUNT (sizeof subdirs / sizeof subdirs[0])

/* What has been created, so a failure leaves nothing half-written behind. */
struct out_dir {
	const char *root;
	bool created_root;
	bool created_subdir[SUBDIR_COUNT];
	char written[24][32];
	size_t written_count;
};

struct options {
	const char *out;
	bool small;
	bool long_address;
	bool seeded;
	unsigned long long seed;
};

static void usage(FILE *to)
{
	fprintf(to,
	        "usage: jpki-sim-gen --out DIR [--variant normal|small] [--long-address] [--seed N]\n"
	        "  --out DIR        identity directory to create (must not exist or be empty)\n"
	        "  --variant small  authentication certificate and its CA under 256 bytes\n"
	        "                   (X.509 v1, RSA-512), DER header 30 81 xx\n"
	        "  --long-address   address long enough for 81/82 length forms in text EF 0002\n"
	        "  --seed N         same card face and PINs for the same N (keys, serials differ)\n");
}

static int parse_options(int argc, char **argv, struct options *opts)
{
	static const struct option long_options[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "variant", required_argument, NULL, 'v' },
		{ "long-address", no_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(opts, 0, sizeof *opts);
	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'o':
			opts->out = optarg;
			break;
		case 'v':
			if (strcmp(optarg, "small") == 0)
				opts->small = true;
			else if (strcmp(optarg, "normal") == 0)
				opts->small = false;
			else {
				fprintf(stderr, "jpki-sim-gen: unknown variant '%s' (normal or small)\n", optarg);
				return -1;
			}
			break;
		case 'l':
			opts->long_address = true;
			break;
		case 's':
			errno = 0;
			opts->seed = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-') {
				fprintf(stderr, "jpki-sim-gen: --seed wants a decimal number, not '%s'\n", optarg);
				return -1;
			}
			opts->seeded = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || opts->out == NULL || opts->out[0] == '\0') {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int join(char *out, size_t cap, const char *root, const char *rel)
{
	int n = snprintf(out, cap, "%s/%s", root, rel);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Creates root (or accepts it when it is an empty directory) and the subdirs. */
static int prepare_out_dir(struct out_dir *dir)
{
	char path[PATH_MAX];

	if (mkdir(dir->root, 0700) == 0) {
		dir->created_root = true;
	} else if (errno == EEXIST) {
		DIR *existing = opendir(dir->root);
		struct dirent *entry;
		bool empty = true;

		if (existing == NULL) {
			fprintf(stderr, "jpki-sim-gen: %s exists and is not a readable directory\n", dir->root);
			return -1;
		}
		while ((entry = readdir(existing)) != NULL)
			if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
				empty = false;
		closedir(existing);
		if (!empty) {
			fprintf(stderr, "jpki-sim-gen: %s is not empty; refusing to overwrite anything\n", dir->root);
			return -1;
		}
	} else {
		fprintf(stderr, "jpki-sim-gen: cannot create %s: %s\n", dir->root, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < SUBDIR_COUNT; i++) {
		if (join(path, sizeof path, dir->root, subdirs[i]) != 0 || mkdir(path, 0700) != 0) {
			fprintf(stderr, "jpki-sim-gen: cannot create %s/%s: %s\n", dir->root, subdirs[i], strerror(errno));
			return -1;
		}
		dir->created_subdir[i] = true;
	}
	return 0;
}

static void remove_out_dir(struct out_dir *dir)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < dir->written_count; i++)
		if (join(path, sizeof path, dir->root, dir->written[i]) == 0)
			unlink(path);
	for (size_t i = 0; i < SUBDIR_COUNT; i++)
		if (dir->created_subdir[i] && join(path, sizeof path, dir->root, subdirs[i]) == 0)
			rmdir(path);
	if (dir->created_root)
		rmdir(dir->root);
}

static int write_file(struct out_dir *dir, const char *rel, const void *data, size_t len, mode_t mode)
{
	char path[PATH_MAX];
	const unsigned char *p = data;
	int fd;

	if (dir->written_count >= sizeof dir->written / sizeof dir->written[0] ||
	    strlen(rel) >= sizeof dir->written[0] || join(path, sizeof path, dir->root, rel) != 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		fprintf(stderr, "jpki-sim-gen: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	memcpy(dir->written[dir->written_count++], rel, strlen(rel) + 1);
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "jpki-sim-gen: writing %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) != 0) {
		fprintf(stderr, "jpki-sim-gen: closing %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_cert(struct out_dir *dir, const char *rel, X509 *cert)
{
	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der);
	int ret = len > 0 ? write_file(dir, rel, der, (size_t)len, MODE_PUBLIC) : -1;

	OPENSSL_free(der);
	return ret;
}

static int write_key(struct out_dir *dir, const char *rel, EVP_PKEY *key)
{
	/* Secure-heap BIO: the PEM text is wiped when the BIO goes. */
	BIO *bio = BIO_new(BIO_s_secmem());
	char *pem;
	long len;
	int ret = -1;

	if (bio != NULL && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1 &&
	    (len = BIO_get_mem_data(bio, &pem)) > 0)
		ret = write_file(dir, rel, pem, (size_t)len, MODE_SECRET);
	BIO_free(bio);
	return ret;
}

static int write_text(struct out_dir *dir, const char *rel, struct gen_buf *text, mode_t mode)
{
	return write_file(dir, rel, text->data, text->len, mode);
}

static int append_line(struct gen_buf *out, const char *key, const char *value)
{
	if (gen_buf_append(out, key, strlen(key)) != 0 || gen_buf_append_byte(out, '=') != 0 ||
	    gen_buf_append(out, value, strlen(value)) != 0 || gen_buf_append_byte(out, '\n') != 0)
		return -1;
	return 0;
}

static int write_identity(struct out_dir *dir, const struct options *opts, const struct gen_person *person,
                          const struct gen_pki *pki, const struct gen_text_ap *text)
{
	static const char *const text_files[GEN_TEXT_EF_COUNT] = {
		"text/0001", "text/0002", "text/0003", "text/0004", "text/0005"
	};
	char token_info[TOKEN_INFO_LEN];
	char auth_serial[41], sign_serial[41], sex[2] = { person->sex, '\0' };
	struct gen_buf pins = { 0 }, facts = { 0 };
	int ret = -1;

	memset(token_info, ' ', sizeof token_info);
	memcpy(token_info, TOKEN_INFO, strlen(TOKEN_INFO));
	if (gen_cert_serial_hex(pki->auth_cert, auth_serial, sizeof auth_serial) != 0 ||
	    gen_cert_serial_hex(pki->sign_cert, sign_serial, sizeof sign_serial) != 0)
		goto out;

	if (append_line(&pins, "auth", person->pin_auth) != 0 ||
	    append_line(&pins, "sign", person->pin_sign) != 0 ||
	    append_line(&pins, "text", person->pin_text) != 0)
		goto out;
	if (append_line(&facts, "my_number", person->my_number) != 0 ||
	    append_line(&facts, "name", person->name) != 0 ||
	    append_line(&facts, "address", person->address) != 0 ||
	    append_line(&facts, "birth", person->birth) != 0 ||
	    append_line(&facts, "sex", sex) != 0 ||
	    append_line(&facts, "auth_serial", auth_serial) != 0 ||
	    append_line(&facts, "sign_serial", sign_serial) != 0 ||
	    append_line(&facts, "variant", opts->small ? "small" : "normal") != 0)
		goto out;

	if (write_cert(dir, "jpki/000A", pki->auth_cert) != 0 ||
	    write_cert(dir, "jpki/000B", pki->auth_ca_cert) != 0 ||
	    write_cert(dir, "jpki/0001", pki->sign_cert) != 0 ||
	    write_cert(dir, "jpki/0002", pki->sign_ca_cert) != 0 ||
	    write_file(dir, "jpki/0006", token_info, sizeof token_info, MODE_PUBLIC) != 0 ||
	    write_key(dir, "keys/auth.pem", pki->auth_key) != 0 ||
	    write_key(dir, "keys/sign.pem", pki->sign_key) != 0 ||
	    write_key(dir, "keys/text-ap.pem", text->signer_key) != 0 ||
	    write_key(dir, "ca/auth-ca.pem", pki->auth_ca_key) != 0 ||
	    write_key(dir, "ca/sign-ca.pem", pki->sign_ca_key) != 0 ||
	    write_text(dir, "pins", &pins, MODE_SECRET) != 0 ||
	    write_text(dir, "facts", &facts, MODE_PUBLIC) != 0)
		goto out;
	for (size_t i = 0; i < GEN_TEXT_EF_COUNT; i++)
		if (write_file(dir, text_files[i], text->ef[i].data, text->ef[i].len, MODE_PUBLIC) != 0)
			goto out;
	ret = 0;
out:
	gen_buf_clear(&pins);
	gen_buf_clear(&facts);
	return ret;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct gen_rand rng;
	struct gen_person person;
	struct gen_pki pki;
	struct gen_text_ap text;
	struct out_dir dir;
	int status = 1;

	if (parse_options(argc, argv, &opts) != 0)
		return 2;
	gen_rand_init(&rng);
	if (opts.seeded)
		gen_rand_seed(&rng, opts.seed);

	/* Everything is made in memory first: a failure there touches no file. */
	if (gen_person_make(&rng, opts.long_address, &person) != 0) {
		fprintf(stderr, "jpki-sim-gen: making the synthetic person failed\n");
		return 1;
	}
	if (gen_pki_make(&person, opts.small, &pki) != 0)
		goto out_person;
	if (gen_text_ap_make(&person, opts.long_address, &text) != 0)
		goto out_pki;

	memset(&dir, 0, sizeof dir);
	dir.root = opts.out;
	if (prepare_out_dir(&dir) != 0 || write_identity(&dir, &opts, &person, &pki, &text) != 0) {
		remove_out_dir(&dir);
		fprintf(stderr, "jpki-sim-gen: nothing written to %s\n", opts.out);
	} else {
		status = 0;
	}
	gen_text_ap_free(&text);
out_pki:
	gen_pki_free(&pki);
out_person:
	gen_person_wipe(&person);
	return status;
}
