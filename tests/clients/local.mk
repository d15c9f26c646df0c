# tests/clients: real PKCS#11 clients end to end (issue #7) - ssh/sshd, gnutls-cli
# against openssl s_server, openssl cms through the pkcs11 engine - each run with
# the plugin and, as a negative control, with OpenSC's built-in driver.
# e2e-pdfsig.sh (issue #19): pdfsig signs a PDF with the Digital Signature Key
# under the configuration opensc-jpki-config --tokens sign writes.
E2E_TESTS += \
	tests/clients/e2e-ssh.sh \
	tests/clients/e2e-tls.sh \
	tests/clients/e2e-cms.sh \
	tests/clients/e2e-pdfsig.sh
dist_check_SCRIPTS += \
	tests/clients/e2e-ssh.sh \
	tests/clients/e2e-tls.sh \
	tests/clients/e2e-cms.sh \
	tests/clients/e2e-pdfsig.sh
EXTRA_DIST += tests/clients/lib.sh tests/clients/pdf.sh
