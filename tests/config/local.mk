# tests/config: opensc-jpki-config on well-formed and malformed files (needs no
# OpenSC, so it runs with the unit tests, sanitizers included), and the files it
# writes as read by stock OpenSC (loads the plain module, so it runs with the
# end-to-end tests).
UNIT_TESTS += tests/config/test-config-edit.sh tests/config/test-config-tokens.sh
E2E_TESTS += tests/config/test-config-opensc.sh
dist_check_SCRIPTS += tests/config/test-config-edit.sh tests/config/test-config-tokens.sh \
	tests/config/test-config-opensc.sh
EXTRA_DIST += tests/config/config-lib.sh \
	tests/config/data/debian-12-opensc.conf \
	tests/config/data/no-framework.conf \
	tests/config/data/card-drivers.conf \
	tests/config/data/odd-spacing.conf \
	tests/config/data/malformed-brace.conf \
	tests/config/data/malformed-string.conf \
	tests/config/data/malformed-extra-brace.conf \
	tests/config/data/malformed-comment-in-list.conf \
	tests/config/data/no-app-default.conf \
	tests/config/data/hand-configured.conf

if HAVE_CMOCKA
# The editor against OpenSC's own scconf parser on generated files.
UNIT_TESTS += tests/config/test-conf-edit
check_PROGRAMS += tests/config/test-conf-edit
tests_config_test_conf_edit_SOURCES = tests/config/test-conf-edit.c \
	tools/conf-edit.c tools/conf-edit.h tools/conf-parse.c tools/conf-parse.h
tests_config_test_conf_edit_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools $(OPENSC_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_config_test_conf_edit_LDADD = $(CMOCKA_LIBS) $(OPENSC_LIBS)

# The token name opensc-jpki-config suggests, per OpenSC version.
UNIT_TESTS += tests/config/test-conf-app
check_PROGRAMS += tests/config/test-conf-app
tests_config_test_conf_app_SOURCES = tests/config/test-conf-app.c \
	tools/conf-app.c tools/conf-app.h tools/conf-edit.c tools/conf-edit.h tools/conf-parse.c tools/conf-parse.h
tests_config_test_conf_app_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools $(CMOCKA_CFLAGS)
tests_config_test_conf_app_LDADD = $(CMOCKA_LIBS)
endif
