/*
 * p11-sign: the benchmark's signing workload. Does what an application holding
 * a PKCS#11 session does (a browser doing TLS client authentication, an ssh
 * agent): one C_Login, then many C_Sign calls with the same key. Running
 * pkcs11-tool once per signature would instead measure 20 card bindings, which
 * the other workloads already cover.
 *
 *   p11-sign --module PATH --id HEX --count N --pin-env VAR [--sig-out FILE]
 *
 * Signs the same message with CKM_SHA256_RSA_PKCS N times in one session on
 * the first slot holding a token (pkcs11-tool's default slot), and fails unless
 * every signature is byte-identical to the first (PKCS#1 v1.5 is deterministic,
 * so a difference means the card link corrupted something). The PIN comes from
 * the environment variable VAR, never from the command line, and is wiped and
 * unset once used.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/pkcs11.h"

#define MAX_SIGNATURE_LEN 1024
#define MAX_ID_LEN 64

static const unsigned char bench_message[] = "opensc-jpki benchmark: the same message each time";

struct sign_args {
	const char *module_path;
	unsigned char key_id[MAX_ID_LEN];
	size_t key_id_len;
	unsigned long count;
	const char *pin_env;
	const char *sig_out;
};

static void usage(void)
{
	fprintf(stderr, "usage: p11-sign --module PATH --id HEX --count N --pin-env VAR [--sig-out FILE]\n");
}

static int parse_hex(const char *hex, unsigned char *out, size_t out_cap, size_t *out_len)
{
	size_t hex_len = strlen(hex);
	size_t i;

	if (hex_len == 0 || hex_len % 2 != 0 || hex_len / 2 > out_cap)
		return -1;
	for (i = 0; i < hex_len / 2; i++) {
		unsigned int byte;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return -1;
		out[i] = (unsigned char)byte;
	}
	*out_len = hex_len / 2;
	return 0;
}

static int parse_args(int argc, char **argv, struct sign_args *args)
{
	int i;

	memset(args, 0, sizeof(*args));
	/* Every option takes a value: two arguments per step. */
	for (i = 1; i < argc; i += 2) {
		const char *opt = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (value == NULL)
			return -1;
		if (strcmp(opt, "--module") == 0) {
			args->module_path = value;
		} else if (strcmp(opt, "--id") == 0) {
			if (parse_hex(value, args->key_id, sizeof(args->key_id), &args->key_id_len) != 0)
				return -1;
		} else if (strcmp(opt, "--count") == 0) {
			char *end = NULL;
			errno = 0;
			args->count = strtoul(value, &end, 10);
			if (errno != 0 || end == value || *end != '\0' || args->count == 0 || args->count > 100000)
				return -1;
		} else if (strcmp(opt, "--pin-env") == 0) {
			args->pin_env = value;
		} else if (strcmp(opt, "--sig-out") == 0) {
			args->sig_out = value;
		} else {
			return -1;
		}
	}
	if (args->module_path == NULL || args->key_id_len == 0 || args->count == 0 || args->pin_env == NULL)
		return -1;
	return 0;
}

/* Takes the PIN out of the environment so nothing started later inherits it. */
static char *take_pin(const char *env_name)
{
	const char *value = getenv(env_name);
	char *pin;

	if (value == NULL || value[0] == '\0')
		return NULL;
	pin = strdup(value);
	if (pin == NULL)
		return NULL;
	explicit_bzero(getenv(env_name), strlen(value));
	unsetenv(env_name);
	return pin;
}

static void wipe_pin(char **pin)
{
	if (*pin == NULL)
		return;
	explicit_bzero(*pin, strlen(*pin));
	free(*pin);
	*pin = NULL;
}

static int write_file(const char *path, const unsigned char *data, size_t len)
{
	FILE *out = fopen(path, "wb");
	int ok;

	if (out == NULL)
		return -1;
	ok = fwrite(data, 1, len, out) == len;
	if (fclose(out) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static int find_private_key(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session,
                            const struct sign_args *args, CK_OBJECT_HANDLE *key)
{
	CK_OBJECT_CLASS key_class = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE key_template[] = {
		{ CKA_CLASS, &key_class, sizeof(key_class) },
		{ CKA_ID, (void *)args->key_id, args->key_id_len },
	};
	CK_OBJECT_HANDLE found[2];
	CK_ULONG found_count = 0;
	CK_RV rv;

	rv = p11->C_FindObjectsInit(session, key_template, 2);
	if (rv != CKR_OK) {
		fprintf(stderr, "p11-sign: C_FindObjectsInit: 0x%lx\n", rv);
		return -1;
	}
	rv = p11->C_FindObjects(session, found, 2, &found_count);
	p11->C_FindObjectsFinal(session);
	if (rv != CKR_OK) {
		fprintf(stderr, "p11-sign: C_FindObjects: 0x%lx\n", rv);
		return -1;
	}
	if (found_count != 1) {
		fprintf(stderr, "p11-sign: %lu private keys with that CKA_ID (want exactly 1)\n", found_count);
		return -1;
	}
	*key = found[0];
	return 0;
}

static int sign_loop(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session,
                     CK_OBJECT_HANDLE key, const struct sign_args *args)
{
	CK_MECHANISM mechanism = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char first[MAX_SIGNATURE_LEN];
	CK_ULONG first_len = 0;
	unsigned char signature[MAX_SIGNATURE_LEN];
	unsigned long i;

	for (i = 0; i < args->count; i++) {
		CK_ULONG signature_len = sizeof(signature);
		CK_RV rv;

		rv = p11->C_SignInit(session, &mechanism, key);
		if (rv != CKR_OK) {
			fprintf(stderr, "p11-sign: C_SignInit (signature %lu): 0x%lx\n", i + 1, rv);
			return -1;
		}
		rv = p11->C_Sign(session, (unsigned char *)bench_message, sizeof(bench_message) - 1,
		                 signature, &signature_len);
		if (rv != CKR_OK) {
			fprintf(stderr, "p11-sign: C_Sign (signature %lu): 0x%lx\n", i + 1, rv);
			return -1;
		}
		if (signature_len == 0 || signature_len > sizeof(signature)) {
			fprintf(stderr, "p11-sign: signature %lu has length %lu\n", i + 1, signature_len);
			return -1;
		}
		if (i == 0) {
			memcpy(first, signature, signature_len);
			first_len = signature_len;
		} else if (signature_len != first_len || memcmp(signature, first, first_len) != 0) {
			fprintf(stderr, "p11-sign: signature %lu differs from the first\n", i + 1);
			return -1;
		}
	}
	if (args->sig_out != NULL && write_file(args->sig_out, first, first_len) != 0) {
		fprintf(stderr, "p11-sign: cannot write %s\n", args->sig_out);
		return -1;
	}
	return 0;
}

static int run(CK_FUNCTION_LIST_PTR p11, const struct sign_args *args, char **pin)
{
	CK_SLOT_ID slots[16];
	CK_ULONG slot_count = sizeof(slots) / sizeof(slots[0]);
	CK_SESSION_HANDLE session;
	CK_OBJECT_HANDLE key;
	CK_RV rv;
	int result = -1;

	rv = p11->C_GetSlotList(1, slots, &slot_count);
	if (rv != CKR_OK || slot_count == 0) {
		fprintf(stderr, "p11-sign: no slot with a token (C_GetSlotList: 0x%lx)\n", rv);
		return -1;
	}
	rv = p11->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &session);
	if (rv != CKR_OK) {
		fprintf(stderr, "p11-sign: C_OpenSession: 0x%lx\n", rv);
		return -1;
	}
	rv = p11->C_Login(session, CKU_USER, (unsigned char *)*pin, strlen(*pin));
	wipe_pin(pin);
	if (rv != CKR_OK) {
		fprintf(stderr, "p11-sign: C_Login: 0x%lx\n", rv);
		goto out;
	}
	if (find_private_key(p11, session, args, &key) == 0 && sign_loop(p11, session, key, args) == 0)
		result = 0;
	p11->C_Logout(session);
out:
	p11->C_CloseSession(session);
	return result;
}

int main(int argc, char **argv)
{
	struct sign_args args;
	CK_C_GetFunctionList get_function_list;
	CK_FUNCTION_LIST_PTR p11 = NULL;
	void *module;
	char *pin;
	int result = 1;
	CK_RV rv;

	if (parse_args(argc, argv, &args) != 0) {
		usage();
		return 2;
	}
	pin = take_pin(args.pin_env);
	if (pin == NULL) {
		fprintf(stderr, "p11-sign: environment variable %s holds no PIN\n", args.pin_env);
		return 2;
	}
	module = dlopen(args.module_path, RTLD_NOW | RTLD_LOCAL);
	if (module == NULL) {
		fprintf(stderr, "p11-sign: %s\n", dlerror());
		wipe_pin(&pin);
		return 1;
	}
	*(void **)&get_function_list = dlsym(module, "C_GetFunctionList");
	if (get_function_list == NULL || get_function_list(&p11) != CKR_OK || p11 == NULL) {
		fprintf(stderr, "p11-sign: %s has no usable C_GetFunctionList\n", args.module_path);
		goto out;
	}
	rv = p11->C_Initialize(NULL);
	if (rv != CKR_OK) {
		fprintf(stderr, "p11-sign: C_Initialize: 0x%lx\n", rv);
		goto out;
	}
	if (run(p11, &args, &pin) == 0)
		result = 0;
	p11->C_Finalize(NULL);
out:
	wipe_pin(&pin);
	dlclose(module);
	return result;
}
