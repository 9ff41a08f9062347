// SPDX-License-Identifier: GPL-2.0
/* The module's stats.c, built into the benchmark. */
#include "../../module/stats.c"
