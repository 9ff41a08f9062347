/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	module/xfrm_csum.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_XFRM_CSUM_H
#define _UAPI_LINUX_XFRM_CSUM_H

#define XFRM_CSUM_FAMILY_NAME		"xfrm-csum"
#define XFRM_CSUM_FAMILY_VERSION	1

/**
 * enum xfrm_csum_mode - What to do with a packet whose inner checksum does not
 *   verify.
 * @XFRM_CSUM_MODE_OFF: Check nothing.
 * @XFRM_CSUM_MODE_AUDIT: Verify, count and report; deliver everything.
 * @XFRM_CSUM_MODE_DROP: Verify, count and report; drop mismatches (the
 *   default).
 */
enum xfrm_csum_mode {
	XFRM_CSUM_MODE_OFF,
	XFRM_CSUM_MODE_AUDIT,
	XFRM_CSUM_MODE_DROP,
};

/**
 * enum xfrm_csum_nat_state - Where the SA's NAT checksum difference comes from
 *   (docs/design.md).
 * @XFRM_CSUM_NAT_STATE_LEARNING: Not known yet. Packets that verify as
 *   received pass; others are delivered unverified while agreeing packets are
 *   counted.
 * @XFRM_CSUM_NAT_STATE_PROVISIONAL: Inherited from an earlier SA between the
 *   same outer addresses (rekey); packets that disagree are mismatches but
 *   still vote.
 * @XFRM_CSUM_NAT_STATE_LOCKED: Learned from agreeing packets.
 * @XFRM_CSUM_NAT_STATE_STATIC: Computed from the original address (encap_oa or
 *   set by the operator).
 */
enum xfrm_csum_nat_state {
	XFRM_CSUM_NAT_STATE_LEARNING,
	XFRM_CSUM_NAT_STATE_PROVISIONAL,
	XFRM_CSUM_NAT_STATE_LOCKED,
	XFRM_CSUM_NAT_STATE_STATIC,
};

/**
 * enum xfrm_csum_reason - Why an event was sent.
 * @XFRM_CSUM_REASON_MISMATCH: The inner checksum did not verify.
 * @XFRM_CSUM_REASON_MALFORMED: The inner TCP/UDP header was truncated or
 *   inconsistent.
 */
enum xfrm_csum_reason {
	XFRM_CSUM_REASON_MISMATCH,
	XFRM_CSUM_REASON_MALFORMED,
};

enum {
	XFRM_CSUM_A_STATS_PAD = 1,
	XFRM_CSUM_A_STATS_CHECKED,
	XFRM_CSUM_A_STATS_VERIFIED,
	XFRM_CSUM_A_STATS_NAT_ADJUSTED,
	XFRM_CSUM_A_STATS_UNVERIFIED,
	XFRM_CSUM_A_STATS_NO_CSUM,
	XFRM_CSUM_A_STATS_MISMATCH,
	XFRM_CSUM_A_STATS_DROPPED,
	XFRM_CSUM_A_STATS_MALFORMED,
	XFRM_CSUM_A_STATS_SKIPPED,
	XFRM_CSUM_A_STATS_UNTRACKED,
	XFRM_CSUM_A_STATS_EVENTS,
	XFRM_CSUM_A_STATS_EVENTS_SUPPRESSED,

	__XFRM_CSUM_A_STATS_MAX,
	XFRM_CSUM_A_STATS_MAX = (__XFRM_CSUM_A_STATS_MAX - 1)
};

enum {
	XFRM_CSUM_A_CONFIG_MODE = 1,
	XFRM_CSUM_A_CONFIG_LEARN_PACKETS,
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
	XFRM_CSUM_A_SA_SEEN_SADDR,
	XFRM_CSUM_A_SA_ENCAP_TYPE,
	XFRM_CSUM_A_SA_ENCAP_SPORT,
	XFRM_CSUM_A_SA_ENCAP_DPORT,
	XFRM_CSUM_A_SA_ORIG_ADDR,
	XFRM_CSUM_A_SA_NAT_STATE,
	XFRM_CSUM_A_SA_NAT_DELTA,
	XFRM_CSUM_A_SA_STATS,
	XFRM_CSUM_A_SA_FIRST_SEEN,
	XFRM_CSUM_A_SA_LAST_MISMATCH,
	XFRM_CSUM_A_SA_RELEARN,

	__XFRM_CSUM_A_SA_MAX,
	XFRM_CSUM_A_SA_MAX = (__XFRM_CSUM_A_SA_MAX - 1)
};

enum {
	XFRM_CSUM_A_EVENT_PAD = 1,
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
	XFRM_CSUM_CMD_MISMATCH_NTF,

	__XFRM_CSUM_CMD_MAX,
	XFRM_CSUM_CMD_MAX = (__XFRM_CSUM_CMD_MAX - 1)
};

#define XFRM_CSUM_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_XFRM_CSUM_H */
