// SPDX-License-Identifier: GPL-2.0
/*
 * Global totals (all namespaces) in /sys/kernel/xfrm_csum/, read-only, one
 * value per file.  Per-namespace totals and per-SA counters are in the
 * generic netlink family.
 *
 * checked	packets in scope whose inner checksum was examined
 * verified	right for the addresses as received
 * nat_adjusted	right once the SA's NAT difference is applied
 * unverified	delivered without a verdict while learning the NAT difference
 * no_csum	IPv4 UDP with checksum 0 (RFC 768), passed
 * mismatches	wrong checksum (IPv6 UDP checksum 0 included)
 * dropped	mismatching or malformed packets dropped (drop mode)
 * malformed	truncated or inconsistent inner TCP/UDP header
 * skipped	ESP packets out of scope (tunnel/BEET, no encap, not TCP/UDP)
 * untracked	checked without a per-SA entry (table full)
 * events, events_suppressed	mismatch events sent / rate-limited
 *
 * checked = verified + nat_adjusted + unverified + no_csum + mismatches +
 * malformed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "xfrm_csum.h"

static struct kobject *xfrm_csum_kobj;

struct counter_attr {
	struct kobj_attribute attr;
	enum xfrm_csum_counter counter;
};

static ssize_t counter_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct counter_attr *ca = container_of(attr, struct counter_attr, attr);
	u64 v[XFRM_CSUM_COUNTERS];

	xfrm_csum_stats_read(&xfrm_csum_global, v, XFRM_CSUM_COUNTERS);
	return sysfs_emit(buf, "%llu\n", v[ca->counter]);
}

#define COUNTER_ATTR(_name, _counter)					\
	static struct counter_attr counter_##_name = {			\
		.attr = __ATTR(_name, 0444, counter_show, NULL),	\
		.counter = _counter,					\
	}

COUNTER_ATTR(checked, XFRM_CSUM_CHECKED);
COUNTER_ATTR(verified, XFRM_CSUM_VERIFIED);
COUNTER_ATTR(nat_adjusted, XFRM_CSUM_NAT_ADJUSTED);
COUNTER_ATTR(unverified, XFRM_CSUM_UNVERIFIED);
COUNTER_ATTR(no_csum, XFRM_CSUM_NO_CSUM);
COUNTER_ATTR(mismatches, XFRM_CSUM_MISMATCH);
COUNTER_ATTR(dropped, XFRM_CSUM_DROPPED);
COUNTER_ATTR(malformed, XFRM_CSUM_MALFORMED);
COUNTER_ATTR(skipped, XFRM_CSUM_SKIPPED);
COUNTER_ATTR(untracked, XFRM_CSUM_UNTRACKED);
COUNTER_ATTR(events, XFRM_CSUM_EVENTS);
COUNTER_ATTR(events_suppressed, XFRM_CSUM_EVENTS_SUPPRESSED);

static struct attribute *counter_attrs[] = {
	&counter_checked.attr.attr,
	&counter_verified.attr.attr,
	&counter_nat_adjusted.attr.attr,
	&counter_unverified.attr.attr,
	&counter_no_csum.attr.attr,
	&counter_mismatches.attr.attr,
	&counter_dropped.attr.attr,
	&counter_malformed.attr.attr,
	&counter_skipped.attr.attr,
	&counter_untracked.attr.attr,
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
