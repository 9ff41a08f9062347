// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of xfrm-csum: everything but the socket.  Netlink
 * messages are built in memory with libmnl the way the module builds them
 * (module/xfrm_csum.yaml).  Rendered samples are written to OUTDIR for
 * tests/check-output.sh (JSON syntax, Prometheus syntax, tcpdump -r).
 *
 * usage: tests/unit OUTDIR
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "xfrm-csum.h"

static int failures, tests;
static const char *outdir;

#define CHECK(cond, ...) check(!!(cond), #cond, __LINE__, __VA_ARGS__)

static void check(int ok, const char *expr, int line, const char *fmt, ...)
{
	va_list ap;

	tests++;
	printf("%s %d - ", ok ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf(" # line %d: %s", line, expr);
		failures++;
	}
	putchar('\n');
}

/* --- command line ---------------------------------------------------------- */

static int args(struct xc_args *a, char *err, size_t len, const char *line)
{
	/* the strings in a point into the copy: keep it until the next call */
	static char copy[512];
	char *argv[64], *tok, *save;
	int argc = 0;

	snprintf(copy, sizeof(copy), "%s", line);

	argv[argc++] = "xfrm-csum";
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return parse_args(argc, argv, a, err, len);
}

static void expect_usage(const char *line, const char *msg)
{
	struct xc_args a;
	char err[256];
	int rc = args(&a, err, sizeof(err), line);

	CHECK(rc == EXIT_USAGE && strstr(err, msg),
	      "'%s' is a usage error mentioning \"%s\" (rc %d: %s)", line, msg, rc, err);
}

static void test_args(void)
{
	struct xc_args a;
	char err[256];
	uint8_t a4[4] = { 192, 0, 2, 2 };
	uint8_t o4[4] = { 198, 51, 100, 2 };

	CHECK(!args(&a, err, sizeof(err), "stats") && a.cmd == CMD_STATS &&
	      a.format == FMT_HUMAN && !a.netns, "stats");
	CHECK(!args(&a, err, sizeof(err), "-j stats") && a.format == FMT_JSON, "-j stats");
	CHECK(!args(&a, err, sizeof(err), "stats -j -p") && a.format == FMT_JSON && a.pretty,
	      "options after the command");
	CHECK(!args(&a, err, sizeof(err), "-jp sa") && a.cmd == CMD_SA && a.pretty &&
	      a.format == FMT_JSON, "-jp");
	CHECK(!args(&a, err, sizeof(err), "stats --format prometheus") &&
	      a.format == FMT_PROMETHEUS, "--format prometheus");
	CHECK(!args(&a, err, sizeof(err), "stats --format=json --no-sa") &&
	      a.format == FMT_JSON && a.no_sa && !a.no_global, "--format=json --no-sa");
	CHECK(!args(&a, err, sizeof(err), "stats --no-global") && a.no_global, "--no-global");
	CHECK(!args(&a, err, sizeof(err), "-n blue stats") && a.netns &&
	      !strcmp(a.netns, "blue"), "-n NETNS");
	CHECK(!args(&a, err, sizeof(err), "--netns=red sa") && !strcmp(a.netns, "red"),
	      "--netns=NETNS");
	CHECK(!args(&a, err, sizeof(err), "--help") && a.cmd == CMD_HELP, "--help");
	CHECK(!args(&a, err, sizeof(err), "-h stats") && a.cmd == CMD_HELP, "-h wins");
	CHECK(!args(&a, err, sizeof(err), "help") && a.cmd == CMD_HELP, "help");
	CHECK(!args(&a, err, sizeof(err), "--version") && a.cmd == CMD_VERSION, "--version");
	CHECK(!args(&a, err, sizeof(err), "-V") && a.cmd == CMD_VERSION, "-V");
	CHECK(!args(&a, err, sizeof(err), "monitor --pcap /tmp/x.pcap -c 3") &&
	      a.cmd == CMD_MONITOR && !strcmp(a.pcap, "/tmp/x.pcap") && a.count == 3,
	      "monitor --pcap FILE -c N");
	CHECK(!args(&a, err, sizeof(err), "monitor --count=7 -j") && a.count == 7 &&
	      a.format == FMT_JSON, "monitor --count=N -j");
	CHECK(!args(&a, err, sizeof(err), "sa") && a.cmd == CMD_SA && !a.have_spi, "sa");
	CHECK(!args(&a, err, sizeof(err), "sa show spi 0x0a0b0001 dst 192.0.2.2") &&
	      a.have_spi && a.spi == 0x0a0b0001 && a.have_daddr && a.family == AF_INET,
	      "sa show spi dst");
	CHECK(!args(&a, err, sizeof(err), "set mode audit") && a.cmd == CMD_SET &&
	      config_has(&a.cfg, XFRM_CSUM_A_CONFIG_MODE) &&
	      a.cfg.mode == XFRM_CSUM_MODE_AUDIT &&
	      !config_has(&a.cfg, XFRM_CSUM_A_CONFIG_LEARN_PACKETS), "set mode audit");
	CHECK(!args(&a, err, sizeof(err),
		    "set mode drop learn-packets 8 event-rate 0 event-snaplen 256") &&
	      a.cfg.mode == XFRM_CSUM_MODE_DROP && a.cfg.learn_packets == 8 &&
	      config_has(&a.cfg, XFRM_CSUM_A_CONFIG_EVENT_RATE) && a.cfg.event_rate == 0 &&
	      a.cfg.event_snaplen == 256, "set several settings");
	CHECK(!args(&a, err, sizeof(err), "set mode off") && a.cfg.mode == XFRM_CSUM_MODE_OFF,
	      "set mode off");
	CHECK(!args(&a, err, sizeof(err),
		    "set sa spi 0x0a0b0001 dst 192.0.2.2 orig 198.51.100.2") &&
	      a.cmd == CMD_SET_SA && a.spi == 0x0a0b0001 && a.family == AF_INET &&
	      a.daddr.len == 4 && !memcmp(a.daddr.a, a4, 4) && a.orig.len == 4 &&
	      !memcmp(a.orig.a, o4, 4) && !a.relearn, "set sa orig");
	CHECK(!args(&a, err, sizeof(err), "set sa dst 2001:db8:b::2 spi 168427521 relearn") &&
	      a.cmd == CMD_SET_SA && a.spi == 168427521 && a.family == AF_INET6 &&
	      a.daddr.len == 16 && a.relearn && !a.orig.len, "set sa relearn, IPv6, decimal SPI");

	expect_usage("", "no command");
	expect_usage("frobnicate", "unknown command 'frobnicate'");
	expect_usage("--bogus stats", "unknown option '--bogus'");
	expect_usage("stats extra", "unexpected argument 'extra'");
	expect_usage("set mode bogus", "invalid mode 'bogus': expected off, audit or drop");
	expect_usage("set mode", "needs a value");
	expect_usage("set", "nothing to set");
	expect_usage("set learn-packets 0", "learn-packets needs a number from 1 to 255");
	expect_usage("set learn-packets 256", "from 1 to 255");
	expect_usage("set learn-packets four", "(got 'four')");
	expect_usage("set event-rate -1", "unknown option '-1'");
	expect_usage("set event-rate 100001", "event-rate");
	expect_usage("set event-snaplen 2000", "event-snaplen");
	expect_usage("set colour blue", "unknown setting 'colour'");
	expect_usage("set sa dst 192.0.2.2 relearn", "missing spi");
	expect_usage("set sa spi 0x10 relearn", "missing dst");
	expect_usage("set sa spi 0x10 dst 192.0.2.300 relearn", "invalid address '192.0.2.300'");
	expect_usage("set sa spi 0x10 dst 192.0.2.2", "nothing to set");
	expect_usage("set sa spi 0 dst 192.0.2.2 relearn", "invalid SPI '0'");
	expect_usage("set sa spi 0x100000000 dst 192.0.2.2 relearn", "invalid SPI");
	expect_usage("set sa spi zz dst 192.0.2.2 relearn", "invalid SPI 'zz'");
	expect_usage("set sa spi 0x10 dst 192.0.2.2 orig 2001:db8::1",
		     "not of the SA's family (ipv4)");
	expect_usage("set sa spi 0x10 dst 192.0.2.2 orig nowhere", "invalid address 'nowhere'");
	CHECK(!args(&a, err, sizeof(err), "set sa spi 0x10 dst 192.0.2.2 relearn orig 192.0.2.9") &&
	      a.relearn && a.orig.len == 4, "set sa relearn and orig together");
	expect_usage("set sa spi", "'spi' needs a value");
	expect_usage("sa spi", "'spi' needs a value");
	expect_usage("sa peer 192.0.2.1", "unknown keyword 'peer'");
	expect_usage("stats --format xml", "invalid format 'xml'");
	expect_usage("stats -j --format prometheus", "exclude each other");
	expect_usage("sa --format prometheus", "applies to stats only");
	expect_usage("stats --pcap x", "apply to monitor only");
	expect_usage("sa --no-global", "applies to stats only");
	expect_usage("monitor --pcap", "needs a file name");
	expect_usage("monitor -c 0", "invalid count '0'");
	expect_usage("monitor extra", "unexpected argument");
	expect_usage("-n", "needs a network namespace name");
}

/* --- value helpers ----------------------------------------------------------- */

static void test_util(void)
{
	struct xc_addr addr;
	uint16_t fam;
	uint32_t v;
	char buf[64];

	CHECK(!parse_spi("0x0a0b0001", &v) && v == 0x0a0b0001, "hex SPI");
	CHECK(!parse_spi("4294967295", &v) && v == 0xffffffff, "largest SPI");
	CHECK(parse_spi("", &v) && parse_spi("-1", &v) && parse_spi("1x", &v), "bad SPIs");
	CHECK(parse_u32("010", &v) == 0 && v == 10, "u32 is decimal");
	fam = AF_INET;
	CHECK(parse_addr("2001:db8::1", &fam, &addr) == -EINVAL, "family enforced");
	fam = AF_UNSPEC;
	CHECK(!parse_addr("2001:db8::1", &fam, &addr) && fam == AF_INET6 && addr.len == 16,
	      "IPv6 address");
	CHECK(!strcmp(addr_str(&addr, buf, sizeof(buf)), "2001:db8::1"), "IPv6 printed");
	addr.len = 0;
	CHECK(!strcmp(addr_str(&addr, buf, sizeof(buf)), "-"), "absent address");
	CHECK(!strcmp(time_str(0, buf, sizeof(buf)), "never"), "time 0 is never");
	CHECK(!strcmp(time_str(1700000000, buf, sizeof(buf)), "2023-11-14T22:13:20Z"),
	      "UTC time");
	CHECK(!strcmp(time_ns_str(1700000000123456789ull, buf, sizeof(buf)),
		      "2023-11-14T22:13:20.123456Z"), "UTC time with microseconds");
	CHECK(counter_by_sysfs_name("mismatches") &&
	      counter_by_sysfs_name("mismatches")->type == XFRM_CSUM_A_STATS_MISMATCH,
	      "sysfs 'mismatches' is the mismatch counter");
	CHECK(counter_by_sysfs_name("nat_adjusted")->type == XFRM_CSUM_A_STATS_NAT_ADJUSTED &&
	      counter_by_sysfs_name("nat-adjusted")->type == XFRM_CSUM_A_STATS_NAT_ADJUSTED,
	      "sysfs nat_adjusted");
	CHECK(counter_by_sysfs_name("events")->type == XFRM_CSUM_A_STATS_EVENTS &&
	      counter_by_sysfs_name("checked")->type == XFRM_CSUM_A_STATS_CHECKED &&
	      !counter_by_sysfs_name("frobs"), "other sysfs names");
	CHECK(!strcmp(mode_name(XFRM_CSUM_MODE_DROP), "drop") &&
	      !strcmp(nat_state_name(XFRM_CSUM_NAT_STATE_STATIC), "static") &&
	      !strcmp(nat_state_name(99), "unknown") &&
	      !strcmp(encap_name(2), "espinudp") && !strcmp(encap_name(7), "espintcp"),
	      "enum names");
}

static void test_global(void)
{
	char dir[] = "/tmp/xfrm-csum-unit-XXXXXX", path[256];
	struct xc_global g;
	const char *files[][2] = {
		{ "checked", "42\n" }, { "mismatches", "3\n" }, { "verified", "39\n" },
		{ "junk", "abc\n" }, { "future_counter", "7\n" },
	};
	size_t i;
	FILE *f;

	CHECK(read_global("/nonexistent/xfrm_csum", &g) == -ENOENT, "missing sysfs dir");
	if (!mkdtemp(dir))
		return;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
		f = fopen(path, "w");
		fputs(files[i][1], f);
		fclose(f);
	}
	CHECK(!read_global(dir, &g) && g.n == 4, "sysfs: 4 numeric files (got %d)", g.n);
	CHECK(!strcmp(g.f[0].name, "checked") && g.f[0].val == 42 &&
	      !strcmp(g.f[1].name, "future_counter") && !strcmp(g.f[2].name, "mismatches") &&
	      g.f[2].val == 3, "sysfs sorted by name");
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
		unlink(path);
	}
	rmdir(dir);
}

/* --- messages as the module sends them ------------------------------------ */

static char msgbuf[8192];

static struct nlmsghdr *genl_msg(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msgbuf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = 0x20;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static const uint8_t peer4[4] = { 203, 0, 113, 1 }, local4[4] = { 203, 0, 113, 2 };
static const uint8_t orig4[4] = { 198, 51, 100, 2 };

static void put_sa_stats(struct nlmsghdr *nlh, uint64_t checked, uint64_t mism)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, XFRM_CSUM_A_SA_STATS);

	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_CHECKED, checked);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_VERIFIED, checked - mism);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_MISMATCH, mism);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_DROPPED, mism);
	mnl_attr_nest_end(nlh, n);
}

static struct nlmsghdr *sa_msg4(void)
{
	struct nlmsghdr *nlh = genl_msg(XFRM_CSUM_CMD_SA_GET);

	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_FAMILY, AF_INET);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_SPI, htonl(0x0a0b0001));
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_DADDR, 4, local4);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_SADDR, 4, peer4);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_SEEN_SADDR, 4, peer4);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_ENCAP_TYPE, 2);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_ENCAP_SPORT, htons(4500));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_ENCAP_DPORT, htons(4500));
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_ORIG_ADDR, 4, orig4);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_NAT_STATE, XFRM_CSUM_NAT_STATE_LOCKED);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_NAT_DELTA, 0x1234);
	put_sa_stats(nlh, 1000, 7);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_SA_FIRST_SEEN, 1700000000);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_SA_LAST_MISMATCH, 1700000100);
	/* a future attribute and a wrongly sized one are ignored */
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_MAX + 5, 1);
	return nlh;
}

static void sample_sas(struct xc_sa sas[2])
{
	static const uint8_t l6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xb, [15] = 2 };
	static const uint8_t p6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xb, [15] = 1 };
	struct nlmsghdr *nlh;

	parse_sa(sa_msg4(), &sas[0]);
	nlh = genl_msg(XFRM_CSUM_CMD_SA_GET);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_FAMILY, AF_INET6);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_SPI, htonl(0xb0a0001));
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_DADDR, 16, l6);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_SADDR, 16, p6);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_NAT_STATE, XFRM_CSUM_NAT_STATE_LEARNING);
	put_sa_stats(nlh, 3, 0);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_SA_LAST_MISMATCH, 0);
	parse_sa(nlh, &sas[1]);
}

static void test_parse(void)
{
	struct nlmsghdr *nlh;
	struct xc_config cfg;
	struct xc_stats st;
	struct xc_sa sa;

	nlh = genl_msg(XFRM_CSUM_CMD_STATS_GET);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_CHECKED, 123456789012ull);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_MISMATCH, 5);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_STATS_DROPPED, 5);	/* wrong size */
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_MAX + 1, 9);	/* newer module */
	CHECK(!parse_stats(nlh, &st) && st.val[XFRM_CSUM_A_STATS_CHECKED] == 123456789012ull &&
	      st.val[XFRM_CSUM_A_STATS_MISMATCH] == 5 &&
	      stats_has(&st, XFRM_CSUM_A_STATS_MISMATCH) &&
	      !stats_has(&st, XFRM_CSUM_A_STATS_DROPPED) &&
	      !stats_has(&st, XFRM_CSUM_A_STATS_VERIFIED), "stats reply");

	nlh = genl_msg(XFRM_CSUM_CMD_CONFIG_GET);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_MODE, XFRM_CSUM_MODE_AUDIT);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_LEARN_PACKETS, 4);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_MAX_SAS, 4096);
	CHECK(!parse_config(nlh, &cfg) && cfg.mode == XFRM_CSUM_MODE_AUDIT &&
	      cfg.learn_packets == 4 && cfg.max_sas == 4096 &&
	      !config_has(&cfg, XFRM_CSUM_A_CONFIG_EVENT_RATE), "config reply");

	CHECK(!parse_sa(sa_msg4(), &sa) && sa.family == AF_INET && sa.spi == 0x0a0b0001 &&
	      sa.daddr.len == 4 && !memcmp(sa.daddr.a, local4, 4) &&
	      !memcmp(sa.saddr.a, peer4, 4) && !memcmp(sa.orig_addr.a, orig4, 4) &&
	      sa.encap_type == 2 && sa.encap_sport == 4500 && sa.encap_dport == 4500 &&
	      sa.nat_state == XFRM_CSUM_NAT_STATE_LOCKED && sa.nat_delta == 0x1234 &&
	      sa.first_seen == 1700000000 && sa.last_mismatch == 1700000100 &&
	      sa.stats.val[XFRM_CSUM_A_STATS_CHECKED] == 1000 &&
	      sa.stats.val[XFRM_CSUM_A_STATS_MISMATCH] == 7, "SA entry, byte orders");

	nlh = genl_msg(XFRM_CSUM_CMD_SA_GET);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_DADDR, 5, "abcde");
	CHECK(!parse_sa(nlh, &sa) && !sa_has(&sa, XFRM_CSUM_A_SA_DADDR) && !sa.daddr.len,
	      "5-byte address ignored");

	nlh = mnl_nlmsg_put_header(msgbuf);
	CHECK(parse_sa(nlh, &sa) == -EINVAL, "message without genl header rejected");
}

/* A UDP/IPv4 datagram 203.0.113.1:40000 -> 203.0.113.2:5001, 1000 zero bytes. */
static size_t sample_packet(uint8_t *p, bool esp_header)
{
	uint16_t tot = 20 + 8 + 1000;

	memset(p, 0, tot);
	p[0] = 0x45;
	p[2] = tot >> 8;
	p[3] = tot;
	p[8] = 64;
	p[9] = esp_header ? 50 : 17;
	memcpy(p + 12, peer4, 4);
	memcpy(p + 16, local4, 4);
	p[20] = 40000 >> 8;
	p[21] = 40000 & 0xff;
	p[22] = 5001 >> 8;
	p[23] = 5001 & 0xff;
	p[24] = (8 + 1000) >> 8;
	p[25] = (8 + 1000) & 0xff;
	p[26] = 0xbe;
	p[27] = 0xef;
	/* the corruption: one 16-byte block of the incident's pattern */
	memcpy(p + 28 + 64, "\x6e\xdd\x0b\x51\x6e\xdd\x0b\x51\x6e\xdd\x0b\x51\x6e\xdd\x0b\x51", 16);
	return tot;
}

static struct nlmsghdr *event_msg(const uint8_t *pkt, uint32_t caplen, uint32_t len)
{
	struct nlmsghdr *nlh = genl_msg(XFRM_CSUM_CMD_MISMATCH_NTF);

	mnl_attr_put_u16(nlh, XFRM_CSUM_A_EVENT_FAMILY, AF_INET);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_SPI, htonl(0x0a0b0001));
	mnl_attr_put(nlh, XFRM_CSUM_A_EVENT_DADDR, 4, local4);
	mnl_attr_put(nlh, XFRM_CSUM_A_EVENT_SADDR, 4, peer4);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_NAT_STATE, XFRM_CSUM_NAT_STATE_LOCKED);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_REASON, XFRM_CSUM_REASON_MISMATCH);
	mnl_attr_put_u8(nlh, XFRM_CSUM_A_EVENT_L4_PROTO, 17);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_EVENT_SPORT, htons(40000));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_EVENT_DPORT, htons(5001));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_EVENT_CSUM, htons(0xbeef));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_EVENT_CSUM_EXPECTED, htons(0x1234));
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_EVENT_TIMESTAMP, 1700000000123456789ull);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_PKT_LEN, len);
	mnl_attr_put(nlh, XFRM_CSUM_A_EVENT_PKT, caplen, pkt);
	return nlh;
}

static FILE *out_file(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static char *capture(void (*fn)(FILE *f, void *data), void *data)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, data);
	fclose(f);
	return buf;
}

static void event_human(FILE *f, void *data)
{
	struct out o = { .f = f };

	print_event(&o, data);
}

#define EVENT_LINE "2023-11-14T22:13:20.123456Z mismatch ipv4 spi 0x0a0b0001 from 203.0.113.1 to 203.0.113.2 udp 40000 > 5001 csum 0xbeef expected 0x1234 nat locked len 1028\n"

static void test_events_pcap(void)
{
	uint8_t pkt[2048], rec[64];
	struct xc_event ev;
	char path[512], *s;
	size_t len = sample_packet(pkt, false);
	struct stat stt;
	struct out o;
	int fd;
	FILE *f;

	CHECK(!parse_event(event_msg(pkt, 128, len), &ev) && ev.family == AF_INET &&
	      ev.spi == 0x0a0b0001 && ev.sport == 40000 && ev.dport == 5001 &&
	      ev.csum == 0xbeef && ev.csum_expected == 0x1234 && ev.l4_proto == 17 &&
	      ev.pkt_len == len && ev.caplen == 128 && !memcmp(ev.pkt, pkt, 128),
	      "event parsed");
	s = capture(event_human, &ev);
	CHECK(!strcmp(s, EVENT_LINE),
	      "event line");
	free(s);
	o = (struct out){ .f = out_file("event.json"), .json = true };
	print_event(&o, &ev);
	print_event(&o, &ev);	/* one object per line, like ip -j monitor */
	fclose(o.f);

	/* pcap: header + two records, one from a pre-rewrite copy */
	snprintf(path, sizeof(path), "%s/events.pcap", outdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && !pcap_write_header(fd), "pcap header written");
	CHECK(!pcap_write_record(fd, ev.timestamp, ev.pkt, ev.caplen, ev.pkt_len),
	      "pcap record written");
	len = sample_packet(pkt, true);
	pkt[2] = 0xff;
	pkt[3] = 0xff;
	CHECK(pcap_fixup_ip(pkt, 128, len, 17) == 1 && pkt[9] == 17 && pkt[2] == 0x04 &&
	      pkt[3] == 0x04, "ESP-labelled IPv4 header rewritten for the reader");
	CHECK(pcap_fixup_ip(pkt, 128, len, 17) == 0, "a correct header is left alone");
	CHECK(!pcap_write_record(fd, ev.timestamp + 1000, pkt, 128, len),
	      "second pcap record written");
	close(fd);
	CHECK(!stat(path, &stt) && stt.st_size == 24 + 2 * (16 + 128),
	      "pcap size %lld", (long long)stt.st_size);
	f = fopen(path, "r");
	CHECK(f && fread(rec, 1, 40, f) == 40, "pcap read back");
	if (f)
		fclose(f);
	CHECK(*(uint32_t *)rec == PCAP_MAGIC_USEC && *(uint32_t *)(rec + 20) == 101 &&
	      *(uint16_t *)(rec + 4) == 2 && *(uint16_t *)(rec + 6) == 4,
	      "pcap magic, version 2.4, LINKTYPE_RAW");
	CHECK(*(uint32_t *)(rec + 24) == 1700000000 && *(uint32_t *)(rec + 28) == 123456 &&
	      *(uint32_t *)(rec + 32) == 128 && *(uint32_t *)(rec + 36) == 1028,
	      "pcap record: time, caplen 128, original length 1028");

	memset(pkt, 0, 40);
	pkt[0] = 0x60;
	pkt[6] = 50;
	CHECK(pcap_fixup_ip(pkt, 40, 1048, 6) == 1 && pkt[6] == 6 && pkt[4] == 0x03 &&
	      pkt[5] == 0xf0, "ESP-labelled IPv6 header rewritten");
	CHECK(pcap_fixup_ip(pkt, 10, 1048, 6) == 0, "short capture left alone");
}

#define COMPACT_JSON "{\"a\":\"q\\\"uo\\\\te\\n\\u0001\",\"n\":18446744073709551615,\"l\":[true,null],\"e\":{}}\n"

static void test_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	struct json j;
	FILE *f;

	f = open_memstream(&buf, &len);
	json_init(&j, f, false);
	json_obj_open(&j, NULL);
	json_str(&j, "a", "q\"uo\\te\n\x01");
	json_u64(&j, "n", 18446744073709551615ull);
	json_arr_open(&j, "l");
	json_bool(&j, NULL, true);
	json_null(&j, NULL);
	json_arr_close(&j);
	json_obj_open(&j, "e");
	json_obj_close(&j);
	json_obj_close(&j);
	json_end(&j);
	fclose(f);
	CHECK(!strcmp(buf, COMPACT_JSON),
	      "compact JSON");
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	json_init(&j, f, true);
	json_obj_open(&j, NULL);
	json_u64(&j, "x", 1);
	json_arr_open(&j, "y");
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
	fclose(f);
	CHECK(!strcmp(buf, "{\n    \"x\": 1,\n    \"y\": []\n}\n"), "pretty JSON");
	free(buf);
}

static void sample_stats(struct xc_stats *st, struct xc_config *cfg, struct xc_global *g)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < xc_ncounters; i++) {
		st->val[xc_counters[i].type] = 100 + i;
		st->present |= 1u << xc_counters[i].type;
	}
	*cfg = (struct xc_config){ .mode = XFRM_CSUM_MODE_DROP, .learn_packets = 4,
				   .event_rate = 10, .event_snaplen = 128, .max_sas = 4096,
				   .present = 0x3e };
	memset(g, 0, sizeof(*g));
	snprintf(g->f[0].name, sizeof(g->f[0].name), "checked");
	g->f[0].val = 5000;
	snprintf(g->f[1].name, sizeof(g->f[1].name), "mismatches");
	g->f[1].val = 17;
	snprintf(g->f[2].name, sizeof(g->f[2].name), "newfangled");
	g->f[2].val = 1;
	g->n = 3;
}

static void prom_sample(FILE *f, void *data)
{
	struct xc_config cfg;
	struct xc_global g;
	struct xc_stats st;
	struct xc_sa sas[2];

	sample_stats(&st, &cfg, &g);
	sample_sas(sas);
	prom_stats(f, &st, &cfg, sas, 2, true, &g, data);
}

/* The labels of prom_sample's SAs. */
#define SA4_LABELS "family=\"ipv4\",spi=\"0x0a0b0001\",peer=\"203.0.113.1\",local=\"203.0.113.2\""
#define SA6_LABELS "family=\"ipv6\",spi=\"0x0b0a0001\",peer=\"2001:db8:b::1\",local=\"2001:db8:b::2\""

static void test_output(void)
{
	struct xc_config cfg;
	struct xc_global g;
	struct xc_stats st;
	struct xc_sa sas[2];
	char *s;
	struct out o;
	FILE *f;

	sample_stats(&st, &cfg, &g);
	sample_sas(sas);

	o = (struct out){ .f = out_file("stats.json"), .json = true };
	print_stats(&o, &st, &cfg, &g);
	fclose(o.f);
	o = (struct out){ .f = out_file("stats-pretty.json"), .json = true, .pretty = true };
	print_stats(&o, &st, &cfg, NULL);
	fclose(o.f);
	o = (struct out){ .f = out_file("stats.txt") };
	print_stats(&o, &st, &cfg, &g);
	fclose(o.f);
	o = (struct out){ .f = out_file("sa.json"), .json = true };
	print_sa_table(&o, sas, 2);
	fclose(o.f);
	o = (struct out){ .f = out_file("sa-empty.json"), .json = true };
	print_sa_table(&o, sas, 0);
	fclose(o.f);
	o = (struct out){ .f = out_file("sa.txt") };
	print_sa_table(&o, sas, 2);
	fclose(o.f);

	s = capture(prom_sample, NULL);
	f = out_file("metrics.prom");
	fputs(s, f);
	fclose(f);
	CHECK(strstr(s, "\nxfrm_csum_packets_checked_total 100\n") &&
	      strstr(s, "# TYPE xfrm_csum_packets_checked_total counter\n"),
	      "namespace counter metric");
	CHECK(strstr(s, "xfrm_csum_mode{mode=\"drop\"} 1\n") &&
	      strstr(s, "xfrm_csum_mode{mode=\"audit\"} 0\n"), "mode metric");
	CHECK(strstr(s, "xfrm_csum_sa_packets_mismatched_total{" SA4_LABELS "} 7\n"),
	      "per-SA mismatch metric labelled by family, spi, peer, local");
	CHECK(strstr(s, "xfrm_csum_sa_packets_checked_total{" SA6_LABELS "} 3\n"),
	      "IPv6 per-SA metric");
	CHECK(strstr(s, "xfrm_csum_sa_nat_state{" SA4_LABELS ",state=\"locked\"} 1\n"),
	      "NAT state metric");
	CHECK(strstr(s, "xfrm_csum_sa_last_mismatch_timestamp_seconds{" SA4_LABELS
		     "} 1700000100\n"),
	      "last mismatch metric");
	CHECK(strstr(s, "\nxfrm_csum_global_packets_mismatched_total 17\n") &&
	      !strstr(s, "newfangled"), "global metrics from sysfs names");
	CHECK(strstr(s, "xfrm_csum_sa_entries 2\n"), "SA count");
	free(s);

	s = capture(prom_sample, "vpn\"1");
	f = out_file("metrics-netns.prom");
	fputs(s, f);
	fclose(f);
	CHECK(strstr(s, "\nxfrm_csum_packets_checked_total{netns=\"vpn\\\"1\"} 100\n") &&
	      strstr(s, "xfrm_csum_mode{netns=\"vpn\\\"1\",mode=\"drop\"} 1\n") &&
	      strstr(s, "xfrm_csum_sa_packets_mismatched_total{netns=\"vpn\\\"1\","
			SA4_LABELS "} 7\n") &&
	      strstr(s, "\nxfrm_csum_global_packets_mismatched_total 17\n") &&
	      strstr(s, "xfrm_csum_sa_entries{netns=\"vpn\\\"1\"} 2\n"),
	      "netns label on per-namespace series (escaped), not on global ones");
	free(s);

	o = (struct out){ .f = NULL };
	s = NULL;
	{
		size_t len = 0;

		f = open_memstream(&s, &len);
		o.f = f;
		print_sa_table(&o, sas, 2);
		fclose(f);
	}
	CHECK(s && !strncmp(s, "FAMILY  SPI         PEER", 24) &&
	      strstr(s, "ipv4    0x0a0b0001  203.0.113.1") &&
	      strstr(s, "2023-11-14T22:15:00Z  locked") && strstr(s, "never") &&
	      strstr(s, "0x1234"), "SA table columns");
	free(s);
}

static void test_extack(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msgbuf);
	struct nlmsgerr *e;
	char buf[256];

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -ENOENT;
	e->msg.nlmsg_len = 64;	/* capped: the request is not echoed */
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "no such SA");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
	CHECK(nl_extack_msg(nlh) && !strcmp(nl_extack_msg(nlh), "no such SA"),
	      "extack message of a capped error");
	nlh->nlmsg_flags = 0;
	CHECK(!nl_extack_msg(nlh), "no TLVs, no message");
	format_nl_error(buf, sizeof(buf), "SA spi 0x00000010 dst 192.0.2.2", ENOENT,
			"no such SA");
	CHECK(!strcmp(buf,
		      "SA spi 0x00000010 dst 192.0.2.2: No such file or directory: no such SA"),
	      "error message: %s", buf);
	format_nl_error(buf, sizeof(buf), "changing the settings", EPERM, NULL);
	CHECK(!strcmp(buf, "changing the settings: Operation not permitted"),
	      "error without extack");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0755);
	printf("TAP version 13\n");
	test_args();
	test_util();
	test_global();
	test_parse();
	test_events_pcap();
	test_json();
	test_output();
	test_extack();
	printf("1..%d\n# %d failed\n", tests, failures);
	return failures ? 1 : 0;
}
