# tests/harness: the private pcscd with the virtual card (with-card.sh), and
# the probe scripts/test.sh asks whether this system's pcsc-lite loses readers
# for a moment (pcsc-race.sh) before it runs a failed end-to-end test again.
if HAVE_PCSC
check_PROGRAMS += tests/harness/pcsc-status-probe
tests_harness_pcsc_status_probe_SOURCES = tests/harness/pcsc-status-probe.c
tests_harness_pcsc_status_probe_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
tests_harness_pcsc_status_probe_LDADD = $(PCSC_LIBS)
endif
EXTRA_DIST += tests/harness/pcsc-race.sh

# scripts/test.sh: the tests that go through pcscd.
print-e2e-tests:
	@echo $(E2E_TESTS)
.PHONY: print-e2e-tests
