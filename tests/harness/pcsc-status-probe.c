/*
 * pcsc-status-probe: does this system's pcsc-lite answer a status query about
 * a reader that is there with an error?
 *
 * OpenSC asks SCardGetStatusChange with a timeout of 0 before it uses a card
 * (reader-pcsc.c, refresh_attributes). An answer of SCARD_E_UNKNOWN_READER
 * makes it mark the reader removed and drop the card's tokens, closing every
 * PKCS#11 session on them, until its next reader enumeration. pcsc-lite 2.5's
 * client library (Debian sid's 2.5.3) gives such answers now and then while
 * other clients start and poll the readers (doc/releases.md says why); 2.3.3
 * (trixie) and 1.9.9 (bookworm) never did here.
 * scripts/test.sh runs this through tests/harness/pcsc-race.sh to tell a
 * test that failed on that from one that failed on its own.
 *
 * Usage: pcsc-status-probe SECONDS
 * Polls every reader the PC/SC service lists, as OpenSC does, for at most
 * SECONDS (1..600), and stops at the first answer that is neither success nor
 * SCARD_E_TIMEOUT. Prints one line: the answer and the reader, or the number
 * of polls without one. Exit status: 0 no such answer, 1 one was seen,
 * 2 usage or no PC/SC service or reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <PCSC/pcsclite.h>
#include <PCSC/winscard.h>

#define PROBE_MAX_READERS 8

static int usage(void)
{
	fprintf(stderr, "usage: pcsc-status-probe SECONDS (1..600)\n");
	return 2;
}

int main(int argc, char **argv)
{
	SCARD_READERSTATE states[PROBE_MAX_READERS];
	char names[4096];
	DWORD names_len = sizeof(names);
	SCARDCONTEXT context;
	unsigned long polls = 0;
	size_t count = 0;
	time_t end;
	char *name;
	long seconds;
	LONG rv;

	if (argc != 2)
		return usage();
	seconds = strtol(argv[1], &name, 10);
	if (*argv[1] == '\0' || *name != '\0' || seconds < 1 || seconds > 600)
		return usage();

	rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &context);
	if (rv != SCARD_S_SUCCESS) {
		printf("no PC/SC context: %s\n", pcsc_stringify_error(rv));
		return 2;
	}
	rv = SCardListReaders(context, NULL, names, &names_len);
	if (rv != SCARD_S_SUCCESS) {
		printf("no readers: %s\n", pcsc_stringify_error(rv));
		SCardReleaseContext(context);
		return 2;
	}
	/* A multi-string: names, each ended by NUL, the list by a second NUL. */
	for (name = names; *name != '\0' && count < PROBE_MAX_READERS; name += strlen(name) + 1) {
		memset(&states[count], 0, sizeof(states[count]));
		states[count].szReader = name;
		states[count].dwCurrentState = SCARD_STATE_UNAWARE;
		count++;
	}

	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		size_t i;

		for (i = 0; i < count; i++) {
			/* As OpenSC does: the last answer is the state known. */
			states[i].dwCurrentState = states[i].dwEventState;
			rv = SCardGetStatusChange(context, 0, &states[i], 1);
			polls++;
			if (rv != SCARD_S_SUCCESS && rv != (LONG)SCARD_E_TIMEOUT) {
				printf("poll %lu: SCardGetStatusChange on '%s': %s (0x%08lX)\n", polls,
				       states[i].szReader, pcsc_stringify_error(rv), (unsigned long)rv);
				SCardReleaseContext(context);
				return 1;
			}
		}
	}
	printf("%lu polls of %zu reader(s) in %ld s: every answer success or timeout\n", polls, count, seconds);
	SCardReleaseContext(context);
	return 0;
}
