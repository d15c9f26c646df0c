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
