// SPDX-License-Identifier: GPL-2.0
/*
 * The "xfrm-csum" generic netlink family (xfrm_csum.yaml): counters,
 * settings, the SA table and mismatch events, all per network namespace.
 *
 * The policies are written by hand against the generated UAPI header: the
 * same per-op table works on 6.1, which has no split ops.
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

static struct genl_family xfrm_csum_family;

enum xfrm_csum_mcgrp {
	XFRM_CSUM_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group xfrm_csum_mcgrps[] = {
	[XFRM_CSUM_MCGRP_EVENTS_ID] = { .name = XFRM_CSUM_MCGRP_EVENTS, },
};

/* netlink attribute of each counter, in enum xfrm_csum_counter order */
static const u16 stats_attr[XFRM_CSUM_COUNTERS] = {
	[XFRM_CSUM_CHECKED] = XFRM_CSUM_A_STATS_CHECKED,
	[XFRM_CSUM_VERIFIED] = XFRM_CSUM_A_STATS_VERIFIED,
	[XFRM_CSUM_NAT_ADJUSTED] = XFRM_CSUM_A_STATS_NAT_ADJUSTED,
	[XFRM_CSUM_UNVERIFIED] = XFRM_CSUM_A_STATS_UNVERIFIED,
	[XFRM_CSUM_NO_CSUM] = XFRM_CSUM_A_STATS_NO_CSUM,
	[XFRM_CSUM_MISMATCH] = XFRM_CSUM_A_STATS_MISMATCH,
	[XFRM_CSUM_DROPPED] = XFRM_CSUM_A_STATS_DROPPED,
	[XFRM_CSUM_MALFORMED] = XFRM_CSUM_A_STATS_MALFORMED,
	[XFRM_CSUM_SKIPPED] = XFRM_CSUM_A_STATS_SKIPPED,
	[XFRM_CSUM_UNTRACKED] = XFRM_CSUM_A_STATS_UNTRACKED,
	[XFRM_CSUM_EVENTS] = XFRM_CSUM_A_STATS_EVENTS,
	[XFRM_CSUM_EVENTS_SUPPRESSED] = XFRM_CSUM_A_STATS_EVENTS_SUPPRESSED,
};

static int put_stats(struct sk_buff *skb, const struct xfrm_csum_stats *s,
		     unsigned int n)
{
	u64 v[XFRM_CSUM_COUNTERS];
	unsigned int i;

	xfrm_csum_stats_read(s, v, n);
	for (i = 0; i < n; i++)
		if (nla_put_u64_64bit(skb, stats_attr[i], v[i],
				      XFRM_CSUM_A_STATS_PAD))
			return -EMSGSIZE;
	return 0;
}

static int addr_len(u16 family)
{
	return family == AF_INET ? sizeof(__be32) : sizeof(struct in6_addr);
}

static struct sk_buff *reply_new(struct genl_info *info, u8 cmd, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &xfrm_csum_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/**
 * xfrm_csum_nl_stats_get - XFRM_CSUM_CMD_STATS_GET: the namespace's counters
 * @skb: request
 * @info: request attributes and namespace
 *
 * Return: 0 or a negative error.
 */
static int xfrm_csum_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = reply_new(info, XFRM_CSUM_CMD_STATS_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	if (put_stats(msg, &xn->stats, XFRM_CSUM_COUNTERS)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * xfrm_csum_nl_config_get - XFRM_CSUM_CMD_CONFIG_GET: the namespace's settings
 * @skb: request
 * @info: request attributes and namespace
 *
 * Return: 0 or a negative error.
 */
static int xfrm_csum_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = reply_new(info, XFRM_CSUM_CMD_CONFIG_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, XFRM_CSUM_A_CONFIG_MODE, READ_ONCE(xn->mode)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_CONFIG_LEARN_PACKETS,
			READ_ONCE(xn->learn_packets)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_CONFIG_EVENT_RATE,
			READ_ONCE(xn->event_rate)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN,
			READ_ONCE(xn->event_snaplen)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_CONFIG_MAX_SAS,
			READ_ONCE(xfrm_csum_max_sas))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * xfrm_csum_nl_config_set - XFRM_CSUM_CMD_CONFIG_SET: change settings
 * @skb: request
 * @info: request attributes and namespace
 *
 * Needs CAP_NET_ADMIN in the namespace's user namespace (GENL_UNS_ADMIN_PERM).
 * Ranges are checked by the policy; max-sas is read-only.
 *
 * Return: 0 or a negative error, with an extack message.
 */
static int xfrm_csum_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(genl_info_net(info));
	struct nlattr **a = info->attrs;

	if (a[XFRM_CSUM_A_CONFIG_MAX_SAS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[XFRM_CSUM_A_CONFIG_MAX_SAS],
				    "max-sas is a module parameter (read-only)");
		return -EOPNOTSUPP;
	}
	if (!a[XFRM_CSUM_A_CONFIG_MODE] &&
	    !a[XFRM_CSUM_A_CONFIG_LEARN_PACKETS] &&
	    !a[XFRM_CSUM_A_CONFIG_EVENT_RATE] &&
	    !a[XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		return -EINVAL;
	}
	if (a[XFRM_CSUM_A_CONFIG_MODE])
		WRITE_ONCE(xn->mode, nla_get_u32(a[XFRM_CSUM_A_CONFIG_MODE]));
	if (a[XFRM_CSUM_A_CONFIG_LEARN_PACKETS])
		WRITE_ONCE(xn->learn_packets,
			   nla_get_u32(a[XFRM_CSUM_A_CONFIG_LEARN_PACKETS]));
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

static int fill_sa(struct sk_buff *msg, struct xfrm_csum_sa *sa, u32 portid,
		   u32 seq, int flags)
{
	int alen = addr_len(sa->family);
	xfrm_address_t seen, orig;
	struct nlattr *nest;
	bool orig_set;
	u16 delta, own;
	u32 kstate;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &xfrm_csum_family, flags,
			  XFRM_CSUM_CMD_SA_GET);
	if (!hdr)
		return -EMSGSIZE;

	spin_lock_bh(&sa->lock);
	seen = sa->seen_saddr;
	orig = sa->orig_addr;
	orig_set = sa->orig_set;
	kstate = sa->kstate;
	spin_unlock_bh(&sa->lock);
	/* the SA's own encap_oa counts when no address was set by hand */
	if (!orig_set && sa->x->encap &&
	    !xfrm_addr_any(&sa->x->encap->encap_oa, sa->family)) {
		orig = sa->x->encap->encap_oa;
		orig_set = true;
	}
	own = xfrm_csum_addr_sum(&sa->daddr, sa->family);
	if (orig_set) {
		u16 k = xfrm_csum_add16(xfrm_csum_addr_sum(&orig, sa->family),
					own);

		kstate = XFRM_CSUM_K_PACK(XFRM_CSUM_NAT_STATE_STATIC, k);
	}

	if (nla_put_u16(msg, XFRM_CSUM_A_SA_FAMILY, sa->family) ||
	    nla_put_be32(msg, XFRM_CSUM_A_SA_SPI, sa->spi) ||
	    nla_put(msg, XFRM_CSUM_A_SA_DADDR, alen, &sa->daddr) ||
	    nla_put(msg, XFRM_CSUM_A_SA_SADDR, alen, &sa->saddr) ||
	    nla_put(msg, XFRM_CSUM_A_SA_SEEN_SADDR, alen, &seen) ||
	    nla_put_u16(msg, XFRM_CSUM_A_SA_ENCAP_TYPE, sa->encap_type) ||
	    nla_put_be16(msg, XFRM_CSUM_A_SA_ENCAP_SPORT, sa->encap_sport) ||
	    nla_put_be16(msg, XFRM_CSUM_A_SA_ENCAP_DPORT, sa->encap_dport) ||
	    (orig_set &&
	     nla_put(msg, XFRM_CSUM_A_SA_ORIG_ADDR, alen, &orig)) ||
	    nla_put_u32(msg, XFRM_CSUM_A_SA_NAT_STATE,
			XFRM_CSUM_K_STATE(kstate)) ||
	    nla_put_u64_64bit(msg, XFRM_CSUM_A_SA_FIRST_SEEN, sa->first_seen,
			      XFRM_CSUM_A_SA_PAD) ||
	    nla_put_u64_64bit(msg, XFRM_CSUM_A_SA_LAST_MISMATCH,
			      READ_ONCE(sa->last_mismatch), XFRM_CSUM_A_SA_PAD))
		goto err_cancel;

	if (XFRM_CSUM_K_STATE(kstate) != XFRM_CSUM_NAT_STATE_LEARNING) {
		/* delta = Pseen - K for the last seen addresses */
		delta = xfrm_csum_add16(xfrm_csum_addr_sum(&seen, sa->family),
					own);
		delta = xfrm_csum_sub16(delta, XFRM_CSUM_K_VALUE(kstate));
		if (nla_put_u16(msg, XFRM_CSUM_A_SA_NAT_DELTA, delta))
			goto err_cancel;
	}

	nest = nla_nest_start(msg, XFRM_CSUM_A_SA_STATS);
	if (!nest || put_stats(msg, &sa->stats, XFRM_CSUM_SA_COUNTERS))
		goto err_cancel;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/* Parse family, daddr, spi of a request; extack on error. */
static int parse_sa_id(struct genl_info *info, u16 *family,
		       xfrm_address_t *daddr, __be32 *spi)
{
	struct nlattr **a = info->attrs;
	struct nlattr *d;

	if (GENL_REQ_ATTR_CHECK(info, XFRM_CSUM_A_SA_FAMILY) ||
	    GENL_REQ_ATTR_CHECK(info, XFRM_CSUM_A_SA_DADDR) ||
	    GENL_REQ_ATTR_CHECK(info, XFRM_CSUM_A_SA_SPI))
		return -EINVAL;
	*family = nla_get_u16(a[XFRM_CSUM_A_SA_FAMILY]);
	if (*family != AF_INET && *family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[XFRM_CSUM_A_SA_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	d = a[XFRM_CSUM_A_SA_DADDR];
	if (nla_len(d) != addr_len(*family)) {
		NL_SET_ERR_MSG_ATTR(info->extack, d,
				    "address length does not match the family");
		return -EINVAL;
	}
	memset(daddr, 0, sizeof(*daddr));
	memcpy(daddr, nla_data(d), nla_len(d));
	*spi = nla_get_be32(a[XFRM_CSUM_A_SA_SPI]);
	return 0;
}

/**
 * xfrm_csum_nl_sa_get - XFRM_CSUM_CMD_SA_GET: one SA entry
 * @skb: request
 * @info: request attributes (family, daddr, spi) and namespace
 *
 * Return: 0 or a negative error, with an extack message.
 */
static int xfrm_csum_nl_sa_get(struct sk_buff *skb, struct genl_info *info)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(genl_info_net(info));
	struct xfrm_csum_sa *sa;
	xfrm_address_t daddr;
	struct sk_buff *msg;
	u16 family;
	__be32 spi;
	int err;

	err = parse_sa_id(info, &family, &daddr, &spi);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	sa = xfrm_csum_sa_find(xn, family, &daddr, spi);
	err = sa ? fill_sa(msg, sa, info->snd_portid, info->snd_seq, 0) :
		   -ENOENT;
	rcu_read_unlock();
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG(info->extack,
				       "no entry for this SA (no packet seen yet?)");
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/**
 * xfrm_csum_nl_sa_dump - XFRM_CSUM_CMD_SA_GET dump: every SA entry
 * @skb: message being filled
 * @cb: dump state; cb->args[0] is the number of entries already sent
 *
 * Return: the message length, 0 when done, or a negative error.
 */
static int xfrm_csum_nl_sa_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(sock_net(skb->sk));
	struct xfrm_csum_sa *sa;
	long idx = 0;
	int err = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(sa, &xn->sa_list, list) {
		if (idx++ < cb->args[0])
			continue;
		err = fill_sa(skb, sa, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err) {
			idx--;
			break;
		}
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	if (err && !skb->len)
		return err;
	return skb->len;
}

/**
 * xfrm_csum_nl_sa_set - XFRM_CSUM_CMD_SA_SET: original address or relearn
 * @skb: request
 * @info: family, daddr, spi and orig-addr and/or relearn
 *
 * The SA must exist in the namespace's SAD, be transport mode and have
 * encapsulation; its entry is created if no packet was seen yet.  relearn
 * is applied first, so both together replace the address.
 *
 * Return: 0 or a negative error, with an extack message.
 */
static int xfrm_csum_nl_sa_set(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct xfrm_csum_net *xn = xfrm_csum_pernet(net);
	struct nlattr **a = info->attrs;
	struct nlattr *oa_attr = a[XFRM_CSUM_A_SA_ORIG_ADDR];
	xfrm_address_t daddr, oa;
	struct xfrm_csum_sa *sa;
	struct xfrm_state *x;
	u16 family;
	__be32 spi;
	int err;

	err = parse_sa_id(info, &family, &daddr, &spi);
	if (err)
		return err;
	if (!oa_attr && !a[XFRM_CSUM_A_SA_RELEARN]) {
		NL_SET_ERR_MSG(info->extack, "need orig-addr or relearn");
		return -EINVAL;
	}
	if (oa_attr) {
		if (nla_len(oa_attr) != addr_len(family)) {
			NL_SET_ERR_MSG_ATTR(info->extack, oa_attr,
					    "address length does not match the family");
			return -EINVAL;
		}
		memset(&oa, 0, sizeof(oa));
		memcpy(&oa, nla_data(oa_attr), nla_len(oa_attr));
		if (xfrm_addr_any(&oa, family)) {
			NL_SET_ERR_MSG_ATTR(info->extack, oa_attr,
					    "original address must not be unspecified");
			return -EINVAL;
		}
	}

	x = xfrm_state_lookup(net, 0, &daddr, spi, IPPROTO_ESP, family);
	if (!x) {
		NL_SET_ERR_MSG(info->extack, "no such ESP SA in this namespace");
		return -ENOENT;
	}
	if (x->props.mode != XFRM_MODE_TRANSPORT || !x->encap) {
		NL_SET_ERR_MSG(info->extack,
			       "SA is not transport mode with encapsulation");
		err = -EINVAL;
		goto out;
	}
	rcu_read_lock();
	sa = xfrm_csum_sa_get(xn, x, GFP_ATOMIC);
	if (sa) {
		if (a[XFRM_CSUM_A_SA_RELEARN])
			xfrm_csum_sa_relearn(sa);
		if (oa_attr)
			xfrm_csum_sa_set_orig(sa, &oa);
	}
	rcu_read_unlock();
	if (!sa) {
		NL_SET_ERR_MSG(info->extack, "SA table full (max_sas)");
		err = -ENOSPC;
	}
out:
	xfrm_state_put(x);
	return err;
}

static struct netlink_range_validation event_rate_range = {
	.max = 100000,
};

static const struct nla_policy config_policy[XFRM_CSUM_A_CONFIG_MAX + 1] = {
	[XFRM_CSUM_A_CONFIG_MODE] = NLA_POLICY_MAX(NLA_U32, XFRM_CSUM_MODE_DROP),
	[XFRM_CSUM_A_CONFIG_LEARN_PACKETS] = NLA_POLICY_RANGE(NLA_U32, 1, 255),
	[XFRM_CSUM_A_CONFIG_EVENT_RATE] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &event_rate_range),
	[XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN] = NLA_POLICY_MAX(NLA_U32, 1024),
	[XFRM_CSUM_A_CONFIG_MAX_SAS] = { .type = NLA_U32 },
};

static const struct nla_policy sa_policy[XFRM_CSUM_A_SA_MAX + 1] = {
	[XFRM_CSUM_A_SA_FAMILY] = { .type = NLA_U16 },
	[XFRM_CSUM_A_SA_SPI] = { .type = NLA_BE32 },
	[XFRM_CSUM_A_SA_DADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[XFRM_CSUM_A_SA_ORIG_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[XFRM_CSUM_A_SA_RELEARN] = { .type = NLA_FLAG },
};

static const struct nla_policy empty_policy[1] = {};

static const struct genl_ops xfrm_csum_ops[] = {
	{
		.cmd = XFRM_CSUM_CMD_STATS_GET,
		.doit = xfrm_csum_nl_stats_get,
		.policy = empty_policy,
		.maxattr = 0,
	},
	{
		.cmd = XFRM_CSUM_CMD_CONFIG_GET,
		.doit = xfrm_csum_nl_config_get,
		.policy = empty_policy,
		.maxattr = 0,
	},
	{
		.cmd = XFRM_CSUM_CMD_CONFIG_SET,
		.doit = xfrm_csum_nl_config_set,
		.policy = config_policy,
		.maxattr = XFRM_CSUM_A_CONFIG_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XFRM_CSUM_CMD_SA_GET,
		.doit = xfrm_csum_nl_sa_get,
		.dumpit = xfrm_csum_nl_sa_dump,
		.policy = sa_policy,
		.maxattr = XFRM_CSUM_A_SA_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XFRM_CSUM_CMD_SA_SET,
		.doit = xfrm_csum_nl_sa_set,
		.policy = sa_policy,
		.maxattr = XFRM_CSUM_A_SA_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family xfrm_csum_family __ro_after_init = {
	.name = XFRM_CSUM_FAMILY_NAME,
	.version = XFRM_CSUM_FAMILY_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = xfrm_csum_ops,
	.n_ops = ARRAY_SIZE(xfrm_csum_ops),
	.resv_start_op = XFRM_CSUM_CMD_MISMATCH_NTF + 1,
	.mcgrps = xfrm_csum_mcgrps,
	.n_mcgrps = ARRAY_SIZE(xfrm_csum_mcgrps),
};

/*
 * Copy the first bytes of the packet as the stack will see it: the IP
 * header's next protocol is rewritten only in transport_finish(), after
 * the hook, so fix it (and the IPv4 header checksum) in the copy.
 */
static int put_pkt(struct sk_buff *msg, struct sk_buff *skb, u8 proto,
		   u32 snaplen)
{
	int nhlen = skb->data - skb_network_header(skb);
	u32 pkt_len = nhlen + skb->len;
	u32 n = min(snaplen, pkt_len);
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
			iph->protocol = proto;
			iph->check = 0;
			iph->check = ip_fast_csum(p, iph->ihl);
		}
	} else {
		u16 nhoff = IP6CB(skb)->nhoff;

		if (nhoff < n && nhoff < nhlen)
			p[nhoff] = proto;
	}
	return 0;
}

/**
 * xfrm_csum_event - report a packet that failed verification
 * @xn: the namespace
 * @sa: its SA entry, or NULL
 * @x: its SA
 * @skb: the packet (L4 header at skb->data)
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 * @nat_state: where K came from
 * @reason: mismatch or malformed
 * @expected: the checksum field that would have verified, when known
 *
 * Rate-limited per namespace (event-rate per second); nothing is built
 * when nobody listens.  Context: softirq, RCU read side.
 */
void xfrm_csum_event(struct xfrm_csum_net *xn, struct xfrm_csum_sa *sa,
		     const struct xfrm_state *x, struct sk_buff *skb, u8 proto,
		     u32 nat_state, enum xfrm_csum_reason reason,
		     const __sum16 *expected)
{
	u32 snaplen = READ_ONCE(xn->event_snaplen);
	u16 family = x->props.family;
	int alen = addr_len(family);
	xfrm_address_t saddr = {};
	struct {
		__be16 sport;
		__be16 dport;
	} _ports, *ports;
	struct udphdr _uh, *uh;
	struct tcphdr _th, *th;
	struct sk_buff *msg;
	__sum16 csum = 0;
	void *hdr;

	if (!genl_has_listeners(&xfrm_csum_family, xn->net,
				XFRM_CSUM_MCGRP_EVENTS_ID))
		return;
	if (!READ_ONCE(xn->event_rate) || !__ratelimit(&xn->event_rs)) {
		xfrm_csum_stats_inc(&xfrm_csum_global,
				    XFRM_CSUM_EVENTS_SUPPRESSED);
		xfrm_csum_stats_inc(&xn->stats, XFRM_CSUM_EVENTS_SUPPRESSED);
		return;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &xfrm_csum_family, 0,
			  XFRM_CSUM_CMD_MISMATCH_NTF);
	if (!hdr)
		goto err_free;

	if (family == AF_INET)
		saddr.a4 = ip_hdr(skb)->saddr;
	else
		saddr.in6 = ipv6_hdr(skb)->saddr;
	ports = skb_header_pointer(skb, 0, sizeof(_ports), &_ports);
	if (proto == IPPROTO_UDP) {
		uh = skb_header_pointer(skb, 0, sizeof(_uh), &_uh);
		if (uh)
			csum = uh->check;
	} else {
		th = skb_header_pointer(skb, 0, sizeof(_th), &_th);
		if (th)
			csum = th->check;
	}

	if (nla_put_u16(msg, XFRM_CSUM_A_EVENT_FAMILY, family) ||
	    nla_put_be32(msg, XFRM_CSUM_A_EVENT_SPI, x->id.spi) ||
	    nla_put(msg, XFRM_CSUM_A_EVENT_DADDR, alen, &x->id.daddr) ||
	    nla_put(msg, XFRM_CSUM_A_EVENT_SADDR, alen, &saddr) ||
	    nla_put_u32(msg, XFRM_CSUM_A_EVENT_NAT_STATE, nat_state) ||
	    nla_put_u32(msg, XFRM_CSUM_A_EVENT_REASON, reason) ||
	    nla_put_u8(msg, XFRM_CSUM_A_EVENT_L4_PROTO, proto) ||
	    (ports &&
	     (nla_put_be16(msg, XFRM_CSUM_A_EVENT_SPORT, ports->sport) ||
	      nla_put_be16(msg, XFRM_CSUM_A_EVENT_DPORT, ports->dport))) ||
	    nla_put_u16(msg, XFRM_CSUM_A_EVENT_CSUM,
			(__force u16)csum) ||
	    (expected &&
	     nla_put_u16(msg, XFRM_CSUM_A_EVENT_CSUM_EXPECTED,
			 (__force u16)*expected)) ||
	    nla_put_u64_64bit(msg, XFRM_CSUM_A_EVENT_TIMESTAMP,
			      ktime_get_real_ns(), XFRM_CSUM_A_EVENT_PAD) ||
	    put_pkt(msg, skb, proto, snaplen))
		goto err_cancel;
	genlmsg_end(msg, hdr);

	xfrm_csum_stats_inc(&xfrm_csum_global, XFRM_CSUM_EVENTS);
	xfrm_csum_stats_inc(&xn->stats, XFRM_CSUM_EVENTS);
	genlmsg_multicast_netns(&xfrm_csum_family, xn->net, msg, 0,
				XFRM_CSUM_MCGRP_EVENTS_ID, GFP_ATOMIC);
	return;

err_cancel:
	genlmsg_cancel(msg, hdr);
err_free:
	nlmsg_free(msg);
}

int __init xfrm_csum_genl_init(void)
{
	return genl_register_family(&xfrm_csum_family);
}

void xfrm_csum_genl_exit(void)
{
	genl_unregister_family(&xfrm_csum_family);
}
