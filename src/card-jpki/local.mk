# The card driver. Pure parsers and rules (no OpenSC calls, only its error
# codes) form their own library so unit tests and fuzz targets link them alone.
noinst_LTLIBRARIES += src/libjpki-pure.la
src_libjpki_pure_la_SOURCES = \
	src/card-jpki/der-header.c src/card-jpki/der-header.h \
	src/card-jpki/jpki-pin.c src/card-jpki/jpki-pin.h \
	src/card-jpki/token-info.c src/card-jpki/token-info.h \
	src/card-jpki/jpki-cert.c src/card-jpki/jpki-cert.h
src_libjpki_pure_la_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSC_CPPFLAGS) $(OPENSSL_CFLAGS)
src_libjpki_pure_la_LIBADD = $(OPENSSL_LIBS)

src_libjpki_core_la_SOURCES += \
	src/card-jpki/card-jpki.c src/card-jpki/card-jpki.h \
	src/card-jpki/jpki-state.h \
	src/card-jpki/card-link.c src/card-jpki/card-link.h \
	src/card-jpki/jpki-apdu.c \
	src/card-jpki/jpki-read.c src/card-jpki/jpki-read.h \
	src/card-jpki/jpki-files.c \
	src/card-jpki/jpki-pin-cmd.c \
	src/card-jpki/jpki-sign.c \
	src/card-jpki/text-ap.c src/card-jpki/text-ap.h
src_libjpki_core_la_LIBADD += src/libjpki-pure.la
# text AP parser (owned by "textap"): plain C over bytes, used by text-ap.c
src_libjpki_core_la_SOURCES += src/common/text-ap-tlv.c src/common/text-ap-tlv.h
