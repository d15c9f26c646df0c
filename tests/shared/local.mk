# tests/shared: the card is shared (issue 10) and the signature key wants a PIN
# per signature (issue 11), end to end: a step-by-step PKCS#11 client
# (p11step.py, Debian's python3-pykcs11 over the stock opensc-pkcs11.so) keeps
# a session open while the stock opensc-tool, pkcs15-tool, pkcs15-crypt and
# OpenSSH's ssh-agent use the same card through pcscd.
E2E_TESTS += \
	tests/shared/e2e-shared-card.sh \
	tests/shared/e2e-consent.sh \
	tests/shared/e2e-ssh-agent.sh
dist_check_SCRIPTS += \
	tests/shared/e2e-shared-card.sh \
	tests/shared/e2e-consent.sh \
	tests/shared/e2e-ssh-agent.sh
EXTRA_DIST += tests/shared/lib.sh tests/shared/p11step.py
