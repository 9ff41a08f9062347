// SPDX-License-Identifier: GPL-2.0
/*
 * Global totals (all namespaces) in /sys/kernel/xfrm_csum/, read-only, one
 * value per file, named as in the netlink family (docs/design.md,
 * "Counters"); "checked" is the sum of the verdicts.  sa_entries and
 * peer_entries are the entries allocated in the SA and peer tables.
 * Per-namespace totals and per-SA counters are in the generic netlink
 * family.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "xfrm_csum.h"

/* pseudo-counter: the sum of the verdicts */
#define XFRM_CSUM_CHECKED	XFRM_CSUM_COUNTERS

static struct kobject *xfrm_csum_kobj;

struct counter_attr {
	struct kobj_attribute attr;
	unsigned int counter;
};

static ssize_t counter_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct counter_attr *ca = container_of(attr, struct counter_attr, attr);
	u64 v[XFRM_CSUM_COUNTERS];

	xfrm_csum_stats_read(&xfrm_csum_global, v);
	return sysfs_emit(buf, "%llu\n", ca->counter == XFRM_CSUM_CHECKED ?
			  xfrm_csum_checked(v) : v[ca->counter]);
}

#define COUNTER_ATTR(_name, _counter)					\
	static struct counter_attr counter_##_name = {			\
		.attr = __ATTR(_name, 0444, counter_show, NULL),	\
		.counter = _counter,					\
	}

COUNTER_ATTR(checked, XFRM_CSUM_CHECKED);
COUNTER_ATTR(verified, XFRM_CSUM_VERIFIED);
COUNTER_ATTR(nat_adjusted, XFRM_CSUM_NAT_ADJUSTED);
COUNTER_ATTR(no_csum, XFRM_CSUM_NO_CSUM);
COUNTER_ATTR(mismatch, XFRM_CSUM_MISMATCH);
COUNTER_ATTR(malformed, XFRM_CSUM_MALFORMED);
COUNTER_ATTR(unconfirmed, XFRM_CSUM_UNCONFIRMED);
COUNTER_ATTR(unverified, XFRM_CSUM_UNVERIFIED);
COUNTER_ATTR(dropped, XFRM_CSUM_DROPPED);
COUNTER_ATTR(deferred, XFRM_CSUM_DEFERRED);
COUNTER_ATTR(skipped, XFRM_CSUM_SKIPPED);
COUNTER_ATTR(untracked, XFRM_CSUM_UNTRACKED);
COUNTER_ATTR(conflicts, XFRM_CSUM_CONFLICTS);
COUNTER_ATTR(events, XFRM_CSUM_EVENTS);
COUNTER_ATTR(events_suppressed, XFRM_CSUM_EVENTS_SUPPRESSED);

/* Entries of the SA and peer tables, all namespaces (memory in use). */
static ssize_t sa_entries_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&xfrm_csum_nr_sa_entries));
}

static ssize_t peer_entries_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&xfrm_csum_nr_peer_entries));
}

static struct kobj_attribute sa_entries_attr = __ATTR_RO(sa_entries);
static struct kobj_attribute peer_entries_attr = __ATTR_RO(peer_entries);

static struct attribute *counter_attrs[] = {
	&sa_entries_attr.attr,
	&peer_entries_attr.attr,
	&counter_checked.attr.attr,
	&counter_verified.attr.attr,
	&counter_nat_adjusted.attr.attr,
	&counter_no_csum.attr.attr,
	&counter_mismatch.attr.attr,
	&counter_malformed.attr.attr,
	&counter_unconfirmed.attr.attr,
	&counter_unverified.attr.attr,
	&counter_dropped.attr.attr,
	&counter_deferred.attr.attr,
	&counter_skipped.attr.attr,
	&counter_untracked.attr.attr,
	&counter_conflicts.attr.attr,
	&counter_events.attr.attr,
	&counter_events_suppressed.attr.attr,
	NULL,
};

static const struct attribute_group counter_group = {
	.attrs = counter_attrs,
};

int __init xfrm_csum_sysfs_init(void)
{
	int err;

	xfrm_csum_kobj = kobject_create_and_add("xfrm_csum", kernel_kobj);
	if (!xfrm_csum_kobj)
		return -ENOMEM;
	err = sysfs_create_group(xfrm_csum_kobj, &counter_group);
	if (err)
		kobject_put(xfrm_csum_kobj);
	return err;
}

void xfrm_csum_sysfs_exit(void)
{
	sysfs_remove_group(xfrm_csum_kobj, &counter_group);
	kobject_put(xfrm_csum_kobj);
}
