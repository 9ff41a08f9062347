// SPDX-License-Identifier: GPL-2.0
/*
 * The per-packet check (docs/design.md, "Verdicts").
 *
 * Where it runs: xfrm_input() calls the xfrm{4,6}_protocol cb_handler chain
 * through xfrm_rcv_cb() once per packet, after decryption and the
 * transport-mode input (the IP header is back in front of the inner
 * header), and before transport_finish() hands the packet to netfilter, to
 * GRO cells or to the socket layer.  A hook there sees every segment on
 * its own, which no netfilter hook does: on the XFRM_GRO path
 * tcp4_gro_receive() trusts CHECKSUM_UNNECESSARY and merges segments before
 * PRE_ROUTING.  A non-zero return makes xfrm_input() drop the packet
 * (counted in XfrmInBufferError); the same path serves ESP-in-UDP,
 * ESP-in-TCP, async crypto and the ESP GRO/offload receive.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "xfrm_csum.h"

/**
 * struct l4_info - what the inner checksum covers
 * @sum_len: bytes of the segment summed
 * @pseudo_len: length in the pseudo-header (differs for UDP-Lite)
 */
struct l4_info {
	unsigned int sum_len;
	unsigned int pseudo_len;
};

static void count(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
		  enum xfrm_csum_counter c)
{
	xfrm_csum_stats_inc(&xfrm_csum_global, c);
	xfrm_csum_stats_inc(&xn->stats, c);
	if (sa && c < XFRM_CSUM_SA_COUNTERS)
		atomic64_inc(&sa->stats.cnt[c]);
}

/*
 * Find the inner header past IPv6 extension headers.  Return: 1 to judge
 * it, 0 to leave the packet to the stack (a fragment), -1 if malformed.
 */
static int l4_locate(struct xfrm_csum_pkt *p)
{
	__be16 frag_off;
	u8 nexthdr = p->proto;
	int off;

	if (p->family != AF_INET6 || !ipv6_ext_hdr(nexthdr) ||
	    nexthdr == NEXTHDR_NONE)
		return 1;
	off = ipv6_skip_exthdr(p->skb, 0, &nexthdr, &frag_off);
	if (off < 0)
		return -1;
	if (frag_off)
		return 0;
	p->proto = nexthdr;
	p->l4off = off;
	return 1;
}

/* The header fields the checksum depends on; false if malformed. */
static bool l4_parse(struct xfrm_csum_pkt *p, struct l4_info *l)
{
	unsigned int avail = p->skb->len - p->l4off, len;
	const struct udphdr *uh;
	const struct tcphdr *th;
	struct udphdr _uh;
	struct tcphdr _th;
	__sum16 _c, *c;

	switch (p->proto) {
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		uh = skb_header_pointer(p->skb, p->l4off, sizeof(_uh), &_uh);
		if (!uh)
			return false;
		len = ntohs(uh->len);
		p->csum = uh->check;
		if (p->proto == IPPROTO_UDP) {
			/* udp_rcv() trims what lies beyond the length */
			if (len < sizeof(*uh) || len > avail)
				return false;
			l->sum_len = len;
			l->pseudo_len = len;
			return true;
		}
		/* UDP-Lite: the length field is the coverage, 0 = all */
		if (!len)
			len = avail;
		if (len < sizeof(*uh) || len > avail || !uh->check)
			return false;
		l->sum_len = len;
		l->pseudo_len = avail;
		return true;
	case IPPROTO_TCP:
		th = skb_header_pointer(p->skb, p->l4off, sizeof(_th), &_th);
		if (!th || th->doff * 4 < sizeof(*th) || th->doff * 4 > avail)
			return false;
		p->csum = th->check;
		break;
	case IPPROTO_ICMPV6:
		c = skb_header_pointer(p->skb,
				       p->l4off + offsetof(struct icmp6hdr,
							   icmp6_cksum),
				       sizeof(_c), &_c);
		if (!c)
			return false;
		p->csum = *c;
		break;
	default:
		return false;
	}
	l->sum_len = avail;
	l->pseudo_len = avail;
	return true;
}

/* One's-complement sums of the packet's outer addresses. */
struct pkt_sums {
	u16 saddr;	/* the source alone, to notice NAT rebinding */
	u16 seen;	/* Pseen: source and destination */
};

/* The folded sum of @n 32-bit words, as csum_partial() would give it. */
static u16 sum_words(const __be32 *w, int n)
{
	u64 acc = 0;
	int i;

	for (i = 0; i < n; i++)
		acc += (__force u32)w[i];
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return xfrm_csum_norm((u32)acc);
}

static void pkt_sums(const struct xfrm_csum_pkt *p, struct pkt_sums *ps)
{
	int n = p->family == AF_INET ? 1 : 4;
	const __be32 *s, *d;

	if (p->family == AF_INET) {
		s = &ip_hdr(p->skb)->saddr;
		d = &ip_hdr(p->skb)->daddr;
	} else {
		s = ipv6_hdr(p->skb)->saddr.s6_addr32;
		d = ipv6_hdr(p->skb)->daddr.s6_addr32;
	}
	ps->saddr = sum_words(s, n);
	ps->seen = xfrm_csum_add16(ps->saddr, sum_words(d, n));
}

/*
 * The folded sum of pseudo-header (addresses as received) and segment:
 * T of docs/design.md, 0 if the checksum verifies as received.
 */
static u16 pkt_fold(const struct xfrm_csum_pkt *p, const struct l4_info *l)
{
	__wsum sum = skb_checksum(p->skb, p->l4off, l->sum_len, 0);
	__sum16 res;

	if (p->family == AF_INET)
		res = csum_tcpudp_magic(ip_hdr(p->skb)->saddr,
					ip_hdr(p->skb)->daddr, l->pseudo_len,
					p->proto, sum);
	else
		res = csum_ipv6_magic(&ipv6_hdr(p->skb)->saddr,
				      &ipv6_hdr(p->skb)->daddr, l->pseudo_len,
				      p->proto, sum);
	return xfrm_csum_norm((u16)~(__force u16)res);
}

/*
 * The checksum field that would have verified the data as received under
 * K: the field enters the sum one for one, so take the excess (fold -
 * want) out of it.  Report 0 as 0xffff: 0 means "no checksum" in UDP.
 */
static __sum16 expected_csum(__sum16 got, u16 fold, u16 want)
{
	u16 c = xfrm_csum_sub16((__force u16)got, xfrm_csum_sub16(fold, want));

	return (__force __sum16)(c ? c : 0xffff);
}

/* Track the outer source address; the lock only when it changed. */
static void note_seen(struct xfrm_csum_sa *sa, const struct xfrm_csum_pkt *p,
		      u16 sum)
{
	if (READ_ONCE(sa->seen_sum) == sum)
		return;
	spin_lock(&sa->lock);
	memset(&sa->seen_saddr, 0, sizeof(sa->seen_saddr));
	if (p->family == AF_INET)
		sa->seen_saddr.a4 = ip_hdr(p->skb)->saddr;
	else
		sa->seen_saddr.in6 = ipv6_hdr(p->skb)->saddr;
	WRITE_ONCE(sa->seen_sum, sum);
	spin_unlock(&sa->lock);
}

/* What an SA without an entry can rely on: original addresses, peer table */
static u32 untracked_kstate(struct xfrm_csum_net *xn, struct xfrm_state *x)
{
	struct xfrm_csum_peer_key key;
	struct xfrm_csum_orig orig = {};
	u32 kstate;

	xfrm_csum_peer_key_of(x, &key);
	if (!xfrm_addr_any(&x->encap->encap_oa, key.family)) {
		orig.saddr = x->encap->encap_oa;
		orig.saddr_set = true;
		return XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_STATIC,
					xfrm_csum_orig_k(&orig, &key));
	}
	kstate = xfrm_csum_peer_kstate(xn, &key);
	if (!xfrm_csum_k_known(kstate))
		return XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_LEARNING, 0);
	if (XFRM_CSUM_K_STATE(kstate) == XFRM_CSUM_NAT_STATE_STATIC)
		return kstate;
	return XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_INHERITED,
				XFRM_CSUM_K_VALUE(kstate));
}

static int deliver(struct xfrm_csum_net *xn, struct xfrm_csum_pkt *p,
		   enum xfrm_csum_counter verdict)
{
	count(xn, p->sa, verdict);
	return 1;
}

/* Mismatch or malformed: count, report, and drop in drop mode. */
static int reject(struct xfrm_csum_net *xn, struct xfrm_csum_pkt *p, u8 mode,
		  enum xfrm_csum_reason reason)
{
	count(xn, p->sa, reason == XFRM_CSUM_REASON_MALFORMED ?
			 XFRM_CSUM_MALFORMED : XFRM_CSUM_MISMATCH);
	if (p->sa)
		WRITE_ONCE(p->sa->last_mismatch, ktime_get_real_seconds());
	xfrm_csum_event(xn, p, reason);
	if (mode != XFRM_CSUM_MODE_DROP)
		return 1;
	count(xn, p->sa, XFRM_CSUM_DROPPED);
	return -EINVAL;
}

/* Not right as received and K not known: never delivered unless opted in. */
static int unconfirmed(struct xfrm_csum_net *xn, struct xfrm_csum_pkt *p,
		       u8 mode, bool conflict)
{
	if (conflict)
		xfrm_csum_event(xn, p, XFRM_CSUM_REASON_CONFLICT);
	if (READ_ONCE(xn->learn) == XFRM_CSUM_LEARN_PERMISSIVE)
		return deliver(xn, p, XFRM_CSUM_UNVERIFIED);
	count(xn, p->sa, XFRM_CSUM_UNCONFIRMED);
	if (mode != XFRM_CSUM_MODE_DROP)
		return 1;
	count(xn, p->sa, XFRM_CSUM_DROPPED);
	return -EINVAL;
}

/*
 * Inner protocols without a pseudo-header (ICMP, IGMP, GRE, SCTP...) or
 * beyond an IPv6 fragment header: their checksum is not ours to judge, so
 * let the stack verify it as for plain ESP (docs/design.md).  Audit mode
 * changes nothing.
 */
static int defer(struct xfrm_csum_net *xn, struct sk_buff *skb, u8 mode)
{
	count(xn, NULL, XFRM_CSUM_DEFERRED);
	if (mode == XFRM_CSUM_MODE_DROP)
		skb->ip_summed = CHECKSUM_NONE;
	return 1;
}

/* Judge a packet whose K is in @kstate (T != 0). */
static int judge(struct xfrm_csum_net *xn, struct xfrm_csum_pkt *p, u8 mode,
		 u32 kstate, u16 k_pkt, u16 fold, u16 pseen)
{
	bool conflict = false;

	switch (XFRM_CSUM_K_STATE(kstate)) {
	case XFRM_CSUM_NAT_STATE_INHERITED:
		if (k_pkt == XFRM_CSUM_K_VALUE(kstate)) {
			if (p->sa && unlikely(READ_ONCE(p->sa->votes.run)))
				xfrm_csum_sa_match(p->sa);
			return deliver(xn, p, XFRM_CSUM_NAT_ADJUSTED);
		}
		if (!p->sa)
			break;
		kstate = xfrm_csum_sa_vote(xn, p->sa, k_pkt, &conflict);
		p->nat_state = XFRM_CSUM_K_STATE(kstate);
		if (!xfrm_csum_k_known(kstate))
			return unconfirmed(xn, p, mode, conflict);
		break;
	case XFRM_CSUM_NAT_STATE_LEARNING:
		if (!p->sa || READ_ONCE(xn->learn) == XFRM_CSUM_LEARN_STRICT)
			return unconfirmed(xn, p, mode, false);
		kstate = xfrm_csum_sa_vote(xn, p->sa, k_pkt, &conflict);
		p->nat_state = XFRM_CSUM_K_STATE(kstate);
		if (!xfrm_csum_k_known(kstate))
			return unconfirmed(xn, p, mode, conflict);
		break;
	case XFRM_CSUM_NAT_STATE_CONFLICT:
		return unconfirmed(xn, p, mode, false);
	}

	if (k_pkt == XFRM_CSUM_K_VALUE(kstate))
		return deliver(xn, p, XFRM_CSUM_NAT_ADJUSTED);
	p->expected = expected_csum(p->csum, fold,
				    xfrm_csum_sub16(pseen,
						    XFRM_CSUM_K_VALUE(kstate)));
	p->have_expected = true;
	return reject(xn, p, mode, XFRM_CSUM_REASON_MISMATCH);
}

/**
 * xfrm_csum_rcv_cb - judge one decrypted packet
 * @skb: the packet, inner header at skb->data, IP header in front of it
 * @err: non-zero when xfrm_input() is already dropping the packet
 *
 * Called by xfrm{4,6}_rcv_cb() under rcu_read_lock(), in softirq context
 * (or with bottom halves disabled on async crypto completion).  Packets
 * delivered keep the CHECKSUM_UNNECESSARY that esp_input_done2() set: the
 * checksum was summed once, here, and the stack does not sum it again.
 *
 * Return: 1 to let the next handler see the packet, -EINVAL to have
 * xfrm_input() drop it.
 */
int xfrm_csum_rcv_cb(struct sk_buff *skb, int err)
{
	struct xfrm_csum_pkt p = {};
	struct pkt_sums ps;
	u16 fold, pseen, k_pkt;
	struct xfrm_csum_net *xn;
	struct sec_path *sp;
	struct l4_info l;
	u32 kstate;
	int where;
	u8 mode;

	sp = skb_sec_path(skb);
	if (err || !sp || !sp->len)
		return 1;
	p.x = sp->xvec[sp->len - 1];
	xn = xfrm_csum_pernet(xs_net(p.x));
	mode = READ_ONCE(xn->mode);
	if (mode == XFRM_CSUM_MODE_OFF)
		return 1;
	if (p.x->props.mode != XFRM_MODE_TRANSPORT || !p.x->encap) {
		count(xn, NULL, XFRM_CSUM_SKIPPED);
		return 1;
	}
#ifdef XFRM_CSUM_HAVE_KERNEL_ENCAP_CSUM
	/*
	 * A kernel with the series judged the packet in esp_input_done2()
	 * already, when its sysctl is on: do not sum it a second time.
	 */
	if (READ_ONCE(xs_net(p.x)->xfrm.sysctl_encap_csum)) {
		count(xn, NULL, XFRM_CSUM_SKIPPED);
		return 1;
	}
#endif

	p.skb = skb;
	p.family = p.x->props.family;
	p.proto = XFRM_MODE_SKB_CB(skb)->protocol;
	where = l4_locate(&p);
	if (!where)
		return defer(xn, skb, mode);
	switch (p.proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		break;
	case IPPROTO_ICMPV6:
		if (p.family == AF_INET6)
			break;
		fallthrough;
	default:
		if (where > 0)
			return defer(xn, skb, mode);
	}

	p.sa = xfrm_csum_sa_get(xn, p.x, GFP_ATOMIC);
	if (p.sa) {
		kstate = READ_ONCE(p.sa->kstate);
	} else {
		count(xn, NULL, XFRM_CSUM_UNTRACKED);
		kstate = untracked_kstate(xn, p.x);
	}
	p.nat_state = XFRM_CSUM_K_STATE(kstate);

	if (where < 0 || !l4_parse(&p, &l))
		return reject(xn, &p, mode, XFRM_CSUM_REASON_MALFORMED);
	if (p.proto == IPPROTO_UDP && !p.csum) {
		/*
		 * IPv4: no checksum (RFC 768).  IPv6: udpv6 drops it unless
		 * the socket accepts zero checksums (RFC 6936).
		 */
		return deliver(xn, &p, XFRM_CSUM_NO_CSUM);
	}

	pkt_sums(&p, &ps);
	pseen = ps.seen;
	fold = pkt_fold(&p, &l);
	k_pkt = xfrm_csum_sub16(pseen, fold);
	if (p.sa)
		note_seen(p.sa, &p, ps.saddr);

	if (!fold) {
		/* right as received: there is no NAT to account for */
		if (p.sa && kstate != XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_NONE,
						       pseen) &&
		    XFRM_CSUM_K_STATE(kstate) != XFRM_CSUM_NAT_STATE_STATIC)
			xfrm_csum_sa_settle_none(xn, p.sa, pseen);
		return deliver(xn, &p, XFRM_CSUM_VERIFIED);
	}
	return judge(xn, &p, mode, kstate, k_pkt, fold, pseen);
}
