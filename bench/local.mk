# bench: the card-link benchmark (issue #6). bench/run.sh drives the stock tools
# through the whole-stack harness and prints the plugin/built-in table;
# bench/check-counts.sh is the CI guard on APDU counts (never wall times).

# The signing workload: one PKCS#11 session, one login, many C_Sign calls.
# Built with `make` (not only `make check`) so bench/run.sh works after a plain build.
noinst_PROGRAMS += bench/p11-sign
bench_p11_sign_SOURCES = bench/p11-sign.c
bench_p11_sign_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS)
bench_p11_sign_CFLAGS = $(AM_CFLAGS)

dist_noinst_SCRIPTS += bench/run.sh bench/session.sh bench/check-counts.sh bench/report.awk bench/trace-check.awk \
	bench/releases.sh
EXTRA_DIST += bench/README.md

E2E_TESTS += tests/e2e/e2e-bench-counts.sh
dist_check_SCRIPTS += tests/e2e/e2e-bench-counts.sh
