/*
 * OpenSC's list implementation, compiled from the OpenSC source tree the build
 * is configured against: libopensc keeps its list_* functions private, yet a
 * reader has to be appended to ctx->readers, a list_t whose layout only that
 * exact source knows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "common/simclist.c"
