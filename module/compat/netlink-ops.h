/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernels without split ops (6.1): the operations of netlink-gen.h as one
 * per-op table, written by hand in compat/netlink-ops.c.
 */
#ifndef _XFRM_CSUM_NETLINK_OPS_H
#define _XFRM_CSUM_NETLINK_OPS_H

#include <net/genetlink.h>
#include <net/netlink.h>

#include <uapi/linux/xfrm_csum.h>

extern const struct genl_ops xfrm_csum_nl_ops[7];

int xfrm_csum_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int xfrm_csum_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info);
int xfrm_csum_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info);
int xfrm_csum_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info);
int xfrm_csum_nl_sa_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int xfrm_csum_nl_sa_set_doit(struct sk_buff *skb, struct genl_info *info);
int xfrm_csum_nl_peer_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int xfrm_csum_nl_peer_set_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	XFRM_CSUM_NLGRP_EVENTS,
};

#endif /* _XFRM_CSUM_NETLINK_OPS_H */
