/*
 * module-info MODULE: loads an opensc-jpki module the way libopensc does and
 * prints what it answers, so tests compare OpenSC's view with the module's own:
 *   version=<sc_driver_version()>
 *   short_name=<driver short name>   long_name=<driver long name>
 *   refusal=<opensc_jpki_refusal(), "(none)" for NULL>   (when it has one)
 * Exit 1 when the module cannot be loaded or lacks an entry point.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>

#include "libopensc/opensc.h"

int main(int argc, char **argv)
{
	const char *(*driver_version)(void);
	const char *(*refusal)(void);
	void *(*module_init)(const char *);
	struct sc_card_driver *(*get_driver)(void);
	struct sc_card_driver *driver;
	void *handle;

	if (argc != 2) {
		fprintf(stderr, "usage: module-info MODULE\n");
		return 2;
	}
	handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		fprintf(stderr, "module-info: %s\n", dlerror());
		return 1;
	}
	*(void **)&driver_version = dlsym(handle, "sc_driver_version");
	*(void **)&module_init = dlsym(handle, "sc_module_init");
	if (driver_version == NULL || module_init == NULL || dlsym(handle, "sc_pkcs15_init_func_ex") == NULL) {
		fprintf(stderr, "module-info: %s lacks an entry point\n", argv[1]);
		dlclose(handle);
		return 1;
	}
	printf("version=%s\n", driver_version());
	*(void **)&get_driver = module_init("mynumber");
	driver = get_driver != NULL ? get_driver() : NULL;
	if (driver == NULL || driver->name == NULL || driver->short_name == NULL) {
		fprintf(stderr, "module-info: %s returned no driver\n", argv[1]);
		dlclose(handle);
		return 1;
	}
	printf("short_name=%s\nlong_name=%s\n", driver->short_name, driver->name);
	*(void **)&refusal = dlsym(handle, "opensc_jpki_refusal");
	if (refusal != NULL)
		printf("refusal=%s\n", refusal() != NULL ? refusal() : "(none)");
	dlclose(handle);
	return 0;
}
