# tests/shared: the card is shared (issue 10) and the signature key wants a PIN
# per signature (issue 11), end to end: a step-by-step PKCS#11 client
# (p11step.py, Debian's python3-pykcs11 over the stock opensc-pkcs11.so) keeps
# a session open while the stock opensc-tool, pkcs15-tool, pkcs15-crypt and
# OpenSSH's ssh-agent use the same card through pcscd. Issue 11's other
# promises: detection glitches (e2e-detection), debug logs (e2e-logs, with
# logscan.py), the answers applications get (e2e-answers).
shared_e2e_tests = \
	tests/shared/e2e-shared-card.sh \
	tests/shared/e2e-consent.sh \
	tests/shared/e2e-ssh-agent.sh \
	tests/shared/e2e-detection.sh \
	tests/shared/e2e-logs.sh \
	tests/shared/e2e-answers.sh
E2E_TESTS += $(shared_e2e_tests)
dist_check_SCRIPTS += $(shared_e2e_tests)
EXTRA_DIST += tests/shared/lib.sh tests/shared/p11step.py tests/shared/logscan.py
