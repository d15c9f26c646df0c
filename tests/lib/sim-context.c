/*
 * Context, card and PKCS#15 plumbing around a test reader: what opensc-tool
 * and pkcs15-tool do before the first useful APDU, minus PC/SC.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libopensc/internal.h"
#include "libopensc/pkcs15.h"

#include "common/opensc-compat.h"
#include "common/simclist.h"

#include "card-jpki/card-jpki.h"
#include "pkcs15-jpki/pkcs15-jpki.h"

#include "sim-reader.h"

/* Debian's opensc.conf without its comments. */
static const char default_conf[] = "app default {\n\tframework pkcs15 {\n\t}\n}\n";

static int write_conf_file(const char *conf_text, char *path, size_t path_len)
{
	const char *tmpdir = getenv("TMPDIR");
	size_t text_len = strlen(conf_text);
	ssize_t written;
	int fd, n;

	if (tmpdir == NULL || tmpdir[0] == '\0')
		tmpdir = "/tmp";
	n = snprintf(path, path_len, "%s/simreader-conf-XXXXXX", tmpdir);
	if (n < 0 || (size_t)n >= path_len)
		return SC_ERROR_BUFFER_TOO_SMALL;
	fd = mkstemp(path);
	if (fd < 0)
		return SC_ERROR_INTERNAL;
	written = write(fd, conf_text, text_len);
	if (close(fd) != 0 || written < 0 || (size_t)written != text_len) {
		unlink(path);
		return SC_ERROR_INTERNAL;
	}
	return SC_SUCCESS;
}

int simreader_context_new(sc_context_t **ctx, const char *conf_text)
{
	sc_context_param_t param;
	char conf_path[4096];
	char *saved_conf = NULL;
	const char *previous;
	int r;

	if (ctx == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	*ctx = NULL;
	r = write_conf_file(conf_text != NULL ? conf_text : default_conf, conf_path, sizeof conf_path);
	if (r != SC_SUCCESS)
		return r;

	/* OpenSC 0.23 reads its configuration only from the file OPENSC_CONF
	 * names; point it at ours for the duration of the call and put the
	 * caller's environment back. */
	previous = getenv("OPENSC_CONF");
	if (previous != NULL && (saved_conf = strdup(previous)) == NULL) {
		unlink(conf_path);
		return SC_ERROR_OUT_OF_MEMORY;
	}
	if (setenv("OPENSC_CONF", conf_path, 1) != 0) {
		free(saved_conf);
		unlink(conf_path);
		return SC_ERROR_INTERNAL;
	}

	memset(&param, 0, sizeof param);
	param.ver = 0;
	param.app_name = "default";
	r = sc_context_create(ctx, &param);

	if (saved_conf != NULL)
		setenv("OPENSC_CONF", saved_conf, 1);
	else
		unsetenv("OPENSC_CONF");
	free(saved_conf);
	unlink(conf_path);
	return r;
}

int simreader_install_reader(sc_context_t *ctx, struct sc_reader_driver *driver,
                             void *drv_data, const char *reader_name)
{
	sc_reader_t *reader;

	if (ctx == NULL || driver == NULL || driver->ops == NULL || reader_name == NULL) {
		if (driver != NULL && driver->ops != NULL && driver->ops->release != NULL) {
			sc_reader_t orphan = { .drv_data = drv_data };
			driver->ops->release(&orphan);
		}
		return SC_ERROR_INVALID_ARGUMENTS;
	}

	/* Whatever the default (PC/SC) driver found goes, and the driver itself
	 * is finished, as sc_release_context would. */
	while (list_size(&ctx->readers) > 0)
		_sc_delete_reader(ctx, (sc_reader_t *)list_get_at(&ctx->readers, 0));
	if (ctx->reader_driver != NULL && ctx->reader_driver->ops->finish != NULL)
		ctx->reader_driver->ops->finish(ctx);
	ctx->reader_drv_data = NULL;
	ctx->reader_driver = driver;

	reader = calloc(1, sizeof *reader);
	if (reader == NULL || (reader->name = strdup(reader_name)) == NULL) {
		sc_reader_t orphan = { .drv_data = drv_data };
		if (driver->ops->release != NULL)
			driver->ops->release(&orphan);
		free(reader);
		return SC_ERROR_OUT_OF_MEMORY;
	}
	reader->ctx = ctx;
	reader->driver = driver;
	reader->ops = driver->ops;
	reader->drv_data = drv_data;
	if (list_append(&ctx->readers, reader) < 0) {
		if (driver->ops->release != NULL)
			driver->ops->release(reader);
		free(reader->name);
		free(reader);
		return SC_ERROR_OUT_OF_MEMORY;
	}
	return SC_SUCCESS;
}

sc_reader_t *simreader_reader(sc_context_t *ctx)
{
	if (ctx == NULL || sc_ctx_get_reader_count(ctx) == 0)
		return NULL;
	return sc_ctx_get_reader(ctx, 0);
}

/* Puts our linked driver at the head of ctx's list, once. Loaded drivers get
 * their atr_map from the conf only (ctx.c clears it), so ours starts empty too:
 * sc_release_context frees whatever atr_map a driver holds. */
static int put_driver_first(sc_context_t *ctx, struct sc_card_driver *driver)
{
	size_t count, i;

	for (count = 0; count < SC_MAX_CARD_DRIVERS && ctx->card_drivers[count] != NULL; count++)
		if (ctx->card_drivers[count] == driver)
			break;
	if (count < SC_MAX_CARD_DRIVERS && ctx->card_drivers[count] == driver) {
		if (count == 0)
			return SC_SUCCESS;
		/* Already listed further down: move it up. */
		for (i = count; i > 0; i--)
			ctx->card_drivers[i] = ctx->card_drivers[i - 1];
		ctx->card_drivers[0] = driver;
		return SC_SUCCESS;
	}
	/* The array must stay NULL-terminated: the last driver falls off. */
	if (count >= SC_MAX_CARD_DRIVERS - 1)
		count = SC_MAX_CARD_DRIVERS - 2;
	for (i = count; i > 0; i--)
		ctx->card_drivers[i] = ctx->card_drivers[i - 1];
	ctx->card_drivers[0] = driver;
	ctx->card_drivers[count + 1] = NULL;
	driver->atr_map = NULL;
	driver->natrs = 0;
	driver->dll = NULL;
	return SC_SUCCESS;
}

int simreader_keep_only_our_driver(sc_context_t *ctx)
{
	size_t i;

	if (ctx == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	for (i = 0; i < SC_MAX_CARD_DRIVERS && ctx->card_drivers[i] != NULL; i++) {
		/* A driver holding a DLL or a conf ATR table is released by
		 * sc_release_context only while listed; dropping it would leak. */
		if (ctx->card_drivers[i]->dll != NULL || ctx->card_drivers[i]->atr_map != NULL)
			return SC_ERROR_NOT_ALLOWED;
	}
	for (i = 0; i < SC_MAX_CARD_DRIVERS; i++)
		ctx->card_drivers[i] = NULL;
	return put_driver_first(ctx, mynumber_get_driver());
}

static int connect_reader(sc_context_t *ctx, sc_card_t **card)
{
	sc_reader_t *reader = simreader_reader(ctx);

	if (card == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	*card = NULL;
	if (reader == NULL)
		return SC_ERROR_NO_READERS_FOUND;
	return sc_connect_card(reader, card);
}

int simreader_connect(sc_context_t *ctx, sc_card_t **card)
{
	int r;

	if (ctx == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	r = put_driver_first(ctx, mynumber_get_driver());
	if (r != SC_SUCCESS)
		return r;
	return connect_reader(ctx, card);
}

int simreader_connect_config(sc_context_t *ctx, sc_card_t **card)
{
	if (ctx == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	return connect_reader(ctx, card);
}

int simreader_connect_with_driver(sc_context_t *ctx, struct sc_card_driver *driver, sc_card_t **card)
{
	struct sc_card_driver *previous;
	int r;

	if (ctx == NULL || driver == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	previous = ctx->forced_driver;
	ctx->forced_driver = driver;
	r = connect_reader(ctx, card);
	ctx->forced_driver = previous;
	return r;
}

int simreader_connect_forced(sc_context_t *ctx, sc_card_t **card)
{
	if (ctx == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	return simreader_connect_with_driver(ctx, mynumber_get_driver(), card);
}

/* The PKCS#15 options sc_pkcs15_bind derives from `framework pkcs15`. */
static void set_bind_options(sc_pkcs15_card_t *p15)
{
	sc_context_t *ctx = p15->card->ctx;
	scconf_block *conf_block = sc_get_conf_block(ctx, "framework", "pkcs15", 1);
	const char *file_cache = "no";
	const char *private_cert = "protect";

	p15->opts.use_pin_cache = 1;
	p15->opts.pin_cache_counter = 10;
	p15->opts.pin_cache_ignore_user_consent = 0;
	if (conf_block != NULL) {
		file_cache = scconf_get_str(conf_block, "use_file_caching", file_cache);
		p15->opts.use_pin_cache = scconf_get_bool(conf_block, "use_pin_caching", p15->opts.use_pin_cache);
		p15->opts.pin_cache_counter = scconf_get_int(conf_block, "pin_cache_counter", p15->opts.pin_cache_counter);
		p15->opts.pin_cache_ignore_user_consent = scconf_get_bool(conf_block,
			"pin_cache_ignore_user_consent", p15->opts.pin_cache_ignore_user_consent);
		private_cert = scconf_get_str(conf_block, "private_certificate", private_cert);
	}
	if (strcmp(file_cache, "yes") == 0)
		p15->opts.use_file_cache = COMPAT_FILE_CACHE_ALL;
	else if (strcmp(file_cache, "public") == 0)
		p15->opts.use_file_cache = COMPAT_FILE_CACHE_PUBLIC;
	else
		p15->opts.use_file_cache = COMPAT_FILE_CACHE_NONE;
	if (strcmp(private_cert, "ignore") == 0)
		p15->opts.COMPAT_OPTS_PRIVATE_CERTIFICATE = SC_PKCS15_CARD_OPTS_PRIV_CERT_IGNORE;
	else if (strcmp(private_cert, "declassify") == 0)
		p15->opts.COMPAT_OPTS_PRIVATE_CERTIFICATE = SC_PKCS15_CARD_OPTS_PRIV_CERT_DECLASSIFY;
	else
		p15->opts.COMPAT_OPTS_PRIVATE_CERTIFICATE = SC_PKCS15_CARD_OPTS_PRIV_CERT_PROTECT;
}

int simreader_bind(sc_card_t *card, sc_pkcs15_card_t **p15_out)
{
	sc_pkcs15_card_t *p15;
	int r;

	if (card == NULL || p15_out == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	*p15_out = NULL;
	p15 = sc_pkcs15_card_new();
	if (p15 == NULL)
		return SC_ERROR_OUT_OF_MEMORY;
	p15->card = card;
	set_bind_options(p15);

	r = sc_lock(card);
	if (r != SC_SUCCESS) {
		sc_pkcs15_card_free(p15);
		return r;
	}
	r = mynumber_pkcs15emu_init_ex(p15, NULL);
	sc_unlock(card);
	if (r != SC_SUCCESS) {
		sc_pkcs15_card_free(p15);
		return r;
	}
	/* What pkcs15-syn.c marks on a successful emulator. */
	p15->magic = SC_PKCS15_CARD_MAGIC;
	p15->flags |= SC_PKCS15_CARD_FLAG_EMULATED;
	*p15_out = p15;
	return SC_SUCCESS;
}

int simreader_bind_config(sc_card_t *card, sc_pkcs15_card_t **p15_out)
{
	if (card == NULL || p15_out == NULL)
		return SC_ERROR_INVALID_ARGUMENTS;
	*p15_out = NULL;
	return sc_pkcs15_bind(card, NULL, p15_out);
}

void simreader_unbind(sc_pkcs15_card_t **p15)
{
	if (p15 == NULL || *p15 == NULL)
		return;
	sc_pkcs15_unbind(*p15);
	*p15 = NULL;
}

void simreader_disconnect(sc_card_t **card)
{
	if (card == NULL || *card == NULL)
		return;
	sc_disconnect_card(*card);
	*card = NULL;
}

void simreader_context_free(sc_context_t **ctx)
{
	if (ctx == NULL || *ctx == NULL)
		return;
	sc_release_context(*ctx);
	*ctx = NULL;
}
