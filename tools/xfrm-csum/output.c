// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: human-readable and JSON output of counters, SA entries and
 * events.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "xfrm-csum.h"

static void print_config_json(struct json *j, const struct xc_config *c)
{
	json_obj_open(j, "config");
	if (config_has(c, XFRM_CSUM_A_CONFIG_MODE))
		json_str(j, "mode", mode_name(c->mode));
	if (config_has(c, XFRM_CSUM_A_CONFIG_LEARN_PACKETS))
		json_u64(j, "learn_packets", c->learn_packets);
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

	if (config_has(c, XFRM_CSUM_A_CONFIG_MODE))
		fprintf(o->f, "mode %s", mode_name(c->mode));
	if (config_has(c, XFRM_CSUM_A_CONFIG_LEARN_PACKETS))
		fprintf(o->f, "  learn-packets %u", c->learn_packets);
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_RATE))
		fprintf(o->f, "  event-rate %u/s", c->event_rate);
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN))
		fprintf(o->f, "  event-snaplen %u", c->event_snaplen);
	if (config_has(c, XFRM_CSUM_A_CONFIG_MAX_SAS))
		fprintf(o->f, "  max-sas %u", c->max_sas);
	fputc('\n', o->f);

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
		fprintf(o->f, "%-20s %20s", ctr->key, v);
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

enum {
	COL_FAMILY, COL_SPI, COL_PEER, COL_LOCAL, COL_SEEN, COL_CHECKED,
	COL_MISMATCH, COL_DROPPED, COL_LAST, COL_NAT, COL_DELTA, NCOLS
};

static const char *const col_names[NCOLS] = {
	"FAMILY", "SPI", "PEER", "LOCAL", "SEEN", "CHECKED",
	"MISMATCH", "DROPPED", "LAST-MISMATCH", "NAT", "NAT-DELTA",
};

/* Numbers are right-aligned. */
static bool col_right(int col)
{
	return col == COL_CHECKED || col == COL_MISMATCH || col == COL_DROPPED;
}

#define CELL 48

static void print_row(FILE *f, const int *width, const char *const *cell)
{
	int c;

	for (c = 0; c < NCOLS - 1; c++) {
		if (col_right(c))
			fprintf(f, "%*s  ", width[c], cell[c]);
		else
			fprintf(f, "%-*s  ", width[c], cell[c]);
	}
	fprintf(f, "%s\n", cell[NCOLS - 1]);
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

static void sa_cells(const struct xc_sa *sa, char cells[NCOLS][CELL])
{
	snprintf(cells[COL_FAMILY], CELL, "%s", family_name(sa->family));
	snprintf(cells[COL_SPI], CELL, "0x%08x", sa->spi);
	addr_cell(cells[COL_PEER], &sa->saddr);
	addr_cell(cells[COL_LOCAL], &sa->daddr);
	addr_cell(cells[COL_SEEN], &sa->seen_saddr);
	stat_cell(cells[COL_CHECKED], &sa->stats, XFRM_CSUM_A_STATS_CHECKED);
	stat_cell(cells[COL_MISMATCH], &sa->stats, XFRM_CSUM_A_STATS_MISMATCH);
	stat_cell(cells[COL_DROPPED], &sa->stats, XFRM_CSUM_A_STATS_DROPPED);
	if (sa_has(sa, XFRM_CSUM_A_SA_LAST_MISMATCH)) {
		char t[CELL];

		snprintf(cells[COL_LAST], CELL, "%s",
			 time_str(sa->last_mismatch, t, sizeof(t)));
	} else {
		snprintf(cells[COL_LAST], CELL, "-");
	}
	if (sa_has(sa, XFRM_CSUM_A_SA_NAT_STATE))
		snprintf(cells[COL_NAT], CELL, "%s", nat_state_name(sa->nat_state));
	else
		snprintf(cells[COL_NAT], CELL, "-");
	if (sa_has(sa, XFRM_CSUM_A_SA_NAT_DELTA))
		snprintf(cells[COL_DELTA], CELL, "0x%04x", sa->nat_delta);
	else
		snprintf(cells[COL_DELTA], CELL, "-");
}

static void print_sa_json(struct json *j, const struct xc_sa *sa)
{
	char buf[INET6_ADDRSTRLEN + 8];

	json_obj_open(j, NULL);
	json_str(j, "family", family_name(sa->family));
	snprintf(buf, sizeof(buf), "0x%08x", sa->spi);
	json_str(j, "spi", buf);
	if (sa->saddr.len)
		json_str(j, "peer", addr_str(&sa->saddr, buf, sizeof(buf)));
	if (sa->daddr.len)
		json_str(j, "local", addr_str(&sa->daddr, buf, sizeof(buf)));
	if (sa->seen_saddr.len)
		json_str(j, "seen", addr_str(&sa->seen_saddr, buf, sizeof(buf)));
	if (sa->orig_addr.len)
		json_str(j, "orig", addr_str(&sa->orig_addr, buf, sizeof(buf)));
	else
		json_null(j, "orig");
	if (sa_has(sa, XFRM_CSUM_A_SA_ENCAP_TYPE))
		json_str(j, "encap", encap_name(sa->encap_type));
	if (sa_has(sa, XFRM_CSUM_A_SA_ENCAP_SPORT))
		json_u64(j, "encap_sport", sa->encap_sport);
	if (sa_has(sa, XFRM_CSUM_A_SA_ENCAP_DPORT))
		json_u64(j, "encap_dport", sa->encap_dport);
	if (sa_has(sa, XFRM_CSUM_A_SA_NAT_STATE))
		json_str(j, "nat_state", nat_state_name(sa->nat_state));
	if (sa_has(sa, XFRM_CSUM_A_SA_NAT_DELTA)) {
		snprintf(buf, sizeof(buf), "0x%04x", sa->nat_delta);
		json_str(j, "nat_delta", buf);
	}
	if (sa_has(sa, XFRM_CSUM_A_SA_FIRST_SEEN))
		json_u64(j, "first_seen", sa->first_seen);
	if (sa_has(sa, XFRM_CSUM_A_SA_LAST_MISMATCH))
		json_u64(j, "last_mismatch", sa->last_mismatch);
	print_counters_json(j, "stats", &sa->stats, true);
	json_obj_close(j);
}

void print_sa_table(const struct out *o, const struct xc_sa *sas, size_t n)
{
	int width[NCOLS];
	char (*cells)[NCOLS][CELL];
	size_t i;
	int c;

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
	for (c = 0; c < NCOLS; c++)
		width[c] = strlen(col_names[c]);
	for (i = 0; i < n; i++) {
		sa_cells(&sas[i], cells[i]);
		for (c = 0; c < NCOLS; c++)
			if ((int)strlen(cells[i][c]) > width[c])
				width[c] = strlen(cells[i][c]);
	}
	print_row(o->f, width, col_names);
	for (i = 0; i < n; i++) {
		const char *row[NCOLS];

		for (c = 0; c < NCOLS; c++)
			row[c] = cells[i][c];
		print_row(o->f, width, row);
	}
	free(cells);
}

void print_event(const struct out *o, const struct xc_event *ev)
{
	char t[64], s[INET6_ADDRSTRLEN + 8], d[INET6_ADDRSTRLEN + 8], p[16];

	if (o->json) {
		struct json j;

		json_init(&j, o->f, o->pretty);
		json_obj_open(&j, NULL);
		if (ev_has(ev, XFRM_CSUM_A_EVENT_TIMESTAMP)) {
			json_str(&j, "time", time_ns_str(ev->timestamp, t, sizeof(t)));
			json_u64(&j, "timestamp_ns", ev->timestamp);
		}
		if (ev_has(ev, XFRM_CSUM_A_EVENT_REASON))
			json_str(&j, "reason", reason_name(ev->reason));
		json_str(&j, "family", family_name(ev->family));
		snprintf(t, sizeof(t), "0x%08x", ev->spi);
		json_str(&j, "spi", t);
		if (ev->saddr.len)
			json_str(&j, "saddr", addr_str(&ev->saddr, s, sizeof(s)));
		if (ev->daddr.len)
			json_str(&j, "daddr", addr_str(&ev->daddr, d, sizeof(d)));
		if (ev_has(ev, XFRM_CSUM_A_EVENT_NAT_STATE))
			json_str(&j, "nat_state", nat_state_name(ev->nat_state));
		if (ev_has(ev, XFRM_CSUM_A_EVENT_L4_PROTO))
			json_str(&j, "proto", l4_name(ev->l4_proto, p, sizeof(p)));
		if (ev_has(ev, XFRM_CSUM_A_EVENT_SPORT))
			json_u64(&j, "sport", ev->sport);
		if (ev_has(ev, XFRM_CSUM_A_EVENT_DPORT))
			json_u64(&j, "dport", ev->dport);
		if (ev_has(ev, XFRM_CSUM_A_EVENT_CSUM)) {
			snprintf(t, sizeof(t), "0x%04x", ev->csum);
			json_str(&j, "csum", t);
		}
		if (ev_has(ev, XFRM_CSUM_A_EVENT_CSUM_EXPECTED)) {
			snprintf(t, sizeof(t), "0x%04x", ev->csum_expected);
			json_str(&j, "csum_expected", t);
		}
		if (ev_has(ev, XFRM_CSUM_A_EVENT_PKT_LEN))
			json_u64(&j, "pkt_len", ev->pkt_len);
		json_u64(&j, "caplen", ev->caplen);
		json_obj_close(&j);
		json_end(&j);
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
	fputc('\n', o->f);
}
