# fuzz targets (built only with --enable-fuzzing)
# text AP parser (owned by "textap")
if ENABLE_FUZZING
noinst_PROGRAMS += fuzz/fuzz_text_ap
fuzz_fuzz_text_ap_SOURCES = fuzz/fuzz_text_ap.c src/common/text-ap-tlv.c src/common/text-ap-tlv.h
fuzz_fuzz_text_ap_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
fuzz_fuzz_text_ap_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
fuzz_fuzz_text_ap_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
fuzz_fuzz_text_ap_LDADD = $(OPENSSL_LIBS)
endif

# Card responses against the driver and emulator (owned by "inproc"). The
# module's code is compiled into the target with the fuzzing flags, so libFuzzer
# sees its coverage (if the module's libraries gain a source list, add it
# here); libopensc is the installed one.
if ENABLE_FUZZING
noinst_PROGRAMS += fuzz/fuzz_card_responses
fuzz_fuzz_card_responses_SOURCES = fuzz/fuzz_card_responses.c fuzz/response-chunks.h \
	fuzz/card-scenario.c fuzz/card-scenario.h \
	tests/lib/sim-context.c tests/lib/sim-reader.h \
	$(src_libjpki_core_la_SOURCES) $(src_libjpki_pure_la_SOURCES)
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION: libFuzzer's convention; the driver
# then retries detection without waiting.
fuzz_fuzz_card_responses_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir) \
	-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
fuzz_fuzz_card_responses_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
fuzz_fuzz_card_responses_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
fuzz_fuzz_card_responses_LDADD = tests/lib/libsimclist.la $(OPENSC_LIBS) $(OPENSSL_LIBS)
endif

# Seeds for fuzz_card_responses, recorded from sessions with the virtual card:
#   make fuzz-corpus (from a build with the real driver; commit what changes)
check_PROGRAMS += fuzz/gen-card-corpus
fuzz_gen_card_corpus_SOURCES = fuzz/gen-card-corpus.c fuzz/card-scenario.c fuzz/card-scenario.h \
	tests/lib/test-identity.c tests/lib/test-identity.h
fuzz_gen_card_corpus_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)
fuzz_gen_card_corpus_LDADD = tests/lib/libsimreader.la $(OPENSC_LIBS) $(OPENSSL_LIBS)

.PHONY: fuzz-corpus
fuzz-corpus: fuzz/gen-card-corpus
	$(MKDIR_P) $(srcdir)/fuzz/corpus/card_responses
	top_builddir=$(abs_top_builddir) ./fuzz/gen-card-corpus $(srcdir)/fuzz/corpus/card_responses

EXTRA_DIST += fuzz/run-fuzzers.sh fuzz/corpus
