# sim/: the virtual My Number Card. The model is a convenience library (linked
# by jpki-sim and by the tests); jpki-sim plugs it into pcscd through vpcd.
noinst_LTLIBRARIES += sim/libjpkisim.la
sim_libjpkisim_la_SOURCES = \
	sim/jpki-sim.h sim/sim-internal.h \
	sim/sim-facts.c sim/sim-apdu.c sim/sim-options.c sim/sim-identity.c \
	sim/sim-commands.c sim/sim-card.c
sim_libjpkisim_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sim $(OPENSSL_CFLAGS)
sim_libjpkisim_la_LIBADD = $(OPENSSL_LIBS)

bin_PROGRAMS += jpki-sim
jpki_sim_SOURCES = sim/jpki-sim-main.c sim/vpcd-link.c sim/vpcd-link.h
jpki_sim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sim
jpki_sim_LDADD = sim/libjpkisim.la $(OPENSSL_LIBS)

EXTRA_DIST += sim/IDENTITY.md
