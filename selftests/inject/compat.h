/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences the injector bridges between 6.1 and 6.12.  The
 * XFRM_CSUM_HAVE_* defines come from module/compat/detect.sh.
 */
#ifndef XFRM_CSUM_INJECT_COMPAT_H
#define XFRM_CSUM_INJECT_COMPAT_H

#include <linux/crypto.h>
#include "compat-autoconf.h"

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
