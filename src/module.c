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
EXPORTED const char *opensc_jpki_refusal(void);

/* OpenSC only loads a module whose answer begins with its own version; we answer
 * the version we were compiled against, never the running one. */
const char *sc_driver_version(void)
{
	return module_guard_built_for();
}

void *sc_module_init(const char *name)
{
	module_config_set_name(name);
	if (module_guard_refusal() != NULL)
		return module_guard_refusing_driver();
	return (void *)mynumber_get_driver;
}

int sc_pkcs15_init_func_ex(sc_pkcs15_card_t *p15card, struct sc_aid *aid)
{
	/* p15card->card and card->ctx are first members in every release. */
	if (module_guard_refusal() != NULL) {
		sc_log(p15card->card->ctx, "%s (the PKCS#15 emulator)", module_guard_refusal());
		return SC_ERROR_WRONG_CARD;
	}
	return mynumber_pkcs15emu_init_ex(p15card, aid);
}

/* Not OpenSC's: for opensc-jpki-config status, which cannot tell from
 * versions alone (module-guard.h). NULL when the module may run in the
 * libopensc it was loaded with, else the line it logs when it refuses. */
const char *opensc_jpki_refusal(void)
{
	return module_guard_refusal();
}
