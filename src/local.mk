# The installed module: one .so that is both the card driver and the PKCS#15
# emulator. Everything but the entry points lives in a convenience library so the
# unit tests can link the same code.
noinst_LTLIBRARIES += src/libjpki-core.la
src_libjpki_core_la_SOURCES = \
	src/common/jpki-facts.h src/common/jpki-labels.h src/common/opensc-compat.h src/common/pin-cmd-probe.h \
	src/common/module-config.c src/common/module-config.h
src_libjpki_core_la_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS)
src_libjpki_core_la_LIBADD = $(OPENSSL_LIBS)

lib_LTLIBRARIES += src/opensc-jpki.la
src_opensc_jpki_la_SOURCES = src/module.c src/module-guard.c src/module-guard.h
src_opensc_jpki_la_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS)
src_opensc_jpki_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -no-undefined -Wl,-z,defs \
	-export-symbols-regex '^(sc_module_init|sc_driver_version|sc_pkcs15_init_func_ex|opensc_jpki_refusal)$$'
# -z defs: a symbol libopensc does not export fails the link, not the dlopen.
src_opensc_jpki_la_LIBADD = src/libjpki-core.la $(OPENSC_LIBS) $(OPENSSL_LIBS)

# Distributions ship loadable modules without their libtool archive; without
# the archive, libtool's uninstall cannot find the .so, so remove it ourselves.
install-exec-hook:
	rm -f $(DESTDIR)$(libdir)/opensc-jpki.la
uninstall-hook:
	rm -f $(DESTDIR)$(libdir)/opensc-jpki.so
