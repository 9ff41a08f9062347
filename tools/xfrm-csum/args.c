// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: the command line.  Options may come before or after the
 * command, as with iproute2's "-j"; what selects an SA or a peer is given
 * as keyword value pairs like "ip xfrm", what is changed as options.
 *
 * The usage text is parsed by tests/help-man.py, which compares it with
 * xfrm-csum(8): a command's synopsis starts two spaces in, its
 * continuation lines four, its description eight.
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
"        settings and counters of the network namespace, and the\n"
"        module-wide totals from " XC_SYSFS_DIR "\n"
"  sa [show] [spi SPI] [dst ADDR] [mark MARK] [-d|--details]\n"
"        the SA table: peer, local and seen address, NAT state and\n"
"        difference, counters, last mismatch (-d: every field)\n"
"  sa-set spi SPI dst ADDR [mark MARK] [--orig-saddr ADDR]\n"
"    [--orig-daddr ADDR] [--relearn]\n"
"        give an inbound SA its original (pre-NAT) addresses, or make\n"
"        it learn its NAT difference again\n"
"  peer [show]\n"
"        the peer table: NAT mappings whose NAT difference is known\n"
"  peer-set src ADDR dst ADDR encap udp|tcp sport PORT dport PORT\n"
"    [--orig-saddr ADDR] [--orig-daddr ADDR]\n"
"        give a peer's NAT mapping its original addresses, for its SAs\n"
"        and the ones it installs later\n"
"  monitor [--pcap FILE] [-c|--count N]\n"
"        print events (mismatch, malformed, conflict) as they happen;\n"
"        --pcap writes the packets to FILE\n"
"  set [mode off|audit|drop] [learn confirm|strict|permissive]\n"
"    [confirm-packets N] [event-rate N] [event-snaplen N]\n"
"        change the namespace's settings\n"
"\n"
"Options:\n"
"  -j, --json              JSON output\n"
"  -p, --pretty            indented JSON\n"
"  -n, --netns NAME        run in network namespace NAME (ip netns)\n"
"  -h, --help              this help\n"
"  -V, --version           print the version\n"
"\n"
"Exit status: 0 success, 1 runtime error (module missing or too old, kernel\n"
"refused), 2 bad usage.  See xfrm-csum(8).\n";

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

/* What a command's words may hold; the aliases are "ip xfrm"'s words. */
enum kw {
	KW_SPI, KW_DST, KW_SRC, KW_MARK, KW_ENCAP, KW_SPORT, KW_DPORT, NKW
};

static const struct {
	const char *name, *alias1, *alias2;
} kws[NKW] = {
	[KW_SPI]	= { .name = "spi" },
	[KW_DST]	= { .name = "dst", .alias1 = "daddr", .alias2 = "local" },
	[KW_SRC]	= { .name = "src", .alias1 = "saddr", .alias2 = "peer" },
	[KW_MARK]	= { .name = "mark" },
	[KW_ENCAP]	= { .name = "encap" },
	[KW_SPORT]	= { .name = "sport" },
	[KW_DPORT]	= { .name = "dport" },
};

/*
 * KEYWORD VALUE pairs of the keywords in the allowed mask; vals[kw] is set
 * for each one given.  The messages name the command and the keywords.
 */
static int keywords(char **w, int n, const char *cmd, unsigned int allowed,
		    const char **vals, char *err, size_t len)
{
	char list[128] = "";
	int i, k;

	for (k = 0; k < NKW; k++) {
		if (!(allowed & (1u << k)))
			continue;
		if (list[0])
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, kws[k].name, sizeof(list) - strlen(list) - 1);
	}
	for (i = 0; i < n; i += 2) {
		for (k = 0; k < NKW; k++)
			if ((allowed & (1u << k)) &&
			    is(w[i], kws[k].name, kws[k].alias1, kws[k].alias2))
				break;
		if (k == NKW && is(w[i], "relearn", "orig-saddr", "orig-daddr"))
			return fail(err, len, "%s: unknown keyword '%s' (%s): did you mean '--%s'?",
				    cmd, w[i], list, w[i]);
		if (k == NKW)
			return fail(err, len, "%s: unknown keyword '%s' (%s)", cmd, w[i], list);
		if (i + 1 >= n)
			return fail(err, len, "%s: '%s' needs a value", cmd, w[i]);
		if (vals[k])
			return fail(err, len, "%s: '%s' given twice", cmd, kws[k].name);
		vals[k] = w[i + 1];
	}
	return 0;
}

/* An address of family *fam (AF_UNSPEC: either, then set). */
static int addr_arg(const char *cmd, const char *what, const char *s, uint16_t *fam,
		    struct xc_addr *addr, char *err, size_t len)
{
	uint16_t want = *fam, any = AF_UNSPEC;
	struct xc_addr tmp;

	if (!parse_addr(s, fam, addr))
		return 0;
	if (want != AF_UNSPEC && !parse_addr(s, &any, &tmp))
		return fail(err, len, "%s: %s '%s' is not of the family of the others (%s)",
			    cmd, what, s, family_name(want));
	return fail(err, len, "%s: invalid %s '%s' (an IPv4 or IPv6 address)", cmd, what, s);
}

static int spi_arg(const char *cmd, const char *s, uint32_t *spi, char *err, size_t len)
{
	if (parse_spi(s, spi))
		return fail(err, len,
			    "%s: invalid SPI '%s' (expected 1 to 0xffffffff, e.g. 0x0a0b0001)",
			    cmd, s);
	return 0;
}

static int mark_arg(const char *cmd, const char *s, uint32_t *mark, char *err, size_t len)
{
	if (parse_mark(s, mark))
		return fail(err, len, "%s: invalid mark '%s' (expected 0 to 0xffffffff)", cmd, s);
	return 0;
}

/* The --orig-saddr and --orig-daddr values, of the family already known. */
static int orig_args(const char *cmd, const char *os, const char *od, struct xc_args *a,
		     char *err, size_t len)
{
	int rc;

	if (os) {
		rc = addr_arg(cmd, "original source address", os, &a->family,
			      &a->orig_saddr, err, len);
		if (rc)
			return rc;
	}
	if (od) {
		rc = addr_arg(cmd, "original destination address", od, &a->family,
			      &a->orig_daddr, err, len);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_sa_words(char **w, int n, struct xc_args *a, char *err, size_t len)
{
	const char *v[NKW] = {};
	int rc;

	if (n && is(w[0], "show", "list", NULL)) {
		w++;
		n--;
	}
	rc = keywords(w, n, "sa", 1u << KW_SPI | 1u << KW_DST | 1u << KW_MARK, v, err, len);
	if (rc)
		return rc;
	if (v[KW_SPI]) {
		rc = spi_arg("sa", v[KW_SPI], &a->spi, err, len);
		if (rc)
			return rc;
		a->have_spi = true;
	}
	if (v[KW_DST]) {
		rc = addr_arg("sa", "address", v[KW_DST], &a->family, &a->daddr, err, len);
		if (rc)
			return rc;
		a->have_daddr = true;
	}
	if (v[KW_MARK]) {
		rc = mark_arg("sa", v[KW_MARK], &a->mark, err, len);
		if (rc)
			return rc;
		a->have_mark = true;
	}
	return 0;
}

static int parse_sa_set(char **w, int n, struct xc_args *a, const char *os,
			const char *od, char *err, size_t len)
{
	const char *v[NKW] = {};
	int rc;

	rc = keywords(w, n, "sa-set", 1u << KW_SPI | 1u << KW_DST | 1u << KW_MARK, v, err, len);
	if (rc)
		return rc;
	if (!v[KW_SPI])
		return fail(err, len, "sa-set: missing spi SPI");
	if (!v[KW_DST])
		return fail(err, len, "sa-set: missing dst ADDR (the SA's local address)");
	rc = spi_arg("sa-set", v[KW_SPI], &a->spi, err, len);
	if (rc)
		return rc;
	rc = addr_arg("sa-set", "address", v[KW_DST], &a->family, &a->daddr, err, len);
	if (rc)
		return rc;
	a->have_spi = true;
	a->have_daddr = true;
	if (v[KW_MARK]) {
		rc = mark_arg("sa-set", v[KW_MARK], &a->mark, err, len);
		if (rc)
			return rc;
		a->have_mark = true;
	}
	rc = orig_args("sa-set", os, od, a, err, len);
	if (rc)
		return rc;
	if (!os && !od && !a->relearn)
		return fail(err, len,
			    "sa-set: nothing to set: give --orig-saddr, --orig-daddr or --relearn");
	return 0;
}

static int parse_peer_set(char **w, int n, struct xc_args *a, const char *os,
			  const char *od, char *err, size_t len)
{
	const char *v[NKW] = {};
	int rc;

	rc = keywords(w, n, "peer-set", 1u << KW_SRC | 1u << KW_DST | 1u << KW_ENCAP |
		      1u << KW_SPORT | 1u << KW_DPORT, v, err, len);
	if (rc)
		return rc;
	if (!v[KW_SRC])
		return fail(err, len,
			    "peer-set: missing src ADDR (the peer's address on its SAs)");
	if (!v[KW_DST])
		return fail(err, len, "peer-set: missing dst ADDR (our address on its SAs)");
	if (!v[KW_ENCAP])
		return fail(err, len, "peer-set: missing encap udp|tcp");
	if (!v[KW_SPORT])
		return fail(err, len,
			    "peer-set: missing sport PORT (the peer's encapsulation port)");
	if (!v[KW_DPORT])
		return fail(err, len,
			    "peer-set: missing dport PORT (our encapsulation port)");
	rc = addr_arg("peer-set", "address", v[KW_SRC], &a->family, &a->saddr, err, len);
	if (rc)
		return rc;
	rc = addr_arg("peer-set", "address", v[KW_DST], &a->family, &a->daddr, err, len);
	if (rc)
		return rc;
	a->have_saddr = true;
	a->have_daddr = true;
	if (parse_encap(v[KW_ENCAP], &a->encap_type))
		return fail(err, len, "peer-set: invalid encap '%s': expected udp or tcp",
			    v[KW_ENCAP]);
	if (parse_port(v[KW_SPORT], &a->encap_sport))
		return fail(err, len, "peer-set: invalid sport '%s' (expected 1 to 65535)",
			    v[KW_SPORT]);
	if (parse_port(v[KW_DPORT], &a->encap_dport))
		return fail(err, len, "peer-set: invalid dport '%s' (expected 1 to 65535)",
			    v[KW_DPORT]);
	rc = orig_args("peer-set", os, od, a, err, len);
	if (rc)
		return rc;
	if (!os && !od)
		return fail(err, len,
			    "peer-set: nothing to set: give --orig-saddr or --orig-daddr");
	return 0;
}

/* A number from min to max for setting k, or a message naming both. */
static int setting_value(const char *k, const char *val, uint32_t min, uint32_t max,
			 uint32_t *v, char *err, size_t len)
{
	if (!val)
		return fail(err, len, "set: '%s' needs a number from %u to %u", k, min, max);
	if (parse_u32(val, v) || *v < min || *v > max)
		return fail(err, len, "set: %s needs a number from %u to %u (got '%s')",
			    k, min, max, val);
	return 0;
}

static int parse_set(char **w, int n, struct xc_args *a, char *err, size_t len)
{
	struct xc_config *c = &a->cfg;
	int i, rc;

	if (n && is(w[0], "sa", NULL, NULL))
		return fail(err, len,
			    "set: 'set sa' is now 'sa-set spi SPI dst ADDR [--orig-saddr ADDR] [--orig-daddr ADDR] [--relearn]'");
	for (i = 0; i < n; i += 2) {
		const char *k = w[i], *val = i + 1 < n ? w[i + 1] : NULL;
		int type;

		if (is(k, "mode", NULL, NULL)) {
			type = XFRM_CSUM_A_CONFIG_MODE;
			if (!val)
				return fail(err, len,
					    "set: 'mode' needs a value: off, audit or drop");
			if (parse_mode(val, &c->mode))
				return fail(err, len,
					    "set: invalid mode '%s': expected off, audit or drop",
					    val);
		} else if (is(k, "learn", NULL, NULL)) {
			type = XFRM_CSUM_A_CONFIG_LEARN;
			if (!val)
				return fail(err, len,
					    "set: 'learn' needs a value: confirm, strict or permissive");
			if (parse_learn(val, &c->learn))
				return fail(err, len,
					    "set: invalid learn '%s': expected confirm, strict or permissive",
					    val);
		} else if (is(k, "confirm-packets", NULL, NULL)) {
			type = XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS;
			rc = setting_value(k, val, XC_CONFIRM_PACKETS_MIN, XC_CONFIRM_PACKETS_MAX,
					   &c->confirm_packets, err, len);
			if (rc)
				return rc;
		} else if (is(k, "event-rate", NULL, NULL)) {
			type = XFRM_CSUM_A_CONFIG_EVENT_RATE;
			rc = setting_value(k, val, 0, XC_EVENT_RATE_MAX, &c->event_rate, err, len);
			if (rc)
				return rc;
		} else if (is(k, "event-snaplen", NULL, NULL)) {
			type = XFRM_CSUM_A_CONFIG_EVENT_SNAPLEN;
			rc = setting_value(k, val, 0, XC_EVENT_SNAPLEN_MAX, &c->event_snaplen,
					   err, len);
			if (rc)
				return rc;
		} else if (is(k, "learn-packets", NULL, NULL)) {
			return fail(err, len,
				    "set: 'learn-packets' is gone: see 'learn' and 'confirm-packets'");
		} else if (is(k, "max-sas", NULL, NULL)) {
			return fail(err, len,
				    "set: max-sas is read-only (fixed when the namespace appeared)");
		} else {
			return fail(err, len,
				    "set: unknown setting '%s' (mode, learn, confirm-packets, event-rate, event-snaplen)",
				    k);
		}
		if (c->present & (1u << type))
			return fail(err, len, "set: '%s' given twice", k);
		c->present |= 1u << type;
	}
	if (!c->present)
		return fail(err, len,
			    "set: nothing to set (mode, learn, confirm-packets, event-rate, event-snaplen)");
	return 0;
}

/* The options that belong to one command, for the checks after parsing. */
struct cmd_opts {
	const char *format, *count, *orig_saddr, *orig_daddr;
	bool json, no_sa, no_global, details, relearn;
};

static int check_cmd_opts(const struct cmd_opts *o, struct xc_args *a, char *err,
			  size_t errlen)
{
	a->format = o->json ? FMT_JSON : FMT_HUMAN;
	if (o->format) {
		if (a->cmd != CMD_STATS)
			return fail(err, errlen, "option '--format' applies to stats only");
		if (!strcmp(o->format, "human"))
			a->format = FMT_HUMAN;
		else if (!strcmp(o->format, "json"))
			a->format = FMT_JSON;
		else if (!strcmp(o->format, "prometheus") || !strcmp(o->format, "prom"))
			a->format = FMT_PROMETHEUS;
		else
			return fail(err, errlen,
				    "invalid format '%s': expected human, json or prometheus",
				    o->format);
		if (o->json && a->format != FMT_JSON)
			return fail(err, errlen,
				    "options '-j' and '--format %s' exclude each other",
				    o->format);
	}
	if (o->no_sa && a->cmd != CMD_STATS)
		return fail(err, errlen, "option '--no-sa' applies to stats only");
	a->no_sa = o->no_sa;
	if (o->no_global && a->cmd != CMD_STATS)
		return fail(err, errlen, "option '--no-global' applies to stats only");
	a->no_global = o->no_global;
	if (o->details && a->cmd != CMD_SA)
		return fail(err, errlen, "option '--details' applies to sa only");
	a->details = o->details;
	if ((a->pcap || o->count) && a->cmd != CMD_MONITOR)
		return fail(err, errlen, "options '--pcap' and '--count' apply to monitor only");
	if (o->count) {
		uint32_t c;

		if (parse_u32(o->count, &c) || !c)
			return fail(err, errlen,
				    "invalid count '%s': expected a positive number",
				    o->count);
		a->count = c;
	}
	if ((o->orig_saddr || o->orig_daddr) && a->cmd != CMD_SA_SET && a->cmd != CMD_PEER_SET)
		return fail(err, errlen,
			    "options '--orig-saddr' and '--orig-daddr' apply to sa-set and peer-set only");
	if (o->relearn && a->cmd != CMD_SA_SET)
		return fail(err, errlen, "option '--relearn' applies to sa-set only");
	return 0;
}

static const struct {
	const char *name;
	enum xc_cmd cmd;
} cmds[] = {
	{ "stats", CMD_STATS },
	{ "sa", CMD_SA },
	{ "sa-set", CMD_SA_SET },
	{ "peer", CMD_PEER },
	{ "peer-set", CMD_PEER_SET },
	{ "monitor", CMD_MONITOR },
	{ "set", CMD_SET },
};

static int parse_words(char **words, int n, const struct cmd_opts *o, struct xc_args *a,
		       char *err, size_t errlen)
{
	const char *cmd = words[0];

	words++;
	n--;
	if (!strcmp(cmd, "stats")) {
		if (n)
			return fail(err, errlen, "stats: unexpected argument '%s'", words[0]);
		return 0;
	}
	if (!strcmp(cmd, "sa"))
		return parse_sa_words(words, n, a, err, errlen);
	if (!strcmp(cmd, "sa-set"))
		return parse_sa_set(words, n, a, o->orig_saddr, o->orig_daddr, err, errlen);
	if (!strcmp(cmd, "peer")) {
		if (n && is(words[0], "show", "list", NULL)) {
			words++;
			n--;
		}
		if (n)
			return fail(err, errlen, "peer: unexpected argument '%s'", words[0]);
		return 0;
	}
	if (!strcmp(cmd, "peer-set"))
		return parse_peer_set(words, n, a, o->orig_saddr, o->orig_daddr, err, errlen);
	if (!strcmp(cmd, "monitor")) {
		if (n)
			return fail(err, errlen, "monitor: unexpected argument '%s'", words[0]);
		return 0;
	}
	return parse_set(words, n, a, err, errlen);
}

int parse_args(int argc, char **argv, struct xc_args *a, char *err,
	       size_t errlen)
{
	struct cmd_opts o = {};
	char *words[MAXWORDS];
	bool opts_done = false;
	const char *v;
	int i, n = 0, rc;

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
			o.json = true;
		} else if (!strcmp(arg, "-p") || !strcmp(arg, "--pretty")) {
			a->pretty = true;
		} else if (!strcmp(arg, "-jp") || !strcmp(arg, "-pj")) {
			o.json = true;
			a->pretty = true;
		} else if (!strcmp(arg, "-d") || !strcmp(arg, "--details")) {
			o.details = true;
		} else if (!strcmp(arg, "--no-sa")) {
			o.no_sa = true;
		} else if (!strcmp(arg, "--no-global")) {
			o.no_global = true;
		} else if (!strcmp(arg, "--relearn")) {
			o.relearn = true;
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
			o.format = v;
		} else if (opt_match(argc, argv, &i, "--pcap", &v)) {
			if (!v || !*v)
				return fail(err, errlen, "option '--pcap' needs a file name");
			a->pcap = v;
		} else if (opt_match(argc, argv, &i, "--orig-saddr", &v)) {
			if (!v || !*v)
				return fail(err, errlen, "option '--orig-saddr' needs an address");
			o.orig_saddr = v;
		} else if (opt_match(argc, argv, &i, "--orig-daddr", &v)) {
			if (!v || !*v)
				return fail(err, errlen, "option '--orig-daddr' needs an address");
			o.orig_daddr = v;
		} else if (!strcmp(arg, "-c") || opt_match(argc, argv, &i, "--count", &v)) {
			if (!strcmp(arg, "-c"))
				v = i + 1 < argc ? argv[++i] : NULL;
			if (!v)
				return fail(err, errlen, "option '%s' needs a number", arg);
			o.count = v;
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
	for (i = 0; i < (int)ARRAY_SIZE(cmds); i++)
		if (!strcmp(words[0], cmds[i].name))
			a->cmd = cmds[i].cmd;
	if (a->cmd == CMD_NONE)
		return fail(err, errlen,
			    "unknown command '%s' (stats, sa, sa-set, peer, peer-set, monitor, set)",
			    words[0]);
	/* options of another command first: they may explain what follows */
	rc = check_cmd_opts(&o, a, err, errlen);
	if (rc)
		return rc;
	a->relearn = o.relearn;
	return parse_words(words, n, &o, a, err, errlen);
}
