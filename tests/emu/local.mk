# tests/emu: filled in by its owner
# text AP (owned by "textap"): the TLV parser and hash check, no OpenSC needed
if HAVE_CMOCKA
check_PROGRAMS += tests/emu/test-text-ap-tlv
UNIT_TESTS += tests/emu/test-text-ap-tlv
tests_emu_test_text_ap_tlv_SOURCES = tests/emu/test-text-ap-tlv.c \
	src/common/text-ap-tlv.c src/common/text-ap-tlv.h
tests_emu_test_text_ap_tlv_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_emu_test_text_ap_tlv_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_emu_test_text_ap_tlv_LDADD = $(CMOCKA_LIBS) $(OPENSSL_LIBS)
endif
# text AP through libopensc, in process over the virtual card (owned by "textap")
if HAVE_CMOCKA
check_PROGRAMS += tests/emu/test-text-ap
UNIT_TESTS += tests/emu/test-text-ap
tests_emu_test_text_ap_SOURCES = tests/emu/test-text-ap.c
tests_emu_test_text_ap_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)
tests_emu_test_text_ap_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_emu_test_text_ap_LDADD = tests/lib/libtestworld.la $(OPENSC_LIBS) $(OPENSSL_LIBS) $(CMOCKA_LIBS)
endif
