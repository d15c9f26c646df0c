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
