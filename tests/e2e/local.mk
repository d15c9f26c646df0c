# tests/e2e: filled in by its owner
# card-face text data through pkcs15-tool (owned by "textap")
E2E_TESTS += tests/e2e/e2e-card-info.sh
dist_check_SCRIPTS += tests/e2e/e2e-card-info.sh
# the JPKI application through the stock tools (owned by "driver")
E2E_TESTS += tests/e2e/e2e-jpki-tools.sh
dist_check_SCRIPTS += tests/e2e/e2e-jpki-tools.sh tests/e2e/jpki-checks.sh
E2E_TESTS += tests/e2e/e2e-jpki-valgrind.sh
dist_check_SCRIPTS += tests/e2e/e2e-jpki-valgrind.sh
# each key's own size once its certificate is read (issue #11)
E2E_TESTS += tests/e2e/e2e-key-size.sh
dist_check_SCRIPTS += tests/e2e/e2e-key-size.sh
# every built-in cell of doc/comparison.md's "What works" table, against the built-in (issue #11)
E2E_TESTS += tests/e2e/e2e-builtin-compare.sh
dist_check_SCRIPTS += tests/e2e/e2e-builtin-compare.sh
