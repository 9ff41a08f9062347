// SPDX-License-Identifier: GPL-2.0
/*
 * The per-namespace SA and peer tables (docs/design.md, "Where K comes
 * from").
 *
 * SA entries.  One per inbound SA that carried a packet in scope or that
 * the operator configured, in an rhashtable keyed by the xfrm_state
 * pointer and on a list in creation order (dumps resume by creation
 * number).  An entry holds a reference on its state, so the pointer cannot
 * be reused while the entry exists.  Entries go when their SA is dead: a
 * key manager registered with xfrm_register_km() hears XFRM_MSG_DELSA,
 * hard XFRM_MSG_EXPIRE and XFRM_MSG_FLUSHSA (from xfrm_user and af_key)
 * and runs the namespace's sweep at once; the sweep also runs every
 * XFRM_CSUM_GC_INTERVAL for deletions that notify no one.  XFRM_MSG_UPDSA
 * refreshes the entry's view of the SA.
 *
 * Peer entries.  The K known for a NAT mapping, handed to the next SA of
 * the mapping; bounded, least recently used first out.
 *
 * Both tables hold at most max_sas entries.  Entries allocated on the
 * receive path are charged to the memory cgroup of the namespace's creator.
 *
 * Locking: xn->lock (BH) serializes changes to the tables and lists;
 * sa->lock the learning state of one entry.  sa->lock is never taken
 * with xn->lock held, nor the other way round.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/memcontrol.h>
#include <linux/rhashtable.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <net/xfrm.h>

#include "xfrm_csum.h"

#define XFRM_CSUM_GC_INTERVAL	(10 * HZ)

static struct kmem_cache *xfrm_csum_sa_cache __ro_after_init;
static struct kmem_cache *xfrm_csum_peer_cache __ro_after_init;

/* Entries allocated in all namespaces, until freed after the grace period. */
atomic_long_t xfrm_csum_nr_sa_entries;
atomic_long_t xfrm_csum_nr_peer_entries;

/* The key is a pointer: a multiplicative hash is enough, and cheap. */
static u32 sa_hashfn(const void *data, u32 len, u32 seed)
{
	return hash_64((unsigned long)*(struct xfrm_state * const *)data ^ seed,
		       32);
}

static const struct rhashtable_params sa_params = {
	.head_offset = offsetof(struct xfrm_csum_sa, node),
	.key_offset = offsetof(struct xfrm_csum_sa, x),
	.key_len = sizeof(struct xfrm_state *),
	.hashfn = sa_hashfn,
	.automatic_shrinking = true,
};

static const struct rhashtable_params peer_params = {
	.head_offset = offsetof(struct xfrm_csum_peer, node),
	.key_offset = offsetof(struct xfrm_csum_peer, key),
	.key_len = sizeof(struct xfrm_csum_peer_key),
	.automatic_shrinking = true,
};

/* Allocate from @cache, charged to the namespace's creator. */
static void *xn_alloc(struct xfrm_csum_net *xn, struct kmem_cache *cache,
		      gfp_t gfp)
{
	struct mem_cgroup *old = set_active_memcg(xn->memcg);
	void *p = kmem_cache_zalloc(cache, gfp | __GFP_NOWARN);

	set_active_memcg(old);
	return p;
}

/**
 * xfrm_csum_peer_key_of - the NAT mapping of an inbound SA
 * @x: the SA (transport mode with encapsulation)
 * @key: filled in, padding zeroed
 */
void xfrm_csum_peer_key_of(const struct xfrm_state *x,
			   struct xfrm_csum_peer_key *key)
{
	memset(key, 0, sizeof(*key));
	key->family = x->props.family;
	key->saddr = x->props.saddr;
	key->daddr = x->id.daddr;
	if (x->encap) {
		key->encap_type = x->encap->encap_type;
		key->sport = x->encap->encap_sport;
		key->dport = x->encap->encap_dport;
	}
}

/**
 * xfrm_csum_orig_k - K from original addresses
 * @orig: the addresses given; a side not given is taken as installed
 * @key: the SA's mapping (its addresses as installed)
 *
 * Return: the one's-complement sum of the original address pair.
 */
u16 xfrm_csum_orig_k(const struct xfrm_csum_orig *orig,
		     const struct xfrm_csum_peer_key *key)
{
	const xfrm_address_t *s = orig->saddr_set ? &orig->saddr : &key->saddr;
	const xfrm_address_t *d = orig->daddr_set ? &orig->daddr : &key->daddr;

	return xfrm_csum_add16(xfrm_csum_addr_sum(s, key->family),
			       xfrm_csum_addr_sum(d, key->family));
}

/*
 * Callers hold xn->lock (peer-set, relearn, the store after learning) or
 * are in an RCU read-side section (the receive path): either keeps the
 * entry alive, since unlinking takes xn->lock and freeing waits for a
 * grace period.  The lookup itself wants RCU for the bucket walk.
 */
static struct xfrm_csum_peer *peer_lookup(struct xfrm_csum_net *xn,
					  const struct xfrm_csum_peer_key *key)
{
	struct xfrm_csum_peer *p;

	rcu_read_lock();
	p = rhashtable_lookup(&xn->peers, key, peer_params);
	rcu_read_unlock();
	return p;
}

/**
 * xfrm_csum_peer_kstate - what the peer table knows for a mapping
 * @xn: the namespace
 * @key: the mapping
 *
 * Context: RCU read side.
 * Return: the packed state, XFRM_CSUM_NAT_STATE_LEARNING if nothing.
 */
u32 xfrm_csum_peer_kstate(struct xfrm_csum_net *xn,
			  const struct xfrm_csum_peer_key *key)
{
	struct xfrm_csum_peer *p = peer_lookup(xn, key);

	return p ? READ_ONCE(p->kstate) :
		   XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_LEARNING, 0);
}

static void peer_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(xfrm_csum_peer_cache,
			container_of(head, struct xfrm_csum_peer, rcu));
	atomic_long_dec(&xfrm_csum_nr_peer_entries);
}

/* Unlink a peer entry; xn->lock held.  Freed after a grace period. */
static void peer_unlink(struct xfrm_csum_net *xn, struct xfrm_csum_peer *p)
{
	rhashtable_remove_fast(&xn->peers, &p->node, peer_params);
	list_del(&p->lru);
	xn->nr_peers--;
	xn->peer_gen++;
	call_rcu(&p->rcu, peer_free_rcu);
}

/*
 * Insert or update the entry of @key; xn->lock held.  @orig marks an entry
 * set with peer-set: its K is static and is not replaced by what SAs
 * learn.  Return: the entry or NULL (no memory).
 */
static struct xfrm_csum_peer *peer_store(struct xfrm_csum_net *xn,
					 struct xfrm_csum_peer *fresh,
					 const struct xfrm_csum_peer_key *key,
					 u32 kstate,
					 const struct xfrm_csum_orig *orig)
{
	struct xfrm_csum_peer *p = peer_lookup(xn, key);

	if (p) {
		if (orig)
			p->orig = *orig;
		else if (p->orig.saddr_set || p->orig.daddr_set)
			goto out;
		WRITE_ONCE(p->kstate, kstate);
		goto out;
	}
	if (!fresh)
		return NULL;
	if (xn->nr_peers >= xn->max_sas) {
		if (list_empty(&xn->peer_lru))
			return NULL;
		peer_unlink(xn, list_last_entry(&xn->peer_lru,
						struct xfrm_csum_peer, lru));
	}
	p = fresh;
	p->key = *key;
	p->kstate = kstate;
	if (orig)
		p->orig = *orig;
	if (rhashtable_insert_fast(&xn->peers, &p->node, peer_params))
		return NULL;
	list_add(&p->lru, &xn->peer_lru);
	xn->nr_peers++;
	xn->peer_gen++;
	atomic_long_inc(&xfrm_csum_nr_peer_entries);
	return p;
out:
	if (xn->peer_lru.next != &p->lru) {
		list_move(&p->lru, &xn->peer_lru);
		xn->peer_gen++;
	}
	return p;
}

/*
 * Remember the K an SA came to know for its mapping; @orig (may be NULL)
 * the original addresses it came from, which new SAs of the mapping then
 * take as given.
 */
static void peer_remember(struct xfrm_csum_net *xn,
			  const struct xfrm_csum_peer_key *key, u32 kstate,
			  const struct xfrm_csum_orig *orig)
{
	struct xfrm_csum_peer *fresh = NULL, *p;

	rcu_read_lock();
	p = peer_lookup(xn, key);
	if (p && READ_ONCE(p->kstate) == kstate && !orig) {
		rcu_read_unlock();
		return;
	}
	rcu_read_unlock();
	if (!p)
		fresh = xn_alloc(xn, xfrm_csum_peer_cache, GFP_ATOMIC);

	spin_lock_bh(&xn->lock);
	if (!xn->dying && peer_store(xn, fresh, key, kstate, orig) == fresh)
		fresh = NULL;
	spin_unlock_bh(&xn->lock);
	if (fresh)
		kmem_cache_free(xfrm_csum_peer_cache, fresh);
}

/* Forget what the peer table knows for a mapping (relearn). */
static void peer_forget(struct xfrm_csum_net *xn,
			const struct xfrm_csum_peer_key *key)
{
	struct xfrm_csum_peer *p;

	spin_lock_bh(&xn->lock);
	p = peer_lookup(xn, key);
	if (p)
		peer_unlink(xn, p);
	spin_unlock_bh(&xn->lock);
}

/*
 * The state an entry starts in, or returns to (sa->lock held or the entry
 * not published yet): original addresses given for the SA, then for its
 * mapping (peer-set), then the SA's encap_oa, then what the peer table
 * learned, else learning.  Fills sa->orig from the source used.
 */
static u32 sa_initial_kstate(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa)
{
	const struct xfrm_state *x = sa->x;
	struct xfrm_csum_peer *p;
	u32 kstate;

	if (sa->orig.saddr_set || sa->orig.daddr_set)
		goto static_k;

	rcu_read_lock();
	p = peer_lookup(xn, &sa->key);
	kstate = p ? READ_ONCE(p->kstate) : 0;
	if (p && (p->orig.saddr_set || p->orig.daddr_set)) {
		/* given for the mapping: kept like those given for the SA */
		sa->orig = p->orig;
		sa->orig_given = true;
		rcu_read_unlock();
		goto static_k;
	}
	rcu_read_unlock();

	if (x->encap && !xfrm_addr_any(&x->encap->encap_oa, sa->key.family)) {
		/* RFC 3948 option 1: peer's original address, ours as seen */
		sa->orig.saddr = x->encap->encap_oa;
		sa->orig.saddr_set = true;
		goto static_k;
	}
	if (xfrm_csum_k_known(kstate))
		return XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_INHERITED,
					XFRM_CSUM_K_VALUE(kstate));
	return XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_LEARNING, 0);

static_k:
	return XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_STATIC,
				xfrm_csum_orig_k(&sa->orig, &sa->key));
}

/* Copy what the entry shows of its SA; sa->lock held or not published. */
static void sa_copy_identity(struct xfrm_csum_sa *sa)
{
	const struct xfrm_state *x = sa->x;

	xfrm_csum_peer_key_of(x, &sa->key);
	sa->spi = x->id.spi;
	sa->mark = x->mark.v;
	sa->reqid = x->props.reqid;
}

/**
 * xfrm_csum_sa_lookup - find the entry of an SA
 * @xn: the SA's namespace
 * @x: the SA
 *
 * Context: RCU read side.
 * Return: the entry, valid until the end of the RCU read-side section.
 */
struct xfrm_csum_sa *xfrm_csum_sa_lookup(struct xfrm_csum_net *xn,
					 const struct xfrm_state *x)
{
	return rhashtable_lookup(&xn->sas, &x, sa_params);
}

/**
 * xfrm_csum_sa_get - find or create the entry of an SA
 * @xn: the SA's namespace
 * @x: the SA, in scope (transport mode, encapsulation); the caller holds
 *	a reference or the RCU read lock
 * @gfp: allocation flags for a new entry
 *
 * Context: RCU read side (softirq on the receive path) or process context
 * inside rcu_read_lock().
 * Return: the entry, valid until the end of the RCU read-side section, or
 * NULL if the table is full, memory is short or the SA is going away.
 */
struct xfrm_csum_sa *xfrm_csum_sa_get(struct xfrm_csum_net *xn,
				      struct xfrm_state *x, gfp_t gfp)
{
	struct xfrm_csum_sa *sa, *old;
	int err;

	sa = xfrm_csum_sa_lookup(xn, x);
	if (likely(sa))
		return sa;
	if (READ_ONCE(xn->nr_sas) >= xn->max_sas ||
	    READ_ONCE(x->km.state) != XFRM_STATE_VALID)
		return NULL;

	sa = xn_alloc(xn, xfrm_csum_sa_cache, gfp);
	if (!sa)
		return NULL;
	spin_lock_init(&sa->lock);
	sa->x = x;
	sa_copy_identity(sa);
	sa->seen_saddr = sa->key.saddr;
	sa->seen_sum = xfrm_csum_addr_sum(&sa->seen_saddr, sa->key.family);
	sa->first_seen = ktime_get_real_seconds();
	sa->kstate = sa_initial_kstate(xn, sa);

	spin_lock_bh(&xn->lock);
	if (xn->dying || xn->nr_sas >= xn->max_sas) {
		err = -ENOSPC;
		goto err_unlock;
	}
	err = rhashtable_lookup_insert_fast(&xn->sas, &sa->node, sa_params);
	if (err)
		goto err_unlock;
	xfrm_state_hold(x);
	sa->id = xn->next_id++;
	list_add_tail_rcu(&sa->list, &xn->sa_list);
	WRITE_ONCE(xn->nr_sas, xn->nr_sas + 1);
	xn->sa_gen++;
	atomic_long_inc(&xfrm_csum_nr_sa_entries);
	spin_unlock_bh(&xn->lock);
	return sa;

err_unlock:
	spin_unlock_bh(&xn->lock);
	kmem_cache_free(xfrm_csum_sa_cache, sa);
	/* another CPU may have inserted it meanwhile */
	old = err == -EEXIST ? xfrm_csum_sa_lookup(xn, x) : NULL;
	return old;
}

/* After sa->lock is dropped: what a change of state means elsewhere. */
static void sa_state_changed(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
			     u32 kstate)
{
	switch (XFRM_CSUM_K_STATE(kstate)) {
	case XFRM_CSUM_NAT_STATE_CONFIRMED:
	case XFRM_CSUM_NAT_STATE_NONE:
		peer_remember(xn, &sa->key, kstate, NULL);
		break;
	case XFRM_CSUM_NAT_STATE_CONFLICT:
		xfrm_csum_stats_inc(&xfrm_csum_global, XFRM_CSUM_CONFLICTS);
		xfrm_csum_stats_inc(&xn->stats, XFRM_CSUM_CONFLICTS);
		break;
	}
}

/**
 * xfrm_csum_sa_vote - count a packet that neither verified as received nor
 *	matched a known K (docs/design.md, "Confirmed" and "Inherited")
 * @xn: the SA's namespace
 * @sa: the entry, learning or inherited
 * @k_pkt: the K the packet implies
 * @conflict: set when this vote put the SA in conflict
 *
 * Context: softirq or BH disabled, RCU read side.
 * Return: the packed state after the vote.
 */
u32 xfrm_csum_sa_vote(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
		      u16 k_pkt, bool *conflict)
{
	unsigned int confirm = READ_ONCE(xn->confirm_packets);
	enum xfrm_csum_vote res;
	u32 kstate, old;

	*conflict = false;
	spin_lock(&sa->lock);
	old = sa->kstate;
	kstate = old;
	switch (XFRM_CSUM_K_STATE(old)) {
	case XFRM_CSUM_NAT_STATE_LEARNING:
		res = xfrm_csum_votes_add(&sa->votes, k_pkt, confirm);
		break;
	case XFRM_CSUM_NAT_STATE_INHERITED:
		if (k_pkt == XFRM_CSUM_K_VALUE(old))
			goto out;
		res = xfrm_csum_votes_add(&sa->votes, k_pkt, confirm);
		/* the mapping belongs to something else now: learn anew */
		if (sa->votes.run < XFRM_CSUM_REJECT_RUN)
			goto out;
		kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_LEARNING, 0);
		break;
	default:
		goto out;
	}
	if (res == XFRM_CSUM_VOTE_CONFIRMED)
		kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_CONFIRMED, k_pkt);
	else if (res == XFRM_CSUM_VOTE_CONFLICT)
		kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_CONFLICT, 0);
	if (kstate != old) {
		WRITE_ONCE(sa->kstate, kstate);
		if (XFRM_CSUM_K_STATE(kstate) == XFRM_CSUM_NAT_STATE_CONFLICT &&
		    !sa->conflict_sent) {
			sa->conflict_sent = true;
			*conflict = true;
		}
	}
out:
	spin_unlock(&sa->lock);
	if (kstate != old)
		sa_state_changed(xn, sa, kstate);
	return kstate;
}

/**
 * xfrm_csum_sa_match - an inherited K matched: the run against it ends
 * @sa: the entry
 *
 * Context: softirq or BH disabled.
 */
void xfrm_csum_sa_match(struct xfrm_csum_sa *sa)
{
	spin_lock(&sa->lock);
	sa->votes.run = 0;
	spin_unlock(&sa->lock);
}

/**
 * xfrm_csum_sa_settle_none - a packet verified as received: no NAT
 * @xn: the SA's namespace
 * @sa: the entry
 * @pseen: the sum of the packet's addresses, the K of "no NAT"
 *
 * Static K stays (the operator's word); any other state becomes none.
 * Context: softirq or BH disabled, RCU read side.
 */
void xfrm_csum_sa_settle_none(struct xfrm_csum_net *xn,
			      struct xfrm_csum_sa *sa, u16 pseen)
{
	u32 kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_NONE, pseen);
	bool changed = false;

	spin_lock(&sa->lock);
	if (XFRM_CSUM_K_STATE(sa->kstate) != XFRM_CSUM_NAT_STATE_STATIC &&
	    sa->kstate != kstate) {
		WRITE_ONCE(sa->kstate, kstate);
		xfrm_csum_votes_reset(&sa->votes);
		changed = true;
	}
	spin_unlock(&sa->lock);
	if (changed)
		sa_state_changed(xn, sa, kstate);
}

/**
 * xfrm_csum_sa_set_orig - sa-set: original addresses and/or relearn
 * @xn: the SA's namespace
 * @sa: the entry
 * @orig: sides to set (either may be unset), or NULL
 * @relearn: forget K, the votes and the original addresses first (the
 *	peer table forgets the mapping too)
 *
 * Context: process context, inside rcu_read_lock().
 * Return: 0.
 */
int xfrm_csum_sa_set_orig(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
			  const struct xfrm_csum_orig *orig, bool relearn)
{
	struct xfrm_csum_peer_key key;
	struct xfrm_csum_orig given;
	u32 kstate;

	if (relearn)
		peer_forget(xn, &sa->key);

	spin_lock_bh(&sa->lock);
	if (relearn) {
		memset(&sa->orig, 0, sizeof(sa->orig));
		sa->orig_given = false;
		xfrm_csum_votes_reset(&sa->votes);
		sa->conflict_sent = false;
	}
	if (orig && orig->saddr_set) {
		sa->orig.saddr = orig->saddr;
		sa->orig.saddr_set = true;
		sa->orig_given = true;
	}
	if (orig && orig->daddr_set) {
		sa->orig.daddr = orig->daddr;
		sa->orig.daddr_set = true;
		sa->orig_given = true;
	}
	if (relearn && !sa->orig.saddr_set && !sa->orig.daddr_set) {
		struct xfrm_state *x = sa->x;

		/* relearn: only the SA's own encap_oa still counts */
		if (x->encap &&
		    !xfrm_addr_any(&x->encap->encap_oa, sa->key.family)) {
			sa->orig.saddr = x->encap->encap_oa;
			sa->orig.saddr_set = true;
		}
	}
	if (sa->orig.saddr_set || sa->orig.daddr_set)
		kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_STATIC,
					  xfrm_csum_orig_k(&sa->orig,
							   &sa->key));
	else
		kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_LEARNING, 0);
	WRITE_ONCE(sa->kstate, kstate);
	given = sa->orig;
	key = sa->key;
	spin_unlock_bh(&sa->lock);
	/* the next SA of the mapping (a rekey) starts with them too */
	if (given.saddr_set || given.daddr_set)
		peer_remember(xn, &key, kstate, &given);
	return 0;
}

static bool key_equal(const struct xfrm_csum_peer_key *a,
		      const struct xfrm_csum_peer_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/**
 * xfrm_csum_peer_set - peer-set: original addresses of a NAT mapping
 * @xn: the namespace
 * @key: the mapping
 * @orig: the addresses (at least one side set)
 *
 * The entry becomes static for the SAs the mapping installs later; its
 * current SA entries become static at once.
 * Context: process context.
 * Return: 0, -ENOMEM or -ENOSPC.
 */
int xfrm_csum_peer_set(struct xfrm_csum_net *xn,
		       const struct xfrm_csum_peer_key *key,
		       const struct xfrm_csum_orig *orig)
{
	u32 kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_STATIC,
				      xfrm_csum_orig_k(orig, key));
	struct xfrm_csum_peer *fresh, *p;
	struct xfrm_csum_sa *sa;
	int err = 0;

	fresh = xn_alloc(xn, xfrm_csum_peer_cache, GFP_KERNEL);
	if (!fresh)
		return -ENOMEM;
	spin_lock_bh(&xn->lock);
	p = xn->dying ? NULL : peer_store(xn, fresh, key, kstate, orig);
	spin_unlock_bh(&xn->lock);
	if (p != fresh)
		kmem_cache_free(xfrm_csum_peer_cache, fresh);
	if (!p)
		return -ENOSPC;

	rcu_read_lock();
	list_for_each_entry_rcu(sa, &xn->sa_list, list) {
		if (!key_equal(&sa->key, key))
			continue;
		spin_lock_bh(&sa->lock);
		sa->orig = *orig;
		sa->orig_given = true;
		xfrm_csum_votes_reset(&sa->votes);
		WRITE_ONCE(sa->kstate, kstate);
		spin_unlock_bh(&sa->lock);
	}
	rcu_read_unlock();
	return err;
}

static void sa_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(xfrm_csum_sa_cache,
			container_of(head, struct xfrm_csum_sa, rcu));
	atomic_long_dec(&xfrm_csum_nr_sa_entries);
}

/*
 * Unhash one entry; xn->lock held.  The state is released at once, the
 * entry after a grace period (module exit waits with rcu_barrier()).
 */
static void sa_unlink(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa)
{
	rhashtable_remove_fast(&xn->sas, &sa->node, sa_params);
	list_del_rcu(&sa->list);
	WRITE_ONCE(xn->nr_sas, xn->nr_sas - 1);
	xn->sa_gen++;
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
	if (!xn->dying)
		queue_delayed_work(system_power_efficient_wq, &xn->gc_work,
				   XFRM_CSUM_GC_INTERVAL);
	spin_unlock_bh(&xn->lock);
}

/* Run the sweep now, unless the namespace is going away. */
static void sa_gc_kick(struct xfrm_csum_net *xn)
{
	spin_lock_bh(&xn->lock);
	if (!xn->dying)
		mod_delayed_work(system_power_efficient_wq, &xn->gc_work, 0);
	spin_unlock_bh(&xn->lock);
}

/**
 * xfrm_csum_net_sa_init - set up a namespace's tables
 * @xn: the namespace's state
 *
 * Context: process context (namespace creation or module load), whose
 * memory cgroup is charged for entries made on the receive path later.
 * Return: 0 or a negative error.
 */
int xfrm_csum_net_sa_init(struct xfrm_csum_net *xn)
{
	int err;

	spin_lock_init(&xn->lock);
	INIT_LIST_HEAD(&xn->sa_list);
	INIT_LIST_HEAD(&xn->peer_lru);
	INIT_DELAYED_WORK(&xn->gc_work, sa_gc);
	err = rhashtable_init(&xn->sas, &sa_params);
	if (err)
		return err;
	err = rhashtable_init(&xn->peers, &peer_params);
	if (err)
		goto err_sas;
	xn->memcg = current->mm ? get_mem_cgroup_from_mm(current->mm) : NULL;
	queue_delayed_work(system_power_efficient_wq, &xn->gc_work,
			   XFRM_CSUM_GC_INTERVAL);
	return 0;

err_sas:
	rhashtable_destroy(&xn->sas);
	return err;
}

/**
 * xfrm_csum_net_sa_pre_exit - the namespace is going away
 * @xn: the namespace's state
 *
 * From here on neither the key-manager notifier nor the sweep queues work
 * for it.
 */
void xfrm_csum_net_sa_pre_exit(struct xfrm_csum_net *xn)
{
	spin_lock_bh(&xn->lock);
	xn->dying = true;
	spin_unlock_bh(&xn->lock);
}

/**
 * xfrm_csum_net_sa_exit - free a namespace's tables
 * @xn: the namespace's state
 *
 * No packet of the namespace can reach the tables any more (the namespace
 * is dead, or the hook is gone on module unload).  States are released
 * here, before the xfrm layer's own namespace exit, which was registered
 * first and so runs last.
 */
void xfrm_csum_net_sa_exit(struct xfrm_csum_net *xn)
{
	struct xfrm_csum_peer *p, *ptmp;
	struct xfrm_csum_sa *sa, *tmp;

	cancel_delayed_work_sync(&xn->gc_work);
	spin_lock_bh(&xn->lock);
	list_for_each_entry_safe(sa, tmp, &xn->sa_list, list)
		sa_unlink(xn, sa);
	list_for_each_entry_safe(p, ptmp, &xn->peer_lru, lru)
		peer_unlink(xn, p);
	spin_unlock_bh(&xn->lock);
	rhashtable_destroy(&xn->sas);
	rhashtable_destroy(&xn->peers);
	mem_cgroup_put(xn->memcg);
}

/*
 * XFRM_MSG_UPDSA: xfrm_state_update() copied the new encapsulation into
 * the installed state.  The entry takes the new mapping; K stays unless
 * original addresses now say otherwise (a rebinding NAT changes ports,
 * not the original addresses; docs/design.md).
 */
static void sa_updated(struct xfrm_csum_net *xn, struct xfrm_state *x)
{
	struct xfrm_csum_peer_key key;
	struct xfrm_csum_orig given;
	struct xfrm_csum_sa *sa;
	struct xfrm_state *x1;
	u32 kstate;

	x1 = xfrm_state_lookup(xs_net(x), x->mark.v & x->mark.m, &x->id.daddr,
			       x->id.spi, x->id.proto, x->props.family);
	if (!x1)
		return;
	rcu_read_lock();
	sa = xfrm_csum_sa_lookup(xn, x1);
	if (sa) {
		spin_lock_bh(&sa->lock);
		sa_copy_identity(sa);
		kstate = sa->kstate;
		/*
		 * Addresses given over netlink for this SA stay; a static K
		 * from encap_oa or from the old mapping's peer entry, or no K
		 * yet, is looked up again for the new mapping.
		 */
		if (!sa->orig_given &&
		    (XFRM_CSUM_K_STATE(kstate) == XFRM_CSUM_NAT_STATE_STATIC ||
		     !xfrm_csum_k_known(kstate))) {
			memset(&sa->orig, 0, sizeof(sa->orig));
			xfrm_csum_votes_reset(&sa->votes);
			sa->conflict_sent = false;
			WRITE_ONCE(sa->kstate, sa_initial_kstate(xn, sa));
		}
		kstate = sa->kstate;
		given = sa->orig;
		key = sa->key;
		spin_unlock_bh(&sa->lock);
		/* what is known follows the SA to its new mapping */
		if (xfrm_csum_k_known(kstate) &&
		    XFRM_CSUM_K_STATE(kstate) != XFRM_CSUM_NAT_STATE_INHERITED)
			peer_remember(xn, &key, kstate,
				      given.saddr_set || given.daddr_set ?
				      &given : NULL);
	}
	rcu_read_unlock();
	xfrm_state_put(x1);
}

static int xfrm_csum_km_notify(struct xfrm_state *x, const struct km_event *c)
{
	/* xfrm_user sets c->net only for flushes; states carry their own */
	struct net *net = x ? xs_net(x) : c->net;
	struct xfrm_csum_net *xn;

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
		sa_gc_kick(xn);
		break;
	case XFRM_MSG_UPDSA:
		if (x && x->encap && x->props.mode == XFRM_MODE_TRANSPORT &&
		    !READ_ONCE(xn->dying))
			sa_updated(xn, x);
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

/**
 * xfrm_csum_sa_module_init - create the entry caches
 *
 * Return: 0 or -ENOMEM.
 */
int xfrm_csum_sa_module_init(void)
{
	xfrm_csum_sa_cache = KMEM_CACHE(xfrm_csum_sa, SLAB_ACCOUNT);
	if (!xfrm_csum_sa_cache)
		return -ENOMEM;
	xfrm_csum_peer_cache = KMEM_CACHE(xfrm_csum_peer, SLAB_ACCOUNT);
	if (!xfrm_csum_peer_cache) {
		kmem_cache_destroy(xfrm_csum_sa_cache);
		return -ENOMEM;
	}
	return 0;
}

void xfrm_csum_sa_module_exit(void)
{
	kmem_cache_destroy(xfrm_csum_peer_cache);
	kmem_cache_destroy(xfrm_csum_sa_cache);
}
