# tests/lib: the in-process OpenSC test reader over the virtual card, and the
# helpers shared by tests (opensc-conf.sh, valgrind-check.sh).

# OpenSC's simclist.c compiled from the configured OpenSC tree; its own code is
# not held to our warning set.
check_LTLIBRARIES += tests/lib/libsimclist.la
tests_lib_libsimclist_la_SOURCES = tests/lib/simclist-opensc.c
tests_lib_libsimclist_la_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS)
tests_lib_libsimclist_la_CFLAGS = $(AM_CFLAGS) -w

check_LTLIBRARIES += tests/lib/libsimreader.la
tests_lib_libsimreader_la_SOURCES = \
	tests/lib/sim-reader.h tests/lib/sim-reader.c tests/lib/sim-context.c \
	tests/lib/apdu-bytes.h tests/lib/apdu-bytes.c
tests_lib_libsimreader_la_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)
tests_lib_libsimreader_la_LIBADD = tests/lib/libsimclist.la sim/libjpkisim.la src/libjpki-core.la \
	$(OPENSC_LIBS) $(OPENSSL_LIBS)

if HAVE_CMOCKA
# The cmocka fixture over the reader (test-world.h): one virtual card, context,
# reader, card and binding per test, from one identity per test group.
check_LTLIBRARIES += tests/lib/libtestworld.la
tests_lib_libtestworld_la_SOURCES = \
	tests/lib/test-world.h tests/lib/test-world.c \
	tests/lib/test-identity.h tests/lib/test-identity.c
tests_lib_libtestworld_la_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)
tests_lib_libtestworld_la_LIBADD = tests/lib/libsimreader.la $(CMOCKA_LIBS)

# The APDU codec alone: no card, no OpenSC context.
UNIT_TESTS += tests/lib/test-apdu-bytes
check_PROGRAMS += tests/lib/test-apdu-bytes
tests_lib_test_apdu_bytes_SOURCES = tests/lib/test-apdu-bytes.c tests/lib/apdu-bytes.c tests/lib/apdu-bytes.h
tests_lib_test_apdu_bytes_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_lib_test_apdu_bytes_LDADD = $(CMOCKA_LIBS)

UNIT_TESTS += tests/lib/test-simreader
check_PROGRAMS += tests/lib/test-simreader
tests_lib_test_simreader_SOURCES = tests/lib/test-simreader.c
tests_lib_test_simreader_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)
tests_lib_test_simreader_LDADD = tests/lib/libtestworld.la $(OPENSC_LIBS) $(OPENSSL_LIBS) $(CMOCKA_LIBS)
endif

dist_check_SCRIPTS += tests/lib/valgrind-check.sh

# The README's links and those of the pages behind it (doc/) lead somewhere.
UNIT_TESTS += tests/lib/test-doc-links.sh
dist_check_SCRIPTS += tests/lib/test-doc-links.sh
# bench/releases.sh, which puts the matrices' benchmark runs side by side in doc/.
UNIT_TESTS += tests/lib/test-bench-releases.sh
dist_check_SCRIPTS += tests/lib/test-bench-releases.sh
EXTRA_DIST += tests/lib/opensc-conf.sh tests/lib/valgrind.supp \
	tests/lib/builtin-cells.sh tests/lib/tool-output.sh

# The stock tools under valgrind, through the whole stack.
E2E_TESTS += tests/lib/e2e-valgrind.sh
dist_check_SCRIPTS += tests/lib/e2e-valgrind.sh
