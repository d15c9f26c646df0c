src_libjpki_core_la_SOURCES += \
	src/pkcs15-jpki/pkcs15-jpki.c src/pkcs15-jpki/pkcs15-jpki.h \
	src/pkcs15-jpki/pkcs15-text-ap.c src/pkcs15-jpki/pkcs15-text-ap.h
