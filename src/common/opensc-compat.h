/*
 * What differs between the OpenSC releases this module builds against
 * (0.22.0 to master), each difference named once. configure finds them in the
 * headers of the OpenSC tree it builds against (member and prototype checks,
 * config.h's HAVE_OPENSC_*), never by comparing version numbers; a difference
 * the headers show by a macro of their own is tested with #ifdef here. The
 * driver and the emulator use only the names below and read as if there were
 * one OpenSC. A module still runs only in the release it was built for (the
 * load-time guard, module-guard.c): struct layouts differ too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef OPENSC_COMPAT_H
#define OPENSC_COMPAT_H

#include <stdbool.h>
#include <string.h>

#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"

/* sc_card_operations.read_binary's flags: by value up to 0.23, by pointer
 * (the driver may report back through them) from 0.24. */
#ifdef HAVE_OPENSC_READ_BINARY_FLAGS_POINTER
typedef unsigned long *compat_read_flags_t;
#else
typedef unsigned long compat_read_flags_t;
#endif

/* sc_card_operations.pin_cmd and sc_pin_cmd(): up to 0.27.1 both take an
 * int *tries_left besides data->pin1.tries_left, NULL when the caller does
 * not want the tries; OpenSC master (upstream PR #3589) dropped it, and every
 * caller reads data->pin1.tries_left. A pin_cmd op is declared with
 * COMPAT_PIN_CMD_OP_PARAMS and takes its tries pointer from
 * COMPAT_PIN_CMD_OP_TRIES_LEFT: the caller's, or on master data's own (the
 * tries always wanted: COMPAT_PIN_CMD_TRIES_ALWAYS_WANTED). A caller uses
 * compat_pin_cmd(), which fills *tries_left (when not NULL) on every release. */
#ifdef HAVE_OPENSC_PIN_CMD_TRIES_LEFT
#define COMPAT_PIN_CMD_OP_PARAMS sc_card_t *card, struct sc_pin_cmd_data *data, int *compat_tries_left
#define COMPAT_PIN_CMD_OP_TRIES_LEFT compat_tries_left
#define COMPAT_PIN_CMD_TRIES_ALWAYS_WANTED false

static inline int compat_pin_cmd(sc_card_t *card, struct sc_pin_cmd_data *data, int *tries_left)
{
	return sc_pin_cmd(card, data, tries_left);
}
#else
#define COMPAT_PIN_CMD_OP_PARAMS sc_card_t *card, struct sc_pin_cmd_data *data
#define COMPAT_PIN_CMD_OP_TRIES_LEFT (data != NULL ? &data->pin1.tries_left : NULL)
#define COMPAT_PIN_CMD_TRIES_ALWAYS_WANTED true

static inline int compat_pin_cmd(sc_card_t *card, struct sc_pin_cmd_data *data, int *tries_left)
{
	int r = sc_pin_cmd(card, data);

	if (tries_left != NULL)
		*tries_left = data->pin1.tries_left;
	return r;
}
#endif

/* sc_pkcs15_read_file(): from 0.23 it is told whether the file is private
 * (use_file_caching = public then leaves it uncached); up to 0.22 it has no
 * such flag. */
static inline int compat_pkcs15_read_file(struct sc_pkcs15_card *p15card, const struct sc_path *path, u8 **buf,
                                          size_t *buflen, int private_data)
{
#ifdef HAVE_OPENSC_READ_FILE_PRIVATE_DATA
	return sc_pkcs15_read_file(p15card, path, buf, buflen, private_data);
#else
	(void)private_data;
	return sc_pkcs15_read_file(p15card, path, buf, buflen);
#endif
}

/* sc_pkcs15_read_certificate(): from 0.23 told whether the certificate is
 * private, as sc_pkcs15_read_file(); up to 0.22 not. */
static inline int compat_pkcs15_read_certificate(struct sc_pkcs15_card *p15card,
                                                 const struct sc_pkcs15_cert_info *info, int private_obj,
                                                 struct sc_pkcs15_cert **cert)
{
#ifdef HAVE_OPENSC_READ_CERTIFICATE_PRIVATE_OBJ
	return sc_pkcs15_read_certificate(p15card, info, private_obj, cert);
#else
	(void)private_obj;
	return sc_pkcs15_read_certificate(p15card, info, cert);
#endif
}

/* sc_pkcs15_read_data_object(): likewise. */
static inline int compat_pkcs15_read_data_object(struct sc_pkcs15_card *p15card,
                                                 const struct sc_pkcs15_data_info *info, int private_obj,
                                                 struct sc_pkcs15_data **data)
{
#ifdef HAVE_OPENSC_READ_DATA_OBJECT_PRIVATE_OBJ
	return sc_pkcs15_read_data_object(p15card, info, private_obj, data);
#else
	(void)private_obj;
	return sc_pkcs15_read_data_object(p15card, info, data);
#endif
}

/* sc_pkcs15_compute_signature(): from 0.23 it also takes the PKCS#11
 * mechanism (NULL: none); up to 0.22 not. */
static inline int compat_pkcs15_compute_signature(struct sc_pkcs15_card *p15card,
                                                  const struct sc_pkcs15_object *prkey_obj, unsigned long alg_flags,
                                                  const u8 *in, size_t inlen, u8 *out, size_t outlen)
{
#ifdef HAVE_OPENSC_COMPUTE_SIGNATURE_MECHANISM
	return sc_pkcs15_compute_signature(p15card, prkey_obj, alg_flags, in, inlen, out, outlen, NULL);
#else
	return sc_pkcs15_compute_signature(p15card, prkey_obj, alg_flags, in, inlen, out, outlen);
#endif
}

/* The padding the card applies when it signs: PKCS#1 v1.5 type 01. From
 * 0.25.0-rc1 SC_ALGORITHM_RSA_PAD_PKCS1 means type 01 or 02 (decryption too). */
#ifdef SC_ALGORITHM_RSA_PAD_PKCS1_TYPE_01
#define COMPAT_RSA_PAD_PKCS1_SIGNATURE SC_ALGORITHM_RSA_PAD_PKCS1_TYPE_01
#else
#define COMPAT_RSA_PAD_PKCS1_SIGNATURE SC_ALGORITHM_RSA_PAD_PKCS1
#endif

/* The PKCS#15 file cache (use_file_caching): from 0.23 no files, the public
 * ones, or all; up to 0.22 all or nothing, and "all" writes every file read
 * to disk, private ones too. COMPAT_FILE_CACHE_PUBLIC is the most the emulator
 * allows: the public files where the release can tell them apart, else none. */
#ifdef SC_PKCS15_OPTS_CACHE_ALL_FILES
#define COMPAT_FILE_CACHE_NONE SC_PKCS15_OPTS_CACHE_NO_FILES
#define COMPAT_FILE_CACHE_PUBLIC SC_PKCS15_OPTS_CACHE_PUBLIC_FILES
#define COMPAT_FILE_CACHE_ALL SC_PKCS15_OPTS_CACHE_ALL_FILES
#else
#define COMPAT_FILE_CACHE_NONE 0
#define COMPAT_FILE_CACHE_PUBLIC 0
#define COMPAT_FILE_CACHE_ALL 1
#endif

/* The PKCS#15 option for private certificates: private_certificate up to
 * 0.25, pin_protected_certificate from 0.26. */
#ifdef HAVE_OPENSC_PIN_PROTECTED_CERTIFICATE
#define COMPAT_OPTS_PRIVATE_CERTIFICATE pin_protected_certificate
#else
#define COMPAT_OPTS_PRIVATE_CERTIFICATE private_certificate
#endif

/* Whether the emulator's bind asks each PIN's tries for pkcs15-tool --dump and
 * --list-pins. Up to 0.23 the tool shows what the bind found; from 0.24 it asks
 * the card itself (sc_pkcs15_get_pin_info) and the bind's answer is never read. */
#ifdef HAVE_OPENSC_TOOL_ASKS_PIN_INFO
#define COMPAT_BIND_ASKS_TRIES false
#else
#define COMPAT_BIND_ASKS_TRIES true
#endif

/* A reset OpenSC itself caused (sc_reset) reaches no driver callback. Up to
 * 0.26 it empties card->cache, so a mark left there tells, when found gone,
 * that the card was reset; 0.27 has no card->cache, and then the card's own
 * answer (6982) is the only sign. */
#ifdef HAVE_OPENSC_CARD_CACHE
static inline void compat_reset_mark_set(sc_card_t *card)
{
	sc_path_t *mark = &card->cache.current_path;

	memset(mark, 0, sizeof *mark);
	mark->value[0] = 0x3F;
	mark->value[1] = 0x00;
	mark->len = 2;
	mark->type = SC_PATH_TYPE_PATH;
}

static inline bool compat_reset_mark_gone(const sc_card_t *card)
{
	return card->cache.current_path.len == 0;
}
#else
static inline void compat_reset_mark_set(sc_card_t *card)
{
	(void)card;
}

static inline bool compat_reset_mark_gone(const sc_card_t *card)
{
	(void)card;
	return false;
}
#endif

#endif /* OPENSC_COMPAT_H */
