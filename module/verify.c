// SPDX-License-Identifier: GPL-2.0
/*
 * The per-packet check.  See docs/design.md for the arithmetic.
 *
 * Where it runs: xfrm_input() calls the xfrm{4,6}_protocol cb_handler chain
 * through xfrm_rcv_cb() once per packet, after decryption and the
 * transport-mode input (the IP header is back in front of the TCP/UDP
 * header), and before transport_finish() hands the packet to netfilter, to
 * GRO cells or to the socket layer.  A hook there sees every segment on
 * its own, which no netfilter hook does: on the XFRM_GRO path
 * tcp4_gro_receive() trusts CHECKSUM_UNNECESSARY and merges segments before
 * PRE_ROUTING.  Returning a negative value makes xfrm_input() drop the
 * packet; the same path serves ESP-in-UDP, ESP-in-TCP, async crypto and
 * the ESP GRO/offload receive.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
#include <net/xfrm.h>

#include "xfrm_csum.h"

/* Folded one's-complement sum of an address (4 or 16 bytes). */
u16 xfrm_csum_addr_sum(const xfrm_address_t *a, u16 family)
{
	int len = family == AF_INET ? 4 : 16;

	return xfrm_csum_norm((__force u32)csum_partial(a, len, 0));
}

/* The packet's outer addresses, as the stack will build its pseudo-header. */
static void pkt_addrs(const struct sk_buff *skb, u16 family,
		      xfrm_address_t *saddr, xfrm_address_t *daddr)
{
	memset(saddr, 0, sizeof(*saddr));
	memset(daddr, 0, sizeof(*daddr));
	if (family == AF_INET) {
		saddr->a4 = ip_hdr(skb)->saddr;
		daddr->a4 = ip_hdr(skb)->daddr;
	} else {
		saddr->in6 = ipv6_hdr(skb)->saddr;
		daddr->in6 = ipv6_hdr(skb)->daddr;
	}
}

/*
 * Folded sum of pseudo-header and segment as received, 0 if it verifies
 * (the sender's "F" in docs/design.md).
 */
static u16 pkt_fold(const struct sk_buff *skb, u16 family, u8 proto,
		    unsigned int len)
{
	__wsum sum = skb_checksum(skb, 0, len, 0);
	__sum16 res;

	if (family == AF_INET)
		res = csum_tcpudp_magic(ip_hdr(skb)->saddr, ip_hdr(skb)->daddr,
					len, proto, sum);
	else
		res = csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
				      &ipv6_hdr(skb)->daddr, len, proto, sum);
	return xfrm_csum_norm((u16)~(__force u16)res);
}

/*
 * The checksum field value that would have verified the data as received
 * under K: the field enters the sum one for one, so take the excess
 * (fold - want) out of it.  0 and 0xffff are the same in one's complement;
 * report 0xffff, since 0 means "no checksum" in IPv4 UDP.
 */
static __sum16 expected_csum(__sum16 got, u16 fold, u16 want)
{
	u16 c = xfrm_csum_sub16((__force u16)got, xfrm_csum_sub16(fold, want));

	return (__force __sum16)(c ? c : 0xffff);
}

/*
 * Length covered by the checksum and the checksum field; false if the
 * header is truncated or inconsistent.
 */
static bool l4_parse(const struct sk_buff *skb, u8 proto, unsigned int *len,
		     __sum16 *csum, __be16 *sport, __be16 *dport)
{
	if (proto == IPPROTO_UDP) {
		struct udphdr _uh;
		const struct udphdr *uh;
		unsigned int ulen;

		uh = skb_header_pointer(skb, 0, sizeof(_uh), &_uh);
		if (!uh)
			return false;
		ulen = ntohs(uh->len);
		if (ulen < sizeof(*uh) || ulen > skb->len)
			return false;
		*len = ulen;	/* udp_rcv() trims anything beyond */
		*csum = uh->check;
		*sport = uh->source;
		*dport = uh->dest;
	} else {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, 0, sizeof(_th), &_th);
		if (!th || th->doff * 4 < sizeof(*th) || th->doff * 4 > skb->len)
			return false;
		*len = skb->len;
		*csum = th->check;
		*sport = th->source;
		*dport = th->dest;
	}
	return true;
}

static void count(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
		  enum xfrm_csum_counter c)
{
	xfrm_csum_stats_inc(&xfrm_csum_global, c);
	xfrm_csum_stats_inc(&xn->stats, c);
	if (sa && c < XFRM_CSUM_SA_COUNTERS)
		xfrm_csum_stats_inc(&sa->stats, c);
}

static bool in_scope(const struct xfrm_state *x, u8 proto)
{
	return x->props.mode == XFRM_MODE_TRANSPORT && x->encap &&
	       (proto == IPPROTO_TCP || proto == IPPROTO_UDP);
}

/*
 * K from an original address: the operator's, else the SA's encap_oa.  The
 * OA is the peer's original source; our own address counts as seen.
 */
static bool static_k(const struct xfrm_state *x, struct xfrm_csum_sa *sa,
		     const xfrm_address_t *daddr, u16 family, u16 *k)
{
	xfrm_address_t oa;

	if (sa && READ_ONCE(sa->orig_set)) {
		spin_lock_bh(&sa->lock);
		oa = sa->orig_addr;
		spin_unlock_bh(&sa->lock);
	} else {
		oa = x->encap->encap_oa;
		if (xfrm_addr_any(&oa, family))
			return false;
	}
	*k = xfrm_csum_add16(xfrm_csum_addr_sum(&oa, family),
			     xfrm_csum_addr_sum(daddr, family));
	return true;
}

static void note_seen(struct xfrm_csum_sa *sa, const xfrm_address_t *saddr,
		      u16 family)
{
	if (xfrm_addr_equal(&sa->seen_saddr, saddr, family))
		return;
	spin_lock_bh(&sa->lock);
	sa->seen_saddr = *saddr;
	spin_unlock_bh(&sa->lock);
}

/* Mismatch or malformed: count, report, and drop in drop mode. */
static int bad(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
	       const struct xfrm_state *x, struct sk_buff *skb, u8 proto,
	       u8 mode, u32 state, enum xfrm_csum_reason reason,
	       const __sum16 *expected)
{
	count(xn, sa, reason == XFRM_CSUM_REASON_MALFORMED ?
		      XFRM_CSUM_MALFORMED : XFRM_CSUM_MISMATCH);
	if (sa)
		WRITE_ONCE(sa->last_mismatch, ktime_get_real_seconds());
	xfrm_csum_event(xn, sa, x, skb, proto, state, reason, expected);
	if (mode != XFRM_CSUM_MODE_DROP)
		return 1;
	count(xn, sa, XFRM_CSUM_DROPPED);
	return -EINVAL;
}

/**
 * xfrm_csum_rcv_cb - verify one decrypted packet
 * @skb: the packet, L4 header at skb->data, IP header in front of it
 * @err: non-zero when xfrm_input() is already dropping the packet
 *
 * Called by xfrm{4,6}_rcv_cb() under rcu_read_lock(), in softirq context
 * (or with bottom halves disabled on async crypto completion).  A verified
 * packet keeps the CHECKSUM_UNNECESSARY that esp_input_done2() set, so the
 * stack does not sum it a second time.
 *
 * Return: 1 to let the next handler see the packet, -EINVAL to have
 * xfrm_input() drop it.
 */
int xfrm_csum_rcv_cb(struct sk_buff *skb, int err)
{
	struct xfrm_csum_peer_key peer;
	u16 family, fold, pseen, k_pkt, k = 0;
	struct xfrm_csum_net *xn;
	struct xfrm_csum_sa *sa;
	__be16 sport, dport;
	struct xfrm_state *x;
	struct sec_path *sp;
	__sum16 csum, want;
	unsigned int len;
	u8 proto, mode;
	u32 state;

	sp = skb_sec_path(skb);
	if (err || !sp || !sp->len)
		return 1;
	x = sp->xvec[sp->len - 1];
	xn = xfrm_csum_pernet(xs_net(x));
	mode = READ_ONCE(xn->mode);
	if (mode == XFRM_CSUM_MODE_OFF)
		return 1;

	proto = XFRM_MODE_SKB_CB(skb)->protocol;
	if (!in_scope(x, proto)) {
		count(xn, NULL, XFRM_CSUM_SKIPPED);
		return 1;
	}

	family = x->props.family;
	sa = xfrm_csum_sa_get(xn, x, GFP_ATOMIC);
	count(xn, sa, XFRM_CSUM_CHECKED);
	if (!sa)
		count(xn, NULL, XFRM_CSUM_UNTRACKED);
	state = sa ? XFRM_CSUM_K_STATE(READ_ONCE(sa->kstate)) :
		     XFRM_CSUM_NAT_STATE_LEARNING;

	if (!l4_parse(skb, proto, &len, &csum, &sport, &dport))
		return bad(xn, sa, x, skb, proto, mode, state,
			   XFRM_CSUM_REASON_MALFORMED, NULL);
	if (proto == IPPROTO_UDP && !csum) {
		/* RFC 768: no checksum on IPv4; RFC 8200 8.1: invalid on IPv6 */
		if (family == AF_INET) {
			count(xn, sa, XFRM_CSUM_NO_CSUM);
			return 1;
		}
		return bad(xn, sa, x, skb, proto, mode, state,
			   XFRM_CSUM_REASON_MISMATCH, NULL);
	}

	peer.family = family;
	pkt_addrs(skb, family, &peer.saddr, &peer.daddr);
	fold = pkt_fold(skb, family, proto, len);
	pseen = xfrm_csum_add16(xfrm_csum_addr_sum(&peer.saddr, family),
				xfrm_csum_addr_sum(&peer.daddr, family));
	k_pkt = xfrm_csum_sub16(pseen, fold);

	if (static_k(x, sa, &peer.daddr, family, &k)) {
		state = XFRM_CSUM_NAT_STATE_STATIC;
	} else if (sa) {
		u32 kstate = READ_ONCE(sa->kstate);

		if (XFRM_CSUM_K_STATE(kstate) != XFRM_CSUM_NAT_STATE_LOCKED)
			kstate = xfrm_csum_sa_learn(xn, sa, k_pkt);
		state = XFRM_CSUM_K_STATE(kstate);
		k = XFRM_CSUM_K_VALUE(kstate);
	} else {
		state = XFRM_CSUM_NAT_STATE_LEARNING;
	}
	if (sa)
		note_seen(sa, &peer.saddr, family);

	if (!fold) {
		count(xn, sa, XFRM_CSUM_VERIFIED);
		return 1;
	}
	if (state == XFRM_CSUM_NAT_STATE_LEARNING) {
		/* NAT difference not known yet: deliver as Linux always did. */
		count(xn, sa, XFRM_CSUM_UNVERIFIED);
		return 1;
	}
	if (k_pkt == k) {
		count(xn, sa, XFRM_CSUM_NAT_ADJUSTED);
		return 1;
	}

	want = expected_csum(csum, fold, xfrm_csum_sub16(pseen, k));
	return bad(xn, sa, x, skb, proto, mode, state,
		   XFRM_CSUM_REASON_MISMATCH, &want);
}
