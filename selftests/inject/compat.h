/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences the injector bridges between 6.1, 6.12 and 7.2.  The
 * XFRM_CSUM_HAVE_* defines come from module/compat/detect.sh.
 */
#ifndef XFRM_CSUM_INJECT_COMPAT_H
#define XFRM_CSUM_INJECT_COMPAT_H

#include <linux/crypto.h>
#include "compat-autoconf.h"

/* hex2bin(): <linux/kernel.h> no longer brings <linux/hex.h> in 7.2. */
#ifdef XFRM_CSUM_HAVE_LINUX_HEX_H
#include <linux/hex.h>
#endif

/*
 * A crypto completion receives the request's data pointer since 6.3, and
 * the crypto_async_request holding it before.
 */
#ifdef XFRM_CSUM_HAVE_CRYPTO_COMPL_DATA
#define INJECT_COMPL_ARG		void *
#define inject_compl_data(arg)		(arg)
#else
#define INJECT_COMPL_ARG		struct crypto_async_request *
#define inject_compl_data(arg)		((arg)->data)
#endif

#endif /* XFRM_CSUM_INJECT_COMPAT_H */
