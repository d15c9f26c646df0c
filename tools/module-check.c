/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "module-check.h"

#define OPENSC_SONAME_PREFIX "libopensc.so."
/* glibc's words for a DT_NEEDED library it cannot find, after that library's name. */
#define NOT_FOUND_WORDS ": cannot open shared object file"

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* dlopen's message for a missing file names the file and the error only in
 * words; opening it first gives the errno, so the caller can say "not there"
 * rather than quote the dynamic linker. A name without '/' is not a file name
 * to dlopen but one it searches for (as OpenSC would), so it is left to dlopen;
 * "" would give dlopen the main program, so it is a missing file. */
static int check_readable(const char *path, struct module_check_result *out)
{
	int fd;

	if (path[0] != '\0' && strchr(path, '/') == NULL)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		out->verdict = MODULE_CHECK_MISSING;
		out->error = errno;
		return -1;
	}
	close(fd);
	return 0;
}

/* True when message is the dynamic linker saying that a libopensc.so.N the
 * module needs is not installed: the module was linked against another OpenSC
 * release. Copies "libopensc.so.N" into library. */
static bool names_missing_opensc(const char *message, char *library, size_t size)
{
	size_t length;

	if (strncmp(message, OPENSC_SONAME_PREFIX, strlen(OPENSC_SONAME_PREFIX)) != 0)
		return false;
	length = strlen(OPENSC_SONAME_PREFIX) + strspn(message + strlen(OPENSC_SONAME_PREFIX), "0123456789.");
	if (length == strlen(OPENSC_SONAME_PREFIX) || strncmp(message + length, NOT_FOUND_WORDS, strlen(NOT_FOUND_WORDS)) != 0)
		return false;
	snprintf(library, size, "%.*s", (int)length, message);
	return true;
}

static void classify_load_failure(struct module_check_result *out)
{
	const char *message = dlerror();

	copy_text(out->detail, sizeof out->detail, message != NULL ? message : "dlopen failed without a reason");
	if (names_missing_opensc(out->detail, out->library, sizeof out->library))
		out->verdict = MODULE_CHECK_OTHER_SONAME;
	else
		out->verdict = MODULE_CHECK_CANNOT_LOAD;
}

static int not_plugin(struct module_check_result *out, const char *why)
{
	out->verdict = MODULE_CHECK_NOT_PLUGIN;
	copy_text(out->detail, sizeof out->detail, why);
	return -1;
}

/* The module's sc_driver_version() against sc_get_version() of the libopensc it
 * links; dlsym on the module's handle searches its dependencies too. Both
 * strings are copied before the caller unloads the module. */
static int compare_versions(void *handle, struct module_check_result *out)
{
	const char *(*driver_version)(void);
	const char *(*opensc_version)(void);
	const char *built_for, *running;

	*(void **)&driver_version = dlsym(handle, "sc_driver_version");
	if (driver_version == NULL)
		return not_plugin(out, "it has no sc_driver_version entry point");
	*(void **)&opensc_version = dlsym(handle, "sc_get_version");
	if (opensc_version == NULL)
		return not_plugin(out, "it links no libopensc (no sc_get_version)");
	built_for = driver_version();
	if (built_for == NULL)
		return not_plugin(out, "its sc_driver_version() names no version");
	running = opensc_version();
	copy_text(out->built_for, sizeof out->built_for, built_for);
	copy_text(out->running, sizeof out->running, running);
	/* The rule of src/module-guard.c: equal, not a prefix as OpenSC's own check. */
	if (running == NULL || strcmp(running, built_for) != 0) {
		out->verdict = MODULE_CHECK_OTHER_VERSION;
		return -1;
	}
	out->verdict = MODULE_CHECK_USABLE;
	return 0;
}

int module_check(const char *path, struct module_check_result *out)
{
	void *handle;
	int rc;

	memset(out, 0, sizeof *out);
	if (check_readable(path, out) != 0)
		return -1;
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		classify_load_failure(out);
		return -1;
	}
	rc = compare_versions(handle, out);
	dlclose(handle);
	return rc;
}
