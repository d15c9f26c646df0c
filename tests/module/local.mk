# tests/module: does stock OpenSC load the module, and refuse one built for
# another OpenSC? Two extra modules pretend to come from other releases:
#  - opensc-jpki-other.so answers a version OpenSC's own loader rejects (its
#    check is a prefix match against the running version);
#  - opensc-jpki-suffixed.so answers "<running version>.1": OpenSC's prefix check
#    passes, so our own run-time guard must refuse;
#  - opensc-jpki-other-pin-cmd.so answers the running version, but was built
#    believing the other pin_cmd convention (0.27.1 against OpenSC master,
#    which both say 0.27.1): only the guard's probe of the library tells.
# A version OpenSC's prefix check rejects; test-load.sh fails if it does not.
OTHER_OPENSC_VERSION = 0.21.0

check_PROGRAMS += tests/module/module-info
tests_module_module_info_SOURCES = tests/module/module-info.c
tests_module_module_info_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS)
tests_module_module_info_LDADD = -ldl

check_LTLIBRARIES += tests/module/opensc-jpki-other.la tests/module/opensc-jpki-suffixed.la \
	tests/module/opensc-jpki-other-pin-cmd.la
tests_module_opensc_jpki_other_la_SOURCES = $(src_opensc_jpki_la_SOURCES)
tests_module_opensc_jpki_other_la_CPPFLAGS = $(src_opensc_jpki_la_CPPFLAGS) \
	-DOPENSC_JPKI_TEST_BUILT_FOR='"$(OTHER_OPENSC_VERSION)"'
tests_module_opensc_jpki_other_la_LDFLAGS = $(src_opensc_jpki_la_LDFLAGS) -rpath /nowhere
tests_module_opensc_jpki_other_la_LIBADD = $(src_opensc_jpki_la_LIBADD)
tests_module_opensc_jpki_suffixed_la_SOURCES = $(src_opensc_jpki_la_SOURCES)
tests_module_opensc_jpki_suffixed_la_CPPFLAGS = $(src_opensc_jpki_la_CPPFLAGS) \
	-DOPENSC_JPKI_TEST_BUILT_FOR='"$(OPENSC_INSTALLED_VERSION).1"'
tests_module_opensc_jpki_suffixed_la_LDFLAGS = $(src_opensc_jpki_la_LDFLAGS) -rpath /nowhere
tests_module_opensc_jpki_suffixed_la_LIBADD = $(src_opensc_jpki_la_LIBADD)
tests_module_opensc_jpki_other_pin_cmd_la_SOURCES = $(src_opensc_jpki_la_SOURCES)
tests_module_opensc_jpki_other_pin_cmd_la_CPPFLAGS = $(src_opensc_jpki_la_CPPFLAGS) -DOPENSC_JPKI_TEST_OTHER_PIN_CMD
tests_module_opensc_jpki_other_pin_cmd_la_LDFLAGS = $(src_opensc_jpki_la_LDFLAGS) -rpath /nowhere
tests_module_opensc_jpki_other_pin_cmd_la_LIBADD = $(src_opensc_jpki_la_LIBADD)

# Both load the module into stock opensc-tool: the plain build only.
E2E_TESTS += tests/module/test-load.sh tests/module/test-refused-card.sh
dist_check_SCRIPTS += tests/module/test-load.sh tests/module/test-refused-card.sh

# configure's version check on the OpenSC source tree.
UNIT_TESTS += tests/module/test-configure.sh
dist_check_SCRIPTS += tests/module/test-configure.sh

# A module of another release in this one (scripts/release-matrix.sh runs it).
EXTRA_DIST += tests/module/cross-load.sh
