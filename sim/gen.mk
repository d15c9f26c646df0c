# sim/gen.mk: the identity generator (owned by its helper)
