# Test fragments, one per area.
include tests/lib/local.mk
include tests/harness/local.mk
include tests/card/local.mk
include tests/emu/local.mk
include tests/sim/local.mk
include tests/module/local.mk
include tests/config/local.mk
include tests/e2e/local.mk
include tests/clients/local.mk
include tests/shared/local.mk
