# tools: opensc-jpki-config, which merges the plugin's blocks into an opensc.conf,
# and the example snippet installed beside the documentation.

# Where `opensc-jpki-config` edits by default: the file libopensc reads. Debian's
# libopensc reads /etc/opensc/opensc.conf whatever this package's prefix is;
# override with `make opensc_conf_file=...` for another layout.
opensc_conf_file = /etc/opensc/opensc.conf

bin_PROGRAMS += tools/opensc-jpki-config
tools_opensc_jpki_config_SOURCES = \
	tools/opensc-jpki-config.c \
	tools/conf-app.c tools/conf-app.h \
	tools/conf-edit.c tools/conf-edit.h \
	tools/conf-parse.c tools/conf-parse.h \
	tools/module-check.c tools/module-check.h
# No libopensc here: the tool must run (and refuse bad files) even where the
# library is broken or another version. `status` loads the configured module
# with dlopen instead, and so learns which libopensc it would run in.
tools_opensc_jpki_config_LDADD = $(DL_LIBS)
tools_opensc_jpki_config_CPPFLAGS = $(AM_CPPFLAGS) \
	-DOPENSC_JPKI_MODULE_PATH='"$(libdir)/opensc-jpki.so"' \
	-DOPENSC_JPKI_DEFAULT_CONF='"$(opensc_conf_file)"'

# The example with the module's installed path filled in, installed as
# $(docdir)/examples/opensc-jpki.conf.
examplesdir = $(docdir)/examples
examples_DATA = etc/opensc-jpki.conf
etc/opensc-jpki.conf: $(top_srcdir)/etc/opensc-jpki.conf.example Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && \
	sed -e 's|@MODULE@|$(libdir)/opensc-jpki.so|g' $(top_srcdir)/etc/opensc-jpki.conf.example > $@.tmp && \
	mv $@.tmp $@
CLEANFILES += etc/opensc-jpki.conf etc/opensc-jpki.conf.tmp

# Any bytes as an opensc.conf through the parser and editor (--enable-fuzzing).
# Seeds: tests/config/data/*.conf.
if ENABLE_FUZZING
noinst_PROGRAMS += tools/fuzz-conf-edit
tools_fuzz_conf_edit_SOURCES = tools/fuzz-conf-edit.c \
	tools/conf-edit.c tools/conf-edit.h tools/conf-parse.c tools/conf-parse.h
tools_fuzz_conf_edit_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tools_fuzz_conf_edit_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
endif
