/*
 * opensc-jpki-config: add the plugin to an opensc.conf, remove it again, or tell
 * whether it is there. scconf has no include directive and the distribution's
 * opensc.conf belongs to its package, so the blocks have to be merged into that
 * file: this tool does it without touching any byte it did not add.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/jpki-labels.h"
#include "conf-app.h"
#include "conf-edit.h"
#include "module-check.h"

#ifndef OPENSC_JPKI_MODULE_PATH
#error "the build passes the installed module path"
#endif
#ifndef OPENSC_JPKI_DEFAULT_CONF
#define OPENSC_JPKI_DEFAULT_CONF "/etc/opensc/opensc.conf"
#endif

#define PROGRAM "opensc-jpki-config"
#define BACKUP_SUFFIX ".opensc-jpki.bak"
/* opensc.conf is a few KiB; anything far larger is not one. */
#define MAX_CONF_SIZE (4u << 20)

#define EXIT_ENABLED 0
#define EXIT_DISABLED 1
#define EXIT_ERROR 2
/* Enabled, but a module the file names cannot be used by this OpenSC. */
#define EXIT_UNUSABLE 3

/* What to do about a module built for another OpenSC. */
#define REBUILD_ADVICE "rebuild the plugin against the installed OpenSC, or install the opensc-jpki package built for this release"
/* What to do about a path that names no opensc-jpki module. */
#define ENABLE_ADVICE "enable the path of opensc-jpki.so (" PROGRAM " --module PATH enable)"
/* Seconds status gives a module to load, instead of MODULE_CHECK_DEFAULT_TIMEOUT
 * (the tests use a short one). */
#define TIMEOUT_VARIABLE "OPENSC_JPKI_CONFIG_LOAD_TIMEOUT"
#define MAX_TIMEOUT 3600ul

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: " PROGRAM " [options] enable|disable|status [FILE]\n"
	        "       " PROGRAM " --tokens auth|sign|all [options] enable FILE\n"
	        "  enable   add the plugin's card driver and PKCS#15 emulator to FILE\n"
	        "  disable  remove exactly the lines enable added, restoring FILE\n"
	        "  status   exit 0 when FILE enables the plugin and the installed OpenSC can\n"
	        "           use its module, 1 when FILE does not enable it, 2 on error, 3 when\n"
	        "           it does but OpenSC cannot use the module (a warning says why).\n"
	        "           It loads the module in a separate process, with a time limit of\n"
	        "           %u s (" TIMEOUT_VARIABLE "=SECONDS for another); as\n"
	        "           root, only a module that root owns and root alone can write, in\n"
	        "           a directory of which the same holds, below directories that\n"
	        "           root alone can write (or sticky ones).\n"
	        "FILE defaults to " OPENSC_JPKI_DEFAULT_CONF "; for status, to $OPENSC_CONF when set,\n"
	        "the file OpenSC then reads. enable and disable keep the previous version as\n"
	        "FILE" BACKUP_SUFFIX " (not --tokens, which writes FILE whole and only over a\n"
	        "file it wrote before).\n"
	        "options:\n"
	        "  --module PATH  the plugin module (default " OPENSC_JPKI_MODULE_PATH ")\n"
	        "  --name NAME    driver name in the configuration (default mynumber)\n"
	        "  --tokens auth|sign|all\n"
	        "                 write FILE whole, as the configuration of one application\n"
	        "                 (OPENSC_CONF=FILE): its PKCS#11 applications see only the\n"
	        "                 User Authentication PIN's token (auth), only the Digital\n"
	        "                 Signature PIN's (sign), or both (all). FILE must be new or\n"
	        "                 written by --tokens before; the system-wide file is left alone\n"
	        "  --card-info    also expose the card-face text data to the OpenSC tools\n"
	        "                 (card_info = yes); PKCS#11 applications see it only with\n"
	        "                 card_info_pkcs11 = yes added by hand (doc/pins.md, card_info)\n",
	        MODULE_CHECK_DEFAULT_TIMEOUT);
}

struct file_content {
	char *data;
	size_t length;
	struct stat st;
};

/* Reads the whole opensc.conf at path into content. O_NONBLOCK, so that a FIFO
 * (or a device) named as the file cannot block the open; a regular file, the
 * only kind read, ignores the flag. Returns 0, or -1 after saying why. */
static int read_conf(const char *path, struct file_content *content)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	size_t done = 0;

	memset(content, 0, sizeof *content);
	if (fd < 0) {
		fprintf(stderr, PROGRAM ": cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &content->st) != 0 || !S_ISREG(content->st.st_mode)) {
		fprintf(stderr, PROGRAM ": %s is not a regular file\n", path);
		goto fail;
	}
	if ((unsigned long long)content->st.st_size > MAX_CONF_SIZE) {
		fprintf(stderr, PROGRAM ": %s is larger than %u bytes; not an opensc.conf\n", path, MAX_CONF_SIZE);
		goto fail;
	}
	content->length = (size_t)content->st.st_size;
	content->data = malloc(content->length + 1);
	if (content->data == NULL) {
		fprintf(stderr, PROGRAM ": out of memory\n");
		goto fail;
	}
	while (done < content->length) {
		ssize_t got = read(fd, content->data + done, content->length - done);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			fprintf(stderr, PROGRAM ": cannot read %s: %s\n", path, got < 0 ? strerror(errno) : "file shrank");
			goto fail;
		}
		done += (size_t)got;
	}
	content->data[content->length] = '\0';
	close(fd);
	return 0;

fail:
	free(content->data);
	content->data = NULL;
	close(fd);
	return -1;
}

static int write_all(int fd, const char *data, size_t length)
{
	while (length > 0) {
		ssize_t put = write(fd, data, length);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		data += put;
		length -= (size_t)put;
	}
	return 0;
}

/* Replaces path atomically by data, with like's mode and owner: a crash leaves
 * either the old file or the new one, never half of each. */
static int replace_file(const char *path, const char *data, size_t length, const struct stat *like)
{
	char temp[PATH_MAX];
	int fd;

	if (snprintf(temp, sizeof temp, "%s.XXXXXX", path) >= (int)sizeof temp) {
		fprintf(stderr, PROGRAM ": path too long: %s\n", path);
		return -1;
	}
	fd = mkstemp(temp);
	if (fd < 0) {
		fprintf(stderr, PROGRAM ": cannot create a file next to %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, like->st_mode & 07777) != 0
	    || ((like->st_uid != geteuid() || like->st_gid != getegid()) && fchown(fd, like->st_uid, like->st_gid) != 0)
	    || write_all(fd, data, length) != 0 || fsync(fd) != 0) {
		fprintf(stderr, PROGRAM ": cannot write %s: %s\n", temp, strerror(errno));
		close(fd);
		unlink(temp);
		return -1;
	}
	if (close(fd) != 0 || rename(temp, path) != 0) {
		fprintf(stderr, PROGRAM ": cannot replace %s: %s\n", path, strerror(errno));
		unlink(temp);
		return -1;
	}
	return 0;
}

static void report_parse_error(const char *shown_path, const struct conf_error *err, bool untouched)
{
	if (err->line > 0)
		fprintf(stderr, PROGRAM ": %s:%u: %s%s\n", shown_path, err->line, err->message,
		        untouched ? "; file left unchanged" : "");
	else
		fprintf(stderr, PROGRAM ": %s: %s%s\n", shown_path, err->message, untouched ? "; file left unchanged" : "");
}

static int save(const char *real_path, const char *shown_path, const struct file_content *old,
                const struct conf_text *new_text)
{
	char backup[PATH_MAX];

	if (snprintf(backup, sizeof backup, "%s%s", real_path, BACKUP_SUFFIX) >= (int)sizeof backup) {
		fprintf(stderr, PROGRAM ": path too long: %s\n", real_path);
		return -1;
	}
	if (replace_file(backup, old->data, old->length, &old->st) != 0
	    || replace_file(real_path, new_text->data, new_text->length, &old->st) != 0) {
		fprintf(stderr, PROGRAM ": %s left unchanged\n", shown_path);
		return -1;
	}
	return 0;
}

/* The time status gives a module to load: TIMEOUT_VARIABLE when it is a whole
 * number of seconds from 1 to MAX_TIMEOUT, else (with a warning when it is set
 * to something else) the default. */
static unsigned load_timeout(void)
{
	const char *text = getenv(TIMEOUT_VARIABLE);
	unsigned long seconds;
	char *end;

	if (text == NULL || text[0] == '\0')
		return MODULE_CHECK_DEFAULT_TIMEOUT;
	errno = 0;
	seconds = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || text[0] < '0' || text[0] > '9' || seconds == 0 || seconds > MAX_TIMEOUT) {
		fprintf(stderr, PROGRAM ": warning: ignoring " TIMEOUT_VARIABLE "=%s (not 1 to %lu seconds); using %u\n",
		        text, MAX_TIMEOUT, MODULE_CHECK_DEFAULT_TIMEOUT);
		return MODULE_CHECK_DEFAULT_TIMEOUT;
	}
	return (unsigned)seconds;
}

/* One stderr line for a verdict on the path, the file or the loading process:
 * what is wrong with module, and what to do about it. */
static void warn_file(const char *module, const struct module_check_result *check)
{
	switch (check->verdict) {
	case MODULE_CHECK_EMPTY_PATH:
		fprintf(stderr, PROGRAM ": warning: the configuration names an empty module path; OpenSC cannot load "
		        "the plugin: " ENABLE_ADVICE "\n");
		break;
	case MODULE_CHECK_MISSING:
		fprintf(stderr, PROGRAM ": warning: %s: %s; OpenSC cannot load the plugin: install it there, or enable "
		        "the path it is installed at (" PROGRAM " --module PATH enable)\n", module, strerror(check->error));
		break;
	case MODULE_CHECK_UNREADABLE:
		/* Another user's OpenSC might read it: no advice to install it. */
		fprintf(stderr, PROGRAM ": warning: cannot read %s: %s (running as uid %lu)\n", module,
		        strerror(check->error), check->uid);
		break;
	case MODULE_CHECK_NOT_REGULAR:
		fprintf(stderr, PROGRAM ": warning: %s is not a regular file; OpenSC cannot load the plugin from it: "
		        ENABLE_ADVICE "\n", module);
		break;
	case MODULE_CHECK_UNTRUSTED:
		fprintf(stderr, PROGRAM ": warning: %s: %s; not loaded: as root, " PROGRAM " loads only root-owned "
		        "modules that only root can write (OpenSC itself would load it: check it)\n", module, check->detail);
		break;
	case MODULE_CHECK_TIMEOUT:
		fprintf(stderr, PROGRAM ": warning: %s did not finish loading within %u s, so it was stopped; OpenSC may "
		        "hang loading it too: check it, or " ENABLE_ADVICE "\n", module, check->timeout);
		break;
	case MODULE_CHECK_CRASHED:
		fprintf(stderr, PROGRAM ": warning: %s: loading it crashed the process (signal %d, %s); OpenSC may crash "
		        "loading it too: check it, or " ENABLE_ADVICE "\n", module, check->signal, strsignal(check->signal));
		break;
	case MODULE_CHECK_EXITED:
		fprintf(stderr, PROGRAM ": warning: %s: loading it exited the process (exit status %d) before it could be "
		        "checked; OpenSC may exit loading it too: check it, or " ENABLE_ADVICE "\n", module,
		        check->exit_status);
		break;
	case MODULE_CHECK_NOT_CHECKED:
		fprintf(stderr, PROGRAM ": cannot check %s: %s: %s\n", module, check->detail, strerror(check->error));
		break;
	default:
		break;
	}
}

/* One stderr line for any verdict but USABLE: what is wrong with module, and
 * what to do about it. Those on the library itself are here, the others in
 * warn_file. */
static void warn_module(const char *module, const struct module_check_result *check)
{
	switch (check->verdict) {
	case MODULE_CHECK_NOT_LIBRARY:
		fprintf(stderr, PROGRAM ": warning: %s is not a shared library (%s): " ENABLE_ADVICE "\n", module,
		        check->detail);
		break;
	case MODULE_CHECK_NOT_IN_PATH:
		fprintf(stderr, PROGRAM ": warning: cannot load %s: %s; OpenSC searches the library path for a module "
		        "named without a '/', and it is not there: enable its absolute path (" PROGRAM " --module PATH "
		        "enable)\n", module, check->detail);
		break;
	case MODULE_CHECK_OTHER_SONAME:
		fprintf(stderr, PROGRAM ": warning: %s was built for another OpenSC release: it needs %s, which is not "
		        "installed, so OpenSC will not use the plugin; " REBUILD_ADVICE "\n", module, check->library);
		break;
	case MODULE_CHECK_CANNOT_LOAD:
		fprintf(stderr, PROGRAM ": warning: cannot load %s: %s; OpenSC will not use the plugin; " REBUILD_ADVICE "\n",
		        module, check->detail);
		break;
	case MODULE_CHECK_NOT_PLUGIN:
		fprintf(stderr, PROGRAM ": warning: %s is not an opensc-jpki module: %s; " ENABLE_ADVICE "\n", module,
		        check->detail);
		break;
	case MODULE_CHECK_OTHER_VERSION:
		fprintf(stderr, PROGRAM ": warning: %s was built for OpenSC %s, but the installed OpenSC is %s, so OpenSC "
		        "will not use the plugin; " REBUILD_ADVICE "\n", module, check->built_for,
		        check->running[0] != '\0' ? check->running : "of no known version");
		break;
	case MODULE_CHECK_OTHER_INTERFACE:
		fprintf(stderr, PROGRAM ": warning: %s was built for OpenSC %s, and the installed OpenSC says %s too, but "
		        "the module refuses it (%s), so OpenSC will not use the plugin; " REBUILD_ADVICE "\n", module,
		        check->built_for, check->running, check->detail);
		break;
	default:
		warn_file(module, check);
		break;
	}
}

/* Whether this OpenSC can use module: says so on stdout ("LABEL: built for
 * OpenSC X, which is the one installed") and returns EXIT_ENABLED, or warns on
 * stderr and returns EXIT_UNUSABLE (EXIT_ERROR when it could not be checked). */
static int check_module(const char *label, const char *module, unsigned timeout)
{
	struct module_check_result check;

	/* The "enabled:" line before the warning, also when both go to one log;
	 * module_check flushes too, but not before every early verdict. */
	fflush(stdout);
	if (module_check(module, timeout, &check) != 0) {
		warn_module(module, &check);
		return check.verdict == MODULE_CHECK_NOT_CHECKED ? EXIT_ERROR : EXIT_UNUSABLE;
	}
	printf("%s: built for OpenSC %s, which is the one installed\n", label, check.built_for);
	return EXIT_ENABLED;
}

/* Two modules' answers as one exit status: a module known unusable outweighs
 * one not checked, which outweighs a usable one. */
static int worse(int a, int b)
{
	if (a == EXIT_UNUSABLE || b == EXIT_UNUSABLE)
		return EXIT_UNUSABLE;
	if (a == EXIT_ERROR || b == EXIT_ERROR)
		return EXIT_ERROR;
	return EXIT_ENABLED;
}

/* The file enables the plugin: does it name modules this OpenSC can use? Each
 * distinct module is checked, so every problem is reported at once. */
static int check_enabled_modules(const struct conf_status *status)
{
	unsigned timeout = load_timeout();
	int driver;

	if (strcmp(status->driver_module, status->emulator_module) == 0)
		return check_module("module", status->driver_module, timeout);
	driver = check_module("card driver module", status->driver_module, timeout);
	return worse(driver, check_module("PKCS#15 emulator module", status->emulator_module, timeout));
}

/* After enable: warns, as status would, when OpenSC cannot use the module the
 * file now names (missing, another OpenSC's, not a module). The file is
 * written either way: the module may be installed later. */
static void warn_unusable_module(const char *module)
{
	struct module_check_result check;

	if (access(module, R_OK) != 0) {
		fprintf(stderr, PROGRAM ": warning: %s: %s; OpenSC will not load the plugin until it exists\n", module,
		        strerror(errno));
		return;
	}
	fflush(stdout);
	if (module_check(module, load_timeout(), &check) != 0)
		warn_module(module, &check);
}

/* The file OPENSC_CONF names, which OpenSC then reads instead of its own;
 * NULL when it is unset or empty. */
static const char *opensc_conf_env(void)
{
	const char *env = getenv("OPENSC_CONF");

	return env != NULL && env[0] != '\0' ? env : NULL;
}

/* After a plain enable: OPENSC_CONF, when set, makes OpenSC read another file
 * than the one just edited, in this environment. */
static void warn_other_conf(const char *real_path)
{
	const char *env = opensc_conf_env();
	char env_real[PATH_MAX];

	if (env == NULL)
		return;
	if (realpath(env, env_real) != NULL && strcmp(env_real, real_path) == 0)
		return;
	fprintf(stderr, PROGRAM ": warning: OPENSC_CONF=%s is set: OpenSC started from this environment reads "
	        "that file, not this one\n", env);
}

static int run_status(const char *shown_path, const struct file_content *conf, const char *name)
{
	struct conf_status status;
	struct conf_error err;

	if (conf_edit_status(conf->data, conf->length, name, &status, &err) != 0) {
		report_parse_error(shown_path, &err, false);
		return EXIT_ERROR;
	}
	if (conf_status_enabled(&status)) {
		if (strcmp(status.driver_module, status.emulator_module) == 0)
			printf("enabled: %s: card driver and PKCS#15 emulator '%s' from %s\n", shown_path, name,
			       status.driver_module);
		else
			printf("enabled: %s: card driver '%s' from %s, PKCS#15 emulator from %s\n", shown_path, name,
			       status.driver_module, status.emulator_module);
		return check_enabled_modules(&status);
	}
	if (!status.driver_listed && !status.driver_block && !status.emulator_block && status.marked_lines)
		printf("disabled: %s: not configured for '%s', but it has lines marked '# opensc-jpki' "
		       "(enabled with another --name?)\n", shown_path, name);
	else if (status.driver_listed || status.driver_block || status.emulator_block)
		printf("disabled: %s: only partly configured for '%s' (card_drivers lists it: %s; card_driver block: "
		       "%s; emulate block in framework pkcs15: %s)\n",
		       shown_path, name, status.driver_listed ? "yes" : "no", status.driver_block ? "yes" : "no",
		       status.emulator_block ? "yes" : "no");
	else
		printf("disabled: %s\n", shown_path);
	return EXIT_DISABLED;
}

/* Prints path as a shell word: bare when it holds only characters no shell
 * treats specially, else in single quotes. */
static void print_shell_word(const char *path)
{
	const char *c;

	if (path[0] != '\0' && strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+@:,-")
	                           == strlen(path)) {
		fputs(path, stdout);
		return;
	}
	putchar('\'');
	for (c = path; *c != '\0'; c++) {
		if (*c == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*c);
	}
	putchar('\'');
}

/* How to use the file just written: the OPENSC_CONF= line with its absolute
 * path, since the application may run in another directory. */
static void print_app_usage(const char *shown_path, enum conf_tokens tokens)
{
	char cwd[PATH_MAX];
	char absolute[2 * PATH_MAX];

	if (shown_path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL
	    || snprintf(absolute, sizeof absolute, "%s/%s", cwd, shown_path) >= (int)sizeof absolute)
		snprintf(absolute, sizeof absolute, "%s", shown_path);
	printf("use it for that application alone; every other one keeps the system-wide configuration:\n"
	       "  OPENSC_CONF=");
	print_shell_word(absolute);
	printf(" APPLICATION [ARGUMENTS]\n");
	if (tokens == CONF_TOKENS_SIGN) {
		/* The nickname depends on OpenSC's version: this build's, the only
		 * one its module loads into. */
		const char *token = conf_app_token_name(tokens, CONF_TOKENS_SIGN, OPENSC_JPKI_BUILT_FOR);

		printf("for example, to sign a PDF with the Digital Signature Key through NSS (doc/clients.md):\n"
		       "  OPENSC_CONF=");
		print_shell_word(absolute);
		printf(" pdfsig -add-signature -nssdir sql:DB -nss-pwd SIGNPIN -kpw SIGNPIN -nick '%s:%s' IN.pdf OUT.pdf\n",
		       token != NULL ? token : "TOKEN", JPKI_LABEL_SIGN_CERT);
	}
}

/* enable with --tokens: FILE becomes the whole configuration of one
 * application. Only a new file, or one this command wrote before, is written:
 * anything else (the system-wide opensc.conf above all) is left as it is. */
static int run_app_enable(const char *shown_path, const struct conf_plugin *plugin, enum conf_tokens tokens)
{
	char real_path[PATH_MAX];
	const char *target = shown_path;
	struct file_content old = { 0 };
	struct conf_text text = { 0 };
	struct conf_error err;
	struct stat like;
	int status = EXIT_ERROR;

	if (conf_app_render(plugin, tokens, &text, &err) != 0) {
		fprintf(stderr, PROGRAM ": %s\n", err.message);
		return EXIT_ERROR;
	}
	/* A new file: readable by all (it holds no secret), owned by the caller. */
	memset(&like, 0, sizeof like);
	like.st_mode = 0644;
	like.st_uid = geteuid();
	like.st_gid = getegid();
	if (realpath(shown_path, real_path) != NULL) {
		/* Replace what a symlink points to, not the link. */
		target = real_path;
		if (read_conf(real_path, &old) != 0)
			goto out;
		if (!conf_app_is_ours(old.data, old.length)) {
			fprintf(stderr, PROGRAM ": %s exists and was not written by " PROGRAM " --tokens; file left "
			        "unchanged: name a new file for the application (plain enable edits the system-wide "
			        "configuration)\n", shown_path);
			goto out;
		}
		if (old.length == text.length && memcmp(old.data, text.data, text.length) == 0) {
			printf(PROGRAM ": %s already configures '%s' with --tokens %s; nothing changed\n", shown_path,
			       plugin->name, conf_app_tokens_name(tokens));
			print_app_usage(shown_path, tokens);
			status = 0;
			goto out;
		}
		like = old.st;
	} else if (errno != ENOENT) {
		fprintf(stderr, PROGRAM ": cannot open %s: %s\n", shown_path, strerror(errno));
		goto out;
	}
	if (replace_file(target, text.data, text.length, &like) != 0) {
		fprintf(stderr, PROGRAM ": %s not written\n", shown_path);
		goto out;
	}
	printf(PROGRAM ": wrote %s: '%s' (module %s), PKCS#11 applications see %s (create_slots_for_pins = \"%s\")\n",
	       shown_path, plugin->name, plugin->module,
	       tokens == CONF_TOKENS_ALL ? "both JPKI tokens"
	       : tokens == CONF_TOKENS_SIGN ? "only the Digital Signature PIN's token"
	                                    : "only the User Authentication PIN's token",
	       conf_app_slots_value(tokens));
	warn_unusable_module(plugin->module);
	print_app_usage(shown_path, tokens);
	status = 0;
out:
	conf_text_free(&text);
	free(old.data);
	return status;
}

int main(int argc, char **argv)
{
	struct conf_plugin plugin = { .name = "mynumber", .module = OPENSC_JPKI_MODULE_PATH, .card_info = false };
	const char *command = NULL, *shown_path = NULL;
	char real_path[PATH_MAX];
	struct file_content conf;
	struct conf_text new_text = { 0 };
	struct conf_error err;
	enum conf_tokens tokens = CONF_TOKENS_ALL;
	bool app_file = false;
	int i, status = EXIT_ERROR;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if ((strcmp(arg, "--module") == 0 || strcmp(arg, "--name") == 0) && i + 1 < argc) {
			if (arg[2] == 'm')
				plugin.module = argv[++i];
			else
				plugin.name = argv[++i];
		} else if (strcmp(arg, "--tokens") == 0) {
			if (i + 1 == argc || conf_app_parse_tokens(argv[i + 1], &tokens) != 0) {
				fprintf(stderr, PROGRAM ": --tokens %s: use auth (the User Authentication PIN's token), "
				                "sign (the Digital Signature PIN's) or all (both)\n",
				        i + 1 < argc ? argv[i + 1] : "needs a value");
				return EXIT_ERROR;
			}
			app_file = true;
			i++;
		} else if (strcmp(arg, "--card-info") == 0) {
			plugin.card_info = true;
		} else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--version") == 0) {
			printf(PROGRAM " " PACKAGE_VERSION "\n");
			return 0;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			fprintf(stderr, PROGRAM ": unknown option %s\n", arg);
			usage(stderr);
			return EXIT_ERROR;
		} else if (command == NULL) {
			command = arg;
		} else if (shown_path == NULL) {
			shown_path = arg;
		} else {
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (command == NULL
	    || (strcmp(command, "enable") != 0 && strcmp(command, "disable") != 0 && strcmp(command, "status") != 0)) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!conf_edit_name_ok(plugin.name)) {
		fprintf(stderr, PROGRAM ": --name '%s': use letters, digits, '_' and '-', not a name OpenSC "
		                "resolves itself (internal, old, jpki, default)\n", plugin.name);
		return EXIT_ERROR;
	}
	if (!conf_edit_module_ok(plugin.module)) {
		fprintf(stderr, PROGRAM ": --module '%s': must be an absolute path without '\"' or newline\n",
		        plugin.module);
		return EXIT_ERROR;
	}
	if (app_file) {
		if (strcmp(command, "enable") != 0) {
			fprintf(stderr, PROGRAM ": --tokens goes with enable only (status reads any FILE as it is; "
			                "delete an application's FILE to undo it)\n");
			return EXIT_ERROR;
		}
		/* Choosing the tokens of every application at once is not this
		 * option's job: it never writes the system-wide file by default. */
		if (shown_path == NULL) {
			fprintf(stderr, PROGRAM ": --tokens writes the configuration of one application: name its FILE "
			                "(then OPENSC_CONF=FILE for that application)\n");
			return EXIT_ERROR;
		}
		return run_app_enable(shown_path, &plugin, tokens);
	}
	/* status answers for the file OpenSC would read; enable and disable
	 * never edit a file only the environment names. */
	if (shown_path == NULL && strcmp(command, "status") == 0)
		shown_path = opensc_conf_env();
	if (shown_path == NULL)
		shown_path = OPENSC_JPKI_DEFAULT_CONF;
	/* Edit the file a symlink points to, not replace the link by a copy. */
	if (realpath(shown_path, real_path) == NULL) {
		int open_errno = errno;

		fprintf(stderr, PROGRAM ": cannot open %s: %s\n", shown_path, strerror(open_errno));
		/* libopensc runs without the file, on built-in defaults that no
		 * plugin can join: it has to exist first. */
		if (open_errno == ENOENT && strcmp(shown_path, OPENSC_JPKI_DEFAULT_CONF) == 0)
			fprintf(stderr, PROGRAM ": OpenSC's configuration file is installed with OpenSC's tools "
			                "(Debian: apt-get install opensc); or name another file\n");
		return EXIT_ERROR;
	}
	if (read_conf(real_path, &conf) != 0)
		return EXIT_ERROR;

	if (strcmp(command, "status") == 0) {
		status = run_status(shown_path, &conf, plugin.name);
		goto out;
	}

	/* One application's file, written whole: neither edit applies to it
	 * (enable would call the plugin's blocks foreign). */
	if (conf_app_is_ours(conf.data, conf.length)) {
		if (command[0] == 'e') {
			fprintf(stderr, PROGRAM ": %s was written whole by " PROGRAM " --tokens for one application; "
			        "file left unchanged: rewrite it with --tokens auth|sign|all enable %s\n", shown_path,
			        shown_path);
			goto out;
		}
		printf(PROGRAM ": %s was written whole by " PROGRAM " --tokens for one application; "
		       "nothing changed: delete it to undo\n", shown_path);
		status = 0;
		goto out;
	}

	if (strcmp(command, "enable") == 0) {
		if (conf_edit_enable(conf.data, conf.length, &plugin, &new_text, &err) != 0) {
			report_parse_error(shown_path, &err, true);
			goto out;
		}
	} else if (conf_edit_disable(conf.data, conf.length, &new_text, &err) != 0) {
		report_parse_error(shown_path, &err, true);
		goto out;
	}

	if (new_text.length == conf.length && memcmp(new_text.data, conf.data, conf.length) == 0) {
		if (command[0] == 'e')
			printf(PROGRAM ": '%s' is already enabled in %s; nothing changed\n", plugin.name, shown_path);
		else
			printf(PROGRAM ": %s has no lines added by " PROGRAM "; nothing changed\n", shown_path);
		status = 0;
		goto out;
	}
	if (save(real_path, shown_path, &conf, &new_text) != 0)
		goto out;
	if (command[0] == 'e') {
		printf(PROGRAM ": enabled '%s' (module %s) in %s; previous version saved as %s" BACKUP_SUFFIX "\n",
		       plugin.name, plugin.module, shown_path, real_path);
		warn_unusable_module(plugin.module);
		warn_other_conf(real_path);
	} else {
		printf(PROGRAM ": disabled opensc-jpki in %s; previous version saved as %s" BACKUP_SUFFIX "\n",
		       shown_path, real_path);
	}
	status = 0;
out:
	conf_text_free(&new_text);
	free(conf.data);
	return status;
}
