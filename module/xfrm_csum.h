/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xfrm_csum: verify inner TCP/UDP checksums of NAT-T transport-mode ESP.
 * Internal declarations shared by the module's files.
 */
#ifndef _XFRM_CSUM_H
#define _XFRM_CSUM_H

#include <linux/list.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/xfrm.h>
#include <linux/xfrm_csum.h>

#include "compat/compat.h"

/* Counters, in the order of the netlink stats attributes. */
enum xfrm_csum_counter {
	XFRM_CSUM_CHECKED,
	XFRM_CSUM_VERIFIED,
	XFRM_CSUM_NAT_ADJUSTED,
	XFRM_CSUM_UNVERIFIED,
	XFRM_CSUM_NO_CSUM,
	XFRM_CSUM_MISMATCH,
	XFRM_CSUM_DROPPED,
	XFRM_CSUM_MALFORMED,
	/* per-SA counters end here */
	XFRM_CSUM_SA_COUNTERS,
	XFRM_CSUM_SKIPPED = XFRM_CSUM_SA_COUNTERS,
	XFRM_CSUM_UNTRACKED,
	XFRM_CSUM_EVENTS,
	XFRM_CSUM_EVENTS_SUPPRESSED,
	XFRM_CSUM_COUNTERS,
};

struct xfrm_csum_pcpu {
	u64_stats_t cnt[XFRM_CSUM_COUNTERS];
	struct u64_stats_sync syncp;
};

/* Per-CPU counters; per-SA sets only use the first XFRM_CSUM_SA_COUNTERS. */
struct xfrm_csum_stats {
	struct xfrm_csum_pcpu __percpu *pcpu;
};

/*
 * The SA's NAT difference, packed so that the fast path reads state and
 * value with one load: bits 16-23 the state, bits 0-15 K (docs/design.md).
 */
#define XFRM_CSUM_K_STATE(v)	((v) >> 16)
#define XFRM_CSUM_K_VALUE(v)	((u16)(v))
#define XFRM_CSUM_K_PACK(s, k)	(((u32)(s) << 16) | (k))

/* The outer address pair of a packet, as the stack builds its pseudo-header. */
struct xfrm_csum_peer_key {
	xfrm_address_t saddr;
	xfrm_address_t daddr;
	u16 family;
};

/**
 * struct xfrm_csum_sa - what the module knows about one inbound ESP SA
 * @node: hash linkage (RCU), keyed by @x
 * @list: per-namespace list, for dumps and garbage collection
 * @x: the xfrm_state this entry describes.  The entry holds a reference,
 *	so the pointer cannot be reused by a new SA while the entry exists;
 *	other than the state check in the garbage collector it is only
 *	dereferenced on the receive path, where the packet holds it too
 * @kstate: NAT state and K, see XFRM_CSUM_K_*
 * @lock: protects the learning fields and @seen_saddr
 * @votes: consecutive packets that agreed on @cand
 * @cand: the candidate K being voted on
 * @orig_set: @orig_addr is valid
 * @family: AF_INET or AF_INET6 (identity fields below are copied from @x
 *	when the entry is created)
 * @encap_type: UDP_ENCAP_ESPINUDP or TCP_ENCAP_ESPINTCP
 * @encap_sport: encapsulation source port (network order)
 * @encap_dport: encapsulation destination port (network order)
 * @spi: the SA's SPI
 * @mark: the SA's mark value
 * @daddr: the SA's destination (our) address
 * @saddr: the SA's source (peer) address as installed
 * @orig_addr: original address set by the operator (@orig_set)
 * @seen_saddr: outer source address of the last packet
 * @stats: per-SA counters
 * @first_seen: wall-clock seconds at creation
 * @last_mismatch: wall-clock seconds of the last mismatch
 * @rcu: deferred free
 */
struct xfrm_csum_sa {
	struct hlist_node node;
	struct list_head list;
	struct xfrm_state *x;
	u32 kstate;
	spinlock_t lock;	/* see the kernel-doc above */
	u8 votes;
	bool orig_set;
	u16 cand;
	/* identity, copied when the entry is created */
	u16 family;
	u16 encap_type;
	__be16 encap_sport;
	__be16 encap_dport;
	__be32 spi;
	u32 mark;
	xfrm_address_t daddr;
	xfrm_address_t saddr;
	xfrm_address_t orig_addr;
	xfrm_address_t seen_saddr;
	struct xfrm_csum_stats stats;
	time64_t first_seen;
	time64_t last_mismatch;
	struct rcu_head rcu;
};

#define XFRM_CSUM_SA_BUCKETS	256

/**
 * struct xfrm_csum_peer - a K learned for a pair of SA addresses, kept for
 *	the next SA between them (rekey inheritance, docs/design.md)
 * @list: per-namespace list, most recently locked first
 * @family: AF_INET or AF_INET6
 * @saddr: the peer's address as installed on the SA
 * @daddr: our address
 * @k: the K locked by the last SA between them
 */
struct xfrm_csum_peer {
	struct list_head list;
	u16 family;
	xfrm_address_t saddr;
	xfrm_address_t daddr;
	u16 k;
};

/**
 * struct xfrm_csum_net - per network namespace state
 * @net: the namespace
 * @mode: enum xfrm_csum_mode
 * @learn_packets: agreeing votes that lock a learned K
 * @event_snaplen: bytes of packet in an event
 * @event_rate: mismatch events per second at most
 * @event_rs: rate limit of mismatch events (burst = @event_rate per second)
 * @stats: namespace totals
 * @sas: SA entries by xfrm_state pointer
 * @sa_list: the same entries, for walks
 * @peers: K learned per address pair (struct xfrm_csum_peer)
 * @lock: protects @sa_list, @nr_sas, changes to @sas, @peers, @nr_peers
 * @nr_sas: entries in @sas
 * @nr_peers: entries in @peers, at most max_sas
 * @gc_work: drops entries whose SA is gone
 */
struct xfrm_csum_net {
	struct net *net;
	u8 mode;
	u8 learn_packets;
	u32 event_snaplen;
	u32 event_rate;
	struct ratelimit_state event_rs;
	struct xfrm_csum_stats stats;
	struct hlist_head sas[XFRM_CSUM_SA_BUCKETS];
	struct list_head sa_list;
	struct list_head peers;
	spinlock_t lock;	/* see the kernel-doc above */
	unsigned int nr_sas;
	unsigned int nr_peers;
	struct delayed_work gc_work;
};

/* main.c */
extern unsigned int xfrm_csum_max_sas;
extern unsigned int xfrm_csum_mode;
extern unsigned int xfrm_csum_learn_packets;
extern unsigned int xfrm_csum_event_rate;
extern unsigned int xfrm_csum_event_snaplen;
extern struct xfrm_csum_stats xfrm_csum_global;
struct xfrm_csum_net *xfrm_csum_pernet(const struct net *net);

/* stats */
int xfrm_csum_stats_init(struct xfrm_csum_stats *s, gfp_t gfp);
void xfrm_csum_stats_free(struct xfrm_csum_stats *s);
void xfrm_csum_stats_read(const struct xfrm_csum_stats *s, u64 *out,
			  unsigned int n);

static inline void xfrm_csum_stats_inc(struct xfrm_csum_stats *s,
				       enum xfrm_csum_counter c)
{
	struct xfrm_csum_pcpu *p = this_cpu_ptr(s->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_inc(&p->cnt[c]);
	u64_stats_update_end(&p->syncp);
}

/* verify.c */
int xfrm_csum_rcv_cb(struct sk_buff *skb, int err);

/* sa.c */
struct xfrm_csum_sa *xfrm_csum_sa_get(struct xfrm_csum_net *xn,
				      struct xfrm_state *x, gfp_t gfp);
struct xfrm_csum_sa *xfrm_csum_sa_find(struct xfrm_csum_net *xn, u16 family,
				       const xfrm_address_t *daddr, __be32 spi);
u32 xfrm_csum_sa_learn(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
		       u16 k_pkt);
void xfrm_csum_sa_set_orig(struct xfrm_csum_sa *sa, const xfrm_address_t *oa);
void xfrm_csum_sa_relearn(struct xfrm_csum_sa *sa);
int xfrm_csum_km_init(void);
void xfrm_csum_km_exit(void);
void xfrm_csum_net_sa_init(struct xfrm_csum_net *xn);
void xfrm_csum_net_sa_exit(struct xfrm_csum_net *xn);

/* netlink.c */
int xfrm_csum_genl_init(void);
void xfrm_csum_genl_exit(void);
void xfrm_csum_event(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
		     const struct xfrm_state *x, struct sk_buff *skb, u8 proto,
		     u32 nat_state, enum xfrm_csum_reason reason,
		     const __sum16 *expected);

/* sysfs.c */
int xfrm_csum_sysfs_init(void);
void xfrm_csum_sysfs_exit(void);

/* One's-complement helpers on 16-bit folded sums (0 and 0xffff are equal). */
static inline u16 xfrm_csum_norm(u32 v)
{
	v = (v & 0xffff) + (v >> 16);
	v = (v & 0xffff) + (v >> 16);
	return v == 0xffff ? 0 : v;
}

static inline u16 xfrm_csum_add16(u16 a, u16 b)
{
	return xfrm_csum_norm((u32)a + b);
}

static inline u16 xfrm_csum_sub16(u16 a, u16 b)
{
	return xfrm_csum_norm((u32)a + (u16)~b);
}

u16 xfrm_csum_addr_sum(const xfrm_address_t *a, u16 family);

#endif /* _XFRM_CSUM_H */
