/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	module/xfrm_csum.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_XFRM_CSUM_H
#define _UAPI_LINUX_XFRM_CSUM_H

#define XFRM_CSUM_FAMILY_NAME		"xfrm-csum"
#define XFRM_CSUM_FAMILY_VERSION	2

/**
 * enum xfrm_csum_mode - What to do with a packet whose inner checksum is not
 *   right.
 * @XFRM_CSUM_MODE_OFF: Check nothing.
 * @XFRM_CSUM_MODE_AUDIT: Judge, count and report; deliver everything.
 * @XFRM_CSUM_MODE_DROP: Judge, count and report; drop what is not right (the
 *   default).
 */
enum xfrm_csum_mode {
	XFRM_CSUM_MODE_OFF,
	XFRM_CSUM_MODE_AUDIT,
	XFRM_CSUM_MODE_DROP,
};

/**
 * enum xfrm_csum_learn - How an SA without original addresses finds its NAT
 *   difference.
 * @XFRM_CSUM_LEARN_CONFIRM: Learn it from agreeing packets (confirm-packets in
 *   a row, no competing candidate); drop what does not verify until then.
 * @XFRM_CSUM_LEARN_STRICT: Do not learn: without original addresses or an
 *   inherited value, only packets that verify as received are delivered.
 * @XFRM_CSUM_LEARN_PERMISSIVE: As confirm, but deliver packets while the
 *   difference is unknown (counted unverified): the behaviour before
 *   confirmation existed.
 */
enum xfrm_csum_learn {
	XFRM_CSUM_LEARN_CONFIRM,
	XFRM_CSUM_LEARN_STRICT,
	XFRM_CSUM_LEARN_PERMISSIVE,
};

/**
 * enum xfrm_csum_nat_state - Where the SA's NAT checksum difference comes from
 *   (docs/design.md).
 * @XFRM_CSUM_NAT_STATE_LEARNING: Not known yet.
 * @XFRM_CSUM_NAT_STATE_STATIC: From original addresses (sa-set, peer-set or
 *   the SA's encap_oa).
 * @XFRM_CSUM_NAT_STATE_NONE: A packet verified as received; there is no NAT to
 *   account for.
 * @XFRM_CSUM_NAT_STATE_CONFIRMED: Learned from agreeing packets.
 * @XFRM_CSUM_NAT_STATE_INHERITED: From an earlier SA of the same peer NAT
 *   mapping (rekey).
 * @XFRM_CSUM_NAT_STATE_CONFLICT: Two candidates recur (constant-error
 *   corruption): nothing that does not verify as received is trusted.
 */
enum xfrm_csum_nat_state {
	XFRM_CSUM_NAT_STATE_LEARNING,
	XFRM_CSUM_NAT_STATE_STATIC,
	XFRM_CSUM_NAT_STATE_NONE,
	XFRM_CSUM_NAT_STATE_CONFIRMED,
	XFRM_CSUM_NAT_STATE_INHERITED,
	XFRM_CSUM_NAT_STATE_CONFLICT,
};

/**
 * enum xfrm_csum_reason - Why an event was sent.
 * @XFRM_CSUM_REASON_MISMATCH: The inner checksum was not right under the SA's
 *   known difference.
 * @XFRM_CSUM_REASON_MALFORMED: The inner header was truncated or inconsistent.
 * @XFRM_CSUM_REASON_CONFLICT: The SA entered the conflict state (sent once per
 *   SA).
 */
enum xfrm_csum_reason {
	XFRM_CSUM_REASON_MISMATCH,
	XFRM_CSUM_REASON_MALFORMED,
	XFRM_CSUM_REASON_CONFLICT,
};

enum {
	XFRM_CSUM_A_STATS_PAD = 1,
	XFRM_CSUM_A_STATS_CHECKED,
	XFRM_CSUM_A_STATS_VERIFIED,
	XFRM_CSUM_A_STATS_NAT_ADJUSTED,
	XFRM_CSUM_A_STATS_NO_CSUM,
	XFRM_CSUM_A_STATS_MISMATCH,
	XFRM_CSUM_A_STATS_MALFORMED,
	XFRM_CSUM_A_STATS_UNCONFIRMED,
	XFRM_CSUM_A_STATS_UNVERIFIED,
	XFRM_CSUM_A_STATS_DROPPED,
	XFRM_CSUM_A_STATS_DEFERRED,
	XFRM_CSUM_A_STATS_SKIPPED,
	XFRM_CSUM_A_STATS_UNTRACKED,
	XFRM_CSUM_A_STATS_CONFLICTS,
	XFRM_CSUM_A_STATS_EVENTS,
	XFRM_CSUM_A_STATS_EVENTS_SUPPRESSED,

	__XFRM_CSUM_A_STATS_MAX,
	XFRM_CSUM_A_STATS_MAX = (__XFRM_CSUM_A_STATS_MAX - 1)
};

enum {
	XFRM_CSUM_A_CONFIG_MODE = 1,
	XFRM_CSUM_A_CONFIG_LEARN,
	XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS,
	XFRM_CSUM_A_CONFIG_EVENT_RATE,
	XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN,
	XFRM_CSUM_A_CONFIG_MAX_SAS,

	__XFRM_CSUM_A_CONFIG_MAX,
	XFRM_CSUM_A_CONFIG_MAX = (__XFRM_CSUM_A_CONFIG_MAX - 1)
};

enum {
	XFRM_CSUM_A_SA_PAD = 1,
	XFRM_CSUM_A_SA_FAMILY,
	XFRM_CSUM_A_SA_SPI,
	XFRM_CSUM_A_SA_DADDR,
	XFRM_CSUM_A_SA_SADDR,
	XFRM_CSUM_A_SA_MARK,
	XFRM_CSUM_A_SA_REQID,
	XFRM_CSUM_A_SA_SEEN_SADDR,
	XFRM_CSUM_A_SA_ENCAP_TYPE,
	XFRM_CSUM_A_SA_ENCAP_SPORT,
	XFRM_CSUM_A_SA_ENCAP_DPORT,
	XFRM_CSUM_A_SA_ORIG_SADDR,
	XFRM_CSUM_A_SA_ORIG_DADDR,
	XFRM_CSUM_A_SA_NAT_STATE,
	XFRM_CSUM_A_SA_NAT_K,
	XFRM_CSUM_A_SA_NAT_DELTA,
	XFRM_CSUM_A_SA_STATS,
	XFRM_CSUM_A_SA_FIRST_SEEN,
	XFRM_CSUM_A_SA_LAST_MISMATCH,
	XFRM_CSUM_A_SA_RELEARN,

	__XFRM_CSUM_A_SA_MAX,
	XFRM_CSUM_A_SA_MAX = (__XFRM_CSUM_A_SA_MAX - 1)
};

enum {
	XFRM_CSUM_A_PEER_FAMILY = 1,
	XFRM_CSUM_A_PEER_SADDR,
	XFRM_CSUM_A_PEER_DADDR,
	XFRM_CSUM_A_PEER_ENCAP_TYPE,
	XFRM_CSUM_A_PEER_ENCAP_SPORT,
	XFRM_CSUM_A_PEER_ENCAP_DPORT,
	XFRM_CSUM_A_PEER_ORIG_SADDR,
	XFRM_CSUM_A_PEER_ORIG_DADDR,
	XFRM_CSUM_A_PEER_NAT_STATE,
	XFRM_CSUM_A_PEER_NAT_K,

	__XFRM_CSUM_A_PEER_MAX,
	XFRM_CSUM_A_PEER_MAX = (__XFRM_CSUM_A_PEER_MAX - 1)
};

enum {
	XFRM_CSUM_A_EVENT_PAD = 1,
	XFRM_CSUM_A_EVENT_SEQ,
	XFRM_CSUM_A_EVENT_FAMILY,
	XFRM_CSUM_A_EVENT_SPI,
	XFRM_CSUM_A_EVENT_DADDR,
	XFRM_CSUM_A_EVENT_SADDR,
	XFRM_CSUM_A_EVENT_NAT_STATE,
	XFRM_CSUM_A_EVENT_REASON,
	XFRM_CSUM_A_EVENT_L4_PROTO,
	XFRM_CSUM_A_EVENT_SPORT,
	XFRM_CSUM_A_EVENT_DPORT,
	XFRM_CSUM_A_EVENT_CSUM,
	XFRM_CSUM_A_EVENT_CSUM_EXPECTED,
	XFRM_CSUM_A_EVENT_TIMESTAMP,
	XFRM_CSUM_A_EVENT_PKT_LEN,
	XFRM_CSUM_A_EVENT_PKT,

	__XFRM_CSUM_A_EVENT_MAX,
	XFRM_CSUM_A_EVENT_MAX = (__XFRM_CSUM_A_EVENT_MAX - 1)
};

enum {
	XFRM_CSUM_CMD_STATS_GET = 1,
	XFRM_CSUM_CMD_CONFIG_GET,
	XFRM_CSUM_CMD_CONFIG_SET,
	XFRM_CSUM_CMD_SA_GET,
	XFRM_CSUM_CMD_SA_SET,
	XFRM_CSUM_CMD_PEER_GET,
	XFRM_CSUM_CMD_PEER_SET,
	XFRM_CSUM_CMD_EVENT_NTF,

	__XFRM_CSUM_CMD_MAX,
	XFRM_CSUM_CMD_MAX = (__XFRM_CSUM_CMD_MAX - 1)
};

#define XFRM_CSUM_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_XFRM_CSUM_H */
