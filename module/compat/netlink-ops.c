// SPDX-License-Identifier: GPL-2.0
/*
 * The operations and policies of netlink-gen.c for kernels without split
 * ops (6.1), where a do and a dump of one command share a policy.  Keep
 * in step with xfrm_csum.yaml; make check compares the two tables.
 */
#include "netlink-ops.h"

static struct netlink_range_validation event_rate_range = {
	.max = 100000ULL,
};

static const struct nla_policy empty_policy[1] = {};

static const struct nla_policy
config_set_policy[XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN + 1] = {
	[XFRM_CSUM_A_CONFIG_MODE] = NLA_POLICY_MAX(NLA_U32, 2),
	[XFRM_CSUM_A_CONFIG_LEARN] = NLA_POLICY_MAX(NLA_U32, 2),
	[XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS] = NLA_POLICY_RANGE(NLA_U32, 2, 16),
	[XFRM_CSUM_A_CONFIG_EVENT_RATE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &event_rate_range),
	[XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN] = NLA_POLICY_MAX(NLA_U32, 1024),
};

static const struct nla_policy sa_get_policy[XFRM_CSUM_A_SA_MARK + 1] = {
	[XFRM_CSUM_A_SA_FAMILY] = NLA_POLICY_RANGE(NLA_U16, 2, 10),
	[XFRM_CSUM_A_SA_DADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_SA_SPI] = { .type = NLA_BE32, },
	[XFRM_CSUM_A_SA_MARK] = { .type = NLA_U32, },
};

static const struct nla_policy sa_set_policy[XFRM_CSUM_A_SA_RELEARN + 1] = {
	[XFRM_CSUM_A_SA_FAMILY] = NLA_POLICY_RANGE(NLA_U16, 2, 10),
	[XFRM_CSUM_A_SA_DADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_SA_SPI] = { .type = NLA_BE32, },
	[XFRM_CSUM_A_SA_MARK] = { .type = NLA_U32, },
	[XFRM_CSUM_A_SA_ORIG_SADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_SA_ORIG_DADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_SA_RELEARN] = { .type = NLA_FLAG, },
};

static const struct nla_policy
peer_set_policy[XFRM_CSUM_A_PEER_ORIG_DADDR + 1] = {
	[XFRM_CSUM_A_PEER_FAMILY] = NLA_POLICY_RANGE(NLA_U16, 2, 10),
	[XFRM_CSUM_A_PEER_SADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_PEER_DADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_PEER_ENCAP_TYPE] = { .type = NLA_U16, },
	[XFRM_CSUM_A_PEER_ENCAP_SPORT] = { .type = NLA_BE16, },
	[XFRM_CSUM_A_PEER_ENCAP_DPORT] = { .type = NLA_BE16, },
	[XFRM_CSUM_A_PEER_ORIG_SADDR] = NLA_POLICY_MIN_LEN(4),
	[XFRM_CSUM_A_PEER_ORIG_DADDR] = NLA_POLICY_MIN_LEN(4),
};

const struct genl_ops xfrm_csum_nl_ops[7] = {
	{
		.cmd = XFRM_CSUM_CMD_STATS_GET,
		.doit = xfrm_csum_nl_stats_get_doit,
		.policy = empty_policy,
	},
	{
		.cmd = XFRM_CSUM_CMD_CONFIG_GET,
		.doit = xfrm_csum_nl_config_get_doit,
		.policy = empty_policy,
	},
	{
		.cmd = XFRM_CSUM_CMD_CONFIG_SET,
		.doit = xfrm_csum_nl_config_set_doit,
		.policy = config_set_policy,
		.maxattr = XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XFRM_CSUM_CMD_SA_GET,
		.doit = xfrm_csum_nl_sa_get_doit,
		.dumpit = xfrm_csum_nl_sa_get_dumpit,
		.policy = sa_get_policy,
		.maxattr = XFRM_CSUM_A_SA_MARK,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XFRM_CSUM_CMD_SA_SET,
		.doit = xfrm_csum_nl_sa_set_doit,
		.policy = sa_set_policy,
		.maxattr = XFRM_CSUM_A_SA_RELEARN,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XFRM_CSUM_CMD_PEER_GET,
		.dumpit = xfrm_csum_nl_peer_get_dumpit,
		.policy = empty_policy,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = XFRM_CSUM_CMD_PEER_SET,
		.doit = xfrm_csum_nl_peer_set_doit,
		.policy = peer_set_policy,
		.maxattr = XFRM_CSUM_A_PEER_ORIG_DADDR,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};
