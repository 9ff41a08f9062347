// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: Prometheus text exposition format (version 0.0.4), for the
 * node_exporter textfile collector or any scraper that runs a command.
 *
 * Names follow the Prometheus conventions: prefix xfrm_csum_, counters end
 * in _total, units in the name (_seconds), one HELP and TYPE line per
 * family followed by all its samples.  Namespace totals are unlabelled;
 * per-SA series carry family, spi, peer and local labels; the module-wide
 * totals from sysfs are the xfrm_csum_global_* families.  With -n NETNS
 * every per-namespace series also carries netns="NETNS", so that files for
 * several namespaces can sit side by side in one textfile directory.
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

static void family_hdr(FILE *f, const char *name, const char *type,
		       const char *help)
{
	fprintf(f, "# HELP " PFX "%s %s\n# TYPE " PFX "%s %s\n",
		name, help, name, type);
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

static void prom_config(FILE *f, const struct xc_config *c)
{
	uint32_t m;

	if (config_has(c, XFRM_CSUM_A_CONFIG_MODE)) {
		family_hdr(f, "mode", "gauge",
			   "Verification mode of the network namespace: 1 for the active mode.");
		for (m = XFRM_CSUM_MODE_OFF; m <= XFRM_CSUM_MODE_DROP; m++) {
			fputs(PFX "mode", f);
			labels_open(f);
			fprintf(f, "mode=\"%s\"} %d\n", mode_name(m), m == c->mode);
		}
	}
	if (config_has(c, XFRM_CSUM_A_CONFIG_LEARN_PACKETS)) {
		family_hdr(f, "learn_packets", "gauge",
			   "Consecutive agreeing packets that lock a learned NAT difference.");
		fputs(PFX "learn_packets", f);
		ns_only(f);
		fprintf(f, " %u\n", c->learn_packets);
	}
	if (config_has(c, XFRM_CSUM_A_CONFIG_EVENT_RATE)) {
		family_hdr(f, "event_rate_limit", "gauge",
			   "Mismatch events sent per second at most (0: none).");
		fputs(PFX "event_rate_limit", f);
		ns_only(f);
		fprintf(f, " %u\n", c->event_rate);
	}
	if (config_has(c, XFRM_CSUM_A_CONFIG_MAX_SAS)) {
		family_hdr(f, "sa_entries_max", "gauge",
			   "Size limit of the namespace's SA table.");
		fputs(PFX "sa_entries_max", f);
		ns_only(f);
		fprintf(f, " %u\n", c->max_sas);
	}
}

static void prom_sas(FILE *f, const struct xc_sa *sas, size_t nsa)
{
	char name[96];
	size_t i, k;

	family_hdr(f, "sa_entries", "gauge", "SA entries the module holds in the namespace.");
	fputs(PFX "sa_entries", f);
	ns_only(f);
	fprintf(f, " %zu\n", nsa);
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

	family_hdr(f, "sa_last_mismatch_timestamp_seconds", "gauge",
		   "Time of the SA's last mismatch, seconds since the epoch (0: never).");
	for (i = 0; i < nsa; i++) {
		if (!sa_has(&sas[i], XFRM_CSUM_A_SA_LAST_MISMATCH))
			continue;
		fputs(PFX "sa_last_mismatch_timestamp_seconds", f);
		sa_labels(f, &sas[i], NULL, NULL);
		fprintf(f, " %llu\n", (unsigned long long)sas[i].last_mismatch);
	}

	family_hdr(f, "sa_first_seen_timestamp_seconds", "gauge",
		   "Time the module first saw the SA, seconds since the epoch.");
	for (i = 0; i < nsa; i++) {
		if (!sa_has(&sas[i], XFRM_CSUM_A_SA_FIRST_SEEN))
			continue;
		fputs(PFX "sa_first_seen_timestamp_seconds", f);
		sa_labels(f, &sas[i], NULL, NULL);
		fprintf(f, " %llu\n", (unsigned long long)sas[i].first_seen);
	}

	family_hdr(f, "sa_nat_state", "gauge",
		   "Where the SA's NAT checksum difference comes from: 1 for the current state.");
	for (i = 0; i < nsa; i++) {
		uint32_t st;

		if (!sa_has(&sas[i], XFRM_CSUM_A_SA_NAT_STATE))
			continue;
		for (st = XFRM_CSUM_NAT_STATE_LEARNING; st <= XFRM_CSUM_NAT_STATE_STATIC; st++) {
			fputs(PFX "sa_nat_state", f);
			sa_labels(f, &sas[i], "state", nat_state_name(st));
			fprintf(f, " %d\n", st == sas[i].nat_state);
		}
	}
}

static void prom_global(FILE *f, const struct xc_global *g)
{
	const struct xc_counter *c;
	char name[128];
	size_t k;
	int i;

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

void prom_stats(FILE *f, const struct xc_stats *s, const struct xc_config *c,
		const struct xc_sa *sas, size_t nsa, bool with_sas,
		const struct xc_global *g, const char *netns)
{
	size_t k;

	ns_label = netns;

	if (c)
		prom_config(f, c);
	for (k = 0; s && k < xc_ncounters; k++) {
		const struct xc_counter *ctr = &xc_counters[k];

		if (!stats_has(s, ctr->type))
			continue;
		family_hdr(f, ctr->metric, "counter", ctr->help);
		fprintf(f, PFX "%s", ctr->metric);
		ns_only(f);
		fprintf(f, " %llu\n", (unsigned long long)s->val[ctr->type]);
	}
	if (with_sas)
		prom_sas(f, sas, nsa);
	if (g)
		prom_global(f, g);
}
