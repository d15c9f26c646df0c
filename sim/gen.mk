# sim/gen.mk: the synthetic identity generator (see sim/IDENTITY.md).
bin_PROGRAMS += sim/jpki-sim-gen
sim_jpki_sim_gen_SOURCES = \
	sim/jpki-sim-gen.c \
	sim/gen-buf.c sim/gen-buf.h \
	sim/gen-rand.c sim/gen-rand.h \
	sim/gen-person.c sim/gen-person.h \
	sim/gen-cert.c sim/gen-cert.h \
	sim/gen-textap.c sim/gen-textap.h
sim_jpki_sim_gen_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
sim_jpki_sim_gen_CFLAGS = $(AM_CFLAGS)
sim_jpki_sim_gen_LDADD = $(OPENSSL_LIBS)

# The generator's own checks: openssl(1) on what it wrote.
UNIT_TESTS += tests/sim/test-gen.sh
dist_check_SCRIPTS += tests/sim/test-gen.sh
