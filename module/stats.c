// SPDX-License-Identifier: GPL-2.0
/*
 * Counter sets (stats.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/string.h>

#include "stats.h"

/**
 * xfrm_csum_stats_init - allocate a per-CPU counter set
 * @s: the set
 *
 * Context: process context.
 * Return: 0 or -ENOMEM.
 */
int xfrm_csum_stats_init(struct xfrm_csum_stats *s)
{
	int cpu;

	s->pcpu = alloc_percpu_gfp(struct xfrm_csum_pcpu,
				   GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!s->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s->pcpu, cpu)->syncp);
	return 0;
}

void xfrm_csum_stats_free(struct xfrm_csum_stats *s)
{
	free_percpu(s->pcpu);
	s->pcpu = NULL;
}

/**
 * xfrm_csum_stats_read - sum a per-CPU counter set
 * @s: the set
 * @out: the totals, in enum xfrm_csum_counter order
 */
void xfrm_csum_stats_read(const struct xfrm_csum_stats *s,
			  u64 out[XFRM_CSUM_COUNTERS])
{
	unsigned int start, i;
	int cpu;

	memset(out, 0, XFRM_CSUM_COUNTERS * sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct xfrm_csum_pcpu *p = per_cpu_ptr(s->pcpu, cpu);
		u64 v[XFRM_CSUM_COUNTERS];

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < XFRM_CSUM_COUNTERS; i++)
				v[i] = u64_stats_read(&p->cnt[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < XFRM_CSUM_COUNTERS; i++)
			out[i] += v[i];
	}
}

/**
 * xfrm_csum_sa_stats_read - read an SA entry's counters
 * @s: the entry's counters
 * @out: the values, in enum xfrm_csum_counter order
 */
void xfrm_csum_sa_stats_read(const struct xfrm_csum_sa_stats *s,
			     u64 out[XFRM_CSUM_SA_COUNTERS])
{
	int i;

	for (i = 0; i < XFRM_CSUM_SA_COUNTERS; i++)
		out[i] = atomic64_read(&s->cnt[i]);
}
