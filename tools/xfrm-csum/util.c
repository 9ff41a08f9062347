// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: names, value parsers, address and time formatting, the sysfs
 * reader.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "xfrm-csum.h"

/*
 * Order and names of module/xfrm_csum.yaml (the stats attribute set); the
 * help texts are its docs.  JSON keys are the names with '_' for '-'.
 */
const struct xc_counter xc_counters[] = {
	{ XFRM_CSUM_A_STATS_CHECKED, "checked", "checked", "packets_checked_total",
	  "Packets judged: the sum of verified, nat-adjusted, no-csum, mismatch, malformed, unconfirmed and unverified.",
	  true },
	{ XFRM_CSUM_A_STATS_VERIFIED, "verified", "verified", "packets_verified_total",
	  "Packets whose inner checksum was right for the addresses as received.",
	  true },
	{ XFRM_CSUM_A_STATS_NAT_ADJUSTED, "nat-adjusted", "nat_adjusted",
	  "packets_nat_adjusted_total",
	  "Packets whose inner checksum was right under the SA's NAT difference.",
	  true },
	{ XFRM_CSUM_A_STATS_NO_CSUM, "no-csum", "no_csum", "packets_no_checksum_total",
	  "UDP packets without a checksum, passed (IPv4) or left to the socket (IPv6).",
	  true },
	{ XFRM_CSUM_A_STATS_MISMATCH, "mismatch", "mismatch", "packets_mismatched_total",
	  "Packets whose inner checksum was not right under the SA's known NAT difference.",
	  true },
	{ XFRM_CSUM_A_STATS_MALFORMED, "malformed", "malformed", "packets_malformed_total",
	  "Packets with a truncated or inconsistent inner header.",
	  true },
	{ XFRM_CSUM_A_STATS_UNCONFIRMED, "unconfirmed", "unconfirmed",
	  "packets_unconfirmed_total",
	  "Packets not right as received while the NAT difference was not known (learning or conflict).",
	  true },
	{ XFRM_CSUM_A_STATS_UNVERIFIED, "unverified", "unverified", "packets_unverified_total",
	  "Unconfirmed packets delivered because learn is permissive.",
	  true },
	{ XFRM_CSUM_A_STATS_DROPPED, "dropped", "dropped", "packets_dropped_total",
	  "Packets dropped in drop mode (mismatch, malformed, unconfirmed).",
	  true },
	{ XFRM_CSUM_A_STATS_DEFERRED, "deferred", "deferred", "packets_deferred_total",
	  "Packets of other inner protocols (ICMP, IGMP, GRE, SCTP, ...) left to the stack to verify.",
	  false },
	{ XFRM_CSUM_A_STATS_SKIPPED, "skipped", "skipped", "packets_skipped_total",
	  "ESP packets not in scope: tunnel or BEET mode, or no encapsulation.",
	  false },
	{ XFRM_CSUM_A_STATS_UNTRACKED, "untracked", "untracked", "packets_untracked_total",
	  "Packets judged without an SA entry (table full or memory short).",
	  false },
	{ XFRM_CSUM_A_STATS_CONFLICTS, "conflicts", "conflicts", "conflicts_total",
	  "SAs that entered the conflict state.",
	  false },
	{ XFRM_CSUM_A_STATS_EVENTS, "events", "events", "events_sent_total",
	  "Events sent to the events multicast group.",
	  false },
	{ XFRM_CSUM_A_STATS_EVENTS_SUPPRESSED, "events-suppressed", "events_suppressed",
	  "events_suppressed_total",
	  "Events not sent because of the rate limit.",
	  false },
};

const size_t xc_ncounters = ARRAY_SIZE(xc_counters);

/*
 * sysfs file names are chosen by the module: accept the counter key, with
 * '-' for '_', and a plural 's' ("mismatches", "events").
 */
const struct xc_counter *counter_by_sysfs_name(const char *name)
{
	char n[64];
	size_t i, l;

	snprintf(n, sizeof(n), "%s", name);
	for (i = 0; n[i]; i++)
		if (n[i] == '-')
			n[i] = '_';
	for (i = 0; i < xc_ncounters; i++)
		if (!strcmp(n, xc_counters[i].key))
			return &xc_counters[i];
	l = strlen(n);
	if (l > 2 && !strcmp(n + l - 2, "es"))
		n[l - 2] = '\0';
	else if (l > 1 && n[l - 1] == 's')
		n[l - 1] = '\0';
	for (i = 0; i < xc_ncounters; i++)
		if (!strcmp(n, xc_counters[i].key))
			return &xc_counters[i];
	return NULL;
}

const char *mode_name(uint32_t mode)
{
	switch (mode) {
	case XFRM_CSUM_MODE_OFF:	return "off";
	case XFRM_CSUM_MODE_AUDIT:	return "audit";
	case XFRM_CSUM_MODE_DROP:	return "drop";
	}
	return "unknown";
}

const char *learn_name(uint32_t learn)
{
	switch (learn) {
	case XFRM_CSUM_LEARN_CONFIRM:		return "confirm";
	case XFRM_CSUM_LEARN_STRICT:		return "strict";
	case XFRM_CSUM_LEARN_PERMISSIVE:	return "permissive";
	}
	return "unknown";
}

const char *nat_state_name(uint32_t state)
{
	switch (state) {
	case XFRM_CSUM_NAT_STATE_LEARNING:	return "learning";
	case XFRM_CSUM_NAT_STATE_STATIC:	return "static";
	case XFRM_CSUM_NAT_STATE_NONE:		return "none";
	case XFRM_CSUM_NAT_STATE_CONFIRMED:	return "confirmed";
	case XFRM_CSUM_NAT_STATE_INHERITED:	return "inherited";
	case XFRM_CSUM_NAT_STATE_CONFLICT:	return "conflict";
	}
	return "unknown";
}

const char *reason_name(uint32_t reason)
{
	switch (reason) {
	case XFRM_CSUM_REASON_MISMATCH:		return "mismatch";
	case XFRM_CSUM_REASON_MALFORMED:	return "malformed";
	case XFRM_CSUM_REASON_CONFLICT:		return "conflict";
	}
	return "unknown";
}

const char *family_name(uint16_t family)
{
	switch (family) {
	case AF_INET:	return "ipv4";
	case AF_INET6:	return "ipv6";
	}
	return "unknown";
}

const char *encap_name(uint16_t type)
{
	switch (type) {
	case XC_ENCAP_UDP:	return "espinudp";
	case XC_ENCAP_TCP:	return "espintcp";
	}
	return "unknown";
}

const char *l4_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 6:		return "tcp";
	case 17:	return "udp";
	case 58:	return "icmpv6";
	case 136:	return "udplite";
	}
	snprintf(buf, len, "proto-%u", proto);
	return buf;
}

int parse_mode(const char *s, uint32_t *mode)
{
	if (!strcmp(s, "off"))
		*mode = XFRM_CSUM_MODE_OFF;
	else if (!strcmp(s, "audit"))
		*mode = XFRM_CSUM_MODE_AUDIT;
	else if (!strcmp(s, "drop"))
		*mode = XFRM_CSUM_MODE_DROP;
	else
		return -EINVAL;
	return 0;
}

int parse_learn(const char *s, uint32_t *learn)
{
	if (!strcmp(s, "confirm"))
		*learn = XFRM_CSUM_LEARN_CONFIRM;
	else if (!strcmp(s, "strict"))
		*learn = XFRM_CSUM_LEARN_STRICT;
	else if (!strcmp(s, "permissive"))
		*learn = XFRM_CSUM_LEARN_PERMISSIVE;
	else
		return -EINVAL;
	return 0;
}

int parse_encap(const char *s, uint16_t *type)
{
	if (!strcmp(s, "udp") || !strcmp(s, "espinudp"))
		*type = XC_ENCAP_UDP;
	else if (!strcmp(s, "tcp") || !strcmp(s, "espintcp"))
		*type = XC_ENCAP_TCP;
	else
		return -EINVAL;
	return 0;
}

static int parse_ul(const char *s, int base, unsigned long long max,
		    unsigned long long *val)
{
	unsigned long long v;
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*val = v;
	return 0;
}

/* SPIs as "ip xfrm" prints them (0x...) or in decimal; 0 is not an SPI. */
int parse_spi(const char *s, uint32_t *spi)
{
	unsigned long long v;

	if (parse_ul(s, 0, UINT32_MAX, &v) || !v)
		return -EINVAL;
	*spi = v;
	return 0;
}

int parse_mark(const char *s, uint32_t *mark)
{
	unsigned long long v;

	if (parse_ul(s, 0, UINT32_MAX, &v))
		return -EINVAL;
	*mark = v;
	return 0;
}

int parse_port(const char *s, uint16_t *port)
{
	unsigned long long v;

	if (parse_ul(s, 10, UINT16_MAX, &v) || !v)
		return -EINVAL;
	*port = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *val)
{
	unsigned long long v;

	if (parse_ul(s, 10, UINT32_MAX, &v))
		return -EINVAL;
	*val = v;
	return 0;
}

uint32_t event_seq_gap(bool have_prev, uint32_t prev, uint32_t seq)
{
	return have_prev ? seq - prev - 1 : 0;
}

int parse_addr(const char *s, uint16_t *family, struct xc_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (*family != AF_INET6 && inet_pton(AF_INET, s, addr->a) == 1) {
		addr->len = 4;
		*family = AF_INET;
		return 0;
	}
	if (*family != AF_INET && inet_pton(AF_INET6, s, addr->a) == 1) {
		addr->len = 16;
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *addr_str(const struct xc_addr *a, char *buf, size_t len)
{
	if (a->len == 4 && inet_ntop(AF_INET, a->a, buf, len))
		return buf;
	if (a->len == 16 && inet_ntop(AF_INET6, a->a, buf, len))
		return buf;
	return "-";
}

const char *time_str(uint64_t secs, char *buf, size_t len)
{
	time_t t = secs;
	struct tm tm;

	if (!secs)
		return "never";
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return "invalid";
	return buf;
}

const char *time_ns_str(uint64_t ns, char *buf, size_t len)
{
	time_t t = ns / 1000000000ull;
	char date[32];
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		return "invalid";
	snprintf(buf, len, "%s.%06uZ", date,
		 (unsigned int)(ns % 1000000000ull / 1000));
	return buf;
}

void errmsg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int read_u64_file(int dfd, const char *name, uint64_t *val)
{
	char buf[64], *end;
	ssize_t n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

static int global_cmp(const void *a, const void *b)
{
	return strcmp(a, b);	/* name is the first member */
}

/* Every file of DIR holding one unsigned number, sorted by name. */
int read_global(const char *dir, struct xc_global *g)
{
	struct dirent *de;
	DIR *d;

	g->n = 0;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && g->n < (int)ARRAY_SIZE(g->f)) {
		uint64_t v = 0;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(g->f[0].name))
			continue;
		if (read_u64_file(dirfd(d), de->d_name, &v))
			continue;
		memcpy(g->f[g->n].name, de->d_name, strlen(de->d_name) + 1);
		g->f[g->n].val = v;
		g->n++;
	}
	closedir(d);
	qsort(g->f, g->n, sizeof(g->f[0]), global_cmp);
	return 0;
}
