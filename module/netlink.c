// SPDX-License-Identifier: GPL-2.0
/*
 * The "xfrm-csum" generic netlink family (xfrm_csum.yaml): settings,
 * counters, the SA and peer tables and events, all per network namespace.
 *
 * Operations and policies are generated from the spec (netlink-gen.c) on
 * kernels with split ops; compat/netlink-ops.c is the same table written
 * by hand for 6.1.  The family itself is declared here, because its
 * multicast group carries decrypted bytes and needs GENL_MCAST_CAP_NET_ADMIN,
 * which the generator cannot express.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/netlink.h>
#include <net/xfrm.h>

#include "xfrm_csum.h"
#ifdef XFRM_CSUM_HAVE_GENL_SPLIT_OPS
#include "netlink-gen.h"
#else
#include "compat/netlink-ops.h"
#endif

static struct genl_family xfrm_csum_nl_family;

#ifdef XFRM_CSUM_HAVE_GENL_MCAST_CAP
static const struct genl_multicast_group xfrm_csum_nl_mcgrps[] = {
	[XFRM_CSUM_NLGRP_EVENTS] = {
		.name = XFRM_CSUM_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};
#else
static const struct genl_multicast_group xfrm_csum_nl_mcgrps[] = {
	[XFRM_CSUM_NLGRP_EVENTS] = { .name = XFRM_CSUM_MCGRP_EVENTS, },
};

/*
 * No per-group capability in this kernel: only CAP_NET_ADMIN in the
 * initial user namespace may join (stricter than the namespaced rule, so
 * decrypted bytes never reach the unprivileged).
 */
static int xfrm_csum_nl_bind(int group)
{
	return capable(CAP_NET_ADMIN) ? 0 : -EPERM;
}
#endif

/* netlink attribute of each counter, in enum xfrm_csum_counter order */
static const u16 stats_attr[XFRM_CSUM_COUNTERS] = {
	[XFRM_CSUM_VERIFIED] = XFRM_CSUM_A_STATS_VERIFIED,
	[XFRM_CSUM_NAT_ADJUSTED] = XFRM_CSUM_A_STATS_NAT_ADJUSTED,
	[XFRM_CSUM_NO_CSUM] = XFRM_CSUM_A_STATS_NO_CSUM,
	[XFRM_CSUM_MISMATCH] = XFRM_CSUM_A_STATS_MISMATCH,
	[XFRM_CSUM_MALFORMED] = XFRM_CSUM_A_STATS_MALFORMED,
	[XFRM_CSUM_UNCONFIRMED] = XFRM_CSUM_A_STATS_UNCONFIRMED,
	[XFRM_CSUM_UNVERIFIED] = XFRM_CSUM_A_STATS_UNVERIFIED,
	[XFRM_CSUM_DROPPED] = XFRM_CSUM_A_STATS_DROPPED,
	[XFRM_CSUM_DEFERRED] = XFRM_CSUM_A_STATS_DEFERRED,
	[XFRM_CSUM_SKIPPED] = XFRM_CSUM_A_STATS_SKIPPED,
	[XFRM_CSUM_UNTRACKED] = XFRM_CSUM_A_STATS_UNTRACKED,
	[XFRM_CSUM_CONFLICTS] = XFRM_CSUM_A_STATS_CONFLICTS,
	[XFRM_CSUM_EVENTS] = XFRM_CSUM_A_STATS_EVENTS,
	[XFRM_CSUM_EVENTS_SUPPRESSED] = XFRM_CSUM_A_STATS_EVENTS_SUPPRESSED,
};

/* Counters as attributes: "checked" first, then @n in enum order. */
static int put_counters(struct sk_buff *msg, const u64 *v, unsigned int n)
{
	unsigned int i;

	if (nla_put_u64_64bit(msg, XFRM_CSUM_A_STATS_CHECKED,
			      xfrm_csum_checked(v), XFRM_CSUM_A_STATS_PAD))
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (nla_put_u64_64bit(msg, stats_attr[i], v[i],
				      XFRM_CSUM_A_STATS_PAD))
			return -EMSGSIZE;
	return 0;
}

static struct sk_buff *reply_new(struct genl_info *info, u8 cmd, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &xfrm_csum_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/**
 * xfrm_csum_nl_stats_get_doit - stats-get: the namespace's counters
 * @skb: request
 * @info: request attributes and namespace
 *
 * Return: 0 or a negative error.
 */
int xfrm_csum_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(genl_info_net(info));
	u64 v[XFRM_CSUM_COUNTERS];
	struct sk_buff *msg;
	void *hdr;

	msg = reply_new(info, XFRM_CSUM_CMD_STATS_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	xfrm_csum_stats_read(&xn->stats, v);
	if (put_counters(msg, v, XFRM_CSUM_COUNTERS)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * xfrm_csum_nl_config_get_doit - config-get: the namespace's settings
 * @skb: request
 * @info: request attributes and namespace
 *
 * Return: 0 or a negative error.
 */
int xfrm_csum_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = reply_new(info, XFRM_CSUM_CMD_CONFIG_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, XFRM_CSUM_A_CONFIG_MODE, READ_ONCE(xn->mode)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_CONFIG_LEARN, READ_ONCE(xn->learn)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS,
			READ_ONCE(xn->confirm_packets)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_CONFIG_EVENT_RATE,
			READ_ONCE(xn->event_rate)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN,
			READ_ONCE(xn->event_snaplen)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_CONFIG_MAX_SAS, xn->max_sas)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * xfrm_csum_nl_config_set_doit - config-set: change settings
 * @skb: request
 * @info: request attributes and namespace
 *
 * Needs CAP_NET_ADMIN in the namespace's user namespace (uns-admin-perm).
 * Ranges are checked by the policy.
 *
 * Return: 0 or a negative error, with an extack message.
 */
int xfrm_csum_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(genl_info_net(info));
	struct nlattr **a = info->attrs;

	if (!a[XFRM_CSUM_A_CONFIG_MODE] && !a[XFRM_CSUM_A_CONFIG_LEARN] &&
	    !a[XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS] &&
	    !a[XFRM_CSUM_A_CONFIG_EVENT_RATE] &&
	    !a[XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		return -EINVAL;
	}
	if (a[XFRM_CSUM_A_CONFIG_MODE])
		WRITE_ONCE(xn->mode, nla_get_u32(a[XFRM_CSUM_A_CONFIG_MODE]));
	if (a[XFRM_CSUM_A_CONFIG_LEARN])
		WRITE_ONCE(xn->learn, nla_get_u32(a[XFRM_CSUM_A_CONFIG_LEARN]));
	if (a[XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS])
		WRITE_ONCE(xn->confirm_packets,
			   nla_get_u32(a[XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS]));
	if (a[XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN])
		WRITE_ONCE(xn->event_snaplen,
			   nla_get_u32(a[XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN]));
	if (a[XFRM_CSUM_A_CONFIG_EVENT_RATE]) {
		u32 rate = nla_get_u32(a[XFRM_CSUM_A_CONFIG_EVENT_RATE]);

		WRITE_ONCE(xn->event_rate, rate);
		WRITE_ONCE(xn->event_rs.burst, rate);
	}
	return 0;
}

static int put_addr(struct sk_buff *msg, int type, const xfrm_address_t *a,
		    u16 family)
{
	return nla_put(msg, type, xfrm_csum_addr_len(family), a);
}

static int fill_sa(struct sk_buff *msg, struct xfrm_csum_sa *sa, u32 portid,
		   u32 seq, int flags, struct netlink_callback *cb)
{
	u64 v[XFRM_CSUM_SA_COUNTERS];
	struct xfrm_csum_peer_key key;
	struct xfrm_csum_orig orig;
	xfrm_address_t seen;
	struct nlattr *nest;
	u32 kstate;
	u16 delta;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &xfrm_csum_nl_family, flags,
			  XFRM_CSUM_CMD_SA_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	spin_lock_bh(&sa->lock);
	seen = sa->seen_saddr;
	orig = sa->orig;
	kstate = sa->kstate;
	key = sa->key;
	spin_unlock_bh(&sa->lock);

	if (nla_put_u16(msg, XFRM_CSUM_A_SA_FAMILY, key.family) ||
	    nla_put_be32(msg, XFRM_CSUM_A_SA_SPI, sa->spi) ||
	    put_addr(msg, XFRM_CSUM_A_SA_DADDR, &key.daddr, key.family) ||
	    put_addr(msg, XFRM_CSUM_A_SA_SADDR, &key.saddr, key.family) ||
	    nla_put_u32(msg, XFRM_CSUM_A_SA_MARK, sa->mark) ||
	    nla_put_u32(msg, XFRM_CSUM_A_SA_REQID, sa->reqid) ||
	    put_addr(msg, XFRM_CSUM_A_SA_SEEN_SADDR, &seen, key.family) ||
	    nla_put_u16(msg, XFRM_CSUM_A_SA_ENCAP_TYPE, key.encap_type) ||
	    nla_put_be16(msg, XFRM_CSUM_A_SA_ENCAP_SPORT, key.sport) ||
	    nla_put_be16(msg, XFRM_CSUM_A_SA_ENCAP_DPORT, key.dport) ||
	    (orig.saddr_set &&
	     put_addr(msg, XFRM_CSUM_A_SA_ORIG_SADDR, &orig.saddr,
		      key.family)) ||
	    (orig.daddr_set &&
	     put_addr(msg, XFRM_CSUM_A_SA_ORIG_DADDR, &orig.daddr,
		      key.family)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_SA_NAT_STATE,
			XFRM_CSUM_K_STATE(kstate)) ||
	    nla_put_u64_64bit(msg, XFRM_CSUM_A_SA_FIRST_SEEN, sa->first_seen,
			      XFRM_CSUM_A_SA_PAD) ||
	    nla_put_u64_64bit(msg, XFRM_CSUM_A_SA_LAST_MISMATCH,
			      READ_ONCE(sa->last_mismatch), XFRM_CSUM_A_SA_PAD))
		goto err_cancel;

	if (xfrm_csum_k_known(kstate)) {
		/* delta = Pseen - K for the last seen addresses */
		delta = xfrm_csum_add16(xfrm_csum_addr_sum(&seen, key.family),
					xfrm_csum_addr_sum(&key.daddr,
							   key.family));
		delta = xfrm_csum_sub16(delta, XFRM_CSUM_K_VALUE(kstate));
		/* one's-complement sums are kept in network byte order */
		if (nla_put_be16(msg, XFRM_CSUM_A_SA_NAT_K,
				 (__force __be16)XFRM_CSUM_K_VALUE(kstate)) ||
		    nla_put_be16(msg, XFRM_CSUM_A_SA_NAT_DELTA,
				 (__force __be16)delta))
			goto err_cancel;
	}

	nest = nla_nest_start(msg, XFRM_CSUM_A_SA_STATS);
	if (!nest)
		goto err_cancel;
	xfrm_csum_sa_stats_read(&sa->stats, v);
	if (put_counters(msg, v, XFRM_CSUM_SA_COUNTERS))
		goto err_cancel;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/* Copy an address attribute of @family; extack on a wrong length. */
static int get_addr(struct genl_info *info, const struct nlattr *attr,
		    u16 family, xfrm_address_t *a)
{
	memset(a, 0, sizeof(*a));
	if (nla_len(attr) != xfrm_csum_addr_len(family)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "address length does not match the family");
		return -EINVAL;
	}
	memcpy(a, nla_data(attr), nla_len(attr));
	return 0;
}

/* The family attribute: AF_INET or AF_INET6 (the policy checks the range). */
static int get_family(struct genl_info *info, int type, u16 *family)
{
	if (GENL_REQ_ATTR_CHECK(info, type))
		return -EINVAL;
	*family = nla_get_u16(info->attrs[type]);
	if (*family != AF_INET && *family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[type],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/*
 * Find the ESP SA a request names (family, daddr, spi, mark): a held
 * reference, or NULL with an extack message.
 */
static struct xfrm_state *lookup_state(struct genl_info *info, int *err)
{
	struct nlattr **a = info->attrs;
	xfrm_address_t daddr;
	struct xfrm_state *x;
	u32 mark = 0;
	u16 family;
	__be32 spi;

	*err = get_family(info, XFRM_CSUM_A_SA_FAMILY, &family);
	if (*err)
		return NULL;
	if (GENL_REQ_ATTR_CHECK(info, XFRM_CSUM_A_SA_DADDR) ||
	    GENL_REQ_ATTR_CHECK(info, XFRM_CSUM_A_SA_SPI)) {
		*err = -EINVAL;
		return NULL;
	}
	*err = get_addr(info, a[XFRM_CSUM_A_SA_DADDR], family, &daddr);
	if (*err)
		return NULL;
	spi = nla_get_be32(a[XFRM_CSUM_A_SA_SPI]);
	if (a[XFRM_CSUM_A_SA_MARK])
		mark = nla_get_u32(a[XFRM_CSUM_A_SA_MARK]);

	x = xfrm_state_lookup(genl_info_net(info), mark, &daddr, spi,
			      IPPROTO_ESP, family);
	if (!x) {
		NL_SET_ERR_MSG(info->extack,
			       "no ESP SA with this daddr, spi and mark in this namespace");
		*err = -ENOENT;
	}
	return x;
}

/**
 * xfrm_csum_nl_sa_get_doit - sa-get: one SA entry
 * @skb: request
 * @info: request attributes (family, daddr, spi, mark) and namespace
 *
 * Return: 0 or a negative error, with an extack message.
 */
int xfrm_csum_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(genl_info_net(info));
	struct xfrm_csum_sa *sa;
	struct xfrm_state *x;
	struct sk_buff *msg;
	int err;

	x = lookup_state(info, &err);
	if (!x)
		return err;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	rcu_read_lock();
	sa = xfrm_csum_sa_lookup(xn, x);
	err = sa ? fill_sa(msg, sa, info->snd_portid, info->snd_seq, 0, NULL) :
		   -ENOENT;
	rcu_read_unlock();
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG(info->extack,
				       "the SA has no entry (no packet in scope seen yet)");
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	xfrm_state_put(x);
	return err;
}

/* Dump cursor: the creation number of the next entry to send. */
struct sa_dump_ctx {
	u64 next_id;
};

/**
 * xfrm_csum_nl_sa_get_dumpit - sa-get dump: every SA entry
 * @skb: message being filled
 * @cb: dump state; entries are sent in creation order from the cursor,
 *	and a change of the table between messages sets NLM_F_DUMP_INTR
 *
 * Return: the message length, 0 when done, or a negative error.
 */
int xfrm_csum_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(sock_net(skb->sk));
	struct sa_dump_ctx *ctx = (void *)cb->ctx;
	struct xfrm_csum_sa *sa;
	int err = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	rcu_read_lock();
	cb->seq = READ_ONCE(xn->sa_gen);
	list_for_each_entry_rcu(sa, &xn->sa_list, list) {
		if (sa->id < ctx->next_id)
			continue;
		err = fill_sa(skb, sa, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err)
			break;
		ctx->next_id = sa->id + 1;
	}
	rcu_read_unlock();
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* Original addresses of a request; *given tells whether there were any. */
static int get_orig(struct genl_info *info, int s_type, int d_type, u16 family,
		    struct xfrm_csum_orig *orig)
{
	struct nlattr **a = info->attrs;
	int err;

	memset(orig, 0, sizeof(*orig));
	if (a[s_type]) {
		err = get_addr(info, a[s_type], family, &orig->saddr);
		if (err)
			return err;
		orig->saddr_set = true;
	}
	if (a[d_type]) {
		err = get_addr(info, a[d_type], family, &orig->daddr);
		if (err)
			return err;
		orig->daddr_set = true;
	}
	if ((orig->saddr_set && xfrm_addr_any(&orig->saddr, family)) ||
	    (orig->daddr_set && xfrm_addr_any(&orig->daddr, family))) {
		NL_SET_ERR_MSG(info->extack,
			       "original addresses must not be unspecified");
		return -EINVAL;
	}
	return 0;
}

/**
 * xfrm_csum_nl_sa_set_doit - sa-set: original addresses and/or relearn
 * @skb: request
 * @info: family, daddr, spi, mark; orig-saddr, orig-daddr, relearn
 *
 * The SA must exist in the namespace's SAD, be transport mode and have
 * encapsulation; its entry is created if no packet was seen yet.
 *
 * Return: 0 or a negative error, with an extack message.
 */
int xfrm_csum_nl_sa_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(genl_info_net(info));
	struct nlattr **a = info->attrs;
	struct xfrm_csum_orig orig;
	struct xfrm_csum_sa *sa;
	struct xfrm_state *x;
	bool relearn;
	int err;

	relearn = nla_get_flag(a[XFRM_CSUM_A_SA_RELEARN]);
	if (!a[XFRM_CSUM_A_SA_ORIG_SADDR] && !a[XFRM_CSUM_A_SA_ORIG_DADDR] &&
	    !relearn) {
		NL_SET_ERR_MSG(info->extack,
			       "need orig-saddr, orig-daddr or relearn");
		return -EINVAL;
	}
	x = lookup_state(info, &err);
	if (!x)
		return err;
	err = get_orig(info, XFRM_CSUM_A_SA_ORIG_SADDR,
		       XFRM_CSUM_A_SA_ORIG_DADDR, x->props.family, &orig);
	if (err)
		goto out;
	if (x->props.mode != XFRM_MODE_TRANSPORT || !x->encap) {
		NL_SET_ERR_MSG(info->extack,
			       "the SA is not transport mode with encapsulation");
		err = -EINVAL;
		goto out;
	}
	rcu_read_lock();
	sa = xfrm_csum_sa_get(xn, x, GFP_ATOMIC);
	if (sa)
		xfrm_csum_sa_set_orig(xn, sa, &orig, relearn);
	rcu_read_unlock();
	if (!sa) {
		NL_SET_ERR_MSG(info->extack,
			       "no room for an entry (max-sas reached, or memory short)");
		err = -ENOSPC;
	}
out:
	xfrm_state_put(x);
	return err;
}

static int fill_peer(struct sk_buff *msg, const struct xfrm_csum_peer *p,
		     u32 portid, u32 seq, struct netlink_callback *cb)
{
	const struct xfrm_csum_peer_key *key = &p->key;
	u32 kstate = READ_ONCE(p->kstate);
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &xfrm_csum_nl_family, NLM_F_MULTI,
			  XFRM_CSUM_CMD_PEER_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u16(msg, XFRM_CSUM_A_PEER_FAMILY, key->family) ||
	    put_addr(msg, XFRM_CSUM_A_PEER_SADDR, &key->saddr, key->family) ||
	    put_addr(msg, XFRM_CSUM_A_PEER_DADDR, &key->daddr, key->family) ||
	    nla_put_u16(msg, XFRM_CSUM_A_PEER_ENCAP_TYPE, key->encap_type) ||
	    nla_put_be16(msg, XFRM_CSUM_A_PEER_ENCAP_SPORT, key->sport) ||
	    nla_put_be16(msg, XFRM_CSUM_A_PEER_ENCAP_DPORT, key->dport) ||
	    (p->orig.saddr_set &&
	     put_addr(msg, XFRM_CSUM_A_PEER_ORIG_SADDR, &p->orig.saddr,
		      key->family)) ||
	    (p->orig.daddr_set &&
	     put_addr(msg, XFRM_CSUM_A_PEER_ORIG_DADDR, &p->orig.daddr,
		      key->family)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_PEER_NAT_STATE,
			XFRM_CSUM_K_STATE(kstate)) ||
	    nla_put_be16(msg, XFRM_CSUM_A_PEER_NAT_K,
			 (__force __be16)XFRM_CSUM_K_VALUE(kstate))) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* Dump cursor: entries of the peer list already sent. */
struct peer_dump_ctx {
	unsigned long done;
};

/**
 * xfrm_csum_nl_peer_get_dumpit - peer-get dump: the peer table
 * @skb: message being filled
 * @cb: dump state; a change of the table between messages (which also
 *	reorders it) sets NLM_F_DUMP_INTR
 *
 * Return: the message length, 0 when done, or a negative error.
 */
int xfrm_csum_nl_peer_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(sock_net(skb->sk));
	struct peer_dump_ctx *ctx = (void *)cb->ctx;
	struct xfrm_csum_peer *p;
	unsigned long i = 0;
	int err = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	spin_lock_bh(&xn->lock);
	cb->seq = xn->peer_gen;
	list_for_each_entry(p, &xn->peer_lru, lru) {
		if (i++ < ctx->done)
			continue;
		err = fill_peer(skb, p, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, cb);
		if (err)
			break;
		ctx->done++;
	}
	spin_unlock_bh(&xn->lock);
	if (err && !skb->len)
		return err;
	return skb->len;
}

/**
 * xfrm_csum_nl_peer_set_doit - peer-set: original addresses of a mapping
 * @skb: request
 * @info: family, saddr, daddr, encap-type, encap-sport, encap-dport and
 *	orig-saddr and/or orig-daddr
 *
 * Return: 0 or a negative error, with an extack message.
 */
int xfrm_csum_nl_peer_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(genl_info_net(info));
	struct nlattr **a = info->attrs;
	struct xfrm_csum_peer_key key;
	struct xfrm_csum_orig orig;
	u16 family;
	int err;

	err = get_family(info, XFRM_CSUM_A_PEER_FAMILY, &family);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, XFRM_CSUM_A_PEER_SADDR) ||
	    GENL_REQ_ATTR_CHECK(info, XFRM_CSUM_A_PEER_DADDR) ||
	    GENL_REQ_ATTR_CHECK(info, XFRM_CSUM_A_PEER_ENCAP_TYPE) ||
	    GENL_REQ_ATTR_CHECK(info, XFRM_CSUM_A_PEER_ENCAP_SPORT) ||
	    GENL_REQ_ATTR_CHECK(info, XFRM_CSUM_A_PEER_ENCAP_DPORT))
		return -EINVAL;
	memset(&key, 0, sizeof(key));
	key.family = family;
	err = get_addr(info, a[XFRM_CSUM_A_PEER_SADDR], family, &key.saddr);
	if (!err)
		err = get_addr(info, a[XFRM_CSUM_A_PEER_DADDR], family,
			       &key.daddr);
	if (err)
		return err;
	key.encap_type = nla_get_u16(a[XFRM_CSUM_A_PEER_ENCAP_TYPE]);
	if (key.encap_type != UDP_ENCAP_ESPINUDP &&
	    key.encap_type != TCP_ENCAP_ESPINTCP) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    a[XFRM_CSUM_A_PEER_ENCAP_TYPE],
				    "encap-type must be ESP-in-UDP (2) or ESP-in-TCP (7)");
		return -EINVAL;
	}
	key.sport = nla_get_be16(a[XFRM_CSUM_A_PEER_ENCAP_SPORT]);
	key.dport = nla_get_be16(a[XFRM_CSUM_A_PEER_ENCAP_DPORT]);

	if (!a[XFRM_CSUM_A_PEER_ORIG_SADDR] &&
	    !a[XFRM_CSUM_A_PEER_ORIG_DADDR]) {
		NL_SET_ERR_MSG(info->extack, "need orig-saddr or orig-daddr");
		return -EINVAL;
	}
	err = get_orig(info, XFRM_CSUM_A_PEER_ORIG_SADDR,
		       XFRM_CSUM_A_PEER_ORIG_DADDR, family, &orig);
	if (err)
		return err;
	err = xfrm_csum_peer_set(xn, &key, &orig);
	if (err == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "no room in the peer table");
	return err;
}

static struct genl_family xfrm_csum_nl_family __ro_after_init = {
	.name = XFRM_CSUM_FAMILY_NAME,
	.version = XFRM_CSUM_FAMILY_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
#ifdef XFRM_CSUM_HAVE_GENL_SPLIT_OPS
	.split_ops = xfrm_csum_nl_ops,
	.n_split_ops = ARRAY_SIZE(xfrm_csum_nl_ops),
#else
	.ops = xfrm_csum_nl_ops,
	.n_ops = ARRAY_SIZE(xfrm_csum_nl_ops),
#endif
#ifndef XFRM_CSUM_HAVE_GENL_MCAST_CAP
	.bind = xfrm_csum_nl_bind,
#endif
	.mcgrps = xfrm_csum_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(xfrm_csum_nl_mcgrps),
};

/*
 * Copy the first bytes of the packet as the stack will see it: the IP
 * header's next protocol is rewritten only in transport_finish(), after
 * the hook, so fix it (and the IPv4 header checksum) in the copy.
 */
static int put_pkt(struct sk_buff *msg, struct sk_buff *skb, u8 nexthdr,
		   u32 n, u32 pkt_len)
{
	int nhlen = skb->data - skb_network_header(skb);
	struct nlattr *attr;
	u8 *p;

	if (nla_put_u32(msg, XFRM_CSUM_A_EVENT_PKT_LEN, pkt_len))
		return -EMSGSIZE;
	if (!n)
		return 0;
	attr = nla_reserve(msg, XFRM_CSUM_A_EVENT_PKT, n);
	if (!attr)
		return -EMSGSIZE;
	p = nla_data(attr);
	if (skb_copy_bits(skb, -nhlen, p, n))
		return -EFAULT;
	if (ip_hdr(skb)->version == 4) {
		struct iphdr *iph = (struct iphdr *)p;

		if (n >= sizeof(*iph) && nhlen >= iph->ihl * 4 &&
		    n >= iph->ihl * 4) {
			iph->protocol = nexthdr;
			iph->check = 0;
			iph->check = ip_fast_csum(p, iph->ihl);
		}
	} else {
		u16 nhoff = IP6CB(skb)->nhoff;

		if (nhoff < n && nhoff < nhlen)
			p[nhoff] = nexthdr;
	}
	return 0;
}

/* At most a quarter of the namespace's rate per SA: one noisy peer does
 * not hide the others.
 */
static bool sa_event_budget(struct xfrm_csum_sa *sa, u32 rate)
{
	unsigned long now = jiffies / HZ;
	u32 budget = max_t(u32, 1, rate / 4);

	if (!sa)
		return true;
	if (READ_ONCE(sa->ev_second) != now) {
		WRITE_ONCE(sa->ev_second, now);
		WRITE_ONCE(sa->ev_count, 0);
	}
	if (READ_ONCE(sa->ev_count) >= budget)
		return false;
	WRITE_ONCE(sa->ev_count, READ_ONCE(sa->ev_count) + 1);
	return true;
}

static void event_suppressed(struct xfrm_csum_net *xn)
{
	xfrm_csum_stats_inc(&xfrm_csum_global, XFRM_CSUM_EVENTS_SUPPRESSED);
	xfrm_csum_stats_inc(&xn->stats, XFRM_CSUM_EVENTS_SUPPRESSED);
}

/**
 * xfrm_csum_event - report a packet that was not right, or a conflict
 * @xn: the namespace
 * @p: the packet and its SA
 * @reason: mismatch, malformed or conflict
 *
 * Nothing is built when nobody listens.  Rate-limited per namespace
 * (event-rate per second) and per SA; the sequence number counts every
 * event, sent or not, so listeners see gaps.
 * Context: softirq or BH disabled, RCU read side.
 */
void xfrm_csum_event(struct xfrm_csum_net *xn, const struct xfrm_csum_pkt *p,
		     enum xfrm_csum_reason reason)
{
	u32 rate = READ_ONCE(xn->event_rate), snaplen, pkt_len, n, seq;
	int alen = xfrm_csum_addr_len(p->family), nhlen;
	struct sk_buff *skb = p->skb;
	xfrm_address_t saddr = {};
	struct {
		__be16 sport;
		__be16 dport;
	} _ports, *ports;
	struct sk_buff *msg;
	size_t size;
	void *hdr;

	if (!genl_has_listeners(&xfrm_csum_nl_family, xn->net,
				XFRM_CSUM_NLGRP_EVENTS))
		return;
	seq = atomic_inc_return(&xn->event_seq);
	if (!rate || !__ratelimit(&xn->event_rs) ||
	    !sa_event_budget(p->sa, rate)) {
		event_suppressed(xn);
		return;
	}

	nhlen = skb->data - skb_network_header(skb);
	pkt_len = nhlen + skb->len;
	snaplen = READ_ONCE(xn->event_snaplen);
	n = min(snaplen, pkt_len);
	/* seq, states and lengths; family, ports and checksums */
	size = nla_total_size(sizeof(u32)) * 5 +
	       nla_total_size(sizeof(u16)) * 5 +
	       nla_total_size(sizeof(u8)) +		/* l4-proto */
	       nla_total_size(alen) * 2 +		/* addresses */
	       nla_total_size_64bit(sizeof(u64)) +	/* timestamp */
	       nla_total_size(n);			/* packet */
	msg = genlmsg_new(size, GFP_ATOMIC);
	if (!msg) {
		event_suppressed(xn);
		return;
	}
	hdr = genlmsg_put(msg, 0, 0, &xfrm_csum_nl_family, 0,
			  XFRM_CSUM_CMD_EVENT_NTF);
	if (!hdr)
		goto err_free;

	if (p->family == AF_INET)
		saddr.a4 = ip_hdr(skb)->saddr;
	else
		saddr.in6 = ipv6_hdr(skb)->saddr;
	ports = skb_header_pointer(skb, p->l4off, sizeof(_ports), &_ports);
	if (reason == XFRM_CSUM_REASON_MALFORMED)
		ports = NULL;

	if (nla_put_u32(msg, XFRM_CSUM_A_EVENT_SEQ, seq) ||
	    nla_put_u16(msg, XFRM_CSUM_A_EVENT_FAMILY, p->family) ||
	    nla_put_be32(msg, XFRM_CSUM_A_EVENT_SPI, p->x->id.spi) ||
	    nla_put(msg, XFRM_CSUM_A_EVENT_DADDR, alen, &p->x->id.daddr) ||
	    nla_put(msg, XFRM_CSUM_A_EVENT_SADDR, alen, &saddr) ||
	    nla_put_u32(msg, XFRM_CSUM_A_EVENT_NAT_STATE, p->nat_state) ||
	    nla_put_u32(msg, XFRM_CSUM_A_EVENT_REASON, reason) ||
	    nla_put_u8(msg, XFRM_CSUM_A_EVENT_L4_PROTO, p->proto) ||
	    (ports &&
	     (nla_put_be16(msg, XFRM_CSUM_A_EVENT_SPORT, ports->sport) ||
	      nla_put_be16(msg, XFRM_CSUM_A_EVENT_DPORT, ports->dport))) ||
	    (reason != XFRM_CSUM_REASON_MALFORMED &&
	     nla_put_u16(msg, XFRM_CSUM_A_EVENT_CSUM, (__force u16)p->csum)) ||
	    (p->have_expected &&
	     nla_put_u16(msg, XFRM_CSUM_A_EVENT_CSUM_EXPECTED,
			 (__force u16)p->expected)) ||
	    nla_put_u64_64bit(msg, XFRM_CSUM_A_EVENT_TIMESTAMP,
			      ktime_get_real_ns(), XFRM_CSUM_A_EVENT_PAD) ||
	    put_pkt(msg, skb, XFRM_MODE_SKB_CB(skb)->protocol, n, pkt_len))
		goto err_cancel;
	genlmsg_end(msg, hdr);

	xfrm_csum_stats_inc(&xfrm_csum_global, XFRM_CSUM_EVENTS);
	xfrm_csum_stats_inc(&xn->stats, XFRM_CSUM_EVENTS);
	genlmsg_multicast_netns(&xfrm_csum_nl_family, xn->net, msg, 0,
				XFRM_CSUM_NLGRP_EVENTS, GFP_ATOMIC);
	return;

err_cancel:
	genlmsg_cancel(msg, hdr);
err_free:
	nlmsg_free(msg);
	event_suppressed(xn);
}

int __init xfrm_csum_genl_init(void)
{
	return genl_register_family(&xfrm_csum_nl_family);
}

void xfrm_csum_genl_exit(void)
{
	genl_unregister_family(&xfrm_csum_nl_family);
}
