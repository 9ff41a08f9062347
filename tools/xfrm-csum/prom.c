// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: Prometheus text exposition format (version 0.0.4), for the
 * node_exporter textfile collector or any scraper that runs a command.
 *
 * Names follow the Prometheus conventions: prefix xfrm_csum_, snake case,
 * counters (and only counters) end in _total, units in the name
 * (_seconds, _bytes), one HELP and one TYPE line per family followed by
 * all its samples, every sample of a family with the same label names.
 * Settings that name a choice are one gauge per choice with the choice as
 * a label, 1 for the active one (mode, learn, the SAs' NAT state).
 *
 * Namespace totals are unlabelled; per-SA series carry family, spi, mark
 * (together with local, what tells two SAs apart), peer and local labels;
 * the module-wide totals and table sizes from sysfs are the
 * xfrm_csum_global_* families.
 * With -n NETNS every per-namespace series also carries netns="NETNS", so
 * that files for several namespaces can sit side by side in one textfile
 * directory.
 */
#include <arpa/inet.h>
#include <string.h>

#include "xfrm-csum.h"

#define PFX "xfrm_csum_"

/* With -n NETNS: a netns label on every per-namespace series. */
static const char *ns_label;

/* "{netns=...}" or nothing, for otherwise unlabelled series. */
static void ns_only(FILE *f)
{
	if (!ns_label)
		return;
	fputs("{netns=", f);
	prom_label_value(f, ns_label);
	fputc('}', f);
}

/* "{netns=...," or "{", before more labels. */
static void labels_open(FILE *f)
{
	fputc('{', f);
	if (ns_label) {
		fputs("netns=", f);
		prom_label_value(f, ns_label);
		fputc(',', f);
	}
}

void prom_label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* HELP text escapes backslash and newline only. */
static void family_hdr(FILE *f, const char *name, const char *type,
		       const char *help)
{
	fprintf(f, "# HELP " PFX "%s ", name);
	for (; *help; help++) {
		if (*help == '\\')
			fputs("\\\\", f);
		else if (*help == '\n')
			fputs("\\n", f);
		else
			fputc(*help, f);
	}
	fprintf(f, "\n# TYPE " PFX "%s %s\n", name, type);
}

static void gauge(FILE *f, const char *name, const char *help, unsigned long long v)
{
	family_hdr(f, name, "gauge", help);
	fprintf(f, PFX "%s", name);
	ns_only(f);
	fprintf(f, " %llu\n", v);
}

static void sa_labels(FILE *f, const struct xc_sa *sa, const char *extra_key,
		      const char *extra_val)
{
	char buf[INET6_ADDRSTRLEN + 8];

	labels_open(f);
	fputs("family=", f);
	prom_label_value(f, family_name(sa->family));
	snprintf(buf, sizeof(buf), "0x%08x", sa->spi);
	fputs(",spi=", f);
	prom_label_value(f, buf);
	snprintf(buf, sizeof(buf), "0x%x", sa->mark);
	fputs(",mark=", f);
	prom_label_value(f, buf);
	fputs(",peer=", f);
	prom_label_value(f, sa->saddr.len ? addr_str(&sa->saddr, buf, sizeof(buf)) : "");
	fputs(",local=", f);
	prom_label_value(f, sa->daddr.len ? addr_str(&sa->daddr, buf, sizeof(buf)) : "");
	if (extra_key) {
		fprintf(f, ",%s=", extra_key);
		prom_label_value(f, extra_val);
	}
	fputc('}', f);
}

/* One gauge per choice, 1 for the active one. */
static void prom_choice(FILE *f, const char *name, const char *help, uint32_t cur,
			uint32_t max, const char *(*choice)(uint32_t))
{
	uint32_t v;

	family_hdr(f, name, "gauge", help);
	for (v = 0; v <= max; v++) {
		fputs(PFX, f);
		fputs(name, f);
		labels_open(f);
		fprintf(f, "%s=", name);
		prom_label_value(f, choice(v));
		fprintf(f, "} %d\n", v == cur);
	}
}

static void prom_config(FILE *f, const struct xc_config *c)
{
	if (config_has(c, XFRM_CSUM_A_CONFIG_MODE))
		prom_choice(f, "mode",
			    "Verification mode of the network namespace: 1 for the active mode.",
			    c->mode, XFRM_CSUM_MODE_DROP, mode_name);
	if (config_has(c, XFRM_CSUM_A_CONFIG_LEARN))
		prom_choice(f, "learn",
			    "How SAs without original addresses find their NAT difference: 1 for the active setting.",
			    c->learn, XFRM_CSUM_LEARN_PERMISSIVE, learn_name);
	if (config_has(c, XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS))
		gauge(f, "confirm_packets",
		      "Agreeing packets in a row that confirm a learned NAT difference.",
		      c->confirm_packets);
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_RATE))
		gauge(f, "event_rate_limit",
		      "Events sent per second at most (0: none).", c->event_rate);
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN))
		gauge(f, "event_snaplen_bytes",
		      "Bytes of the decrypted packet copied into an event.", c->event_snaplen);
	if (config_has(c, XFRM_CSUM_A_CONFIG_MAX_SAS))
		gauge(f, "sa_entries_max",
		      "Limit of the namespace's SA table and of its peer table.", c->max_sas);
}

static void prom_sa_time(FILE *f, const struct xc_sa *sas, size_t nsa, const char *name,
			 int attr, const char *help)
{
	size_t i;

	family_hdr(f, name, "gauge", help);
	for (i = 0; i < nsa; i++) {
		if (!sa_has(&sas[i], attr))
			continue;
		fprintf(f, PFX "%s", name);
		sa_labels(f, &sas[i], NULL, NULL);
		fprintf(f, " %llu\n", (unsigned long long)(attr == XFRM_CSUM_A_SA_FIRST_SEEN ?
							  sas[i].first_seen :
							  sas[i].last_mismatch));
	}
}

static void prom_sas(FILE *f, const struct prom_in *in)
{
	const struct xc_sa *sas = in->sas;
	size_t i, k, nsa = in->nsa;
	char name[96];

	gauge(f, "sa_entries", "SA entries the module holds in the namespace.", nsa);
	gauge(f, "peer_entries", "Peer NAT mappings with a known NAT difference in the namespace.",
	      in->npeer);
	if (!nsa)
		return;

	for (k = 0; k < xc_ncounters; k++) {
		const struct xc_counter *c = &xc_counters[k];

		if (!c->per_sa)
			continue;
		snprintf(name, sizeof(name), "sa_%s", c->metric);
		family_hdr(f, name, "counter", c->help);
		for (i = 0; i < nsa; i++) {
			if (!stats_has(&sas[i].stats, c->type))
				continue;
			fprintf(f, PFX "%s", name);
			sa_labels(f, &sas[i], NULL, NULL);
			fprintf(f, " %llu\n",
				(unsigned long long)sas[i].stats.val[c->type]);
		}
	}

	prom_sa_time(f, sas, nsa, "sa_last_mismatch_timestamp_seconds",
		     XFRM_CSUM_A_SA_LAST_MISMATCH,
		     "Time of the SA's last mismatch, seconds since the epoch (0: never).");
	prom_sa_time(f, sas, nsa, "sa_first_seen_timestamp_seconds",
		     XFRM_CSUM_A_SA_FIRST_SEEN,
		     "Time the module created the SA's entry, seconds since the epoch.");

	family_hdr(f, "sa_nat_state", "gauge",
		   "Where the SA's NAT checksum difference comes from: 1 for the current state.");
	for (i = 0; i < nsa; i++) {
		uint32_t st;

		if (!sa_has(&sas[i], XFRM_CSUM_A_SA_NAT_STATE))
			continue;
		for (st = XFRM_CSUM_NAT_STATE_LEARNING; st <= XFRM_CSUM_NAT_STATE_CONFLICT; st++) {
			fputs(PFX "sa_nat_state", f);
			sa_labels(f, &sas[i], "state", nat_state_name(st));
			fprintf(f, " %d\n", st == sas[i].nat_state);
		}
	}
}

/* sysfs files that are not counters but sizes, all namespaces together */
static const struct {
	const char *file, *metric, *help;
} global_gauges[] = {
	{ "sa_entries", "global_sa_entries",
	  "SA entries allocated in all network namespaces." },
	{ "peer_entries", "global_peer_entries",
	  "Peer entries allocated in all network namespaces." },
};

static void prom_global(FILE *f, const struct xc_global *g)
{
	const struct xc_counter *c;
	char name[128];
	size_t k;
	int i;

	for (k = 0; k < ARRAY_SIZE(global_gauges); k++) {
		for (i = 0; i < g->n; i++) {
			if (strcmp(g->f[i].name, global_gauges[k].file))
				continue;
			family_hdr(f, global_gauges[k].metric, "gauge", global_gauges[k].help);
			fprintf(f, PFX "%s %llu\n", global_gauges[k].metric,
				(unsigned long long)g->f[i].val);
			break;
		}
	}
	for (k = 0; k < xc_ncounters; k++) {
		c = &xc_counters[k];
		for (i = 0; i < g->n; i++) {
			if (counter_by_sysfs_name(g->f[i].name) != c)
				continue;
			snprintf(name, sizeof(name), "global_%s", c->metric);
			family_hdr(f, name, "counter", c->help);
			fprintf(f, PFX "%s %llu\n", name,
				(unsigned long long)g->f[i].val);
			break;
		}
	}
}

void prom_stats(FILE *f, const struct prom_in *in)
{
	const struct xc_stats *s = in->stats;
	size_t k;

	ns_label = in->netns;

	if (in->config)
		prom_config(f, in->config);
	for (k = 0; s && k < xc_ncounters; k++) {
		const struct xc_counter *ctr = &xc_counters[k];

		if (!stats_has(s, ctr->type))
			continue;
		family_hdr(f, ctr->metric, "counter", ctr->help);
		fprintf(f, PFX "%s", ctr->metric);
		ns_only(f);
		fprintf(f, " %llu\n", (unsigned long long)s->val[ctr->type]);
	}
	if (in->with_tables)
		prom_sas(f, in);
	if (in->global)
		prom_global(f, in->global);
}
