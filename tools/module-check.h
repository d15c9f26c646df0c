/*
 * Can this system's OpenSC use the module an opensc.conf names? The module is
 * built for exactly one libopensc version (src/module-guard.c) and links that
 * release's libopensc soname, so after an OpenSC upgrade a module built by hand
 * stops working, and only OpenSC's debug log says why. This asks the module
 * the way OpenSC would, at run time: the tool itself links no libopensc.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef MODULE_CHECK_H
#define MODULE_CHECK_H

enum module_check_verdict {
	MODULE_CHECK_USABLE,          /* built for the running libopensc's version */
	MODULE_CHECK_MISSING,         /* the file cannot be opened: see error */
	MODULE_CHECK_OTHER_SONAME,    /* needs a libopensc soname not installed: see library */
	MODULE_CHECK_CANNOT_LOAD,     /* the dynamic linker refuses it: see detail */
	MODULE_CHECK_NOT_PLUGIN,      /* loads, but lacks an entry point: see detail */
	MODULE_CHECK_OTHER_VERSION,   /* built for built_for, the running libopensc is running */
};

struct module_check_result {
	enum module_check_verdict verdict;
	int error;           /* MISSING: errno of opening the file */
	char library[64];    /* OTHER_SONAME: the missing library, "libopensc.so.N" */
	char detail[512];    /* OTHER_SONAME, CANNOT_LOAD, NOT_PLUGIN: the dynamic linker's words */
	char built_for[64];  /* USABLE, OTHER_VERSION: the module's sc_driver_version() */
	char running[64];    /* USABLE, OTHER_VERSION: the running sc_get_version(), "" when NULL */
};

/* Loads the module at path (RTLD_NOW | RTLD_LOCAL), compares the version it was
 * built for (its sc_driver_version()) with that of the libopensc it links
 * (sc_get_version(), found through the module's dependencies) exactly, as the
 * module's own guard does, and unloads it again. Loading runs the module's and
 * libopensc's initialisers: path gets the trust OpenSC gives the file naming it.
 * Fills *out with the verdict and the fields it names (strings truncated to
 * fit; the comparison is made on the full strings). Returns 0 when the module
 * is usable, -1 otherwise; a failure to load or to find a symbol is a verdict,
 * not an error of this function. */
int module_check(const char *path, struct module_check_result *out);

#endif
