# tests/sim: the virtual card's model in-process (cmocka), and jpki-sim through
# pcscd with the stock tools (via tests/harness/with-card.sh).
if HAVE_CMOCKA
check_PROGRAMS += tests/sim/test-sim-model
UNIT_TESTS += tests/sim/test-sim-model
tests_sim_test_sim_model_SOURCES = tests/sim/test-sim-model.c
tests_sim_test_sim_model_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sim $(OPENSSL_CFLAGS) $(CMOCKA_CFLAGS)
tests_sim_test_sim_model_LDADD = sim/libjpkisim.la $(OPENSSL_LIBS) $(CMOCKA_LIBS)
endif

E2E_TESTS += tests/sim/e2e-sim-pcsc.sh
dist_check_SCRIPTS += tests/sim/e2e-sim-pcsc.sh tests/harness/with-card.sh
