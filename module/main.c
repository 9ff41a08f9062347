// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm_csum: verify the inner TCP/UDP checksum of packets decrypted by ESP
 * transport-mode SAs with NAT-T encapsulation, which the kernel otherwise
 * marks CHECKSUM_UNNECESSARY without looking (esp_input_done2()).
 * docs/design.md explains what is checked and how NAT is accounted for.
 *
 * This file: module parameters, per-CPU counters, per-namespace state and
 * the hook into the xfrm receive path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/xfrm.h>

#include "xfrm_csum.h"

static const char * const mode_names[] = {
	[XFRM_CSUM_MODE_OFF] = "off",
	[XFRM_CSUM_MODE_AUDIT] = "audit",
	[XFRM_CSUM_MODE_DROP] = "drop",
};

unsigned int xfrm_csum_mode = XFRM_CSUM_MODE_DROP;

static int mode_param_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(mode_names, val);

	if (i < 0) {
		unsigned int v;

		if (kstrtouint(val, 0, &v) || v >= ARRAY_SIZE(mode_names))
			return -EINVAL;
		i = v;
	}
	WRITE_ONCE(xfrm_csum_mode, i);
	return 0;
}

static int mode_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", mode_names[READ_ONCE(xfrm_csum_mode)]);
}

static const struct kernel_param_ops mode_param_ops = {
	.set = mode_param_set,
	.get = mode_param_get,
};

module_param_cb(mode, &mode_param_ops, NULL, 0644);
MODULE_PARM_DESC(mode,
		 "Default mode of new network namespaces: off, audit or drop (default drop)");

static const char * const learn_names[] = {
	[XFRM_CSUM_LEARN_CONFIRM] = "confirm",
	[XFRM_CSUM_LEARN_STRICT] = "strict",
	[XFRM_CSUM_LEARN_PERMISSIVE] = "permissive",
};

unsigned int xfrm_csum_learn = XFRM_CSUM_LEARN_CONFIRM;

static int learn_param_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(learn_names, val);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(xfrm_csum_learn, i);
	return 0;
}

static int learn_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", learn_names[READ_ONCE(xfrm_csum_learn)]);
}

static const struct kernel_param_ops learn_param_ops = {
	.set = learn_param_set,
	.get = learn_param_get,
};

module_param_cb(learn, &learn_param_ops, NULL, 0644);
MODULE_PARM_DESC(learn,
		 "Default learning of new network namespaces: confirm, strict or permissive (default confirm; permissive delivers packets before the NAT difference is confirmed)");

static int uint_range_set(const char *val, const struct kernel_param *kp,
			  unsigned int min, unsigned int max)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < min || v > max)
		return -EINVAL;
	*(unsigned int *)kp->arg = v;
	return 0;
}

static int confirm_param_set(const char *val, const struct kernel_param *kp)
{
	return uint_range_set(val, kp, 2, 16);
}

static int rate_param_set(const char *val, const struct kernel_param *kp)
{
	return uint_range_set(val, kp, 0, 100000);
}

static int snaplen_param_set(const char *val, const struct kernel_param *kp)
{
	return uint_range_set(val, kp, 0, 1024);
}

static int max_sas_param_set(const char *val, const struct kernel_param *kp)
{
	return uint_range_set(val, kp, 0, 1 << 20);
}

#define XFRM_CSUM_UINT_PARAM(name, setter)				\
	static const struct kernel_param_ops name##_param_ops = {	\
		.set = setter,						\
		.get = param_get_uint,					\
	}

XFRM_CSUM_UINT_PARAM(confirm, confirm_param_set);
XFRM_CSUM_UINT_PARAM(rate, rate_param_set);
XFRM_CSUM_UINT_PARAM(snaplen, snaplen_param_set);
XFRM_CSUM_UINT_PARAM(max_sas, max_sas_param_set);

unsigned int xfrm_csum_confirm_packets = 2;
module_param_cb(confirm_packets, &confirm_param_ops, &xfrm_csum_confirm_packets,
		0644);
MODULE_PARM_DESC(confirm_packets,
		 "Default agreeing packets in a row that confirm a learned NAT difference (2-16, default 2)");

unsigned int xfrm_csum_event_rate = 10;
module_param_cb(event_rate, &rate_param_ops, &xfrm_csum_event_rate, 0644);
MODULE_PARM_DESC(event_rate,
		 "Default events per second and namespace (0-100000, default 10)");

unsigned int xfrm_csum_event_snaplen = 128;
module_param_cb(event_snaplen, &snaplen_param_ops, &xfrm_csum_event_snaplen,
		0644);
MODULE_PARM_DESC(event_snaplen,
		 "Default bytes of the decrypted packet in an event (0-1024, default 128)");

/* Read at namespace creation; changing it later affects new namespaces. */
unsigned int xfrm_csum_max_sas = 4096;
module_param_cb(max_sas, &max_sas_param_ops, &xfrm_csum_max_sas, 0644);
MODULE_PARM_DESC(max_sas,
		 "SA and peer entries per network namespace, for namespaces created from now on (default 4096)");

struct xfrm_csum_stats xfrm_csum_global;

static unsigned int xfrm_csum_net_id __read_mostly;

struct xfrm_csum_net *xfrm_csum_pernet(const struct net *net)
{
	return net_generic(net, xfrm_csum_net_id);
}

static int __net_init xfrm_csum_net_init(struct net *net)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(net);
	int err;

	err = xfrm_csum_stats_init(&xn->stats);
	if (err)
		return err;
	xn->net = net;
	xn->mode = READ_ONCE(xfrm_csum_mode);
	xn->learn = READ_ONCE(xfrm_csum_learn);
	xn->confirm_packets = READ_ONCE(xfrm_csum_confirm_packets);
	xn->event_snaplen = READ_ONCE(xfrm_csum_event_snaplen);
	xn->event_rate = READ_ONCE(xfrm_csum_event_rate);
	xn->max_sas = READ_ONCE(xfrm_csum_max_sas);
	ratelimit_state_init(&xn->event_rs, HZ, xn->event_rate);
	ratelimit_set_flags(&xn->event_rs, RATELIMIT_MSG_ON_RELEASE);
	err = xfrm_csum_net_sa_init(xn);
	if (err)
		goto err_stats;
	return 0;

err_stats:
	xfrm_csum_stats_free(&xn->stats);
	return err;
}

static void __net_exit xfrm_csum_net_pre_exit(struct net *net)
{
	xfrm_csum_net_sa_pre_exit(xfrm_csum_pernet(net));
}

static void __net_exit xfrm_csum_net_exit(struct net *net)
{
	struct xfrm_csum_net *xn = xfrm_csum_pernet(net);

	xfrm_csum_net_sa_exit(xn);
	xfrm_csum_stats_free(&xn->stats);
}

static struct pernet_operations xfrm_csum_net_ops = {
	.init = xfrm_csum_net_init,
	.pre_exit = xfrm_csum_net_pre_exit,
	.exit = xfrm_csum_net_exit,
	.id = &xfrm_csum_net_id,
	.size = sizeof(struct xfrm_csum_net),
};

/*
 * The hook.  xfrm_input() calls xfrm_rcv_cb() once per packet after
 * decryption and the transport-mode input step, before transport_finish()
 * and before the packet can reach GRO cells, netfilter or a socket; see
 * verify.c.  The cb_handler chain runs from the highest priority down and
 * stops at the first handler returning <= 0: esp4/esp6 (priority 0) return
 * 0, xfrm interfaces (10) and vti (100) return 0 for their own packets.
 * Priority 200 puts this handler first, so every ESP packet is seen no
 * matter which of them claims it later.  Our other handlers pass
 * everything on: the input and plain receive handlers return -EINVAL
 * ("not mine", the walk continues), the error handler returns non-zero.
 */
#define XFRM_CSUM_PRIORITY	200

static int xfrm_csum_pass_rcv(struct sk_buff *skb)
{
	return -EINVAL;
}

static int xfrm_csum_pass_input(struct sk_buff *skb, int nexthdr, __be32 spi,
				int encap_type)
{
	return -EINVAL;
}

static int xfrm_csum_pass_err4(struct sk_buff *skb, u32 info)
{
	return -ENOENT;
}

static struct xfrm4_protocol xfrm_csum_esp4 = {
	.handler = xfrm_csum_pass_rcv,
	.input_handler = xfrm_csum_pass_input,
	.cb_handler = xfrm_csum_rcv_cb,
	.err_handler = xfrm_csum_pass_err4,
	.priority = XFRM_CSUM_PRIORITY,
};

#if IS_ENABLED(CONFIG_IPV6)
static int xfrm_csum_pass_err6(struct sk_buff *skb, struct inet6_skb_parm *opt,
			       u8 type, u8 code, int offset, __be32 info)
{
	return -ENOENT;
}

static struct xfrm6_protocol xfrm_csum_esp6 = {
	.handler = xfrm_csum_pass_rcv,
	.input_handler = xfrm_csum_pass_input,
	.cb_handler = xfrm_csum_rcv_cb,
	.err_handler = xfrm_csum_pass_err6,
	.priority = XFRM_CSUM_PRIORITY,
};

static int xfrm_csum_register6(void)
{
	return xfrm6_protocol_register(&xfrm_csum_esp6, IPPROTO_ESP);
}

static void xfrm_csum_deregister6(void)
{
	xfrm6_protocol_deregister(&xfrm_csum_esp6, IPPROTO_ESP);
}
#else
static int xfrm_csum_register6(void)
{
	return 0;
}

static void xfrm_csum_deregister6(void)
{
}
#endif

static int __init xfrm_csum_init(void)
{
	int err;

	err = xfrm_csum_stats_init(&xfrm_csum_global);
	if (err)
		return err;
	err = xfrm_csum_sa_module_init();
	if (err)
		goto err_stats;
	err = register_pernet_subsys(&xfrm_csum_net_ops);
	if (err)
		goto err_caches;
	err = xfrm_csum_genl_init();
	if (err)
		goto err_pernet;
	err = xfrm_csum_sysfs_init();
	if (err)
		goto err_genl;
	err = xfrm_csum_km_init();
	if (err)
		goto err_sysfs;
	/*
	 * Registration can fail after the handler was linked (the ESP
	 * protocol could not be added): deregister on every failure, which
	 * is harmless when it was not linked.
	 */
	err = xfrm4_protocol_register(&xfrm_csum_esp4, IPPROTO_ESP);
	if (err)
		goto err_esp4;
	err = xfrm_csum_register6();
	if (err)
		goto err_esp6;
	pr_info("verifying NAT-T transport-mode checksums, default mode %s\n",
		mode_names[READ_ONCE(xfrm_csum_mode)]);
	return 0;

err_esp6:
	xfrm_csum_deregister6();
err_esp4:
	xfrm4_protocol_deregister(&xfrm_csum_esp4, IPPROTO_ESP);
	xfrm_csum_km_exit();
err_sysfs:
	xfrm_csum_sysfs_exit();
err_genl:
	xfrm_csum_genl_exit();
err_pernet:
	unregister_pernet_subsys(&xfrm_csum_net_ops);
	rcu_barrier();	/* entries freed with call_rcu() */
err_caches:
	xfrm_csum_sa_module_exit();
err_stats:
	xfrm_csum_stats_free(&xfrm_csum_global);
	return err;
}

static void __exit xfrm_csum_exit(void)
{
	/* Both deregistrations wait for packets in flight (synchronize_net). */
	xfrm_csum_deregister6();
	xfrm4_protocol_deregister(&xfrm_csum_esp4, IPPROTO_ESP);
	xfrm_csum_km_exit();
	xfrm_csum_sysfs_exit();
	xfrm_csum_genl_exit();
	unregister_pernet_subsys(&xfrm_csum_net_ops);
	rcu_barrier();	/* entries freed with call_rcu() */
	xfrm_csum_sa_module_exit();
	xfrm_csum_stats_free(&xfrm_csum_global);
}

module_init(xfrm_csum_init);
module_exit(xfrm_csum_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Verify inner checksums of NAT-T transport-mode ESP");
MODULE_ALIAS_GENL_FAMILY(XFRM_CSUM_FAMILY_NAME);
