// SPDX-License-Identifier: GPL-2.0
/*
 * The per-namespace SA table: one entry per inbound SA that carried a
 * packet in scope (or that the operator configured), with its counters
 * and NAT difference K (docs/design.md).
 *
 * Lifetime.  An entry holds a reference on its xfrm_state, so the state
 * pointer used as the key cannot be recycled for another SA while the
 * entry exists.  Entries go away when their SA is dead: a key manager
 * registered with xfrm_register_km() hears XFRM_MSG_DELSA, hard
 * XFRM_MSG_EXPIRE and XFRM_MSG_FLUSHSA (from xfrm_user and af_key alike)
 * and kicks the namespace's collector at once; the collector also runs
 * every XFRM_CSUM_GC_INTERVAL to catch the few deletions that notify no
 * one.  The dead state is released when the entry is unhashed, the entry
 * memory after an RCU grace period.  XFRM_MSG_UPDSA (and the same SA
 * re-added by a migration) resets learning.
 *
 * The table is bounded by the max_sas module parameter: beyond it packets
 * are still verified (with encap_oa, or T == 0) but counted "untracked".
 *
 * Rekey inheritance: when an SA locks K, K is remembered for the SA's
 * address pair (peer as installed, local); the next SA between the same
 * addresses starts provisional with it.  The list is bounded by max_sas
 * too, the least recently locked pair goes first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/slab.h>
#include <net/xfrm.h>

#include "xfrm_csum.h"

#define XFRM_CSUM_GC_INTERVAL	(10 * HZ)

static unsigned int sa_bucket(const struct xfrm_state *x)
{
	return hash_ptr(x, ilog2(XFRM_CSUM_SA_BUCKETS));
}

static struct xfrm_csum_sa *sa_lookup(struct xfrm_csum_net *xn,
				      const struct xfrm_state *x)
{
	struct xfrm_csum_sa *sa;

	hlist_for_each_entry_rcu(sa, &xn->sas[sa_bucket(x)], node)
		if (sa->x == x)
			return sa;
	return NULL;
}

static void sa_free_rcu(struct rcu_head *head)
{
	struct xfrm_csum_sa *sa = container_of(head, struct xfrm_csum_sa, rcu);

	xfrm_csum_stats_free(&sa->stats);
	kfree(sa);
}

/* xn->lock held */
static struct xfrm_csum_peer *peer_find(struct xfrm_csum_net *xn, u16 family,
					const xfrm_address_t *saddr,
					const xfrm_address_t *daddr)
{
	struct xfrm_csum_peer *p;

	list_for_each_entry(p, &xn->peers, list)
		if (p->family == family && xfrm_addr_equal(&p->saddr, saddr, family) &&
		    xfrm_addr_equal(&p->daddr, daddr, family))
			return p;
	return NULL;
}

/* Remember the K an SA locked, for the next SA between the same addresses. */
static void peer_remember(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
			  u16 k)
{
	struct xfrm_csum_peer *p;

	spin_lock_bh(&xn->lock);
	p = peer_find(xn, sa->family, &sa->saddr, &sa->daddr);
	if (!p) {
		if (xn->nr_peers >= READ_ONCE(xfrm_csum_max_sas) &&
		    !list_empty(&xn->peers)) {
			p = list_last_entry(&xn->peers, struct xfrm_csum_peer,
					    list);
		} else {
			p = kzalloc(sizeof(*p), GFP_ATOMIC);
			if (!p)
				goto out;
			xn->nr_peers++;
			list_add(&p->list, &xn->peers);
		}
		p->family = sa->family;
		p->saddr = sa->saddr;
		p->daddr = sa->daddr;
	}
	p->k = k;
	list_move(&p->list, &xn->peers);
out:
	spin_unlock_bh(&xn->lock);
}

/**
 * xfrm_csum_sa_get - find or create the entry of an SA
 * @xn: the SA's namespace
 * @x: the SA (the caller holds a reference or the RCU read lock)
 * @gfp: allocation flags for a new entry
 *
 * Context: RCU read side (softirq on the receive path) or process context.
 * Return: the entry, valid until the end of the RCU read-side section, or
 * NULL if the table is full or memory is short.
 */
struct xfrm_csum_sa *xfrm_csum_sa_get(struct xfrm_csum_net *xn,
				      struct xfrm_state *x, gfp_t gfp)
{
	struct xfrm_csum_peer *inherited;
	struct xfrm_csum_sa *sa, *old;

	sa = sa_lookup(xn, x);
	if (likely(sa))
		return sa;
	if (READ_ONCE(xn->nr_sas) >= READ_ONCE(xfrm_csum_max_sas) ||
	    READ_ONCE(x->km.state) != XFRM_STATE_VALID)
		return NULL;

	sa = kzalloc(sizeof(*sa), gfp);
	if (!sa)
		return NULL;
	if (xfrm_csum_stats_init(&sa->stats, gfp)) {
		kfree(sa);
		return NULL;
	}
	spin_lock_init(&sa->lock);
	sa->x = x;
	sa->family = x->props.family;
	sa->spi = x->id.spi;
	sa->mark = x->mark.v;
	sa->daddr = x->id.daddr;
	sa->saddr = x->props.saddr;
	sa->seen_saddr = x->props.saddr;
	if (x->encap) {
		sa->encap_type = x->encap->encap_type;
		sa->encap_sport = x->encap->encap_sport;
		sa->encap_dport = x->encap->encap_dport;
	}
	sa->kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_LEARNING, 0);
	sa->first_seen = ktime_get_real_seconds();

	spin_lock_bh(&xn->lock);
	old = sa_lookup(xn, x);
	if (old || xn->nr_sas >= READ_ONCE(xfrm_csum_max_sas)) {
		spin_unlock_bh(&xn->lock);
		xfrm_csum_stats_free(&sa->stats);
		kfree(sa);
		return old;
	}
	inherited = peer_find(xn, sa->family, &sa->saddr, &sa->daddr);
	if (inherited)
		sa->kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_PROVISIONAL,
					      inherited->k);
	xfrm_state_hold(x);
	hlist_add_head_rcu(&sa->node, &xn->sas[sa_bucket(x)]);
	list_add_tail(&sa->list, &xn->sa_list);
	WRITE_ONCE(xn->nr_sas, xn->nr_sas + 1);
	spin_unlock_bh(&xn->lock);
	return sa;
}

/**
 * xfrm_csum_sa_find - find an entry by SA identity
 * @xn: the namespace
 * @family: AF_INET or AF_INET6
 * @daddr: the SA's destination (local) address
 * @spi: the SA's SPI
 *
 * Context: caller holds @xn->lock or the RCU read lock.
 * Return: the entry or NULL.
 */
struct xfrm_csum_sa *xfrm_csum_sa_find(struct xfrm_csum_net *xn, u16 family,
				       const xfrm_address_t *daddr, __be32 spi)
{
	struct xfrm_csum_sa *sa;

	list_for_each_entry_rcu(sa, &xn->sa_list, list,
				lockdep_is_held(&xn->lock))
		if (sa->family == family && sa->spi == spi &&
		    xfrm_addr_equal(&sa->daddr, daddr, family))
			return sa;
	return NULL;
}

/**
 * xfrm_csum_sa_learn - count one vote for the SA's NAT difference
 * @xn: the SA's namespace (for learn_packets)
 * @sa: the entry, not locked yet
 * @k_pkt: the K this packet implies
 *
 * learn_packets consecutive agreeing votes lock K; a disagreeing vote
 * starts a new candidate (docs/design.md).  A provisional K (inherited)
 * stays in use until then.
 *
 * Return: the packed state after the vote (XFRM_CSUM_K_*).
 */
u32 xfrm_csum_sa_learn(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
		       u16 k_pkt)
{
	bool locked = false;
	u32 kstate;

	spin_lock_bh(&sa->lock);
	kstate = sa->kstate;
	if (XFRM_CSUM_K_STATE(kstate) == XFRM_CSUM_NAT_STATE_LOCKED)
		goto out;
	if (sa->votes && sa->cand == k_pkt) {
		sa->votes++;
	} else {
		sa->cand = k_pkt;
		sa->votes = 1;
	}
	if (sa->votes >= READ_ONCE(xn->learn_packets)) {
		kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_LOCKED, k_pkt);
		WRITE_ONCE(sa->kstate, kstate);
		locked = true;
	}
out:
	spin_unlock_bh(&sa->lock);
	if (locked)
		peer_remember(xn, sa, k_pkt);
	return kstate;
}

/**
 * xfrm_csum_sa_set_orig - set the peer's original address of an SA
 * @sa: the entry
 * @oa: the address (of the SA's family)
 */
void xfrm_csum_sa_set_orig(struct xfrm_csum_sa *sa, const xfrm_address_t *oa)
{
	spin_lock_bh(&sa->lock);
	sa->orig_addr = *oa;
	WRITE_ONCE(sa->orig_set, true);
	spin_unlock_bh(&sa->lock);
}

/**
 * xfrm_csum_sa_relearn - forget the learned NAT difference and the
 *	operator's original address
 * @sa: the entry
 */
void xfrm_csum_sa_relearn(struct xfrm_csum_sa *sa)
{
	spin_lock_bh(&sa->lock);
	sa->votes = 0;
	sa->cand = 0;
	WRITE_ONCE(sa->orig_set, false);
	WRITE_ONCE(sa->kstate,
		   XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_LEARNING, 0));
	spin_unlock_bh(&sa->lock);
}

/* Unhash one entry; xn->lock held.  The state is released at once. */
static void sa_unlink(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa)
{
	hlist_del_rcu(&sa->node);
	list_del_rcu(&sa->list);
	WRITE_ONCE(xn->nr_sas, xn->nr_sas - 1);
	xfrm_state_put(sa->x);
	call_rcu(&sa->rcu, sa_free_rcu);
}

static void sa_gc(struct work_struct *work)
{
	struct xfrm_csum_net *xn = container_of(to_delayed_work(work),
						struct xfrm_csum_net, gc_work);
	struct xfrm_csum_sa *sa, *tmp;

	spin_lock_bh(&xn->lock);
	list_for_each_entry_safe(sa, tmp, &xn->sa_list, list)
		if (READ_ONCE(sa->x->km.state) == XFRM_STATE_DEAD)
			sa_unlink(xn, sa);
	spin_unlock_bh(&xn->lock);
	queue_delayed_work(system_power_efficient_wq, &xn->gc_work,
			   XFRM_CSUM_GC_INTERVAL);
}

void xfrm_csum_net_sa_init(struct xfrm_csum_net *xn)
{
	int i;

	spin_lock_init(&xn->lock);
	INIT_LIST_HEAD(&xn->sa_list);
	INIT_LIST_HEAD(&xn->peers);
	for (i = 0; i < XFRM_CSUM_SA_BUCKETS; i++)
		INIT_HLIST_HEAD(&xn->sas[i]);
	INIT_DELAYED_WORK(&xn->gc_work, sa_gc);
	queue_delayed_work(system_power_efficient_wq, &xn->gc_work,
			   XFRM_CSUM_GC_INTERVAL);
}

/*
 * Namespace exit or module unload: no packet of this namespace can reach
 * the table any more.  States are released here, before the xfrm layer's
 * own namespace exit runs (it was registered first, so it exits last).
 */
void xfrm_csum_net_sa_exit(struct xfrm_csum_net *xn)
{
	struct xfrm_csum_peer *p, *ptmp;
	struct xfrm_csum_sa *sa, *tmp;

	cancel_delayed_work_sync(&xn->gc_work);
	spin_lock_bh(&xn->lock);
	list_for_each_entry_safe(sa, tmp, &xn->sa_list, list)
		sa_unlink(xn, sa);
	list_for_each_entry_safe(p, ptmp, &xn->peers, list) {
		list_del(&p->list);
		kfree(p);
	}
	xn->nr_peers = 0;
	spin_unlock_bh(&xn->lock);
}

static int xfrm_csum_km_notify(struct xfrm_state *x, const struct km_event *c)
{
	/* xfrm_user sets c->net only for flushes; states carry their own */
	struct net *net = x ? xs_net(x) : c->net;
	struct xfrm_csum_net *xn;
	struct xfrm_csum_sa *sa;

	if (!net)
		return 0;
	xn = xfrm_csum_pernet(net);
	switch (c->event) {
	case XFRM_MSG_EXPIRE:
		if (!c->data.hard)
			break;
		fallthrough;
	case XFRM_MSG_DELSA:
	case XFRM_MSG_FLUSHSA:
		mod_delayed_work(system_power_efficient_wq, &xn->gc_work, 0);
		break;
	case XFRM_MSG_UPDSA:
		/* xfrm_state_update() copied the new SA into the installed one */
		if (!x)
			break;
		spin_lock_bh(&xn->lock);
		sa = xfrm_csum_sa_find(xn, x->props.family, &x->id.daddr,
				       x->id.spi);
		if (sa)
			xfrm_csum_sa_relearn(sa);
		spin_unlock_bh(&xn->lock);
		break;
	}
	return 0;
}

/* Not a key manager: never answer acquires or socket policies. */
static int xfrm_csum_km_acquire(struct xfrm_state *x, struct xfrm_tmpl *t,
				struct xfrm_policy *xp)
{
	return -EINVAL;
}

static struct xfrm_policy *xfrm_csum_km_compile(struct sock *sk, int opt,
						u8 *data, int len, int *dir)
{
	/* *dir keeps the previous manager's error; NULL means not ours */
	return NULL;
}

static struct xfrm_mgr xfrm_csum_km = {
	.notify = xfrm_csum_km_notify,
	.acquire = xfrm_csum_km_acquire,
	.compile_policy = xfrm_csum_km_compile,
};

int xfrm_csum_km_init(void)
{
	xfrm_register_km(&xfrm_csum_km);
	return 0;
}

void xfrm_csum_km_exit(void)
{
	xfrm_unregister_km(&xfrm_csum_km);
}
