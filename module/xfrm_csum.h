/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xfrm_csum: verify inner checksums of NAT-T transport-mode ESP.
 * Declarations shared by the module's files; the design is docs/design.md.
 */
#ifndef _XFRM_CSUM_H
#define _XFRM_CSUM_H

#include <linux/list.h>
#include <linux/ratelimit.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/xfrm.h>
#include <uapi/linux/xfrm_csum.h>

#include "compat/compat.h"
#ifdef XFRM_CSUM_HAVE_KERNEL_CSUM_CORE
#include <net/xfrm_csum.h>
#else
#include "core.h"
#endif
#include "stats.h"

/* Module parameters: the settings of namespaces created from now on. */
extern unsigned int xfrm_csum_mode;
extern unsigned int xfrm_csum_learn;
extern unsigned int xfrm_csum_confirm_packets;
extern unsigned int xfrm_csum_event_rate;
extern unsigned int xfrm_csum_event_snaplen;
extern unsigned int xfrm_csum_max_sas;

/* Votes in a row against an inherited K that make an SA learn anew. */
#define XFRM_CSUM_REJECT_RUN	4

/*
 * An SA's NAT state and K packed in one word, so that the fast path reads
 * both with one load: bits 16-23 enum xfrm_csum_nat_state, bits 0-15 K.
 */
#define XFRM_CSUM_K_STATE(v)	((v) >> 16)
#define XFRM_CSUM_K_VALUE(v)	((u16)(v))
#define XFRM_CSUM_K_PACK(s, k)	(((u32)(s) << 16) | (k))

/* Does this state come with a K? */
static inline bool xfrm_csum_k_known(u32 kstate)
{
	switch (XFRM_CSUM_K_STATE(kstate)) {
	case XFRM_CSUM_NAT_STATE_STATIC:
	case XFRM_CSUM_NAT_STATE_NONE:
	case XFRM_CSUM_NAT_STATE_CONFIRMED:
	case XFRM_CSUM_NAT_STATE_INHERITED:
		return true;
	}
	return false;
}

/**
 * struct xfrm_csum_peer_key - a NAT mapping as the SAs of a peer show it
 * @saddr: the peer's outer address as installed on the SA
 * @daddr: our address as installed on the SA
 * @sport: the peer's encapsulation port (its NAT's, as we see it)
 * @dport: our encapsulation port
 * @family: AF_INET or AF_INET6
 * @encap_type: UDP_ENCAP_ESPINUDP or TCP_ENCAP_ESPINTCP
 *
 * Hashed and compared as bytes: always built from a zeroed struct.
 */
struct xfrm_csum_peer_key {
	xfrm_address_t saddr;
	xfrm_address_t daddr;
	__be16 sport;
	__be16 dport;
	u16 family;
	u16 encap_type;
};

/**
 * struct xfrm_csum_orig - original addresses given for an SA or a peer
 * @saddr: the peer's address before its NAT
 * @daddr: our address as the peer addressed us
 * @saddr_set: @saddr is given; otherwise the SA's own (as seen) counts
 * @daddr_set: @daddr is given; otherwise our address as seen counts
 */
struct xfrm_csum_orig {
	xfrm_address_t saddr;
	xfrm_address_t daddr;
	bool saddr_set;
	bool daddr_set;
};

/**
 * struct xfrm_csum_sa - what the module knows about one inbound ESP SA
 * @node: linkage in the namespace's table, keyed by @x
 * @list: the namespace's list in creation order, for dumps and the sweep
 * @rcu: deferred free
 * @x: the xfrm_state.  The entry holds a reference, so the pointer cannot
 *	be reused by another SA while the entry exists
 * @id: creation number in the namespace (dump cursor)
 * @kstate: NAT state and K (XFRM_CSUM_K_*), read without the lock
 * @lock: protects @votes, @orig, @conflict_sent, @seen_saddr and the
 *	writes of @kstate
 * @votes: learning (docs/design.md "Confirmed") and, when inherited, the
 *	run of votes against the inherited K
 * @orig: original addresses in use: given over netlink, or from the
 *	mapping's peer-set entry or the SA's encap_oa
 * @orig_given: @orig was given for this SA with sa-set
 * @conflict_sent: the conflict event went out
 * @key: the peer mapping (identity copied from @x, refreshed on update)
 * @spi: the SA's SPI
 * @mark: the SA's mark value
 * @reqid: the SA's reqid
 * @seen_saddr: outer source address of the last packet
 * @seen_sum: one's-complement sum of @seen_saddr, compared without the lock
 * @stats: per-SA counters
 * @first_seen: wall-clock seconds at creation
 * @last_mismatch: wall-clock seconds of the last mismatch
 * @ev_second: jiffies / HZ of the per-SA event budget's window
 * @ev_count: events of this SA in that window
 */
struct xfrm_csum_sa {
	struct rhash_head node;
	struct list_head list;
	struct rcu_head rcu;
	struct xfrm_state *x;
	u64 id;
	u32 kstate;
	spinlock_t lock;	/* see the kernel-doc above */
	struct xfrm_csum_votes votes;
	struct xfrm_csum_orig orig;
	bool orig_given;
	bool conflict_sent;
	struct xfrm_csum_peer_key key;
	__be32 spi;
	u32 mark;
	u32 reqid;
	xfrm_address_t seen_saddr;
	u16 seen_sum;
	struct xfrm_csum_sa_stats stats;
	time64_t first_seen;
	time64_t last_mismatch;
	unsigned long ev_second;
	u32 ev_count;
};

/**
 * struct xfrm_csum_peer - the K known for a NAT mapping, for the next SA
 *	of the mapping (docs/design.md "Inherited")
 * @node: linkage in the namespace's peer table, keyed by @key
 * @lru: the namespace's list, most recently used first
 * @rcu: deferred free
 * @key: the mapping
 * @kstate: how K became known (static, none, confirmed) and K
 * @orig: original addresses, when given with peer-set
 */
struct xfrm_csum_peer {
	struct rhash_head node;
	struct list_head lru;
	struct rcu_head rcu;
	struct xfrm_csum_peer_key key;
	u32 kstate;
	struct xfrm_csum_orig orig;
};

/**
 * struct xfrm_csum_net - per network namespace state
 * @net: the namespace
 * @mode: enum xfrm_csum_mode
 * @learn: enum xfrm_csum_learn
 * @confirm_packets: agreeing votes in a row that confirm K
 * @dying: the namespace is going away: no more work is queued
 * @event_snaplen: bytes of packet in an event
 * @event_rate: events per second at most
 * @event_seq: sequence number of the last event
 * @event_rs: rate limit of events (burst = @event_rate per second)
 * @stats: namespace totals
 * @sas: SA entries by xfrm_state pointer
 * @sa_list: the same entries in creation order
 * @peers: peer table by mapping
 * @peer_lru: the same entries, most recently used first (walked under
 *	@lock only)
 * @lock: protects changes to @sas, @sa_list, @peers, @peer_lru, the
 *	counts, @next_id, @sa_gen, @peer_gen and @dying
 * @max_sas: size limit of each table (module parameter at creation)
 * @nr_sas: entries in @sas
 * @nr_peers: entries in @peers
 * @next_id: id of the next SA entry
 * @sa_gen: changes of @sa_list, for dump consistency
 * @peer_gen: changes of @peer_lru, for dump consistency
 * @memcg: memory cgroup of the namespace's creator, charged for entries
 *	allocated on the receive path
 * @gc_work: drops entries whose SA is gone
 */
struct xfrm_csum_net {
	struct net *net;
	u8 mode;
	u8 learn;
	u8 confirm_packets;
	bool dying;
	u32 event_snaplen;
	u32 event_rate;
	atomic_t event_seq;
	struct ratelimit_state event_rs;
	struct xfrm_csum_stats stats;
	struct rhashtable sas;
	struct list_head sa_list;
	struct rhashtable peers;
	struct list_head peer_lru;
	spinlock_t lock;	/* see the kernel-doc above */
	unsigned int max_sas;
	unsigned int nr_sas;
	unsigned int nr_peers;
	u64 next_id;
	u32 sa_gen;
	u32 peer_gen;
	struct mem_cgroup *memcg;
	struct delayed_work gc_work;
};

/* main.c */
extern struct xfrm_csum_stats xfrm_csum_global;
struct xfrm_csum_net *xfrm_csum_pernet(const struct net *net);

/* verify.c */
int xfrm_csum_rcv_cb(struct sk_buff *skb, int err);

/* sa.c */
extern atomic_long_t xfrm_csum_nr_sa_entries;
extern atomic_long_t xfrm_csum_nr_peer_entries;
int xfrm_csum_net_sa_init(struct xfrm_csum_net *xn);
void xfrm_csum_net_sa_pre_exit(struct xfrm_csum_net *xn);
void xfrm_csum_net_sa_exit(struct xfrm_csum_net *xn);
int xfrm_csum_sa_module_init(void);
void xfrm_csum_sa_module_exit(void);
struct xfrm_csum_sa *xfrm_csum_sa_get(struct xfrm_csum_net *xn,
				      struct xfrm_state *x, gfp_t gfp);
struct xfrm_csum_sa *xfrm_csum_sa_lookup(struct xfrm_csum_net *xn,
					 const struct xfrm_state *x);
void xfrm_csum_peer_key_of(const struct xfrm_state *x,
			   struct xfrm_csum_peer_key *key);
u16 xfrm_csum_orig_k(const struct xfrm_csum_orig *orig,
		     const struct xfrm_csum_peer_key *key);
u32 xfrm_csum_sa_vote(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
		      u16 k_pkt, bool *conflict);
void xfrm_csum_sa_match(struct xfrm_csum_sa *sa);
void xfrm_csum_sa_settle_none(struct xfrm_csum_net *xn,
			      struct xfrm_csum_sa *sa, u16 pseen);
int xfrm_csum_sa_set_orig(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
			  const struct xfrm_csum_orig *orig, bool relearn);
int xfrm_csum_peer_set(struct xfrm_csum_net *xn,
		       const struct xfrm_csum_peer_key *key,
		       const struct xfrm_csum_orig *orig);
u32 xfrm_csum_peer_kstate(struct xfrm_csum_net *xn,
			  const struct xfrm_csum_peer_key *key);
int xfrm_csum_km_init(void);
void xfrm_csum_km_exit(void);

/* netlink.c */
int xfrm_csum_genl_init(void);
void xfrm_csum_genl_exit(void);

/**
 * struct xfrm_csum_pkt - one packet being judged
 * @x: its SA
 * @sa: its entry, or NULL (untracked)
 * @skb: the packet, L4 header at @l4off from skb->data
 * @l4off: offset of the inner L4 header from skb->data (past IPv6
 *	extension headers)
 * @proto: inner protocol
 * @family: AF_INET or AF_INET6
 * @nat_state: the SA's state when it was judged
 * @csum: the checksum field as received
 * @expected: the field that would have verified under K (@have_expected)
 * @have_expected: @expected is known
 */
struct xfrm_csum_pkt {
	struct xfrm_state *x;
	struct xfrm_csum_sa *sa;
	struct sk_buff *skb;
	unsigned int l4off;
	u8 proto;
	u16 family;
	u32 nat_state;
	__sum16 csum;
	__sum16 expected;
	bool have_expected;
};

void xfrm_csum_event(struct xfrm_csum_net *xn, const struct xfrm_csum_pkt *p,
		     enum xfrm_csum_reason reason);

/* sysfs.c */
int xfrm_csum_sysfs_init(void);
void xfrm_csum_sysfs_exit(void);

static inline int xfrm_csum_addr_len(u16 family)
{
	return family == AF_INET ? sizeof(__be32) : sizeof(struct in6_addr);
}

static inline u16 xfrm_csum_addr_sum(const xfrm_address_t *a, u16 family)
{
	return xfrm_csum_addr16(a, xfrm_csum_addr_len(family));
}

#endif /* _XFRM_CSUM_H */
