src_libjpki_core_la_SOURCES += \
	src/card-jpki/card-jpki.c src/card-jpki/card-jpki.h \
	src/card-jpki/text-ap.c src/card-jpki/text-ap.h
# text AP parser (owned by "textap"): plain C over bytes, used by text-ap.c
src_libjpki_core_la_SOURCES += src/common/text-ap-tlv.c src/common/text-ap-tlv.h
