/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters: per-CPU for the global and per-namespace totals, atomic64 in
 * each SA entry (an SA is received on one CPU at a time in practice, the
 * NIC hashes its flow to one queue, so its counters are not contended,
 * and an entry stays small on hosts with many CPUs).
 */
#ifndef _XFRM_CSUM_STATS_H
#define _XFRM_CSUM_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>

/*
 * In this order: the verdicts (their sum is "checked"), dropped, then the
 * counters that only exist per namespace.
 */
enum xfrm_csum_counter {
	XFRM_CSUM_VERIFIED,
	XFRM_CSUM_NAT_ADJUSTED,
	XFRM_CSUM_NO_CSUM,
	XFRM_CSUM_MISMATCH,
	XFRM_CSUM_MALFORMED,
	XFRM_CSUM_UNCONFIRMED,
	XFRM_CSUM_UNVERIFIED,
	XFRM_CSUM_VERDICTS,
	XFRM_CSUM_DROPPED = XFRM_CSUM_VERDICTS,
	XFRM_CSUM_SA_COUNTERS,
	XFRM_CSUM_DEFERRED = XFRM_CSUM_SA_COUNTERS,
	XFRM_CSUM_SKIPPED,
	XFRM_CSUM_UNTRACKED,
	XFRM_CSUM_CONFLICTS,
	XFRM_CSUM_EVENTS,
	XFRM_CSUM_EVENTS_SUPPRESSED,
	XFRM_CSUM_COUNTERS,
};

struct xfrm_csum_pcpu {
	u64_stats_t cnt[XFRM_CSUM_COUNTERS];
	struct u64_stats_sync syncp;
};

/* Global and per-namespace totals. */
struct xfrm_csum_stats {
	struct xfrm_csum_pcpu __percpu *pcpu;
};

/* Per-SA counters, embedded in the entry. */
struct xfrm_csum_sa_stats {
	atomic64_t cnt[XFRM_CSUM_SA_COUNTERS];
};

int xfrm_csum_stats_init(struct xfrm_csum_stats *s);
void xfrm_csum_stats_free(struct xfrm_csum_stats *s);
void xfrm_csum_stats_read(const struct xfrm_csum_stats *s,
			  u64 out[XFRM_CSUM_COUNTERS]);
void xfrm_csum_sa_stats_read(const struct xfrm_csum_sa_stats *s,
			     u64 out[XFRM_CSUM_SA_COUNTERS]);

static inline void xfrm_csum_stats_inc(struct xfrm_csum_stats *s,
				       enum xfrm_csum_counter c)
{
	struct xfrm_csum_pcpu *p = this_cpu_ptr(s->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_inc(&p->cnt[c]);
	u64_stats_update_end(&p->syncp);
}

/* The sum of the verdicts. */
static inline u64 xfrm_csum_checked(const u64 *cnt)
{
	u64 sum = 0;
	int i;

	for (i = 0; i < XFRM_CSUM_VERDICTS; i++)
		sum += cnt[i];
	return sum;
}

#endif /* _XFRM_CSUM_STATS_H */
