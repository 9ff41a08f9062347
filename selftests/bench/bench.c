// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm_csum_bench: test-only micro-benchmark of the per-packet check, in
 * the spirit of tcrypt: it runs when loaded, prints its results to the
 * kernel log and refuses to stay loaded (-EAGAIN).
 *
 * It links the module's own verify.c, sa.c and stats.c (bench_src.c), so
 * what it times is the code xfrm_csum.ko runs, on decrypted packets it
 * builds itself: IPv4 and IPv6, TCP and UDP, 64 bytes to 64 KiB, linear,
 * paged and frag_list, without NAT, behind a NAT with K known, and with K
 * being confirmed (the SA reset to learning before every packet).  Per
 * shape and size, in nanoseconds per packet:
 *
 *   verify   xfrm_csum_rcv_cb(): the whole check, SA lookup included
 *   series   xfrm_encap_csum_input() of the patched kernel, when present
 *   floor    skb_checksum() over the same bytes: one pass, nothing else
 *   decrypt  rfc4106(gcm(aes)) decryption of the same payload
 *
 * Each figure is the median of @reps timed batches (with the spread) of
 * @iters calls, interrupts off during a batch so that no interrupt lands
 * in it.  Also: SA lookups in tables of 10 to 10000 entries, and the
 * allocations made during the verify batches (slab tracepoints), which
 * must be none.
 *
 * Output lines start with "xfrm_csum_bench: " and are parsed by
 * scripts/bench-micro.sh.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aead.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip6_checksum.h>
#include <net/xfrm.h>
#include <trace/events/kmem.h>

#include "xfrm_csum.h"

static unsigned int reps = 15;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "timed batches per figure (median and spread)");

static unsigned int budget_us = 2000;
module_param(budget_us, uint, 0444);
MODULE_PARM_DESC(budget_us, "approximate length of one batch, microseconds");

#ifdef XFRM_CSUM_HAVE_KERNEL_ENCAP_CSUM
/*
 * The patched kernel's net.core.xfrm_encap_csum as found, and the setting
 * its own check is timed with (the one found, or confirm if it was off).
 */
static u8 kernel_saved, kernel_check;
#endif

/* What the module's files expect from main.c and netlink.c. */
struct xfrm_csum_stats xfrm_csum_global;
static struct xfrm_csum_net *bench_xn;

struct xfrm_csum_net *xfrm_csum_pernet(const struct net *net)
{
	return bench_xn;
}

void xfrm_csum_event(struct xfrm_csum_net *xn, const struct xfrm_csum_pkt *p,
		     enum xfrm_csum_reason reason)
{
}

#define MAX_LEN		65000
#define SPI		0x0a0b0001

/* 2001:db8:a::20 behind a NAT seen as 2001:db8:b::1, talking to ...:b::2 */
static const struct bench_addrs {
	xfrm_address_t orig, seen, local;
} addrs4 = {
	.orig.a4 = cpu_to_be32(0xc6336402),	/* 198.51.100.2 */
	.seen.a4 = cpu_to_be32(0xcb007101),	/* 203.0.113.1 */
	.local.a4 = cpu_to_be32(0xcb007102),	/* 203.0.113.2 */
}, addrs6 = {
	.orig.a6 = { cpu_to_be32(0x20010db8), cpu_to_be32(0x000a0000), 0, cpu_to_be32(0x20) },
	.seen.a6 = { cpu_to_be32(0x20010db8), cpu_to_be32(0x000b0000), 0, cpu_to_be32(1) },
	.local.a6 = { cpu_to_be32(0x20010db8), cpu_to_be32(0x000b0000), 0, cpu_to_be32(2) },
};

enum nat { NAT_NONE, NAT_KNOWN, NAT_CONFIRMING };
enum layout { LINEAR, PAGED, FRAGLIST };

static const char * const nat_names[] = { "nonat", "nat", "confirming" };
static const char * const layout_names[] = { "linear", "paged", "fraglist" };

struct shape {
	u16 family;
	u8 proto;
	enum nat nat;
};

static struct xfrm_encap_tmpl bench_encap = {
	.encap_type = UDP_ENCAP_ESPINUDP,
	.encap_sport = htons(4500),
	.encap_dport = htons(4500),
};

static struct xfrm_state *fake_state(u16 family, __be32 spi)
{
	const struct bench_addrs *a = family == AF_INET ? &addrs4 : &addrs6;
	struct xfrm_state *x = kzalloc(sizeof(*x), GFP_KERNEL);

	if (!x)
		return NULL;
	/* the bench's own reference: never dropped to zero by others */
	refcount_set(&x->refcnt, 1);
	spin_lock_init(&x->lock);
	write_pnet(&x->xs_net, &init_net);
	x->props.mode = XFRM_MODE_TRANSPORT;
	x->props.family = family;
	x->props.saddr = a->seen;
	x->id.daddr = a->local;
	x->id.spi = spi;
	x->id.proto = IPPROTO_ESP;
	x->km.state = XFRM_STATE_VALID;
	x->encap = &bench_encap;
	return x;
}

/* Fill @len bytes of L4 (header + payload) and its checksum. */
static void fill_l4(u8 *l4, unsigned int len, u8 proto)
{
	get_random_bytes(l4, len);
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = (void *)l4;

		uh->len = htons(len);
		uh->check = 0;
	} else {
		struct tcphdr *th = (void *)l4;

		th->doff = sizeof(*th) / 4;
		th->check = 0;
	}
}

static __sum16 *csum_field(u8 *l4, u8 proto)
{
	return proto == IPPROTO_UDP ? &((struct udphdr *)l4)->check :
				      &((struct tcphdr *)l4)->check;
}

/*
 * A decrypted transport-mode packet as xfrm_rcv_cb() sees it: IP header
 * in front, skb->data at the L4 header, the inner protocol in the mode
 * callback area, a sec_path naming @x.  The checksum was made with the
 * original source address; the IP header holds the seen one (NAT) or the
 * original (no NAT).
 */
static struct sk_buff *bench_skb(const struct shape *sh, unsigned int len,
				 enum layout lay, struct xfrm_state *x)
{
	const struct bench_addrs *a = sh->family == AF_INET ? &addrs4 : &addrs6;
	unsigned int nhlen = sh->family == AF_INET ? sizeof(struct iphdr) :
						     sizeof(struct ipv6hdr);
	unsigned int head = lay == LINEAR ? len : min(len, 64U);
	const xfrm_address_t *src = sh->nat == NAT_NONE ? &a->orig : &a->seen;
	struct sk_buff *skb, *frag;
	unsigned int off, n;
	struct sec_path *sp;
	u8 *l4, *buf;
	__wsum sum;

	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return NULL;
	fill_l4(buf, len, sh->proto);
	sum = csum_partial(buf, len, 0);
	if (sh->family == AF_INET)
		*csum_field(buf, sh->proto) =
			csum_tcpudp_magic(a->orig.a4, a->local.a4, len,
					  sh->proto, sum);
	else
		*csum_field(buf, sh->proto) =
			csum_ipv6_magic(&a->orig.in6, &a->local.in6, len,
					sh->proto, sum);

	skb = alloc_skb(128 + nhlen + head, GFP_KERNEL);
	if (!skb)
		goto err_buf;
	skb_reserve(skb, 128);
	skb_reset_network_header(skb);
	if (sh->family == AF_INET) {
		struct iphdr *iph = skb_put_zero(skb, nhlen);

		iph->version = 4;
		iph->ihl = 5;
		iph->protocol = IPPROTO_ESP;
		iph->saddr = src->a4;
		iph->daddr = a->local.a4;
	} else {
		struct ipv6hdr *ip6h = skb_put_zero(skb, nhlen);

		ip6h->version = 6;
		ip6h->nexthdr = IPPROTO_ESP;
		ip6h->saddr = src->in6;
		ip6h->daddr = a->local.in6;
	}
	__skb_pull(skb, nhlen);
	skb_reset_transport_header(skb);
	l4 = skb_put(skb, head);
	memcpy(l4, buf, head);

	for (off = head; off < len; off += n) {
		n = min_t(unsigned int, len - off, PAGE_SIZE);
		if (lay == PAGED) {
			struct page *pg = alloc_page(GFP_KERNEL);

			if (!pg)
				goto err_skb;
			memcpy(page_address(pg), buf + off, n);
			skb_fill_page_desc(skb, skb_shinfo(skb)->nr_frags, pg,
					   0, n);
			if (skb_shinfo(skb)->nr_frags == MAX_SKB_FRAGS &&
			    off + n < len)
				goto err_skb;
		} else {
			frag = alloc_skb(n, GFP_KERNEL);
			if (!frag)
				goto err_skb;
			skb_put_data(frag, buf + off, n);
			frag->next = skb_shinfo(skb)->frag_list;
			skb_shinfo(skb)->frag_list = frag;
		}
		skb->len += n;
		skb->data_len += n;
		skb->truesize += n;
	}
	if (lay == FRAGLIST) {
		/* put the chain in order */
		struct sk_buff *prev = NULL, *next;

		for (frag = skb_shinfo(skb)->frag_list; frag; frag = next) {
			next = frag->next;
			frag->next = prev;
			prev = frag;
		}
		skb_shinfo(skb)->frag_list = prev;
	}
	kfree(buf);

	XFRM_MODE_SKB_CB(skb)->protocol = sh->proto;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	sp = secpath_set(skb);
	if (!sp)
		goto err_skb_only;
	xfrm_state_hold(x);
	sp->xvec[0] = x;
	sp->len = 1;
	return skb;

err_skb:
	kfree(buf);
err_skb_only:
	kfree_skb(skb);
	return NULL;
err_buf:
	kfree(buf);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

struct figure {
	u64 med, lo, hi;
};

/*
 * Allocations the slab tracepoints see on the benchmark's CPU inside a
 * timed verify batch (interrupts off there, so they are the check's).
 */
static atomic_t allocs;
static int counting_cpu = -1;

static void count_alloc(void)
{
	if (READ_ONCE(counting_cpu) == raw_smp_processor_id())
		atomic_inc(&allocs);
}

static void probe_kmalloc(void *data, unsigned long call_site, const void *ptr,
			  size_t req, size_t alloc, gfp_t gfp, int node)
{
	count_alloc();
}

static void probe_cache_alloc(void *data, unsigned long call_site,
			      const void *ptr, struct kmem_cache *s, gfp_t gfp,
			      int node)
{
	count_alloc();
}

/*
 * Time @fn over @reps batches of @iters calls with interrupts off, in ns
 * per call: median and spread.
 */
static void timeit(void (*fn)(void *), void *arg, unsigned int iters,
		   struct figure *f, bool count)
{
	u64 *t = kcalloc(reps, sizeof(*t), GFP_KERNEL);
	unsigned long flags;
	unsigned int r, i;
	u64 t0;

	if (!t) {
		*f = (struct figure){};
		return;
	}
	fn(arg);	/* warm the caches */
	for (r = 0; r < reps; r++) {
		local_irq_save(flags);
		if (count)
			WRITE_ONCE(counting_cpu, smp_processor_id());
		t0 = ktime_get_ns();
		for (i = 0; i < iters; i++)
			fn(arg);
		t[r] = ktime_get_ns() - t0;
		WRITE_ONCE(counting_cpu, -1);
		local_irq_restore(flags);
		cond_resched();
	}
	sort(t, reps, sizeof(*t), cmp_u64, NULL);
	f->med = div_u64(t[reps / 2], iters);
	f->lo = div_u64(t[0], iters);
	f->hi = div_u64(t[reps - 1], iters);
	kfree(t);
}

/* Calls per batch: about budget_us, guessed from one timed call. */
static unsigned int iterations(void (*fn)(void *), void *arg)
{
	u64 t0, ns;

	fn(arg);
	t0 = ktime_get_ns();
	fn(arg);
	ns = max_t(u64, ktime_get_ns() - t0, 1);
	return clamp_t(u64, div64_u64((u64)budget_us * 1000, ns), 4, 20000);
}

struct verify_arg {
	struct sk_buff *skb;
	struct xfrm_csum_sa *sa;	/* reset to learning when confirming */
	__sum16 check;
	__sum16 *field;
	int rc;
};

static void run_verify(void *p)
{
	struct verify_arg *v = p;

	if (v->sa) {
		/* K being confirmed: every packet finds the SA learning */
		xfrm_csum_votes_reset(&v->sa->votes);
		v->sa->kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_LEARNING, 0);
	}
	v->rc = xfrm_csum_rcv_cb(v->skb, 0);
}

static void run_floor(void *p)
{
	struct verify_arg *v = p;

	v->check = csum_fold(skb_checksum(v->skb, 0, v->skb->len, 0));
}

#ifdef XFRM_CSUM_HAVE_KERNEL_ENCAP_CSUM
static void run_series(void *p)
{
	struct verify_arg *v = p;
	struct xfrm_state *x = skb_sec_path(v->skb)->xvec[0];

	v->rc = xfrm_encap_csum_input(x, v->skb,
				      XFRM_MODE_SKB_CB(v->skb)->protocol);
	/* it fixes the checksum up for the addresses as received: undo */
	*v->field = v->check;
	v->skb->ip_summed = CHECKSUM_UNNECESSARY;
}
#endif

struct decrypt_arg {
	struct aead_request *req;
	int rc;
};

static void run_decrypt(void *p)
{
	struct decrypt_arg *d = p;

	d->rc = crypto_aead_decrypt(d->req);
}

/* The crypto half: rfc4106(gcm(aes)) over @len bytes, out of place. */
struct crypto_bench {
	struct crypto_aead *tfm;
	struct aead_request *req;
	u8 *src, *dst, iv[8];
	struct scatterlist ssg, dsg;
};

static int crypto_setup(struct crypto_bench *c, unsigned int len)
{
	static const u8 key[20] = "0123456789abcdefsalt";
	DECLARE_CRYPTO_WAIT(wait);
	/* ESP's associated data: SPI, sequence number, then the IV */
	unsigned int total = 16 + len + 16;
	int err;

	c->tfm = crypto_alloc_aead("rfc4106(gcm(aes))", 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(c->tfm))
		return PTR_ERR(c->tfm);
	err = crypto_aead_setkey(c->tfm, key, sizeof(key)) ?:
	      crypto_aead_setauthsize(c->tfm, 16);
	if (err)
		goto err_tfm;
	err = -ENOMEM;
	c->src = kzalloc(total, GFP_KERNEL);
	c->dst = kzalloc(total, GFP_KERNEL);
	c->req = aead_request_alloc(c->tfm, GFP_KERNEL);
	if (!c->src || !c->dst || !c->req)
		goto err_mem;
	get_random_bytes(c->src + 16, len);
	sg_init_one(&c->ssg, c->src, total);
	sg_init_one(&c->dsg, c->dst, total);
	aead_request_set_callback(c->req, 0, crypto_req_done, &wait);
	aead_request_set_ad(c->req, 16);
	aead_request_set_crypt(c->req, &c->ssg, &c->dsg, len, c->iv);
	err = crypto_wait_req(crypto_aead_encrypt(c->req), &wait);
	if (err)
		goto err_mem;
	/* now decrypt the ciphertext, synchronously (the tfm is not async) */
	memcpy(c->src, c->dst, total);
	aead_request_set_callback(c->req, 0, NULL, NULL);
	aead_request_set_crypt(c->req, &c->ssg, &c->dsg, len + 16, c->iv);
	return 0;

err_mem:
	aead_request_free(c->req);
	kfree(c->dst);
	kfree(c->src);
err_tfm:
	crypto_free_aead(c->tfm);
	return err;
}

static void crypto_teardown(struct crypto_bench *c)
{
	aead_request_free(c->req);
	kfree(c->dst);
	kfree(c->src);
	crypto_free_aead(c->tfm);
}

/* One shape, size and layout: print its line; -1 if it could not run. */
static int bench_case(const struct shape *sh, unsigned int len,
		      enum layout lay, bool with_crypto)
{
	struct figure verify, floor, series = {}, dec = {};
	struct verify_arg v = {};
	struct crypto_bench c;
	struct decrypt_arg d;
	struct xfrm_state *x;
	unsigned int iters;
	int i, rc = -1;

	x = fake_state(sh->family, htonl(SPI));
	if (!x)
		return -1;
	v.skb = bench_skb(sh, len, lay, x);
	if (!v.skb)
		goto out_x;
	v.field = csum_field(v.skb->data, sh->proto);
	v.check = *v.field;

	local_bh_disable();
	rcu_read_lock();
	/* the SA entry, and K: confirmed or none after a few packets */
	for (i = 0; i < 4; i++)
		xfrm_csum_rcv_cb(v.skb, 0);
	if (sh->nat == NAT_CONFIRMING)
		v.sa = xfrm_csum_sa_lookup(bench_xn, x);
	rcu_read_unlock();
	local_bh_enable();

	local_bh_disable();
	rcu_read_lock();
	iters = iterations(run_verify, &v);
	timeit(run_verify, &v, iters, &verify, true);
	iters = iterations(run_floor, &v);
	timeit(run_floor, &v, iters, &floor, false);
	rcu_read_unlock();
	local_bh_enable();

#ifdef XFRM_CSUM_HAVE_KERNEL_ENCAP_CSUM
	if (sh->nat != NAT_CONFIRMING) {
		u8 off = READ_ONCE(init_net.xfrm.sysctl_encap_csum);

		WRITE_ONCE(init_net.xfrm.sysctl_encap_csum, kernel_check);
		local_bh_disable();
		iters = iterations(run_series, &v);
		timeit(run_series, &v, iters, &series, false);
		local_bh_enable();
		WRITE_ONCE(init_net.xfrm.sysctl_encap_csum, off);
	}
#endif
	if (with_crypto && !crypto_setup(&c, len)) {
		d.req = c.req;
		iters = iterations(run_decrypt, &d);
		timeit(run_decrypt, &d, iters, &dec, false);
		if (d.rc)
			pr_info("decrypt returned %d\n", d.rc);
		crypto_teardown(&c);
	}

	pr_info("case family=%s proto=%s nat=%s len=%u layout=%s verify=%llu verify_lo=%llu verify_hi=%llu floor=%llu floor_lo=%llu floor_hi=%llu series=%llu decrypt=%llu verdict=%d\n",
		sh->family == AF_INET ? "ipv4" : "ipv6",
		sh->proto == IPPROTO_UDP ? "udp" : "tcp", nat_names[sh->nat],
		len, layout_names[lay], verify.med, verify.lo, verify.hi,
		floor.med, floor.lo, floor.hi, series.med, dec.med, v.rc);
	rc = 0;
	kfree_skb(v.skb);
out_x:
	/* the entry holds a reference: drop the table before the state */
	xfrm_csum_net_sa_pre_exit(bench_xn);
	xfrm_csum_net_sa_exit(bench_xn);
	bench_xn->dying = false;
	if (xfrm_csum_net_sa_init(bench_xn))
		rc = -1;
	rcu_barrier();
	kfree(x);
	return rc;
}

static struct xfrm_state **lookup_states;

/* Lookups of random entries in a table of @n entries. */
static void bench_lookup(unsigned int n)
{
	struct figure f;
	unsigned int i, iters = 1000;
	unsigned long flags;
	u64 *t, t0;

	lookup_states = kcalloc(n, sizeof(*lookup_states), GFP_KERNEL);
	t = kcalloc(reps, sizeof(*t), GFP_KERNEL);
	if (!lookup_states || !t)
		goto out;
	for (i = 0; i < n; i++) {
		lookup_states[i] = fake_state(AF_INET, htonl(0x10000 + i));
		if (!lookup_states[i])
			goto out_states;
		rcu_read_lock();
		xfrm_csum_sa_get(bench_xn, lookup_states[i], GFP_ATOMIC);
		rcu_read_unlock();
	}
	for (i = 0; i < reps; i++) {
		unsigned int j;

		rcu_read_lock();
		local_irq_save(flags);
		t0 = ktime_get_ns();
		for (j = 0; j < iters; j++)
			xfrm_csum_sa_lookup(bench_xn,
					    lookup_states[(j * 7919) % n]);
		t[i] = ktime_get_ns() - t0;
		local_irq_restore(flags);
		rcu_read_unlock();
		cond_resched();
	}
	sort(t, reps, sizeof(*t), cmp_u64, NULL);
	f.med = div_u64(t[reps / 2], iters);
	f.lo = div_u64(t[0], iters);
	f.hi = div_u64(t[reps - 1], iters);
	pr_info("lookup entries=%u ns=%llu lo=%llu hi=%llu\n", n, f.med, f.lo,
		f.hi);
out_states:
	xfrm_csum_net_sa_pre_exit(bench_xn);
	xfrm_csum_net_sa_exit(bench_xn);
	bench_xn->dying = false;
	xfrm_csum_net_sa_init(bench_xn);
	rcu_barrier();
	for (i = 0; i < n; i++)
		kfree(lookup_states[i]);
out:
	kfree(t);
	kfree(lookup_states);
}

static const unsigned int sizes[] = { 64, 256, 512, 1400, 4096, 16384, MAX_LEN };

static int __init bench_init(void)
{
	static const struct shape main_shape = { AF_INET, IPPROTO_UDP, NAT_KNOWN };
	static const struct shape shapes[] = {
		{ AF_INET, IPPROTO_UDP, NAT_NONE },
		{ AF_INET, IPPROTO_TCP, NAT_NONE },
		{ AF_INET, IPPROTO_TCP, NAT_KNOWN },
		{ AF_INET, IPPROTO_UDP, NAT_CONFIRMING },
		{ AF_INET6, IPPROTO_UDP, NAT_NONE },
		{ AF_INET6, IPPROTO_UDP, NAT_KNOWN },
		{ AF_INET6, IPPROTO_TCP, NAT_KNOWN },
		{ AF_INET6, IPPROTO_TCP, NAT_CONFIRMING },
	};
	static const unsigned int lookups[] = { 10, 100, 1000, 10000 };
	bool probes;
	int err, i, l;

	if (reps < 3)
		reps = 3;
	bench_xn = kzalloc(sizeof(*bench_xn), GFP_KERNEL);
	if (!bench_xn)
		return -ENOMEM;
	bench_xn->net = &init_net;
	bench_xn->mode = XFRM_CSUM_MODE_DROP;
	bench_xn->learn = XFRM_CSUM_LEARN_CONFIRM;
	bench_xn->confirm_packets = 2;
	bench_xn->max_sas = 1 << 20;
	err = xfrm_csum_stats_init(&xfrm_csum_global);
	if (err)
		goto err_xn;
	err = xfrm_csum_stats_init(&bench_xn->stats);
	if (err)
		goto err_global;
	err = xfrm_csum_sa_module_init();
	if (err)
		goto err_stats;
	err = xfrm_csum_net_sa_init(bench_xn);
	if (err)
		goto err_caches;
#ifdef XFRM_CSUM_HAVE_KERNEL_ENCAP_CSUM
	/* the module's check runs only with the kernel's own switched off */
	kernel_saved = READ_ONCE(init_net.xfrm.sysctl_encap_csum);
	kernel_check = kernel_saved ?: 2;
	WRITE_ONCE(init_net.xfrm.sysctl_encap_csum, 0);
#endif

	probes = !register_trace_kmalloc(probe_kmalloc, NULL) &&
		 !register_trace_kmem_cache_alloc(probe_cache_alloc, NULL);
	pr_info("start reps=%u budget_us=%u alloc_probes=%d\n", reps, budget_us,
		probes);

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (l = LINEAR; l <= FRAGLIST; l++)
			if (l == LINEAR || sizes[i] > 1400)
				bench_case(&main_shape, sizes[i], l, l == LINEAR);
	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		bench_case(&shapes[i], 64, LINEAR, false);
		bench_case(&shapes[i], 1400, LINEAR, false);
	}
	pr_info("allocations during verify batches: %d\n",
		probes ? atomic_read(&allocs) : -1);
	for (i = 0; i < ARRAY_SIZE(lookups); i++)
		bench_lookup(lookups[i]);

	if (probes) {
		unregister_trace_kmem_cache_alloc(probe_cache_alloc, NULL);
		unregister_trace_kmalloc(probe_kmalloc, NULL);
		tracepoint_synchronize_unregister();
	}
#ifdef XFRM_CSUM_HAVE_KERNEL_ENCAP_CSUM
	WRITE_ONCE(init_net.xfrm.sysctl_encap_csum, kernel_saved);
#endif
	pr_info("done\n");

	xfrm_csum_net_sa_pre_exit(bench_xn);
	xfrm_csum_net_sa_exit(bench_xn);
	rcu_barrier();
err_caches:
	xfrm_csum_sa_module_exit();
err_stats:
	xfrm_csum_stats_free(&bench_xn->stats);
err_global:
	xfrm_csum_stats_free(&xfrm_csum_global);
err_xn:
	kfree(bench_xn);
	/* a benchmark, not a module to keep: tell insmod it is done */
	return err ?: -EAGAIN;
}

module_init(bench_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only micro-benchmark of xfrm_csum's per-packet check");
