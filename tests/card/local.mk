# tests/card: the driver's unit tests (owned by "driver"). Pure parts alone,
# then the driver and emulator through the in-process reader (tests/lib).
if HAVE_CMOCKA
UNIT_TESTS += tests/card/test-pure
check_PROGRAMS += tests/card/test-pure
tests_card_test_pure_SOURCES = tests/card/test-pure.c
tests_card_test_pure_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS) $(CMOCKA_CFLAGS)
tests_card_test_pure_LDADD = src/libjpki-pure.la $(OPENSSL_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
UNIT_TESTS += tests/card/test-driver
check_PROGRAMS += tests/card/test-driver
tests_card_test_driver_SOURCES = tests/card/test-driver.c
tests_card_test_driver_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)
tests_card_test_driver_LDADD = tests/lib/libtestworld.la $(OPENSC_LIBS) $(OPENSSL_LIBS) $(CMOCKA_LIBS)
endif

# The card shared with other clients: each operation with another client
# acting between our transactions (the card's own tries, the trace's SELECTs).
if HAVE_CMOCKA
UNIT_TESTS += tests/card/test-shared-card
check_PROGRAMS += tests/card/test-shared-card
tests_card_test_shared_card_SOURCES = tests/card/test-shared-card.c
tests_card_test_shared_card_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)
tests_card_test_shared_card_LDADD = tests/lib/libtestworld.la $(OPENSC_LIBS) $(OPENSSL_LIBS) $(CMOCKA_LIBS)
endif
