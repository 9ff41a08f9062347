// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: generic netlink replies and events to plain structures.
 * Attribute types and byte orders follow module/xfrm_csum.yaml.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "xfrm-csum.h"

/* Attribute payload as a fixed-size value, or false when the size is wrong. */
static bool get_u64(const struct nlattr *a, uint64_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(uint64_t))
		return false;
	*v = mnl_attr_get_u64(a);
	return true;
}

static bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(uint32_t))
		return false;
	*v = mnl_attr_get_u32(a);
	return true;
}

static bool get_u16(const struct nlattr *a, uint16_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(uint16_t))
		return false;
	*v = mnl_attr_get_u16(a);
	return true;
}

static bool get_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(uint8_t))
		return false;
	*v = mnl_attr_get_u8(a);
	return true;
}

static bool get_addr(const struct nlattr *a, struct xc_addr *addr)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	if (len != 4 && len != 16)
		return false;
	addr->len = len;
	memcpy(addr->a, mnl_attr_get_payload(a), len);
	return true;
}

static bool genl_ok(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + GENL_HDRLEN;
}

static int stats_cb(const struct nlattr *a, void *data)
{
	struct xc_stats *s = data;
	int type = mnl_attr_get_type(a);

	if (type <= XFRM_CSUM_A_STATS_PAD || type > XFRM_CSUM_A_STATS_MAX)
		return MNL_CB_OK;
	if (get_u64(a, &s->val[type]))
		s->present |= 1u << type;
	return MNL_CB_OK;
}

int parse_stats(const struct nlmsghdr *nlh, struct xc_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (!genl_ok(nlh))
		return -EINVAL;
	mnl_attr_parse(nlh, GENL_HDRLEN, stats_cb, s);
	return 0;
}

int parse_stats_nest(const struct nlattr *nest, struct xc_stats *s)
{
	memset(s, 0, sizeof(*s));
	mnl_attr_parse_nested(nest, stats_cb, s);
	return 0;
}

static int config_cb(const struct nlattr *a, void *data)
{
	struct xc_config *c = data;
	int type = mnl_attr_get_type(a);
	uint32_t *field;

	switch (type) {
	case XFRM_CSUM_A_CONFIG_MODE:
		field = &c->mode;
		break;
	case XFRM_CSUM_A_CONFIG_LEARN:
		field = &c->learn;
		break;
	case XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS:
		field = &c->confirm_packets;
		break;
	case XFRM_CSUM_A_CONFIG_EVENT_RATE:
		field = &c->event_rate;
		break;
	case XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN:
		field = &c->event_snaplen;
		break;
	case XFRM_CSUM_A_CONFIG_MAX_SAS:
		field = &c->max_sas;
		break;
	default:
		return MNL_CB_OK;
	}
	if (get_u32(a, field))
		c->present |= 1u << type;
	return MNL_CB_OK;
}

int parse_config(const struct nlmsghdr *nlh, struct xc_config *c)
{
	memset(c, 0, sizeof(*c));
	if (!genl_ok(nlh))
		return -EINVAL;
	mnl_attr_parse(nlh, GENL_HDRLEN, config_cb, c);
	return 0;
}

static int sa_cb(const struct nlattr *a, void *data)
{
	struct xc_sa *sa = data;
	int type = mnl_attr_get_type(a);
	bool ok = false;
	uint32_t u32 = 0;
	uint16_t u16 = 0;

	switch (type) {
	case XFRM_CSUM_A_SA_FAMILY:
		ok = get_u16(a, &sa->family);
		break;
	case XFRM_CSUM_A_SA_SPI:
		ok = get_u32(a, &u32);
		sa->spi = ntohl(u32);
		break;
	case XFRM_CSUM_A_SA_DADDR:
		ok = get_addr(a, &sa->daddr);
		break;
	case XFRM_CSUM_A_SA_SADDR:
		ok = get_addr(a, &sa->saddr);
		break;
	case XFRM_CSUM_A_SA_MARK:
		ok = get_u32(a, &sa->mark);
		break;
	case XFRM_CSUM_A_SA_REQID:
		ok = get_u32(a, &sa->reqid);
		break;
	case XFRM_CSUM_A_SA_SEEN_SADDR:
		ok = get_addr(a, &sa->seen_saddr);
		break;
	case XFRM_CSUM_A_SA_ORIG_SADDR:
		ok = get_addr(a, &sa->orig_saddr);
		break;
	case XFRM_CSUM_A_SA_ORIG_DADDR:
		ok = get_addr(a, &sa->orig_daddr);
		break;
	case XFRM_CSUM_A_SA_ENCAP_TYPE:
		ok = get_u16(a, &sa->encap_type);
		break;
	case XFRM_CSUM_A_SA_ENCAP_SPORT:
		ok = get_u16(a, &u16);
		sa->encap_sport = ntohs(u16);
		break;
	case XFRM_CSUM_A_SA_ENCAP_DPORT:
		ok = get_u16(a, &u16);
		sa->encap_dport = ntohs(u16);
		break;
	case XFRM_CSUM_A_SA_NAT_STATE:
		ok = get_u32(a, &sa->nat_state);
		break;
	case XFRM_CSUM_A_SA_NAT_K:
		ok = get_u16(a, &u16);
		sa->nat_k = ntohs(u16);
		break;
	case XFRM_CSUM_A_SA_NAT_DELTA:
		ok = get_u16(a, &u16);
		sa->nat_delta = ntohs(u16);
		break;
	case XFRM_CSUM_A_SA_STATS:
		ok = mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0;
		if (ok)
			parse_stats_nest(a, &sa->stats);
		break;
	case XFRM_CSUM_A_SA_FIRST_SEEN:
		ok = get_u64(a, &sa->first_seen);
		break;
	case XFRM_CSUM_A_SA_LAST_MISMATCH:
		ok = get_u64(a, &sa->last_mismatch);
		break;
	default:
		return MNL_CB_OK;
	}
	if (ok)
		sa->present |= 1u << type;
	return MNL_CB_OK;
}

int parse_sa(const struct nlmsghdr *nlh, struct xc_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (!genl_ok(nlh))
		return -EINVAL;
	mnl_attr_parse(nlh, GENL_HDRLEN, sa_cb, sa);
	return 0;
}

static int peer_cb(const struct nlattr *a, void *data)
{
	struct xc_peer *p = data;
	int type = mnl_attr_get_type(a);
	bool ok = false;
	uint16_t u16 = 0;

	switch (type) {
	case XFRM_CSUM_A_PEER_FAMILY:
		ok = get_u16(a, &p->family);
		break;
	case XFRM_CSUM_A_PEER_SADDR:
		ok = get_addr(a, &p->saddr);
		break;
	case XFRM_CSUM_A_PEER_DADDR:
		ok = get_addr(a, &p->daddr);
		break;
	case XFRM_CSUM_A_PEER_ENCAP_TYPE:
		ok = get_u16(a, &p->encap_type);
		break;
	case XFRM_CSUM_A_PEER_ENCAP_SPORT:
		ok = get_u16(a, &u16);
		p->encap_sport = ntohs(u16);
		break;
	case XFRM_CSUM_A_PEER_ENCAP_DPORT:
		ok = get_u16(a, &u16);
		p->encap_dport = ntohs(u16);
		break;
	case XFRM_CSUM_A_PEER_NAT_STATE:
		ok = get_u32(a, &p->nat_state);
		break;
	case XFRM_CSUM_A_PEER_NAT_K:
		ok = get_u16(a, &u16);
		p->nat_k = ntohs(u16);
		break;
	default:
		return MNL_CB_OK;
	}
	if (ok)
		p->present |= 1u << type;
	return MNL_CB_OK;
}

int parse_peer(const struct nlmsghdr *nlh, struct xc_peer *p)
{
	memset(p, 0, sizeof(*p));
	if (!genl_ok(nlh))
		return -EINVAL;
	mnl_attr_parse(nlh, GENL_HDRLEN, peer_cb, p);
	return 0;
}

static int event_cb(const struct nlattr *a, void *data)
{
	struct xc_event *ev = data;
	int type = mnl_attr_get_type(a);
	bool ok = false;
	uint32_t u32 = 0;
	uint16_t u16 = 0;

	switch (type) {
	case XFRM_CSUM_A_EVENT_SEQ:
		ok = get_u32(a, &ev->seq);
		break;
	case XFRM_CSUM_A_EVENT_FAMILY:
		ok = get_u16(a, &ev->family);
		break;
	case XFRM_CSUM_A_EVENT_SPI:
		ok = get_u32(a, &u32);
		ev->spi = ntohl(u32);
		break;
	case XFRM_CSUM_A_EVENT_DADDR:
		ok = get_addr(a, &ev->daddr);
		break;
	case XFRM_CSUM_A_EVENT_SADDR:
		ok = get_addr(a, &ev->saddr);
		break;
	case XFRM_CSUM_A_EVENT_NAT_STATE:
		ok = get_u32(a, &ev->nat_state);
		break;
	case XFRM_CSUM_A_EVENT_REASON:
		ok = get_u32(a, &ev->reason);
		break;
	case XFRM_CSUM_A_EVENT_L4_PROTO:
		ok = get_u8(a, &ev->l4_proto);
		break;
	case XFRM_CSUM_A_EVENT_SPORT:
		ok = get_u16(a, &u16);
		ev->sport = ntohs(u16);
		break;
	case XFRM_CSUM_A_EVENT_DPORT:
		ok = get_u16(a, &u16);
		ev->dport = ntohs(u16);
		break;
	case XFRM_CSUM_A_EVENT_CSUM:
		ok = get_u16(a, &u16);
		ev->csum = ntohs(u16);
		break;
	case XFRM_CSUM_A_EVENT_CSUM_EXPECTED:
		ok = get_u16(a, &u16);
		ev->csum_expected = ntohs(u16);
		break;
	case XFRM_CSUM_A_EVENT_TIMESTAMP:
		ok = get_u64(a, &ev->timestamp);
		break;
	case XFRM_CSUM_A_EVENT_PKT_LEN:
		ok = get_u32(a, &ev->pkt_len);
		break;
	case XFRM_CSUM_A_EVENT_PKT:
		ev->pkt = mnl_attr_get_payload(a);
		ev->caplen = mnl_attr_get_payload_len(a);
		ok = ev->caplen > 0;
		break;
	default:
		return MNL_CB_OK;
	}
	if (ok)
		ev->present |= 1u << type;
	return MNL_CB_OK;
}

int parse_event(const struct nlmsghdr *nlh, struct xc_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (!genl_ok(nlh))
		return -EINVAL;
	mnl_attr_parse(nlh, GENL_HDRLEN, event_cb, ev);
	return 0;
}
