/*
 * opensc-jpki: the module's three entry points. OpenSC loads this one .so both as
 * a card driver (sc_module_init, sc_driver_version) and as a PKCS#15 emulator
 * (sc_pkcs15_init_func_ex).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"
#include "libopensc/log.h"

#include "card-jpki/card-jpki.h"
#include "common/module-config.h"
#include "pkcs15-jpki/pkcs15-jpki.h"
#include "module-guard.h"

#define EXPORTED __attribute__((visibility("default")))

EXPORTED const char *sc_driver_version(void);
EXPORTED void *sc_module_init(const char *name);
EXPORTED int sc_pkcs15_init_func_ex(sc_pkcs15_card_t *p15card, struct sc_aid *aid);

/* OpenSC only loads a module whose answer begins with its own version; we answer
 * the version we were compiled against, never the running one. */
const char *sc_driver_version(void)
{
	return module_guard_built_for();
}

void *sc_module_init(const char *name)
{
	module_config_set_name(name);
	if (!module_guard_running_matches())
		return module_guard_refusing_driver();
	return (void *)mynumber_get_driver;
}

int sc_pkcs15_init_func_ex(sc_pkcs15_card_t *p15card, struct sc_aid *aid)
{
	/* p15card->card and card->ctx are first members in every release. */
	if (!module_guard_running_matches()) {
		sc_log(p15card->card->ctx, "opensc-jpki: emulator refused: built for OpenSC %s, running %s",
		       module_guard_built_for(), sc_get_version());
		return SC_ERROR_WRONG_CARD;
	}
	return mynumber_pkcs15emu_init_ex(p15card, aid);
}
