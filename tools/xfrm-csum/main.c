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
	/* an SA without a mark has mark 0 */
	if (a->have_mark && sa->mark != a->mark)
		return false;
	return true;
}

/* Grow an array of n elements of size sz by one; NULL when out of memory. */
static void *grow(void **v, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		void *p = realloc(*v, c * sz);

		if (!p)
			return NULL;
		*v = p;
		*cap = c;
	}
	return (char *)*v + (*n)++ * sz;
}

static int sa_msg(const struct nlmsghdr *nlh, void *data)
{
	struct sa_list *l = data;
	struct xc_sa sa, *slot;

	if (parse_sa(nlh, &sa) || !sa_match(&sa, l->filter))
		return 0;
	slot = grow((void **)&l->v, &l->n, &l->cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = sa;
	return 0;
}

struct peer_list {
	struct xc_peer *v;
	size_t n, cap;
};

static int peer_msg(const struct nlmsghdr *nlh, void *data)
{
	struct peer_list *l = data;
	struct xc_peer p, *slot;

	if (parse_peer(nlh, &p))
		return 0;
	slot = grow((void **)&l->v, &l->n, &l->cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = p;
	return 0;
}

/* --- commands --------------------------------------------------------------- */

static struct out out_of(const struct xc_args *a)
{
	return (struct out){ .f = stdout, .json = a->format == FMT_JSON, .pretty = a->pretty,
			     .details = a->details };
}

static int cmd_stats(struct xc_nl *nl, const struct xc_args *a)
{
	struct out o = out_of(a);
	struct peer_list peers = {};
	struct sa_list sas = {};
	struct xc_config cfg = {};
	struct xc_stats st = {};
	struct xc_global g;
	struct prom_in in;
	bool have_g;
	int rc = EXIT_OK;

	if (xc_nl_do(nl, XFRM_CSUM_CMD_STATS_GET, false, NULL, NULL, stats_msg, &st,
		     "reading the counters") < 0)
		return EXIT_RUNTIME;
	if (xc_nl_do(nl, XFRM_CSUM_CMD_CONFIG_GET, false, NULL, NULL, config_msg, &cfg,
		     "reading the settings") < 0)
		return EXIT_RUNTIME;
	have_g = !a->no_global && !read_global(getenv("XFRM_CSUM_SYSFS") ?: XC_SYSFS_DIR, &g);

	if (a->format != FMT_PROMETHEUS) {
		print_stats(&o, &st, &cfg, have_g ? &g : NULL);
		return EXIT_OK;
	}
	if (!a->no_sa &&
	    (xc_nl_do(nl, XFRM_CSUM_CMD_SA_GET, true, NULL, NULL, sa_msg, &sas,
		      "listing the SAs") < 0 ||
	     xc_nl_do(nl, XFRM_CSUM_CMD_PEER_GET, true, NULL, NULL, peer_msg, &peers,
		      "listing the peers") < 0)) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	in = (struct prom_in){
		.stats = &st, .config = &cfg, .with_tables = !a->no_sa,
		.sas = sas.v, .nsa = sas.n, .npeer = peers.n,
		.global = have_g ? &g : NULL, .netns = a->netns,
	};
	prom_stats(stdout, &in);
out:
	free(sas.v);
	free(peers.v);
	return rc;
}

static int cmd_sa(struct xc_nl *nl, const struct xc_args *a)
{
	struct out o = out_of(a);
	struct sa_list sas = { .filter = a };
	int rc;

	rc = xc_nl_do(nl, XFRM_CSUM_CMD_SA_GET, true, NULL, NULL, sa_msg, &sas,
		      "listing the SAs");
	if (rc == 0)
		print_sa_table(&o, sas.v, sas.n);
	free(sas.v);
	return rc < 0 ? EXIT_RUNTIME : EXIT_OK;
}

static int cmd_peer(struct xc_nl *nl, const struct xc_args *a)
{
	struct out o = out_of(a);
	struct peer_list peers = {};
	int rc;

	rc = xc_nl_do(nl, XFRM_CSUM_CMD_PEER_GET, true, NULL, NULL, peer_msg, &peers,
		      "listing the peers");
	if (rc == 0)
		print_peer_table(&o, peers.v, peers.n);
	free(peers.v);
	return rc < 0 ? EXIT_RUNTIME : EXIT_OK;
}

static void fill_config(struct nlmsghdr *nlh, void *data)
{
	static const int types[] = {
		XFRM_CSUM_A_CONFIG_MODE, XFRM_CSUM_A_CONFIG_LEARN,
		XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS, XFRM_CSUM_A_CONFIG_EVENT_RATE,
		XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN,
	};
	const struct xc_config *c = data;
	const uint32_t vals[] = {
		c->mode, c->learn, c->confirm_packets, c->event_rate, c->event_snaplen,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (config_has(c, types[i]))
			mnl_attr_put_u32(nlh, types[i], vals[i]);
}

static void fill_sa(struct nlmsghdr *nlh, void *data)
{
	const struct xc_args *a = data;

	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_FAMILY, a->family);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_DADDR, a->daddr.len, a->daddr.a);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_SPI, htonl(a->spi));
	if (a->have_mark)
		mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_MARK, a->mark);
	if (a->orig_saddr.len)
		mnl_attr_put(nlh, XFRM_CSUM_A_SA_ORIG_SADDR, a->orig_saddr.len, a->orig_saddr.a);
	if (a->orig_daddr.len)
		mnl_attr_put(nlh, XFRM_CSUM_A_SA_ORIG_DADDR, a->orig_daddr.len, a->orig_daddr.a);
	if (a->relearn)
		mnl_attr_put(nlh, XFRM_CSUM_A_SA_RELEARN, 0, NULL);
}

static void fill_peer(struct nlmsghdr *nlh, void *data)
{
	const struct xc_args *a = data;

	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_FAMILY, a->family);
	mnl_attr_put(nlh, XFRM_CSUM_A_PEER_SADDR, a->saddr.len, a->saddr.a);
	mnl_attr_put(nlh, XFRM_CSUM_A_PEER_DADDR, a->daddr.len, a->daddr.a);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_TYPE, a->encap_type);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_SPORT, htons(a->encap_sport));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_DPORT, htons(a->encap_dport));
	if (a->orig_saddr.len)
		mnl_attr_put(nlh, XFRM_CSUM_A_PEER_ORIG_SADDR, a->orig_saddr.len,
			     a->orig_saddr.a);
	if (a->orig_daddr.len)
		mnl_attr_put(nlh, XFRM_CSUM_A_PEER_ORIG_DADDR, a->orig_daddr.len,
			     a->orig_daddr.a);
}

static int cmd_set(struct xc_nl *nl, const struct xc_args *a)
{
	struct xc_config c = a->cfg;

	if (xc_nl_do(nl, XFRM_CSUM_CMD_CONFIG_SET, false, fill_config, &c, NULL, NULL,
		     "changing the settings") < 0)
		return EXIT_RUNTIME;
	return EXIT_OK;
}

static int cmd_sa_set(struct xc_nl *nl, const struct xc_args *a)
{
	char what[160], buf[64];
	int l;

	l = snprintf(what, sizeof(what), "SA spi 0x%08x dst %s", a->spi,
		     addr_str(&a->daddr, buf, sizeof(buf)));
	if (a->have_mark)
		snprintf(what + l, sizeof(what) - l, " mark 0x%x", a->mark);
	if (xc_nl_do(nl, XFRM_CSUM_CMD_SA_SET, false, fill_sa, (void *)a, NULL, NULL,
		     what) < 0)
		return EXIT_RUNTIME;
	return EXIT_OK;
}

static int cmd_peer_set(struct xc_nl *nl, const struct xc_args *a)
{
	char what[192], s[64], d[64];

	snprintf(what, sizeof(what), "peer src %s dst %s encap %s sport %u dport %u",
		 addr_str(&a->saddr, s, sizeof(s)), addr_str(&a->daddr, d, sizeof(d)),
		 a->encap_type == XC_ENCAP_TCP ? "tcp" : "udp", a->encap_sport,
		 a->encap_dport);
	if (xc_nl_do(nl, XFRM_CSUM_CMD_PEER_SET, false, fill_peer, (void *)a, NULL, NULL,
		     what) < 0)
		return EXIT_RUNTIME;
	return EXIT_OK;
}

struct monitor {
	struct out o;
	int pcap_fd;
	uint64_t count, seen, written, fixed, missed;
	bool have_seq;
	uint32_t last_seq;
};

/* A gap in the sequence numbers: events the module did not send or we lost. */
static void note_seq(struct monitor *m, const struct xc_event *ev)
{
	uint32_t gap;

	if (!ev_has(ev, XFRM_CSUM_A_EVENT_SEQ))
		return;
	gap = event_seq_gap(m->have_seq, m->last_seq, ev->seq);
	if (gap) {
		errmsg("%u event(s) missed before seq %u (%s)", gap, ev->seq,
		       "rate limit, see events-suppressed, or receive buffer overrun");
		m->missed += gap;
	}
	m->have_seq = true;
	m->last_seq = ev->seq;
}

static int event_msg(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	struct xc_event ev;

	if (parse_event(nlh, &ev))
		return 0;
	note_seq(m, &ev);
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
	errmsg("%llu event(s), %llu packet(s) written to %s, %llu event(s) missed",
	       (unsigned long long)m->seen, (unsigned long long)m->written, path,
	       (unsigned long long)m->missed);
	if (m->fixed)
		errmsg("%llu captured IP header(s) still named ESP or the outer length: rewritten",
		       (unsigned long long)m->fixed);
}

static int cmd_monitor(struct xc_nl *nl, const struct xc_args *a)
{
	struct monitor m = {
		.o = out_of(a),
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
	case CMD_SA_SET:
		rc = cmd_sa_set(nl, &a);
		break;
	case CMD_PEER:
		rc = cmd_peer(nl, &a);
		break;
	case CMD_PEER_SET:
		rc = cmd_peer_set(nl, &a);
		break;
	case CMD_SET:
		rc = cmd_set(nl, &a);
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
