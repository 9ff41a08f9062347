// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm_csum_inject: test-only fault injector that reproduces the 2015
 * incident.  It registers an AEAD named "rfc4106(gcm(aes))" with a higher
 * priority than the real one, so ESP SAs created while it is loaded use it
 * (through seqiv).  It forwards every operation to the real implementation,
 * but before encrypting it may overwrite 16-byte-aligned blocks of the
 * plaintext with a repeated 16-byte pattern.  The TCP/UDP checksum was
 * computed before, the ICV after: the receiver decrypts a valid packet whose
 * payload is wrong, exactly what AES-NI under Xen did.
 *
 * Parameters (/sys/module/xfrm_csum_inject/parameters/), all writable:
 *   every    corrupt every Nth eligible packet, 0 = never (default 0)
 *   first    the first eligible packet to corrupt, counting from 1
 *            (default 0: the every-th, as in 1..every)
 *   vary     1: mix the packet's number into the pattern, so that every
 *            corruption changes the checksum by a different amount
 *   spi      only packets of this SPI (host order), 0 = any
 *   dir      "enc" (before encryption, default) or "dec" (after decryption)
 *   offset   byte offset of the first block in the ESP payload, rounded
 *            down to 16; -1 = a random eligible block (default 64, past
 *            any TCP header)
 *   blocks   number of consecutive blocks to overwrite (default 1, max 16)
 *   max      stop after this many corruptions, 0 = no limit
 *   pattern  16 bytes as 32 hex digits
 *   corrupted  packets corrupted so far; write anything to reset
 *
 * Load it before the SAs that should use it are created.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aead.h>
#include <crypto/internal/aead.h>
#include <crypto/scatterwalk.h>
#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "compat.h"

#define ALG_NAME	"rfc4106(gcm(aes))"
#define BLOCK		16
#define MAX_BLOCKS	16
/* Leave the ESP trailer (pad length, next header, padding) alone. */
#define TRAILER_MARGIN	(2 + BLOCK)

static unsigned int every;
module_param(every, uint, 0644);
MODULE_PARM_DESC(every, "corrupt every Nth eligible packet (0 = off)");

static unsigned int first;
module_param(first, uint, 0644);
MODULE_PARM_DESC(first, "first eligible packet to corrupt, from 1 (0 = the every-th)");

static bool vary;
module_param(vary, bool, 0644);
MODULE_PARM_DESC(vary, "mix the packet number into the pattern");

static unsigned int spi;
module_param(spi, uint, 0644);
MODULE_PARM_DESC(spi, "only corrupt packets of this SPI (0 = any)");

static char dir[8] = "enc";
module_param_string(dir, dir, sizeof(dir), 0644);
MODULE_PARM_DESC(dir, "enc: before encryption, dec: after decryption");

static int offset = 64;
module_param(offset, int, 0644);
MODULE_PARM_DESC(offset, "payload offset of the first block, -1 = random");

static unsigned int blocks = 1;
module_param(blocks, uint, 0644);
MODULE_PARM_DESC(blocks, "consecutive 16-byte blocks to overwrite");

static unsigned int max;
module_param(max, uint, 0644);
MODULE_PARM_DESC(max, "stop after this many corruptions (0 = no limit)");

static DEFINE_SPINLOCK(pattern_lock);
static u8 pattern[BLOCK] = {
	/* The length field ZooKeeper read in 2015: 0x6edd0b51. */
	0x6e, 0xdd, 0x0b, 0x51, 0x6e, 0xdd, 0x0b, 0x51,
	0x6e, 0xdd, 0x0b, 0x51, 0x6e, 0xdd, 0x0b, 0x51,
};

static int pattern_set(const char *val, const struct kernel_param *kp)
{
	char hex[2 * BLOCK + 1];
	u8 bin[BLOCK];

	if (strscpy(hex, strim((char *)val), sizeof(hex)) != 2 * BLOCK ||
	    hex2bin(bin, hex, BLOCK)) {
		pr_warn("pattern must be %d hex digits\n", 2 * BLOCK);
		return -EINVAL;
	}
	spin_lock_bh(&pattern_lock);
	memcpy(pattern, bin, BLOCK);
	spin_unlock_bh(&pattern_lock);
	return 0;
}

static int pattern_get(char *buf, const struct kernel_param *kp)
{
	u8 copy[BLOCK];

	spin_lock_bh(&pattern_lock);
	memcpy(copy, pattern, BLOCK);
	spin_unlock_bh(&pattern_lock);
	return sysfs_emit(buf, "%*phN\n", BLOCK, copy);
}

static const struct kernel_param_ops pattern_ops = {
	.set = pattern_set,
	.get = pattern_get,
};
module_param_cb(pattern, &pattern_ops, NULL, 0644);
MODULE_PARM_DESC(pattern, "16-byte pattern as 32 hex digits");

static atomic_t corrupted = ATOMIC_INIT(0);
static atomic_t seen = ATOMIC_INIT(0);

static int corrupted_set(const char *val, const struct kernel_param *kp)
{
	atomic_set(&corrupted, 0);
	atomic_set(&seen, 0);
	return 0;
}

static int corrupted_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&corrupted));
}

static const struct kernel_param_ops corrupted_ops = {
	.set = corrupted_set,
	.get = corrupted_get,
};
module_param_cb(corrupted, &corrupted_ops, NULL, 0644);
MODULE_PARM_DESC(corrupted, "packets corrupted so far (write to reset)");

static char child_name[CRYPTO_MAX_ALG_NAME];

struct inject_ctx {
	struct crypto_aead *child;
};

struct inject_req_ctx {
	bool corrupt_after;
	struct aead_request subreq;	/* must be last: child's context follows */
};

/* First eligible block index and how many blocks fit, or false. */
static bool pick_blocks(unsigned int len, unsigned int *first, unsigned int *n)
{
	unsigned int nblk = min_t(unsigned int, READ_ONCE(blocks), MAX_BLOCKS);
	unsigned int last, lo;
	int off = READ_ONCE(offset);

	if (!nblk || len < TRAILER_MARGIN + BLOCK)
		return false;
	last = (len - TRAILER_MARGIN) / BLOCK;	/* blocks [0, last) are safe */
	if (off >= 0) {
		lo = off / BLOCK;
	} else {
		lo = min(last, 4U);		/* skip the L4 header */
		if (lo + 1 > last)
			return false;
		lo += get_random_u32_below(last - lo);
	}
	if (lo + 1 > last)
		return false;
	*first = lo;
	*n = min(nblk, last - lo);
	return true;
}

static bool should_corrupt(struct aead_request *req, bool encrypt)
{
	unsigned int n = READ_ONCE(every), want = READ_ONCE(spi), limit, nr;
	unsigned int start;
	__be32 pkt_spi;

	if (!n || encrypt != !strncmp(dir, "enc", 3) || req->assoclen < 4)
		return false;
	if (want) {
		/* ESP's associated data starts with the SPI. */
		scatterwalk_map_and_copy(&pkt_spi, req->src, 0, 4, 0);
		if (be32_to_cpu(pkt_spi) != want)
			return false;
	}
	limit = READ_ONCE(max);
	if (limit && atomic_read(&corrupted) >= limit)
		return false;
	nr = atomic_inc_return(&seen);
	start = READ_ONCE(first) ?: n;
	return nr >= start && (nr - start) % n == 0;
}

/* Overwrite blocks of the plaintext at [start, start + len) of @sg. */
static void corrupt(struct scatterlist *sg, unsigned int start, unsigned int len)
{
	unsigned int first, n, i;
	u8 pat[BLOCK];

	if (!pick_blocks(len, &first, &n))
		return;
	spin_lock_bh(&pattern_lock);
	memcpy(pat, pattern, BLOCK);
	spin_unlock_bh(&pattern_lock);
	if (READ_ONCE(vary)) {
		/* a different 16 bytes each time, whatever the pattern */
		u32 x = (atomic_read(&corrupted) + 1) * 0x9e3779b1;

		for (i = 0; i < BLOCK; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			pat[i] ^= (u8)x;
		}
	}
	for (i = 0; i < n; i++)
		scatterwalk_map_and_copy(pat, sg, start + (first + i) * BLOCK,
					 BLOCK, 1);
	atomic_inc(&corrupted);
}

/* The caller asked for out-of-place: copy src to dst, then work in dst. */
static int copy_sg(struct scatterlist *dst, struct scatterlist *src,
		   unsigned int len)
{
	unsigned int done, chunk;
	u8 *buf;

	buf = kmalloc(256, GFP_ATOMIC);
	if (!buf)
		return -ENOMEM;
	for (done = 0; done < len; done += chunk) {
		chunk = min(len - done, 256U);
		scatterwalk_map_and_copy(buf, src, done, chunk, 0);
		scatterwalk_map_and_copy(buf, dst, done, chunk, 1);
	}
	kfree(buf);
	return 0;
}

static void inject_done(INJECT_COMPL_ARG arg, int err)
{
	struct aead_request *req = inject_compl_data(arg);
	struct inject_req_ctx *rctx = aead_request_ctx(req);
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);

	if (!err && rctx->corrupt_after)
		corrupt(req->dst, req->assoclen,
			req->cryptlen - crypto_aead_authsize(tfm));
	aead_request_complete(req, err);
}

static int inject_crypt(struct aead_request *req, bool encrypt)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	struct inject_ctx *ctx = crypto_aead_ctx(tfm);
	struct inject_req_ctx *rctx = aead_request_ctx(req);
	struct aead_request *subreq = &rctx->subreq;
	struct scatterlist *src = req->src;
	bool hit = should_corrupt(req, encrypt);
	int err;

	rctx->corrupt_after = hit && !encrypt;
	if (hit && encrypt) {
		if (req->src != req->dst) {
			err = copy_sg(req->dst, req->src,
				      req->assoclen + req->cryptlen);
			if (err)
				return err;
			src = req->dst;
		}
		corrupt(src, req->assoclen, req->cryptlen);
	}

	aead_request_set_tfm(subreq, ctx->child);
	aead_request_set_callback(subreq, req->base.flags, inject_done, req);
	aead_request_set_crypt(subreq, src, req->dst, req->cryptlen, req->iv);
	aead_request_set_ad(subreq, req->assoclen);
	err = encrypt ? crypto_aead_encrypt(subreq) : crypto_aead_decrypt(subreq);
	if (!err && rctx->corrupt_after)
		corrupt(req->dst, req->assoclen,
			req->cryptlen - crypto_aead_authsize(tfm));
	return err;
}

static int inject_encrypt(struct aead_request *req)
{
	return inject_crypt(req, true);
}

static int inject_decrypt(struct aead_request *req)
{
	return inject_crypt(req, false);
}

static int inject_setkey(struct crypto_aead *tfm, const u8 *key,
			 unsigned int keylen)
{
	struct inject_ctx *ctx = crypto_aead_ctx(tfm);

	return crypto_aead_setkey(ctx->child, key, keylen);
}

static int inject_setauthsize(struct crypto_aead *tfm, unsigned int authsize)
{
	struct inject_ctx *ctx = crypto_aead_ctx(tfm);

	return crypto_aead_setauthsize(ctx->child, authsize);
}

static int inject_init_tfm(struct crypto_aead *tfm)
{
	struct inject_ctx *ctx = crypto_aead_ctx(tfm);
	struct crypto_aead *child;

	child = crypto_alloc_aead(child_name, 0, 0);
	if (IS_ERR(child))
		return PTR_ERR(child);
	ctx->child = child;
	crypto_aead_set_reqsize(tfm, sizeof(struct inject_req_ctx) +
				crypto_aead_reqsize(child));
	return 0;
}

static void inject_exit_tfm(struct crypto_aead *tfm)
{
	struct inject_ctx *ctx = crypto_aead_ctx(tfm);

	crypto_free_aead(ctx->child);
}

static struct aead_alg inject_alg = {
	.setkey		= inject_setkey,
	.setauthsize	= inject_setauthsize,
	.encrypt	= inject_encrypt,
	.decrypt	= inject_decrypt,
	.init		= inject_init_tfm,
	.exit		= inject_exit_tfm,
	.base = {
		.cra_name		= ALG_NAME,
		.cra_driver_name	= "rfc4106-gcm-xfrm-csum-inject",
		.cra_flags		= CRYPTO_ALG_ASYNC,
		.cra_blocksize		= 1,
		.cra_ctxsize		= sizeof(struct inject_ctx),
		.cra_module		= THIS_MODULE,
	},
};

static int __init inject_init(void)
{
	struct crypto_aead *real;
	int err;

	/* Find the implementation ESP would use now, and outrank it. */
	real = crypto_alloc_aead(ALG_NAME, 0, 0);
	if (IS_ERR(real)) {
		pr_err("no %s implementation: %ld\n", ALG_NAME, PTR_ERR(real));
		return PTR_ERR(real);
	}
	strscpy(child_name, crypto_tfm_alg_driver_name(crypto_aead_tfm(real)),
		sizeof(child_name));
	inject_alg.ivsize = crypto_aead_ivsize(real);
	inject_alg.maxauthsize = crypto_aead_maxauthsize(real);
	inject_alg.chunksize = crypto_aead_chunksize(real);
	inject_alg.base.cra_priority = crypto_aead_alg(real)->base.cra_priority + 100;
	crypto_free_aead(real);

	err = crypto_register_aead(&inject_alg);
	if (err)
		return err;
	pr_info("wrapping %s\n", child_name);
	return 0;
}

static void __exit inject_exit(void)
{
	crypto_unregister_aead(&inject_alg);
}

module_init(inject_init);
module_exit(inject_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only ESP plaintext corruption injector (rfc4106 wrapper)");
