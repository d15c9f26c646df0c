src_libjpki_core_la_SOURCES += \
	src/card-jpki/card-jpki.c src/card-jpki/card-jpki.h \
	src/card-jpki/text-ap.c src/card-jpki/text-ap.h
