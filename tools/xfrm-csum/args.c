// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: the command line.  Options may come before or after the
 * command, as with iproute2's "-j"; the command's arguments are keyword
 * value pairs like "ip xfrm".
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>

#include "xfrm-csum.h"

static const char usage_text[] =
"Usage: " PROG " [OPTIONS] COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  stats [--format human|json|prometheus] [--no-sa] [--no-global]\n"
"                          settings and counters of the network namespace,\n"
"                          and the module-wide totals from " XC_SYSFS_DIR "\n"
"  sa [show] [spi SPI] [dst ADDR]\n"
"                          per-SA table: peer, local and seen address,\n"
"                          counters, last mismatch, NAT state\n"
"  monitor [--pcap FILE] [--count N]\n"
"                          print mismatch events as they happen; --pcap\n"
"                          writes the corrupted packets to FILE\n"
"  set [mode off|audit|drop] [learn-packets N] [event-rate N] [event-snaplen N]\n"
"                          change the namespace's settings\n"
"  set sa spi SPI dst ADDR [orig ADDR] [relearn]\n"
"                          set an SA's original (pre-NAT) peer address,\n"
"                          and/or make it learn its NAT difference again\n"
"\n"
"Options:\n"
"  -j, --json              JSON output\n"
"  -p, --pretty            indented JSON\n"
"  -n, --netns NAME        run in network namespace NAME (ip netns)\n"
"  -h, --help              this help\n"
"  -V, --version           print the version\n"
"\n"
"Exit status: 0 success, 1 runtime error (module missing, kernel refused),\n"
"2 bad usage.  See xfrm-csum(8).\n";

void usage(FILE *f)
{
	fputs(usage_text, f);
}

static int fail(char *err, size_t len, const char *fmt, ...)
	__printf(3, 4);

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* "--name VALUE" or "--name=VALUE"; *i is advanced past VALUE. */
static const char *opt_value(int argc, char **argv, int *i, const char *name,
			     bool *matched)
{
	const char *arg = argv[*i];
	size_t l = strlen(name);

	*matched = false;
	if (strncmp(arg, name, l))
		return NULL;
	if (arg[l] == '=') {
		*matched = true;
		return arg + l + 1;
	}
	if (arg[l])
		return NULL;
	*matched = true;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* opt_value() as a test: true when argv[*i] is option name; *v its value. */
static bool opt_match(int argc, char **argv, int *i, const char *name,
		      const char **v)
{
	bool matched;

	*v = opt_value(argc, argv, i, name, &matched);
	return matched;
}

static bool is(const char *w, const char *a, const char *b, const char *c)
{
	return !strcmp(w, a) || (b && !strcmp(w, b)) || (c && !strcmp(w, c));
}

#define MAXWORDS 32

static int parse_set_sa(char **w, int n, struct xc_args *a, char *err, size_t len)
{
	bool have_orig = false;
	const char *orig = NULL;
	int i;

	a->cmd = CMD_SET_SA;
	for (i = 0; i < n; i++) {
		if (is(w[i], "relearn", NULL, NULL)) {
			a->relearn = true;
			continue;
		}
		if (!is(w[i], "spi", NULL, NULL) &&
		    !is(w[i], "dst", "daddr", "local") &&
		    !is(w[i], "orig", "orig-addr", "oa"))
			return fail(err, len, "set sa: unknown keyword '%s'", w[i]);
		if (i + 1 >= n)
			return fail(err, len, "set sa: '%s' needs a value", w[i]);
		if (is(w[i], "spi", NULL, NULL)) {
			if (parse_spi(w[i + 1], &a->spi))
				return fail(err, len,
					    "set sa: invalid SPI '%s' (expected 1-0xffffffff, e.g. 0x0a0b0001)",
					    w[i + 1]);
			a->have_spi = true;
		} else if (is(w[i], "dst", "daddr", "local")) {
			uint16_t fam = AF_UNSPEC;

			if (parse_addr(w[i + 1], &fam, &a->daddr))
				return fail(err, len, "set sa: invalid address '%s'", w[i + 1]);
			a->family = fam;
			a->have_daddr = true;
		} else {
			orig = w[i + 1];
			have_orig = true;
		}
		i++;
	}
	if (!a->have_spi)
		return fail(err, len, "set sa: missing spi SPI");
	if (!a->have_daddr)
		return fail(err, len, "set sa: missing dst ADDR (the SA's local address)");
	if (have_orig) {
		uint16_t fam = a->family;

		if (parse_addr(orig, &fam, &a->orig)) {
			uint16_t any = AF_UNSPEC;
			struct xc_addr tmp;

			if (!parse_addr(orig, &any, &tmp))
				return fail(err, len,
					    "set sa: original address '%s' is not of the SA's family (%s)",
					    orig, family_name(a->family));
			return fail(err, len, "set sa: invalid address '%s'", orig);
		}
	}
	if (!have_orig && !a->relearn)
		return fail(err, len, "set sa: nothing to set: give orig ADDR or relearn");
	return 0;
}

static int parse_set(char **w, int n, struct xc_args *a, char *err, size_t len)
{
	struct xc_config *c = &a->cfg;
	uint32_t v;
	int i;

	if (n && is(w[0], "sa", NULL, NULL))
		return parse_set_sa(w + 1, n - 1, a, err, len);

	a->cmd = CMD_SET;
	for (i = 0; i < n; i += 2) {
		const char *k = w[i], *val = i + 1 < n ? w[i + 1] : NULL;

		if (is(k, "mode", NULL, NULL)) {
			if (!val)
				return fail(err, len,
					    "set: 'mode' needs a value: off, audit or drop");
			if (parse_mode(val, &c->mode))
				return fail(err, len,
					    "set: invalid mode '%s': expected off, audit or drop",
					    val);
			c->present |= 1u << XFRM_CSUM_A_CONFIG_MODE;
		} else if (is(k, "learn-packets", NULL, NULL)) {
			if (!val || parse_u32(val, &v) || v < 1 || v > 255)
				return fail(err, len,
					    "set: learn-packets needs a number from 1 to 255%s%s%s",
					    val ? " (got '" : "", val ? val : "", val ? "')" : "");
			c->learn_packets = v;
			c->present |= 1u << XFRM_CSUM_A_CONFIG_LEARN_PACKETS;
		} else if (is(k, "event-rate", NULL, NULL)) {
			if (!val || parse_u32(val, &v) || v > 100000)
				return fail(err, len,
					    "set: event-rate needs a number from 0 to 100000%s%s%s",
					    val ? " (got '" : "", val ? val : "", val ? "')" : "");
			c->event_rate = v;
			c->present |= 1u << XFRM_CSUM_A_CONFIG_EVENT_RATE;
		} else if (is(k, "event-snaplen", NULL, NULL)) {
			if (!val || parse_u32(val, &v) || v > 1024)
				return fail(err, len,
					    "set: event-snaplen needs a number from 0 to 1024%s%s%s",
					    val ? " (got '" : "", val ? val : "", val ? "')" : "");
			c->event_snaplen = v;
			c->present |= 1u << XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN;
		} else {
			return fail(err, len,
				    "set: unknown setting '%s' (mode, learn-packets, event-rate, event-snaplen, sa)",
				    k);
		}
	}
	if (!c->present)
		return fail(err, len, "set: nothing to set");
	return 0;
}

static int parse_sa_filter(char **w, int n, struct xc_args *a, char *err, size_t len)
{
	int i = 0;

	a->cmd = CMD_SA;
	if (n && is(w[0], "show", "list", NULL))
		i++;
	for (; i < n; i += 2) {
		if (i + 1 >= n)
			return fail(err, len, "sa: '%s' needs a value", w[i]);
		if (is(w[i], "spi", NULL, NULL)) {
			if (parse_spi(w[i + 1], &a->spi))
				return fail(err, len, "sa: invalid SPI '%s'", w[i + 1]);
			a->have_spi = true;
		} else if (is(w[i], "dst", "daddr", "local")) {
			uint16_t fam = AF_UNSPEC;

			if (parse_addr(w[i + 1], &fam, &a->daddr))
				return fail(err, len, "sa: invalid address '%s'", w[i + 1]);
			a->family = fam;
			a->have_daddr = true;
		} else {
			return fail(err, len, "sa: unknown keyword '%s' (spi, dst)", w[i]);
		}
	}
	return 0;
}

int parse_args(int argc, char **argv, struct xc_args *a, char *err,
	       size_t errlen)
{
	const char *format = NULL, *count = NULL, *v;
	char *words[MAXWORDS];
	bool opts_done = false, json = false, no_sa = false, no_global = false;
	int i, n = 0;

	memset(a, 0, sizeof(*a));
	err[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (opts_done || arg[0] != '-' || !arg[1]) {
			if (n == MAXWORDS)
				return fail(err, errlen, "too many arguments");
			words[n++] = argv[i];
			continue;
		}
		if (!strcmp(arg, "--")) {
			opts_done = true;
		} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			a->cmd = CMD_HELP;
			return 0;
		} else if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
			a->cmd = CMD_VERSION;
			return 0;
		} else if (!strcmp(arg, "-j") || !strcmp(arg, "--json")) {
			json = true;
		} else if (!strcmp(arg, "-p") || !strcmp(arg, "--pretty")) {
			a->pretty = true;
		} else if (!strcmp(arg, "-jp") || !strcmp(arg, "-pj")) {
			json = true;
			a->pretty = true;
		} else if (!strcmp(arg, "--no-sa")) {
			no_sa = true;
		} else if (!strcmp(arg, "--no-global")) {
			no_global = true;
		} else if (!strcmp(arg, "-n")) {
			if (i + 1 >= argc)
				return fail(err, errlen,
					    "option '-n' needs a network namespace name");
			a->netns = argv[++i];
		} else if (opt_match(argc, argv, &i, "--netns", &v)) {
			if (!v || !*v)
				return fail(err, errlen,
					    "option '--netns' needs a network namespace name");
			a->netns = v;
		} else if (opt_match(argc, argv, &i, "--format", &v)) {
			if (!v)
				return fail(err, errlen,
					    "option '--format' needs a value: human, json or prometheus");
			format = v;
		} else if (opt_match(argc, argv, &i, "--pcap", &v)) {
			if (!v || !*v)
				return fail(err, errlen, "option '--pcap' needs a file name");
			a->pcap = v;
		} else if (!strcmp(arg, "-c") || opt_match(argc, argv, &i, "--count", &v)) {
			if (!strcmp(arg, "-c"))
				v = i + 1 < argc ? argv[++i] : NULL;
			if (!v)
				return fail(err, errlen, "option '%s' needs a number", arg);
			count = v;
		} else {
			return fail(err, errlen, "unknown option '%s'", arg);
		}
	}

	if (!n)
		return fail(err, errlen, "no command given");
	if (!strcmp(words[0], "help")) {
		a->cmd = CMD_HELP;
		return 0;
	}
	if (!strcmp(words[0], "version")) {
		a->cmd = CMD_VERSION;
		return 0;
	}

	if (!strcmp(words[0], "stats")) {
		a->cmd = CMD_STATS;
		if (n > 1)
			return fail(err, errlen, "stats: unexpected argument '%s'", words[1]);
	} else if (!strcmp(words[0], "sa")) {
		int rc = parse_sa_filter(words + 1, n - 1, a, err, errlen);

		if (rc)
			return rc;
	} else if (!strcmp(words[0], "monitor")) {
		a->cmd = CMD_MONITOR;
		if (n > 1)
			return fail(err, errlen, "monitor: unexpected argument '%s'", words[1]);
	} else if (!strcmp(words[0], "set")) {
		int rc = parse_set(words + 1, n - 1, a, err, errlen);

		if (rc)
			return rc;
	} else {
		return fail(err, errlen, "unknown command '%s' (stats, sa, monitor, set)",
			    words[0]);
	}

	a->format = json ? FMT_JSON : FMT_HUMAN;
	if (format) {
		if (a->cmd != CMD_STATS)
			return fail(err, errlen, "option '--format' applies to stats only");
		if (!strcmp(format, "human"))
			a->format = FMT_HUMAN;
		else if (!strcmp(format, "json"))
			a->format = FMT_JSON;
		else if (!strcmp(format, "prometheus") || !strcmp(format, "prom"))
			a->format = FMT_PROMETHEUS;
		else
			return fail(err, errlen,
				    "invalid format '%s': expected human, json or prometheus",
				    format);
		if (json && a->format != FMT_JSON)
			return fail(err, errlen,
				    "options '-j' and '--format %s' exclude each other",
				    format);
	}
	if (no_sa && a->cmd != CMD_STATS)
		return fail(err, errlen, "option '--no-sa' applies to stats only");
	a->no_sa = no_sa;
	if (no_global && a->cmd != CMD_STATS)
		return fail(err, errlen, "option '--no-global' applies to stats only");
	a->no_global = no_global;
	if ((a->pcap || count) && a->cmd != CMD_MONITOR)
		return fail(err, errlen, "options '--pcap' and '--count' apply to monitor only");
	if (count) {
		uint32_t c;

		if (parse_u32(count, &c) || !c)
			return fail(err, errlen,
				    "invalid count '%s': expected a positive number",
				    count);
		a->count = c;
	}
	return 0;
}
