/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "module-check.h"

#define OPENSC_SONAME_PREFIX "libopensc.so."
/* glibc's words for a library it cannot find, after that library's name. */
#define NOT_FOUND_WORDS ": cannot open shared object file"
/* How often a child that closed the pipe is asked whether it has ended. */
#define REAP_POLL_NS (10L * 1000 * 1000)

/* The verdict travels through a pipe in one write: no partial reads to merge
 * with another writer's bytes, as long as it fits the atomic size. */
_Static_assert(sizeof(struct module_check_result) <= PIPE_BUF, "the verdict must fit one atomic pipe write");

/* What OpenSC looks up in a module: a library without one of them is not ours,
 * even if its sc_driver_version() answers the right version. */
static const char *const entry_points[] = { "sc_driver_version", "sc_module_init", "sc_pkcs15_init_func_ex" };

/* glibc's words for a file that is no loadable shared library at all (as
 * opposed to one built for another system): text, random bytes, an object
 * file, a program. */
static const char *const not_library_words[] = {
	"invalid ELF header",
	"file too short",
	"only ET_DYN and ET_EXEC can be loaded",
	"cannot dynamically load executable",
	"cannot dynamically load position-independent executable",
};

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* Sets the verdict (and detail, unless NULL); returns module_check's answer for it. */
static int set_verdict(struct module_check_result *out, enum module_check_verdict verdict, const char *detail)
{
	out->verdict = verdict;
	if (detail != NULL)
		copy_text(out->detail, sizeof out->detail, detail);
	return verdict == MODULE_CHECK_USABLE ? 0 : -1;
}

/* ---- in the child: the file, then the library ------------------------------- */

/* Whether st is root's alone (or, with sticky_will_do, root's and sticky: in
 * /tmp others cannot move root's entries); else says why in out, naming it
 * subject. */
static bool root_only(const struct stat *st, bool sticky_will_do, const char *subject,
                      struct module_check_result *out)
{
	char why[sizeof out->detail];

	if (st->st_uid != 0)
		snprintf(why, sizeof why, "%.440s is owned by uid %lu", subject, (unsigned long)st->st_uid);
	else if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 && !(sticky_will_do && (st->st_mode & S_ISVTX) != 0))
		snprintf(why, sizeof why, "%.440s is writable by group or others%s (mode %04lo)", subject,
		         sticky_will_do ? ", not sticky" : "", (unsigned long)(st->st_mode & 07777));
	else
		return true;
	set_verdict(out, MODULE_CHECK_UNTRUSTED, why);
	return false;
}

/* The directories above directory (a resolved path), up to /: none lets
 * anyone but root put another directory in the module's path. */
static int check_ancestors(const char *directory, struct module_check_result *out)
{
	char path[PATH_MAX], subject[sizeof out->detail];
	char *slash;
	struct stat st;

	copy_text(path, sizeof path, directory);
	while ((slash = strrchr(path, '/')) != NULL && !(slash == path && path[1] == '\0')) {
		slash[slash == path ? 1 : 0] = '\0';
		snprintf(subject, sizeof subject, "the directory above it, %.400s,", path);
		if (stat(path, &st) != 0)
			return set_verdict(out, MODULE_CHECK_UNTRUSTED, "a directory above it cannot be checked");
		if (!root_only(&st, true, subject, out))
			return -1;
	}
	return 0;
}

/* As root, loading a module others can replace would run their code as root
 * (in the maintainer scripts, too): the file resolved and the directory it is
 * in must be root's alone, and every directory above root's (or sticky). */
static int check_owner(const struct stat *file, const char *resolved, struct module_check_result *out)
{
	/* Long names are cut short in the message (the detail holds 512 bytes). */
	char directory[PATH_MAX], subject[sizeof out->detail];
	char *slash;
	struct stat st;

	if (!root_only(file, false, "it", out))
		return -1;
	copy_text(directory, sizeof directory, resolved);
	slash = strrchr(directory, '/');
	if (slash == NULL)
		return set_verdict(out, MODULE_CHECK_UNTRUSTED, "its directory is unknown");
	slash[slash == directory ? 1 : 0] = '\0';
	snprintf(subject, sizeof subject, "its directory %.400s", directory);
	if (stat(directory, &st) != 0) {
		char why[sizeof out->detail];

		snprintf(why, sizeof why, "%.420s cannot be checked: %.60s", subject, strerror(errno));
		return set_verdict(out, MODULE_CHECK_UNTRUSTED, why);
	}
	if (!root_only(&st, false, subject, out))
		return -1;
	return check_ancestors(directory, out);
}

/* The file's first bytes are ELF's: for telling "not a library" from "a
 * library this system cannot load". */
static bool starts_like_elf(int fd)
{
	unsigned char magic[4];

	return pread(fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic && memcmp(magic, "\177ELF", 4) == 0;
}

/* The file cannot be opened: ENOENT and ENOTDIR say it is not there, anything
 * else that this uid cannot read it. */
static int unreadable(struct module_check_result *out, int error)
{
	out->error = error;
	out->uid = (unsigned long)geteuid();
	return set_verdict(out, error == ENOENT || error == ENOTDIR ? MODULE_CHECK_MISSING : MODULE_CHECK_UNREADABLE,
	                   NULL);
}

/* Resolves path into resolved (PATH_MAX bytes), which is then what is checked
 * and what gets loaded: a link changed in between cannot swap the file.
 * Opens it without blocking (a FIFO would) and without loading it: only a
 * regular file is handed to the dynamic linker. Sets *elf to whether it
 * starts like an ELF file. */
static int check_file(const char *path, char *resolved, bool *elf, struct module_check_result *out)
{
	struct stat st;
	int fd, rc = 0;

	if (realpath(path, resolved) == NULL)
		return unreadable(out, errno);
	fd = open(resolved, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return unreadable(out, errno);
	if (fstat(fd, &st) != 0)
		rc = unreadable(out, errno);
	else if (!S_ISREG(st.st_mode))
		rc = set_verdict(out, MODULE_CHECK_NOT_REGULAR, NULL);
	else if (geteuid() == 0)
		rc = check_owner(&st, resolved, out);
	if (rc == 0)
		*elf = starts_like_elf(fd);
	close(fd);
	return rc;
}

/* The dynamic linker's message without the "path: " it usually starts with
 * (the caller names the module already). */
static const char *linker_words(const char *message, const char *path, const char *resolved)
{
	const char *names[] = { path, resolved };
	size_t i, length;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		length = strlen(names[i]);
		if (length > 0 && strncmp(message, names[i], length) == 0 && message[length] == ':' && message[length + 1] == ' ')
			return message + length + 2;
	}
	return message;
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

/* Whether the dynamic linker's words say that the file is no shared library. */
static bool says_not_library(const char *words)
{
	size_t i;

	for (i = 0; i < sizeof not_library_words / sizeof not_library_words[0]; i++)
		if (strstr(words, not_library_words[i]) != NULL)
			return true;
	return false;
}

/* A name without '/' the dynamic linker searched for and did not find: the
 * message starts with that very name. */
static bool bare_name_not_found(const char *message, const char *path)
{
	size_t length = strlen(path);

	return strchr(path, '/') == NULL && strncmp(message, path, length) == 0
	       && strncmp(message + length, NOT_FOUND_WORDS, strlen(NOT_FOUND_WORDS)) == 0;
}

/* dlopen failed: the verdict from dlerror()'s words and whether the file starts
 * like an ELF file (elf); the words, without the path, go into detail. */
static int classify_load_failure(const char *path, const char *resolved, bool elf, struct module_check_result *out)
{
	const char *message = dlerror();

	if (message == NULL)
		message = "dlopen failed without a reason";
	copy_text(out->detail, sizeof out->detail, linker_words(message, path, resolved));
	if (bare_name_not_found(message, path))
		return set_verdict(out, MODULE_CHECK_NOT_IN_PATH, NULL);
	if (!elf || says_not_library(out->detail))
		return set_verdict(out, MODULE_CHECK_NOT_LIBRARY, NULL);
	if (names_missing_opensc(message, out->library, sizeof out->library))
		return set_verdict(out, MODULE_CHECK_OTHER_SONAME, NULL);
	return set_verdict(out, MODULE_CHECK_CANNOT_LOAD, NULL);
}

/* All of OpenSC's entry points, then the module's sc_driver_version() against
 * sc_get_version() of the libopensc it links; dlsym on the module's handle
 * searches its dependencies too (libopensc exports none of the entry points). */
static int compare_versions(void *handle, struct module_check_result *out)
{
	const char *(*driver_version)(void);
	const char *(*opensc_version)(void);
	const char *(*refusal)(void);
	const char *built_for, *running, *why_not;
	char why[sizeof out->detail];
	size_t i;

	for (i = 0; i < sizeof entry_points / sizeof entry_points[0]; i++) {
		if (dlsym(handle, entry_points[i]) == NULL) {
			snprintf(why, sizeof why, "it has no %s entry point", entry_points[i]);
			return set_verdict(out, MODULE_CHECK_NOT_PLUGIN, why);
		}
	}
	*(void **)&driver_version = dlsym(handle, "sc_driver_version");
	*(void **)&opensc_version = dlsym(handle, "sc_get_version");
	if (opensc_version == NULL)
		return set_verdict(out, MODULE_CHECK_NOT_PLUGIN, "it links no libopensc (no sc_get_version)");
	built_for = driver_version();
	if (built_for == NULL)
		return set_verdict(out, MODULE_CHECK_NOT_PLUGIN, "its sc_driver_version() names no version");
	running = opensc_version();
	copy_text(out->built_for, sizeof out->built_for, built_for);
	copy_text(out->running, sizeof out->running, running);
	/* The rule of src/module-guard.c: equal, not a prefix as OpenSC's own check. */
	if (running == NULL || strcmp(running, built_for) != 0)
		return set_verdict(out, MODULE_CHECK_OTHER_VERSION, NULL);
	/* Same version, and yet another interface (OpenSC master reports 0.27.1):
	 * only the module can tell, by asking the library (module-guard.h).
	 * Modules from before it could ask have no opensc_jpki_refusal. */
	*(void **)&refusal = dlsym(handle, "opensc_jpki_refusal");
	if (refusal != NULL && (why_not = refusal()) != NULL)
		return set_verdict(out, MODULE_CHECK_OTHER_INTERFACE, why_not);
	return set_verdict(out, MODULE_CHECK_USABLE, NULL);
}

/* The whole check, in the child; the module is not unloaded: the child ends. */
static void check_here(const char *path, struct module_check_result *out)
{
	char resolved[PATH_MAX] = "";
	bool elf = true; /* unknown for a name the dynamic linker searches for */
	void *handle;

	if (path[0] == '\0') {
		set_verdict(out, MODULE_CHECK_EMPTY_PATH, NULL);
		return;
	}
	if (strchr(path, '/') == NULL) {
		if (geteuid() == 0) {
			set_verdict(out, MODULE_CHECK_UNTRUSTED, "it is named without a '/', so the dynamic linker's search "
			                                     "picks the file, which cannot be checked before loading it");
			return;
		}
		copy_text(resolved, sizeof resolved, path);
	} else if (check_file(path, resolved, &elf, out) != 0) {
		return;
	}
	handle = dlopen(resolved, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
		classify_load_failure(path, resolved, elf, out);
	else
		compare_versions(handle, out);
}

/* The child's stdin, stdout and stderr: /dev/null, so a module cannot read
 * the caller's input or add to the output scripts parse, and a process it
 * forks holds none of the caller's pipes open (a `$(... status)` would wait
 * for it). */
static void quiet_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

/* The child's crash signals kill it, whatever handler this process has
 * installed (a sanitizer's, say, would report and exit instead), so that the
 * parent sees the signal and can name it. */
static void default_crash_signals(void)
{
	static const int crashes[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction kill_me = { .sa_handler = SIG_DFL };
	size_t i;

	sigemptyset(&kill_me.sa_mask);
	for (i = 0; i < sizeof crashes / sizeof crashes[0]; i++)
		sigaction(crashes[i], &kill_me, NULL);
}

/* Never returns: the verdict goes to fd, then _exit, so no atexit handler or
 * destructor of the module runs and no stdio buffer is written. */
static void run_child(const char *path, int fd)
{
	const struct rlimit no_core = { 0, 0 };
	struct module_check_result result;
	ssize_t put;

	memset(&result, 0, sizeof result);
	/* A group of its own: whatever the module starts goes with it. */
	setpgid(0, 0);
	/* A module that crashes the check leaves no core file behind (as root,
	 * in the maintainer scripts' working directory). */
	setrlimit(RLIMIT_CORE, &no_core);
	default_crash_signals();
	quiet_stdio();
	check_here(path, &result);
	do
		put = write(fd, &result, sizeof result);
	while (put < 0 && errno == EINTR);
	_exit(put == (ssize_t)sizeof result ? 0 : 1);
}

/* ---- in the parent: wait, with a time limit, and judge ---------------------- */

static long remaining_ms(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Reads the child's verdict until it is complete, the pipe is closed, or the
 * deadline passes. Returns true when *out holds a whole verdict. */
static bool read_verdict(int fd, const struct timespec *deadline, struct module_check_result *out)
{
	struct pollfd poller = { .fd = fd, .events = POLLIN };
	char *buffer = (char *)out;
	size_t got = 0;

	while (got < sizeof *out) {
		long wait = remaining_ms(deadline);
		ssize_t n;
		int ready;

		if (wait <= 0)
			return false;
		ready = poll(&poller, 1, wait > INT_MAX ? INT_MAX : (int)wait);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return false;
		n = read(fd, buffer + got, sizeof *out - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/* Waits for the child until deadline, then kills it. Returns true with *status
 * when it ended by itself, false when it had to be killed. */
static bool reap(pid_t pid, const struct timespec *deadline, int *status)
{
	const struct timespec pause = { 0, REAP_POLL_NS };
	pid_t done;

	for (;;) {
		done = waitpid(pid, status, WNOHANG);
		if (done == pid)
			return true;
		if (done < 0 && errno != EINTR)
			break;
		if (remaining_ms(deadline) <= 0)
			break;
		nanosleep(&pause, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return false;
}

/* The child's bytes came from a process that ran the module's code: take
 * nothing in them for granted before printing them. */
static void sanitize(struct module_check_result *out)
{
	if ((unsigned)out->verdict > MODULE_CHECK_NOT_CHECKED)
		out->verdict = MODULE_CHECK_CANNOT_LOAD;
	out->library[sizeof out->library - 1] = '\0';
	out->detail[sizeof out->detail - 1] = '\0';
	out->built_for[sizeof out->built_for - 1] = '\0';
	out->running[sizeof out->running - 1] = '\0';
}

/* No verdict came: how the child ended is the verdict. */
static int judge_ending(bool ended, int status, unsigned timeout, struct module_check_result *out)
{
	memset(out, 0, sizeof *out);
	if (!ended) {
		out->timeout = timeout;
		return set_verdict(out, MODULE_CHECK_TIMEOUT, NULL);
	}
	if (WIFSIGNALED(status)) {
		out->signal = WTERMSIG(status);
		return set_verdict(out, MODULE_CHECK_CRASHED, NULL);
	}
	out->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return set_verdict(out, MODULE_CHECK_EXITED, NULL);
}

static int not_checked(struct module_check_result *out, const char *call)
{
	out->error = errno;
	return set_verdict(out, MODULE_CHECK_NOT_CHECKED, call);
}

/* Forks the child that checks path, and judges what comes back. */
static int check_in_child(const char *path, unsigned timeout, struct module_check_result *out)
{
	struct timespec deadline;
	bool complete, ended;
	int fds[2], status = 0;
	pid_t pid;

	if (pipe(fds) != 0)
		return not_checked(out, "pipe");
	/* Nothing the module may run is to inherit them. */
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		not_checked(out, "fork");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		run_child(path, fds[1]);
	}
	close(fds[1]);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)timeout;
	complete = read_verdict(fds[0], &deadline, out);
	close(fds[0]);
	ended = reap(pid, &deadline, &status);
	/* Processes the module forked, still in the child's group. */
	kill(-pid, SIGKILL);
	if (!complete)
		return judge_ending(ended, status, timeout, out);
	sanitize(out);
	return out->verdict == MODULE_CHECK_USABLE ? 0 : -1;
}

int module_check(const char *path, unsigned timeout, struct module_check_result *out)
{
	struct sigaction child_default = { .sa_handler = SIG_DFL }, saved;
	int rc;

	memset(out, 0, sizeof *out);
	if (timeout == 0)
		timeout = MODULE_CHECK_DEFAULT_TIMEOUT;
	/* With SIGCHLD ignored (inherited across exec), the child would be reaped
	 * by the kernel and its ending lost. */
	sigemptyset(&child_default.sa_mask);
	if (sigaction(SIGCHLD, &child_default, &saved) != 0)
		return not_checked(out, "sigaction");
	rc = check_in_child(path, timeout, out);
	sigaction(SIGCHLD, &saved, NULL);
	return rc;
}
