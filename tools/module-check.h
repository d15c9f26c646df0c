/*
 * Can this system's OpenSC use the module an opensc.conf names? The module is
 * built for exactly one libopensc version (src/module-guard.c) and links that
 * release's libopensc soname, so after an OpenSC upgrade a module built by hand
 * stops working, and only OpenSC's debug log says why. This asks the module
 * the way OpenSC would, at run time: the tool itself links no libopensc.
 *
 * Loading a library runs its code (its and its dependencies' constructors), and
 * the file named may be anything, so the load happens in a child process with a
 * time limit: whatever the module does (exits, crashes, hangs) becomes a
 * verdict, never the fate of the caller. As root (the package's maintainer
 * scripts run `status`) only a module that only root can change is loaded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef MODULE_CHECK_H
#define MODULE_CHECK_H

/* Seconds a module gets to load when the caller names no other limit. */
#define MODULE_CHECK_DEFAULT_TIMEOUT 10u

enum module_check_verdict {
	MODULE_CHECK_USABLE,          /* built for the running libopensc's version */
	MODULE_CHECK_EMPTY_PATH,      /* the path is "" */
	MODULE_CHECK_MISSING,         /* no such file (ENOENT, ENOTDIR): see error */
	MODULE_CHECK_UNREADABLE,      /* the file cannot be opened otherwise: see error, uid */
	MODULE_CHECK_NOT_REGULAR,     /* a directory, device, FIFO...: never loaded */
	MODULE_CHECK_UNTRUSTED,       /* as root, a module others could change: see detail; never loaded */
	MODULE_CHECK_NOT_LIBRARY,     /* a regular file, but no shared library: see detail */
	MODULE_CHECK_NOT_IN_PATH,     /* a name without '/' the dynamic linker does not find: see detail */
	MODULE_CHECK_OTHER_SONAME,    /* needs a libopensc soname not installed: see library */
	MODULE_CHECK_CANNOT_LOAD,     /* the dynamic linker refuses it: see detail */
	MODULE_CHECK_NOT_PLUGIN,      /* loads, but lacks an entry point: see detail */
	MODULE_CHECK_OTHER_VERSION,   /* built for built_for, the running libopensc is running */
	MODULE_CHECK_OTHER_INTERFACE, /* same version, but the module refuses the running libopensc: see detail */
	MODULE_CHECK_TIMEOUT,         /* loading took longer than timeout seconds: the child was killed */
	MODULE_CHECK_CRASHED,         /* loading killed the child with signal */
	MODULE_CHECK_EXITED,          /* loading ended the child (exit_status) before it had a verdict */
	MODULE_CHECK_NOT_CHECKED,     /* no child could be run: detail names the call, error its errno */
};

struct module_check_result {
	enum module_check_verdict verdict;
	int error;              /* MISSING, UNREADABLE, NOT_CHECKED: an errno value */
	unsigned long uid;      /* UNREADABLE: the effective uid that could not read it */
	unsigned timeout;       /* TIMEOUT: the limit, in seconds */
	int signal;             /* CRASHED: the signal that ended the child */
	int exit_status;        /* EXITED: the child's exit status */
	char library[64];       /* OTHER_SONAME: the missing library, "libopensc.so.N" */
	char detail[512];       /* see the verdicts; the dynamic linker's words lack the module path */
	char built_for[64];     /* USABLE, OTHER_VERSION, OTHER_INTERFACE: the module's sc_driver_version() */
	char running[64];       /* USABLE, OTHER_VERSION, OTHER_INTERFACE: the running sc_get_version(), "" when NULL */
};

/* Checks the module at path in a child process, which:
 *  - refuses "" and anything but a regular file (opened with O_NONBLOCK, so a
 *    FIFO cannot block it), without loading it;
 *  - when the effective uid is 0, refuses a file not owned by root or writable
 *    by group or others, or in a directory that is (the file path resolves to),
 *    and a name without '/' (the dynamic linker's search picks that file, so it
 *    cannot be checked first), without loading it;
 *  - loads it (RTLD_NOW | RTLD_LOCAL, by the path resolved, so that the file
 *    checked is the file loaded; a name without '/' is searched for, as
 *    OpenSC does), requires the three entry points OpenSC uses
 *    (sc_driver_version, sc_module_init, sc_pkcs15_init_func_ex), and compares
 *    the version it was built for (sc_driver_version()) exactly with that of
 *    the libopensc it links (sc_get_version(), found through the module's
 *    dependencies), as the module's own guard does.
 * The child gets timeout seconds (0: MODULE_CHECK_DEFAULT_TIMEOUT) and is
 * killed after them; its stdin and stdout are /dev/null, its stderr the
 * caller's; it writes no core file, and a crash signal kills it whatever
 * handler the caller installed (so that the verdict can name the signal).
 * stdio's buffers are flushed before the fork, so the child cannot
 * write them a second time. SIGCHLD's disposition is set to the default for the
 * duration and restored. Fills *out with the verdict and the fields it names
 * (strings truncated to fit; the comparison is made on the full strings).
 * Returns 0 when the module is usable, -1 otherwise: every outcome, including
 * MODULE_CHECK_NOT_CHECKED (pipe or fork failed), is a verdict in *out. */
int module_check(const char *path, unsigned timeout, struct module_check_result *out);

#endif
