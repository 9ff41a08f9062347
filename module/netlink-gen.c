// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	module/xfrm_csum.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/xfrm_csum.h>

/* Integer value ranges */
static const struct netlink_range_validation xfrm_csum_a_config_event_rate_range = {
	.max	= 100000ULL,
};

/* XFRM_CSUM_CMD_CONFIG_SET - do */
static const struct nla_policy xfrm_csum_config_set_nl_policy[XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN + 1] = {
	[XFRM_CSUM_A_CONFIG_MODE] = NLA_POLICY_MAX(NLA_U32, 2),
	[XFRM_CSUM_A_CONFIG_LEARN] = NLA_POLICY_MAX(NLA_U32, 2),
	[XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS] = NLA_POLICY_RANGE(NLA_U32, 2, 16),
	[XFRM_CSUM_A_CONFIG_EVENT_RATE] = NLA_POLICY_FULL_RANGE(NLA_U32, &xfrm_csum_a_config_event_rate_range),
	[XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN] = NLA_POLICY_MAX(NLA_U32, 1024),
};

/* XFRM_CSUM_CMD_SA_GET - do */
static const struct nla_policy xfrm_csum_sa_get_nl_policy[XFRM_CSUM_A_SA_MARK + 1] = {
	[XFRM_CSUM_A_SA_FAMILY] = NLA_POLICY_RANGE(NLA_U16, 2, 10),
	[XFRM_CSUM_A_SA_DADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_SA_SPI] = { .type = NLA_BE32, },
	[XFRM_CSUM_A_SA_MARK] = { .type = NLA_U32, },
};

/* XFRM_CSUM_CMD_SA_SET - do */
static const struct nla_policy xfrm_csum_sa_set_nl_policy[XFRM_CSUM_A_SA_RELEARN + 1] = {
	[XFRM_CSUM_A_SA_FAMILY] = NLA_POLICY_RANGE(NLA_U16, 2, 10),
	[XFRM_CSUM_A_SA_DADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_SA_SPI] = { .type = NLA_BE32, },
	[XFRM_CSUM_A_SA_MARK] = { .type = NLA_U32, },
	[XFRM_CSUM_A_SA_ORIG_SADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_SA_ORIG_DADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_SA_RELEARN] = { .type = NLA_FLAG, },
};

/* XFRM_CSUM_CMD_PEER_SET - do */
static const struct nla_policy xfrm_csum_peer_set_nl_policy[XFRM_CSUM_A_PEER_ORIG_DADDR + 1] = {
	[XFRM_CSUM_A_PEER_FAMILY] = NLA_POLICY_RANGE(NLA_U16, 2, 10),
	[XFRM_CSUM_A_PEER_SADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_PEER_DADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_PEER_ENCAP_TYPE] = { .type = NLA_U16, },
	[XFRM_CSUM_A_PEER_ENCAP_SPORT] = { .type = NLA_BE16, },
	[XFRM_CSUM_A_PEER_ENCAP_DPORT] = { .type = NLA_BE16, },
	[XFRM_CSUM_A_PEER_ORIG_SADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_PEER_ORIG_DADDR] = NLA_POLICY_MIN_LEN(4),
};

/* Ops table for xfrm_csum */
const struct genl_split_ops xfrm_csum_nl_ops[8] = {
	{
		.cmd	= XFRM_CSUM_CMD_STATS_GET,
		.doit	= xfrm_csum_nl_stats_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= XFRM_CSUM_CMD_CONFIG_GET,
		.doit	= xfrm_csum_nl_config_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= XFRM_CSUM_CMD_CONFIG_SET,
		.doit		= xfrm_csum_nl_config_set_doit,
		.policy		= xfrm_csum_config_set_nl_policy,
		.maxattr	= XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= XFRM_CSUM_CMD_SA_GET,
		.doit		= xfrm_csum_nl_sa_get_doit,
		.policy		= xfrm_csum_sa_get_nl_policy,
		.maxattr	= XFRM_CSUM_A_SA_MARK,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= XFRM_CSUM_CMD_SA_GET,
		.dumpit	= xfrm_csum_nl_sa_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= XFRM_CSUM_CMD_SA_SET,
		.doit		= xfrm_csum_nl_sa_set_doit,
		.policy		= xfrm_csum_sa_set_nl_policy,
		.maxattr	= XFRM_CSUM_A_SA_RELEARN,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= XFRM_CSUM_CMD_PEER_GET,
		.dumpit	= xfrm_csum_nl_peer_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= XFRM_CSUM_CMD_PEER_SET,
		.doit		= xfrm_csum_nl_peer_set_doit,
		.policy		= xfrm_csum_peer_set_nl_policy,
		.maxattr	= XFRM_CSUM_A_PEER_ORIG_DADDR,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};
