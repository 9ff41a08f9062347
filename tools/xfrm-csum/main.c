// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: command-line client of the xfrm_csum module's generic netlink
 * family (module/xfrm_csum.yaml).  See xfrm-csum(8).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "xfrm-csum.h"

/* --- replies -------------------------------------------------------------- */

static int stats_msg(const struct nlmsghdr *nlh, void *data)
{
	return parse_stats(nlh, data);
}

static int config_msg(const struct nlmsghdr *nlh, void *data)
{
	return parse_config(nlh, data);
}

struct sa_list {
	struct xc_sa *v;
	size_t n, cap;
	const struct xc_args *filter;
};

static bool sa_match(const struct xc_sa *sa, const struct xc_args *a)
{
	if (!a)
		return true;
	if (a->have_spi && sa->spi != a->spi)
		return false;
	if (a->have_daddr && (sa->daddr.len != a->daddr.len ||
			      memcmp(sa->daddr.a, a->daddr.a, a->daddr.len)))
		return false;
	return true;
}

static int sa_msg(const struct nlmsghdr *nlh, void *data)
{
	struct sa_list *l = data;
	struct xc_sa sa;

	if (parse_sa(nlh, &sa) || !sa_match(&sa, l->filter))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct xc_sa *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = sa;
	return 0;
}

/* --- commands --------------------------------------------------------------- */

static int cmd_stats(struct xc_nl *nl, const struct xc_args *a)
{
	struct out o = { .f = stdout, .json = a->format == FMT_JSON, .pretty = a->pretty };
	struct sa_list sas = {};
	struct xc_config cfg = {};
	struct xc_stats st = {};
	struct xc_global g;
	bool have_g;
	int rc;

	if (xc_nl_do(nl, XFRM_CSUM_CMD_STATS_GET, false, NULL, NULL, stats_msg, &st,
		     "reading the counters") < 0)
		return EXIT_RUNTIME;
	if (xc_nl_do(nl, XFRM_CSUM_CMD_CONFIG_GET, false, NULL, NULL, config_msg, &cfg,
		     "reading the settings") < 0)
		return EXIT_RUNTIME;
	have_g = !a->no_global && !read_global(getenv("XFRM_CSUM_SYSFS") ?: XC_SYSFS_DIR, &g);

	if (a->format == FMT_PROMETHEUS) {
		if (!a->no_sa) {
			rc = xc_nl_do(nl, XFRM_CSUM_CMD_SA_GET, true, NULL, NULL, sa_msg, &sas,
				      "listing the SAs");
			if (rc < 0) {
				free(sas.v);
				return EXIT_RUNTIME;
			}
		}
		prom_stats(stdout, &st, &cfg, sas.v, sas.n, !a->no_sa,
			   have_g ? &g : NULL, a->netns);
		free(sas.v);
		return EXIT_OK;
	}
	print_stats(&o, &st, &cfg, have_g ? &g : NULL);
	return EXIT_OK;
}

static int cmd_sa(struct xc_nl *nl, const struct xc_args *a)
{
	struct out o = { .f = stdout, .json = a->format == FMT_JSON, .pretty = a->pretty };
	struct sa_list sas = { .filter = a };
	int rc;

	rc = xc_nl_do(nl, XFRM_CSUM_CMD_SA_GET, true, NULL, NULL, sa_msg, &sas,
		      "listing the SAs");
	if (rc == 0)
		print_sa_table(&o, sas.v, sas.n);
	free(sas.v);
	return rc < 0 ? EXIT_RUNTIME : EXIT_OK;
}

static void fill_config(struct nlmsghdr *nlh, void *data)
{
	const struct xc_config *c = data;

	if (config_has(c, XFRM_CSUM_A_CONFIG_MODE))
		mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_MODE, c->mode);
	if (config_has(c, XFRM_CSUM_A_CONFIG_LEARN_PACKETS))
		mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_LEARN_PACKETS, c->learn_packets);
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_RATE))
		mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_EVENT_RATE, c->event_rate);
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN))
		mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN, c->event_snaplen);
}

static void fill_sa(struct nlmsghdr *nlh, void *data)
{
	const struct xc_args *a = data;

	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_FAMILY, a->family);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_DADDR, a->daddr.len, a->daddr.a);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_SPI, htonl(a->spi));
	if (a->orig.len)
		mnl_attr_put(nlh, XFRM_CSUM_A_SA_ORIG_ADDR, a->orig.len, a->orig.a);
	if (a->relearn)
		mnl_attr_put(nlh, XFRM_CSUM_A_SA_RELEARN, 0, NULL);
}

static int cmd_set(struct xc_nl *nl, const struct xc_args *a)
{
	struct xc_config c = a->cfg;

	if (xc_nl_do(nl, XFRM_CSUM_CMD_CONFIG_SET, false, fill_config, &c, NULL, NULL,
		     "changing the settings") < 0)
		return EXIT_RUNTIME;
	return EXIT_OK;
}

static int cmd_set_sa(struct xc_nl *nl, const struct xc_args *a)
{
	char what[128], buf[64];

	snprintf(what, sizeof(what), "SA spi 0x%08x dst %s", a->spi,
		 addr_str(&a->daddr, buf, sizeof(buf)));
	if (xc_nl_do(nl, XFRM_CSUM_CMD_SA_SET, false, fill_sa, (void *)a, NULL, NULL,
		     what) < 0)
		return EXIT_RUNTIME;
	return EXIT_OK;
}

struct monitor {
	struct out o;
	int pcap_fd;
	uint64_t count, seen, written, fixed;
};

static int event_msg(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	struct xc_event ev;

	if (parse_event(nlh, &ev))
		return 0;
	print_event(&m->o, &ev);
	fflush(m->o.f);
	if (m->pcap_fd >= 0 && ev.caplen) {
		uint8_t pkt[PCAP_SNAPLEN];
		uint32_t caplen = ev.caplen > sizeof(pkt) ? sizeof(pkt) : ev.caplen;
		uint64_t ts = ev.timestamp;
		int rc;

		if (!ts) {
			struct timespec now;

			clock_gettime(CLOCK_REALTIME, &now);
			ts = now.tv_sec * 1000000000ull + now.tv_nsec;
		}
		memcpy(pkt, ev.pkt, caplen);
		m->fixed += pcap_fixup_ip(pkt, caplen, ev.pkt_len, ev.l4_proto);
		rc = pcap_write_record(m->pcap_fd, ts, pkt, caplen,
				       ev.pkt_len ?: caplen);
		if (rc < 0) {
			errmsg("writing the pcap file: %s", strerror(-rc));
			return rc;
		}
		m->written++;
	}
	m->seen++;
	return m->count && m->seen >= m->count;
}

/* What monitor --pcap wrote, on stderr. */
static void pcap_summary(const struct monitor *m, const char *path)
{
	errmsg("%llu event(s), %llu packet(s) written to %s",
	       (unsigned long long)m->seen, (unsigned long long)m->written, path);
	if (m->fixed)
		errmsg("%llu captured IP header(s) still named ESP or the outer length: rewritten",
		       (unsigned long long)m->fixed);
}

static int cmd_monitor(struct xc_nl *nl, const struct xc_args *a)
{
	struct monitor m = {
		.o = { .f = stdout, .json = a->format == FMT_JSON, .pretty = a->pretty },
		.pcap_fd = -1,
		.count = a->count,
	};
	sigset_t mask;
	int sfd, rc;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		errmsg("signalfd: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	if (xc_nl_join_events(nl) < 0) {
		close(sfd);
		return EXIT_RUNTIME;
	}
	/* The pcap header is written once subscribed: a caller may wait for it. */
	if (a->pcap) {
		m.pcap_fd = open(a->pcap, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (m.pcap_fd < 0 || pcap_write_header(m.pcap_fd) < 0) {
			errmsg("cannot write pcap file '%s': %s", a->pcap, strerror(errno));
			close(sfd);
			if (m.pcap_fd >= 0)
				close(m.pcap_fd);
			return EXIT_RUNTIME;
		}
	}
	rc = xc_nl_monitor(nl, sfd, event_msg, &m);
	close(sfd);
	if (m.pcap_fd >= 0) {
		close(m.pcap_fd);
		pcap_summary(&m, a->pcap);
	}
	if (rc < 0 && rc != -EINTR) {
		errmsg("receiving events: %s", strerror(-rc));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct xc_args a;
	struct xc_nl *nl;
	char err[256];
	int rc;

	rc = parse_args(argc, argv, &a, err, sizeof(err));
	if (rc) {
		errmsg("%s", err);
		fprintf(stderr, "Try '" PROG " --help' for more information.\n");
		return rc;
	}
	switch (a.cmd) {
	case CMD_HELP:
		usage(stdout);
		return EXIT_OK;
	case CMD_VERSION:
		printf(PROG " " XFRM_CSUM_TOOL_VERSION " (netlink family " XFRM_CSUM_FAMILY_NAME
		       " version %d)\n", XFRM_CSUM_FAMILY_VERSION);
		return EXIT_OK;
	default:
		break;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (a.netns && enter_netns(a.netns) < 0)
		return EXIT_RUNTIME;
	nl = xc_nl_open();
	if (!nl)
		return EXIT_RUNTIME;
	switch (a.cmd) {
	case CMD_STATS:
		rc = cmd_stats(nl, &a);
		break;
	case CMD_SA:
		rc = cmd_sa(nl, &a);
		break;
	case CMD_MONITOR:
		rc = cmd_monitor(nl, &a);
		break;
	case CMD_SET:
		rc = cmd_set(nl, &a);
		break;
	case CMD_SET_SA:
		rc = cmd_set_sa(nl, &a);
		break;
	default:
		rc = EXIT_USAGE;
	}
	xc_nl_close(nl);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		errmsg("writing the output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return rc;
}
