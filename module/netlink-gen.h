/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	module/xfrm_csum.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_XFRM_CSUM_GEN_H
#define _LINUX_XFRM_CSUM_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/xfrm_csum.h>

/* Ops table for xfrm_csum */
extern const struct genl_split_ops xfrm_csum_nl_ops[8];

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

#endif /* _LINUX_XFRM_CSUM_GEN_H */
