// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: human-readable and JSON output of counters, SA and peer
 * entries and events.
 *
 * JSON keys are the spec's attribute names with '_' for '-'; a key is left
 * out when the module did not send its attribute (xfrm-csum.schema.json).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "xfrm-csum.h"

/* --- stats ---------------------------------------------------------------- */

static void print_config_json(struct json *j, const struct xc_config *c)
{
	json_obj_open(j, "config");
	if (config_has(c, XFRM_CSUM_A_CONFIG_MODE))
		json_str(j, "mode", mode_name(c->mode));
	if (config_has(c, XFRM_CSUM_A_CONFIG_LEARN))
		json_str(j, "learn", learn_name(c->learn));
	if (config_has(c, XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS))
		json_u64(j, "confirm_packets", c->confirm_packets);
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_RATE))
		json_u64(j, "event_rate", c->event_rate);
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN))
		json_u64(j, "event_snaplen", c->event_snaplen);
	if (config_has(c, XFRM_CSUM_A_CONFIG_MAX_SAS))
		json_u64(j, "max_sas", c->max_sas);
	json_obj_close(j);
}

static void print_counters_json(struct json *j, const char *key,
				const struct xc_stats *s, bool per_sa)
{
	size_t i;

	json_obj_open(j, key);
	for (i = 0; i < xc_ncounters; i++) {
		const struct xc_counter *c = &xc_counters[i];

		if (per_sa && !c->per_sa)
			continue;
		if (stats_has(s, c->type))
			json_u64(j, c->key, s->val[c->type]);
	}
	json_obj_close(j);
}

/* Global counter for a netlink counter type, or -1 when sysfs lacks it. */
static int global_index(const struct xc_global *g, int type)
{
	const struct xc_counter *c;
	int i;

	for (i = 0; g && i < g->n; i++) {
		c = counter_by_sysfs_name(g->f[i].name);
		if (c && c->type == type)
			return i;
	}
	return -1;
}

static void print_config_line(FILE *f, const struct xc_config *c)
{
	const char *sep = "";

	if (config_has(c, XFRM_CSUM_A_CONFIG_MODE)) {
		fprintf(f, "mode %s", mode_name(c->mode));
		sep = "  ";
	}
	if (config_has(c, XFRM_CSUM_A_CONFIG_LEARN)) {
		fprintf(f, "%slearn %s", sep, learn_name(c->learn));
		sep = "  ";
	}
	if (config_has(c, XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS)) {
		fprintf(f, "%sconfirm-packets %u", sep, c->confirm_packets);
		sep = "  ";
	}
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_RATE)) {
		fprintf(f, "%sevent-rate %u/s", sep, c->event_rate);
		sep = "  ";
	}
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN)) {
		fprintf(f, "%sevent-snaplen %u", sep, c->event_snaplen);
		sep = "  ";
	}
	if (config_has(c, XFRM_CSUM_A_CONFIG_MAX_SAS))
		fprintf(f, "%smax-sas %u", sep, c->max_sas);
	fputc('\n', f);
}

void print_stats(const struct out *o, const struct xc_stats *s,
		 const struct xc_config *c, const struct xc_global *g)
{
	const struct xc_counter *ctr;
	char v[32];
	size_t i;
	int k;

	if (o->json) {
		struct json j;

		json_init(&j, o->f, o->pretty);
		json_obj_open(&j, NULL);
		print_config_json(&j, c);
		print_counters_json(&j, "netns", s, false);
		if (g) {
			json_obj_open(&j, "global");
			for (k = 0; k < g->n; k++) {
				ctr = counter_by_sysfs_name(g->f[k].name);
				json_u64(&j, ctr ? ctr->key : g->f[k].name, g->f[k].val);
			}
			json_obj_close(&j);
		}
		json_obj_close(&j);
		json_end(&j);
		return;
	}

	print_config_line(o->f, c);
	fprintf(o->f, "%-20s %20s", "counter", "this netns");
	if (g)
		fprintf(o->f, " %20s", "global");
	fputc('\n', o->f);
	for (i = 0; i < xc_ncounters; i++) {
		ctr = &xc_counters[i];
		k = global_index(g, ctr->type);
		if (!stats_has(s, ctr->type) && k < 0)
			continue;
		if (stats_has(s, ctr->type))
			snprintf(v, sizeof(v), "%llu",
				 (unsigned long long)s->val[ctr->type]);
		else
			snprintf(v, sizeof(v), "-");
		fprintf(o->f, "%-20s %20s", ctr->name, v);
		if (g && k >= 0)
			fprintf(o->f, " %20llu", (unsigned long long)g->f[k].val);
		else if (g)
			fprintf(o->f, " %20s", "-");
		fputc('\n', o->f);
	}
	/* sysfs files the tool does not know about (a newer module) */
	for (k = 0; g && k < g->n; k++)
		if (!counter_by_sysfs_name(g->f[k].name))
			fprintf(o->f, "%-20s %20s %20llu\n",
				g->f[k].name, "-", (unsigned long long)g->f[k].val);
}

/* --- tables ----------------------------------------------------------------- */

#define CELL 48

struct column {
	const char *title;
	bool right;		/* numbers are right-aligned */
	bool detail;		/* only with -d */
};

/*
 * Print rows of cells under titles, columns as wide as their widest cell,
 * leaving out the detail columns unless asked for.
 */
static void print_table(FILE *f, const struct column *cols, int ncols,
			char (*cells)[CELL], size_t nrows, bool details)
{
	int width[32], c, last = -1;
	size_t r;

	for (c = 0; c < ncols; c++) {
		width[c] = strlen(cols[c].title);
		for (r = 0; r < nrows; r++)
			if ((int)strlen(cells[r * ncols + c]) > width[c])
				width[c] = strlen(cells[r * ncols + c]);
		if (details || !cols[c].detail)
			last = c;
	}
	for (r = 0; r <= nrows; r++) {
		for (c = 0; c <= last; c++) {
			const char *cell = r ? cells[(r - 1) * ncols + c] : cols[c].title;

			if (cols[c].detail && !details)
				continue;
			if (c == last)
				fprintf(f, "%s\n", cell);
			else if (cols[c].right)
				fprintf(f, "%*s  ", width[c], cell);
			else
				fprintf(f, "%-*s  ", width[c], cell);
		}
	}
}

static void stat_cell(char *buf, const struct xc_stats *s, int type)
{
	if (stats_has(s, type))
		snprintf(buf, CELL, "%llu", (unsigned long long)s->val[type]);
	else
		snprintf(buf, CELL, "-");
}

static void addr_cell(char *buf, const struct xc_addr *a)
{
	char tmp[CELL];

	snprintf(buf, CELL, "%s", addr_str(a, tmp, sizeof(tmp)));
}

/* "udp:4500>4500": type, the peer's port, ours. */
static void encap_cell(char *buf, bool have_type, uint16_t type, bool have_ports,
		       uint16_t sport, uint16_t dport)
{
	const char *name = "-";

	if (have_type)
		name = type == XC_ENCAP_UDP ? "udp" : type == XC_ENCAP_TCP ? "tcp" :
		       "unknown";
	if (have_ports)
		snprintf(buf, CELL, "%s:%u>%u", name, sport, dport);
	else
		snprintf(buf, CELL, "%s", name);
}

static void hex16_cell(char *buf, bool have, uint16_t v)
{
	if (have)
		snprintf(buf, CELL, "0x%04x", v);
	else
		snprintf(buf, CELL, "-");
}

/* --- SA entries --------------------------------------------------------- */

enum {
	SA_FAMILY, SA_SPI, SA_MARK, SA_REQID, SA_PEER, SA_LOCAL, SA_SEEN, SA_ENCAP,
	SA_ORIG_SADDR, SA_ORIG_DADDR, SA_NAT, SA_NAT_K, SA_NAT_DELTA, SA_CHECKED,
	SA_VERIFIED, SA_NAT_ADJUSTED, SA_NO_CSUM, SA_MISMATCH, SA_MALFORMED,
	SA_UNCONFIRMED, SA_UNVERIFIED, SA_DROPPED, SA_FIRST_SEEN, SA_LAST_MISMATCH,
	SA_NCOLS
};

static const struct column sa_cols[SA_NCOLS] = {
	[SA_FAMILY]		= { .title = "FAMILY" },
	[SA_SPI]		= { .title = "SPI" },
	[SA_MARK]		= { .title = "MARK", .detail = true },
	[SA_REQID]		= { .title = "REQID", .right = true, .detail = true },
	[SA_PEER]		= { .title = "PEER" },
	[SA_LOCAL]		= { .title = "LOCAL" },
	[SA_SEEN]		= { .title = "SEEN" },
	[SA_ENCAP]		= { .title = "ENCAP", .detail = true },
	[SA_ORIG_SADDR]		= { .title = "ORIG-SADDR", .detail = true },
	[SA_ORIG_DADDR]		= { .title = "ORIG-DADDR", .detail = true },
	[SA_NAT]		= { .title = "NAT" },
	[SA_NAT_K]		= { .title = "NAT-K" },
	[SA_NAT_DELTA]		= { .title = "NAT-DELTA", .detail = true },
	[SA_CHECKED]		= { .title = "CHECKED", .right = true },
	[SA_VERIFIED]		= { .title = "VERIFIED", .right = true, .detail = true },
	[SA_NAT_ADJUSTED]	= { .title = "NAT-ADJUSTED", .right = true, .detail = true },
	[SA_NO_CSUM]		= { .title = "NO-CSUM", .right = true, .detail = true },
	[SA_MISMATCH]		= { .title = "MISMATCH", .right = true },
	[SA_MALFORMED]		= { .title = "MALFORMED", .right = true, .detail = true },
	[SA_UNCONFIRMED]	= { .title = "UNCONFIRMED", .right = true },
	[SA_UNVERIFIED]		= { .title = "UNVERIFIED", .right = true, .detail = true },
	[SA_DROPPED]		= { .title = "DROPPED", .right = true },
	[SA_FIRST_SEEN]		= { .title = "FIRST-SEEN", .detail = true },
	[SA_LAST_MISMATCH]	= { .title = "LAST-MISMATCH" },
};

static void time_cell(char *buf, bool have, uint64_t t)
{
	char tmp[CELL];

	if (have)
		snprintf(buf, CELL, "%s", time_str(t, tmp, sizeof(tmp)));
	else
		snprintf(buf, CELL, "-");
}

static void sa_cells(const struct xc_sa *sa, char cells[SA_NCOLS][CELL])
{
	const struct xc_stats *st = &sa->stats;

	snprintf(cells[SA_FAMILY], CELL, "%s", family_name(sa->family));
	snprintf(cells[SA_SPI], CELL, "0x%08x", sa->spi);
	if (sa_has(sa, XFRM_CSUM_A_SA_MARK))
		snprintf(cells[SA_MARK], CELL, "0x%x", sa->mark);
	else
		snprintf(cells[SA_MARK], CELL, "-");
	if (sa_has(sa, XFRM_CSUM_A_SA_REQID))
		snprintf(cells[SA_REQID], CELL, "%u", sa->reqid);
	else
		snprintf(cells[SA_REQID], CELL, "-");
	addr_cell(cells[SA_PEER], &sa->saddr);
	addr_cell(cells[SA_LOCAL], &sa->daddr);
	addr_cell(cells[SA_SEEN], &sa->seen_saddr);
	encap_cell(cells[SA_ENCAP], sa_has(sa, XFRM_CSUM_A_SA_ENCAP_TYPE), sa->encap_type,
		   sa_has(sa, XFRM_CSUM_A_SA_ENCAP_SPORT) &&
		   sa_has(sa, XFRM_CSUM_A_SA_ENCAP_DPORT),
		   sa->encap_sport, sa->encap_dport);
	addr_cell(cells[SA_ORIG_SADDR], &sa->orig_saddr);
	addr_cell(cells[SA_ORIG_DADDR], &sa->orig_daddr);
	snprintf(cells[SA_NAT], CELL, "%s", sa_has(sa, XFRM_CSUM_A_SA_NAT_STATE) ?
		 nat_state_name(sa->nat_state) : "-");
	hex16_cell(cells[SA_NAT_K], sa_has(sa, XFRM_CSUM_A_SA_NAT_K), sa->nat_k);
	hex16_cell(cells[SA_NAT_DELTA], sa_has(sa, XFRM_CSUM_A_SA_NAT_DELTA), sa->nat_delta);
	stat_cell(cells[SA_CHECKED], st, XFRM_CSUM_A_STATS_CHECKED);
	stat_cell(cells[SA_VERIFIED], st, XFRM_CSUM_A_STATS_VERIFIED);
	stat_cell(cells[SA_NAT_ADJUSTED], st, XFRM_CSUM_A_STATS_NAT_ADJUSTED);
	stat_cell(cells[SA_NO_CSUM], st, XFRM_CSUM_A_STATS_NO_CSUM);
	stat_cell(cells[SA_MISMATCH], st, XFRM_CSUM_A_STATS_MISMATCH);
	stat_cell(cells[SA_MALFORMED], st, XFRM_CSUM_A_STATS_MALFORMED);
	stat_cell(cells[SA_UNCONFIRMED], st, XFRM_CSUM_A_STATS_UNCONFIRMED);
	stat_cell(cells[SA_UNVERIFIED], st, XFRM_CSUM_A_STATS_UNVERIFIED);
	stat_cell(cells[SA_DROPPED], st, XFRM_CSUM_A_STATS_DROPPED);
	time_cell(cells[SA_FIRST_SEEN], sa_has(sa, XFRM_CSUM_A_SA_FIRST_SEEN), sa->first_seen);
	time_cell(cells[SA_LAST_MISMATCH], sa_has(sa, XFRM_CSUM_A_SA_LAST_MISMATCH),
		  sa->last_mismatch);
}

static void json_addr(struct json *j, const char *key, const struct xc_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 8];

	if (a->len)
		json_str(j, key, addr_str(a, buf, sizeof(buf)));
}

/* "0xabcd": checksums, K. */
static void json_hex16(struct json *j, const char *key, uint16_t v)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "0x%04x", v);
	json_str(j, key, buf);
}

/* "0x0a0b0001": SPIs, as ip xfrm prints them. */
static void json_spi(struct json *j, const char *key, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%08x", v);
	json_str(j, key, buf);
}

static void print_sa_json(struct json *j, const struct xc_sa *sa)
{
	json_obj_open(j, NULL);
	json_str(j, "family", family_name(sa->family));
	json_spi(j, "spi", sa->spi);
	if (sa_has(sa, XFRM_CSUM_A_SA_MARK))
		json_u64(j, "mark", sa->mark);
	if (sa_has(sa, XFRM_CSUM_A_SA_REQID))
		json_u64(j, "reqid", sa->reqid);
	json_addr(j, "peer", &sa->saddr);
	json_addr(j, "local", &sa->daddr);
	json_addr(j, "seen", &sa->seen_saddr);
	if (sa_has(sa, XFRM_CSUM_A_SA_ENCAP_TYPE))
		json_str(j, "encap", encap_name(sa->encap_type));
	if (sa_has(sa, XFRM_CSUM_A_SA_ENCAP_SPORT))
		json_u64(j, "encap_sport", sa->encap_sport);
	if (sa_has(sa, XFRM_CSUM_A_SA_ENCAP_DPORT))
		json_u64(j, "encap_dport", sa->encap_dport);
	json_addr(j, "orig_saddr", &sa->orig_saddr);
	json_addr(j, "orig_daddr", &sa->orig_daddr);
	if (sa_has(sa, XFRM_CSUM_A_SA_NAT_STATE))
		json_str(j, "nat_state", nat_state_name(sa->nat_state));
	if (sa_has(sa, XFRM_CSUM_A_SA_NAT_K))
		json_hex16(j, "nat_k", sa->nat_k);
	if (sa_has(sa, XFRM_CSUM_A_SA_NAT_DELTA))
		json_hex16(j, "nat_delta", sa->nat_delta);
	if (sa_has(sa, XFRM_CSUM_A_SA_FIRST_SEEN))
		json_u64(j, "first_seen", sa->first_seen);
	if (sa_has(sa, XFRM_CSUM_A_SA_LAST_MISMATCH))
		json_u64(j, "last_mismatch", sa->last_mismatch);
	if (sa_has(sa, XFRM_CSUM_A_SA_STATS))
		print_counters_json(j, "stats", &sa->stats, true);
	json_obj_close(j);
}

void print_sa_table(const struct out *o, const struct xc_sa *sas, size_t n)
{
	char (*cells)[SA_NCOLS][CELL];
	size_t i;

	if (o->json) {
		struct json j;

		json_init(&j, o->f, o->pretty);
		json_arr_open(&j, NULL);
		for (i = 0; i < n; i++)
			print_sa_json(&j, &sas[i]);
		json_arr_close(&j);
		json_end(&j);
		return;
	}
	if (!n)
		return;
	cells = calloc(n, sizeof(*cells));
	if (!cells) {
		errmsg("out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		sa_cells(&sas[i], cells[i]);
	print_table(o->f, sa_cols, SA_NCOLS, cells[0], n, o->details);
	free(cells);
}

/* --- peers ------------------------------------------------------------------ */

enum { PEER_FAMILY, PEER_PEER, PEER_LOCAL, PEER_ENCAP, PEER_NAT, PEER_NAT_K, PEER_NCOLS };

static const struct column peer_cols[PEER_NCOLS] = {
	[PEER_FAMILY]	= { .title = "FAMILY" },
	[PEER_PEER]	= { .title = "PEER" },
	[PEER_LOCAL]	= { .title = "LOCAL" },
	[PEER_ENCAP]	= { .title = "ENCAP" },
	[PEER_NAT]	= { .title = "NAT" },
	[PEER_NAT_K]	= { .title = "NAT-K" },
};

static void peer_cells(const struct xc_peer *p, char cells[PEER_NCOLS][CELL])
{
	snprintf(cells[PEER_FAMILY], CELL, "%s", family_name(p->family));
	addr_cell(cells[PEER_PEER], &p->saddr);
	addr_cell(cells[PEER_LOCAL], &p->daddr);
	encap_cell(cells[PEER_ENCAP], peer_has(p, XFRM_CSUM_A_PEER_ENCAP_TYPE), p->encap_type,
		   peer_has(p, XFRM_CSUM_A_PEER_ENCAP_SPORT) &&
		   peer_has(p, XFRM_CSUM_A_PEER_ENCAP_DPORT),
		   p->encap_sport, p->encap_dport);
	snprintf(cells[PEER_NAT], CELL, "%s", peer_has(p, XFRM_CSUM_A_PEER_NAT_STATE) ?
		 nat_state_name(p->nat_state) : "-");
	hex16_cell(cells[PEER_NAT_K], peer_has(p, XFRM_CSUM_A_PEER_NAT_K), p->nat_k);
}

static void print_peer_json(struct json *j, const struct xc_peer *p)
{
	json_obj_open(j, NULL);
	json_str(j, "family", family_name(p->family));
	json_addr(j, "peer", &p->saddr);
	json_addr(j, "local", &p->daddr);
	if (peer_has(p, XFRM_CSUM_A_PEER_ENCAP_TYPE))
		json_str(j, "encap", encap_name(p->encap_type));
	if (peer_has(p, XFRM_CSUM_A_PEER_ENCAP_SPORT))
		json_u64(j, "encap_sport", p->encap_sport);
	if (peer_has(p, XFRM_CSUM_A_PEER_ENCAP_DPORT))
		json_u64(j, "encap_dport", p->encap_dport);
	if (peer_has(p, XFRM_CSUM_A_PEER_NAT_STATE))
		json_str(j, "nat_state", nat_state_name(p->nat_state));
	if (peer_has(p, XFRM_CSUM_A_PEER_NAT_K))
		json_hex16(j, "nat_k", p->nat_k);
	json_obj_close(j);
}

void print_peer_table(const struct out *o, const struct xc_peer *peers, size_t n)
{
	char (*cells)[PEER_NCOLS][CELL];
	size_t i;

	if (o->json) {
		struct json j;

		json_init(&j, o->f, o->pretty);
		json_arr_open(&j, NULL);
		for (i = 0; i < n; i++)
			print_peer_json(&j, &peers[i]);
		json_arr_close(&j);
		json_end(&j);
		return;
	}
	if (!n)
		return;
	cells = calloc(n, sizeof(*cells));
	if (!cells) {
		errmsg("out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		peer_cells(&peers[i], cells[i]);
	print_table(o->f, peer_cols, PEER_NCOLS, cells[0], n, true);
	free(cells);
}

/* --- events ----------------------------------------------------------------- */

static void print_event_json(const struct out *o, const struct xc_event *ev)
{
	char t[64], p[16];
	struct json j;

	json_init(&j, o->f, o->pretty);
	json_obj_open(&j, NULL);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_SEQ))
		json_u64(&j, "seq", ev->seq);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_TIMESTAMP)) {
		json_str(&j, "time", time_ns_str(ev->timestamp, t, sizeof(t)));
		json_u64(&j, "timestamp_ns", ev->timestamp);
	}
	if (ev_has(ev, XFRM_CSUM_A_EVENT_REASON))
		json_str(&j, "reason", reason_name(ev->reason));
	json_str(&j, "family", family_name(ev->family));
	json_spi(&j, "spi", ev->spi);
	json_addr(&j, "saddr", &ev->saddr);
	json_addr(&j, "daddr", &ev->daddr);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_NAT_STATE))
		json_str(&j, "nat_state", nat_state_name(ev->nat_state));
	if (ev_has(ev, XFRM_CSUM_A_EVENT_L4_PROTO))
		json_str(&j, "proto", l4_name(ev->l4_proto, p, sizeof(p)));
	if (ev_has(ev, XFRM_CSUM_A_EVENT_SPORT))
		json_u64(&j, "sport", ev->sport);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_DPORT))
		json_u64(&j, "dport", ev->dport);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_CSUM))
		json_hex16(&j, "csum", ev->csum);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_CSUM_EXPECTED))
		json_hex16(&j, "csum_expected", ev->csum_expected);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_PKT_LEN))
		json_u64(&j, "pkt_len", ev->pkt_len);
	json_u64(&j, "caplen", ev->caplen);
	json_obj_close(&j);
	json_end(&j);
}

void print_event(const struct out *o, const struct xc_event *ev)
{
	char t[64], s[INET6_ADDRSTRLEN + 8], d[INET6_ADDRSTRLEN + 8], p[16];

	if (o->json) {
		print_event_json(o, ev);
		return;
	}
	fprintf(o->f, "%s %s %s spi 0x%08x",
		ev_has(ev, XFRM_CSUM_A_EVENT_TIMESTAMP) ?
			time_ns_str(ev->timestamp, t, sizeof(t)) : "-",
		ev_has(ev, XFRM_CSUM_A_EVENT_REASON) ? reason_name(ev->reason) : "event",
		family_name(ev->family), ev->spi);
	fprintf(o->f, " from %s to %s", addr_str(&ev->saddr, s, sizeof(s)),
		addr_str(&ev->daddr, d, sizeof(d)));
	if (ev_has(ev, XFRM_CSUM_A_EVENT_L4_PROTO))
		fprintf(o->f, " %s", l4_name(ev->l4_proto, p, sizeof(p)));
	if (ev_has(ev, XFRM_CSUM_A_EVENT_SPORT) && ev_has(ev, XFRM_CSUM_A_EVENT_DPORT))
		fprintf(o->f, " %u > %u", ev->sport, ev->dport);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_CSUM))
		fprintf(o->f, " csum 0x%04x", ev->csum);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_CSUM_EXPECTED))
		fprintf(o->f, " expected 0x%04x", ev->csum_expected);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_NAT_STATE))
		fprintf(o->f, " nat %s", nat_state_name(ev->nat_state));
	if (ev_has(ev, XFRM_CSUM_A_EVENT_PKT_LEN))
		fprintf(o->f, " len %u", ev->pkt_len);
	if (ev_has(ev, XFRM_CSUM_A_EVENT_SEQ))
		fprintf(o->f, " seq %u", ev->seq);
	fputc('\n', o->f);
}
