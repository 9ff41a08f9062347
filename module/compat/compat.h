/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels the module builds against.
 * The XFRM_CSUM_HAVE_* defines are written by compat/detect.sh from the
 * headers at build time, so backports are seen as they are.
 */
#ifndef _XFRM_CSUM_COMPAT_H
#define _XFRM_CSUM_COMPAT_H

#include "compat-autoconf.h"

#endif /* _XFRM_CSUM_COMPAT_H */
