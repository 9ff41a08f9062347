// SPDX-License-Identifier: GPL-2.0
/* The module's verify.c, built into the benchmark. */
#include "../../module/verify.c"
