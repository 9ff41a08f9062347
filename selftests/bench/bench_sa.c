// SPDX-License-Identifier: GPL-2.0
/* The module's sa.c, built into the benchmark. */
#include "../../module/sa.c"
