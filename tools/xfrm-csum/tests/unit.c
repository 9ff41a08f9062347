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
	__printf(4, 5);

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

/* A rendering compared with what it must be; both shown when they differ. */
static void check_text(const char *got, const char *want, const char *name)
{
	bool ok = !strcmp(got, want);

	check(ok, "strcmp", __LINE__, "%s", name);
	if (!ok)
		printf("# got:\n%s# expected:\n%s", got, want);
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

/* peer-set: what its usage errors share */
#define PSET "peer-set src 192.0.2.1 dst 192.0.2.2 "

static void test_args(void)
{
	struct xc_args a;
	char err[256];
	int rc;
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

	/* sa */
	CHECK(!args(&a, err, sizeof(err), "sa") && a.cmd == CMD_SA && !a.have_spi &&
	      !a.details, "sa");
	CHECK(!args(&a, err, sizeof(err), "sa show spi 0x0a0b0001 dst 192.0.2.2") &&
	      a.have_spi && a.spi == 0x0a0b0001 && a.have_daddr && a.family == AF_INET &&
	      !a.have_mark, "sa show spi dst");
	CHECK(!args(&a, err, sizeof(err), "sa list mark 0x10 -d") && a.have_mark &&
	      a.mark == 0x10 && a.details, "sa list mark -d");
	CHECK(!args(&a, err, sizeof(err), "sa --details mark 0") && a.have_mark && !a.mark &&
	      a.details, "sa mark 0 --details");

	/* sa-set */
	CHECK(!args(&a, err, sizeof(err),
		    "sa-set spi 0x0a0b0001 dst 192.0.2.2 --orig-saddr 198.51.100.2") &&
	      a.cmd == CMD_SA_SET && a.spi == 0x0a0b0001 && a.family == AF_INET &&
	      a.daddr.len == 4 && !memcmp(a.daddr.a, a4, 4) && a.orig_saddr.len == 4 &&
	      !memcmp(a.orig_saddr.a, o4, 4) && !a.orig_daddr.len && !a.relearn &&
	      !a.have_mark, "sa-set --orig-saddr");
	CHECK(!args(&a, err, sizeof(err),
		    "--orig-daddr=192.0.2.9 sa-set spi 16 dst 192.0.2.2 mark 7") &&
	      a.orig_daddr.len == 4 && a.orig_daddr.a[3] == 9 && !a.orig_saddr.len &&
	      a.have_mark && a.mark == 7 && a.spi == 16, "sa-set --orig-daddr=, mark, before");
	CHECK(!args(&a, err, sizeof(err), "sa-set dst 2001:db8:b::2 spi 168427521 --relearn") &&
	      a.cmd == CMD_SA_SET && a.spi == 168427521 && a.family == AF_INET6 &&
	      a.daddr.len == 16 && a.relearn && !a.orig_saddr.len,
	      "sa-set --relearn, IPv6, decimal SPI");
	rc = args(&a, err, sizeof(err),
		  "sa-set spi 0x10 dst 192.0.2.2 --relearn --orig-saddr 192.0.2.9 --orig-daddr 192.0.2.8");
	CHECK(!rc && a.relearn && a.orig_saddr.len == 4 && a.orig_daddr.len == 4,
	      "sa-set --relearn with both original addresses");

	/* peer, peer-set */
	CHECK(!args(&a, err, sizeof(err), "peer") && a.cmd == CMD_PEER, "peer");
	CHECK(!args(&a, err, sizeof(err), "-j peer show") && a.cmd == CMD_PEER &&
	      a.format == FMT_JSON, "-j peer show");
	rc = args(&a, err, sizeof(err),
		  "peer-set src 203.0.113.1 dst 203.0.113.2 encap udp sport 40001 dport 4500 --orig-saddr 198.51.100.2");
	CHECK(!rc && a.cmd == CMD_PEER_SET && a.family == AF_INET && a.saddr.len == 4 &&
	      a.saddr.a[3] == 1 && a.daddr.a[3] == 2 && a.encap_type == 2 &&
	      a.encap_sport == 40001 && a.encap_dport == 4500 && a.orig_saddr.len == 4 &&
	      !a.orig_daddr.len, "peer-set IPv4 udp");
	rc = args(&a, err, sizeof(err),
		  "peer-set peer 2001:db8::1 local 2001:db8::2 encap espintcp dport 4500 sport 4500 --orig-daddr 2001:db8:1::2");
	CHECK(!rc && a.family == AF_INET6 && a.encap_type == 7 && a.orig_daddr.len == 16 &&
	      !a.orig_saddr.len, "peer-set IPv6 tcp, ip xfrm words");

	/* set */
	CHECK(!args(&a, err, sizeof(err), "set mode audit") && a.cmd == CMD_SET &&
	      config_has(&a.cfg, XFRM_CSUM_A_CONFIG_MODE) &&
	      a.cfg.mode == XFRM_CSUM_MODE_AUDIT &&
	      !config_has(&a.cfg, XFRM_CSUM_A_CONFIG_LEARN), "set mode audit");
	rc = args(&a, err, sizeof(err),
		  "set mode drop learn strict confirm-packets 16 event-rate 0 event-snaplen 256");
	CHECK(!rc && a.cfg.mode == XFRM_CSUM_MODE_DROP && a.cfg.learn == XFRM_CSUM_LEARN_STRICT &&
	      a.cfg.confirm_packets == 16 &&
	      config_has(&a.cfg, XFRM_CSUM_A_CONFIG_EVENT_RATE) && a.cfg.event_rate == 0 &&
	      a.cfg.event_snaplen == 256 && a.cfg.present == 0x3e, "set every setting");
	CHECK(!args(&a, err, sizeof(err), "set learn permissive") &&
	      a.cfg.learn == XFRM_CSUM_LEARN_PERMISSIVE &&
	      a.cfg.present == 1u << XFRM_CSUM_A_CONFIG_LEARN, "set learn permissive");
	CHECK(!args(&a, err, sizeof(err), "set learn confirm confirm-packets 2") &&
	      a.cfg.learn == XFRM_CSUM_LEARN_CONFIRM && a.cfg.confirm_packets == 2,
	      "set learn confirm confirm-packets 2");
	CHECK(!args(&a, err, sizeof(err), "set mode off") && a.cfg.mode == XFRM_CSUM_MODE_OFF,
	      "set mode off");

	/* usage errors: every command, the message names the problem */
	expect_usage("", "no command");
	expect_usage("frobnicate",
		     "unknown command 'frobnicate' (stats, sa, sa-set, peer, peer-set, monitor, set)");
	expect_usage("--bogus stats", "unknown option '--bogus'");
	expect_usage("-n", "needs a network namespace name");
	expect_usage("--netns= stats", "'--netns' needs a network namespace name");

	expect_usage("stats extra", "stats: unexpected argument 'extra'");
	expect_usage("stats --format xml", "invalid format 'xml'");
	expect_usage("stats --format", "'--format' needs a value");
	expect_usage("stats -j --format prometheus", "exclude each other");
	expect_usage("stats --pcap x", "apply to monitor only");
	expect_usage("stats -d", "'--details' applies to sa only");

	expect_usage("sa spi", "sa: 'spi' needs a value");
	expect_usage("sa peer 192.0.2.1", "sa: unknown keyword 'peer' (spi, dst, mark)");
	expect_usage("sa spi 0 ", "sa: invalid SPI '0'");
	expect_usage("sa dst 192.0.2.300", "sa: invalid address '192.0.2.300'");
	expect_usage("sa mark -1", "unknown option '-1'");
	expect_usage("sa mark x1", "sa: invalid mark 'x1'");
	expect_usage("sa mark 0x100000000", "sa: invalid mark");
	expect_usage("sa spi 1 spi 2", "sa: 'spi' given twice");
	expect_usage("sa --format prometheus", "applies to stats only");
	expect_usage("sa --no-global", "applies to stats only");
	expect_usage("sa --relearn", "'--relearn' applies to sa-set only");

	expect_usage("sa-set dst 192.0.2.2 --relearn", "sa-set: missing spi");
	expect_usage("sa-set spi 0x10 --relearn", "sa-set: missing dst");
	expect_usage("sa-set spi 0x10 dst 192.0.2.300 --relearn",
		     "sa-set: invalid address '192.0.2.300'");
	expect_usage("sa-set spi 0x10 dst 192.0.2.2",
		     "sa-set: nothing to set: give --orig-saddr, --orig-daddr or --relearn");
	expect_usage("sa-set spi 0 dst 192.0.2.2 --relearn", "sa-set: invalid SPI '0'");
	expect_usage("sa-set spi 0x100000000 dst 192.0.2.2 --relearn", "invalid SPI");
	expect_usage("sa-set spi zz dst 192.0.2.2 --relearn", "sa-set: invalid SPI 'zz'");
	expect_usage("sa-set spi 0x10 dst 192.0.2.2 mark m --relearn", "sa-set: invalid mark 'm'");
	expect_usage("sa-set spi 0x10 dst 192.0.2.2 --orig-saddr 2001:db8::1",
		     "sa-set: original source address '2001:db8::1' is not of the family of the others (ipv4)");
	expect_usage("sa-set spi 0x10 dst 2001:db8::2 --orig-daddr 192.0.2.1",
		     "sa-set: original destination address '192.0.2.1' is not of the family of the others (ipv6)");
	expect_usage("sa-set spi 0x10 dst 192.0.2.2 --orig-saddr nowhere",
		     "sa-set: invalid original source address 'nowhere'");
	expect_usage("sa-set spi 0x10 dst 192.0.2.2 --orig-saddr",
		     "'--orig-saddr' needs an address");
	expect_usage("sa-set spi 0x10 dst 192.0.2.2 relearn",
		     "sa-set: unknown keyword 'relearn' (spi, dst, mark): did you mean '--relearn'?");
	expect_usage("sa-set spi 0x10 dst 192.0.2.2 orig 198.51.100.2",
		     "sa-set: unknown keyword 'orig' (spi, dst, mark)");
	expect_usage("sa-set spi", "sa-set: 'spi' needs a value");
	expect_usage("sa-set spi 1 dst 192.0.2.2 dst 192.0.2.3 --relearn",
		     "sa-set: 'dst' given twice");
	expect_usage("sa-set spi 1 dst 192.0.2.2 --relearn -j --format prometheus",
		     "'--format' applies to stats only");

	expect_usage("peer 192.0.2.1", "peer: unexpected argument '192.0.2.1'");
	expect_usage("peer --relearn", "'--relearn' applies to sa-set only");
	expect_usage("peer --orig-saddr 192.0.2.1", "apply to sa-set and peer-set only");

	expect_usage("peer-set dst 192.0.2.2 encap udp sport 1 dport 2 --orig-saddr 192.0.2.9",
		     "peer-set: missing src");
	expect_usage("peer-set src 192.0.2.1 encap udp sport 1 dport 2 --orig-saddr 192.0.2.9",
		     "peer-set: missing dst");
	expect_usage(PSET "sport 1 dport 2 --orig-saddr 192.0.2.9",
		     "peer-set: missing encap udp|tcp");
	expect_usage(PSET "encap udp dport 2 --orig-saddr 192.0.2.9",
		     "peer-set: missing sport");
	expect_usage(PSET "encap udp sport 1 --orig-saddr 192.0.2.9",
		     "peer-set: missing dport");
	expect_usage(PSET "encap sctp sport 1 dport 2 --orig-saddr 192.0.2.9",
		     "peer-set: invalid encap 'sctp': expected udp or tcp");
	expect_usage(PSET "encap udp sport 0 dport 2 --orig-saddr 192.0.2.9",
		     "peer-set: invalid sport '0' (expected 1 to 65535)");
	expect_usage(PSET "encap udp sport 1 dport 65536 --orig-saddr 192.0.2.9",
		     "peer-set: invalid dport '65536'");
	expect_usage("peer-set src 192.0.2.1 dst 2001:db8::2 encap tcp sport 1 dport 2",
		     "peer-set: address '2001:db8::2' is not of the family of the others (ipv4)");
	expect_usage(PSET "encap udp sport 1 dport 2",
		     "peer-set: nothing to set: give --orig-saddr or --orig-daddr");
	expect_usage(PSET "encap udp sport 1 dport 2 --relearn",
		     "'--relearn' applies to sa-set only");
	expect_usage(PSET "encap udp sport 1 dport 2 spi 5",
		     "peer-set: unknown keyword 'spi' (dst, src, encap, sport, dport)");
	expect_usage("peer-set src", "peer-set: 'src' needs a value");

	expect_usage("monitor extra", "monitor: unexpected argument 'extra'");
	expect_usage("monitor --pcap", "needs a file name");
	expect_usage("monitor -c 0", "invalid count '0'");
	expect_usage("monitor -c", "option '-c' needs a number");
	expect_usage("monitor --count=x", "invalid count 'x'");
	expect_usage("monitor --no-sa", "'--no-sa' applies to stats only");

	expect_usage("set mode bogus", "set: invalid mode 'bogus': expected off, audit or drop");
	expect_usage("set mode", "set: 'mode' needs a value");
	expect_usage("set", "set: nothing to set");
	expect_usage("set learn", "set: 'learn' needs a value: confirm, strict or permissive");
	expect_usage("set learn always",
		     "set: invalid learn 'always': expected confirm, strict or permissive");
	expect_usage("set confirm-packets 1",
		     "set: confirm-packets needs a number from 2 to 16 (got '1')");
	expect_usage("set confirm-packets 17", "from 2 to 16 (got '17')");
	expect_usage("set confirm-packets", "set: 'confirm-packets' needs a number from 2 to 16");
	expect_usage("set confirm-packets four", "(got 'four')");
	expect_usage("set event-rate -1", "unknown option '-1'");
	expect_usage("set event-rate 100001", "set: event-rate needs a number from 0 to 100000");
	expect_usage("set event-snaplen 2000", "set: event-snaplen needs a number from 0 to 1024");
	expect_usage("set colour blue", "set: unknown setting 'colour'");
	expect_usage("set learn-packets 4", "set: 'learn-packets' is gone");
	expect_usage("set max-sas 10", "set: max-sas is read-only");
	expect_usage("set mode drop mode audit", "set: 'mode' given twice");
	expect_usage("set sa spi 0x10 dst 192.0.2.2 relearn", "set: 'set sa' is now 'sa-set");
	expect_usage("set mode drop --orig-saddr 192.0.2.1", "apply to sa-set and peer-set only");
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
	CHECK(counter_by_sysfs_name("conflicts")->type == XFRM_CSUM_A_STATS_CONFLICTS &&
	      counter_by_sysfs_name("unconfirmed")->type == XFRM_CSUM_A_STATS_UNCONFIRMED &&
	      counter_by_sysfs_name("events-suppressed")->type ==
	      XFRM_CSUM_A_STATS_EVENTS_SUPPRESSED, "sysfs names of the new counters");
	CHECK(!strcmp(mode_name(XFRM_CSUM_MODE_DROP), "drop") &&
	      !strcmp(learn_name(XFRM_CSUM_LEARN_PERMISSIVE), "permissive") &&
	      !strcmp(learn_name(XFRM_CSUM_LEARN_STRICT), "strict") &&
	      !strcmp(learn_name(3), "unknown") &&
	      !strcmp(nat_state_name(XFRM_CSUM_NAT_STATE_LEARNING), "learning") &&
	      !strcmp(nat_state_name(XFRM_CSUM_NAT_STATE_STATIC), "static") &&
	      !strcmp(nat_state_name(XFRM_CSUM_NAT_STATE_NONE), "none") &&
	      !strcmp(nat_state_name(XFRM_CSUM_NAT_STATE_CONFIRMED), "confirmed") &&
	      !strcmp(nat_state_name(XFRM_CSUM_NAT_STATE_INHERITED), "inherited") &&
	      !strcmp(nat_state_name(XFRM_CSUM_NAT_STATE_CONFLICT), "conflict") &&
	      !strcmp(nat_state_name(99), "unknown") &&
	      !strcmp(reason_name(XFRM_CSUM_REASON_CONFLICT), "conflict") &&
	      !strcmp(encap_name(2), "espinudp") && !strcmp(encap_name(7), "espintcp"),
	      "enum names");
	CHECK(!strcmp(l4_name(136, buf, sizeof(buf)), "udplite") &&
	      !strcmp(l4_name(58, buf, sizeof(buf)), "icmpv6") &&
	      !strcmp(l4_name(200, buf, sizeof(buf)), "proto-200"), "inner protocol names");
	{
		uint16_t t, port;

		CHECK(!parse_learn("confirm", &v) && v == XFRM_CSUM_LEARN_CONFIRM &&
		      parse_learn("Confirm", &v) == -EINVAL, "learn values");
		CHECK(!parse_encap("udp", &t) && t == 2 && !parse_encap("espinudp", &t) &&
		      t == 2 && !parse_encap("tcp", &t) && t == 7 &&
		      parse_encap("esp", &t) == -EINVAL, "encapsulation types");
		CHECK(!parse_port("4500", &port) && port == 4500 && parse_port("0", &port) &&
		      parse_port("65536", &port) && !parse_port("65535", &port),
		      "ports 1 to 65535");
		CHECK(!parse_mark("0", &v) && !v && !parse_mark("0xffffffff", &v) &&
		      v == 0xffffffff && parse_mark("", &v) && parse_mark("0x", &v),
		      "marks");
	}
	CHECK(event_seq_gap(false, 0, 77) == 0, "first event: no gap");
	CHECK(event_seq_gap(true, 5, 6) == 0 && event_seq_gap(true, 5, 9) == 3,
	      "consecutive and gapped sequence numbers");
	CHECK(event_seq_gap(true, 0xffffffff, 0) == 0 && event_seq_gap(true, 0xfffffffe, 1) == 2,
	      "sequence numbers wrap");
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
	g->version = XFRM_CSUM_FAMILY_VERSION;
	return nlh;
}

static const uint8_t peer4[4] = { 203, 0, 113, 1 }, local4[4] = { 203, 0, 113, 2 };
static const uint8_t orig4[4] = { 198, 51, 100, 2 }, origd4[4] = { 192, 0, 2, 2 };

/* Counters as the module nests them: checked is the sum of the verdicts. */
static void put_sa_stats(struct nlmsghdr *nlh, uint64_t verified, uint64_t nat_adjusted,
			 uint64_t mism, uint64_t unconf)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, XFRM_CSUM_A_SA_STATS);

	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_CHECKED, verified + nat_adjusted + mism + unconf);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_VERIFIED, verified);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_NAT_ADJUSTED, nat_adjusted);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_NO_CSUM, 0);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_MISMATCH, mism);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_MALFORMED, 0);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_UNCONFIRMED, unconf);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_UNVERIFIED, 0);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_DROPPED, mism + unconf);
	mnl_attr_nest_end(nlh, n);
}

/* An IPv4 SA with everything: original addresses set, K known. */
static struct nlmsghdr *sa_msg4(void)
{
	struct nlmsghdr *nlh = genl_msg(XFRM_CSUM_CMD_SA_GET);

	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_FAMILY, AF_INET);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_SPI, htonl(0x0a0b0001));
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_DADDR, 4, local4);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_SADDR, 4, peer4);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_MARK, 0x50);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_REQID, 3);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_SEEN_SADDR, 4, peer4);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_ENCAP_TYPE, 2);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_ENCAP_SPORT, htons(40001));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_ENCAP_DPORT, htons(4500));
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_ORIG_SADDR, 4, orig4);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_ORIG_DADDR, 4, origd4);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_NAT_STATE, XFRM_CSUM_NAT_STATE_STATIC);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_NAT_K, htons(0xabcd));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_NAT_DELTA, htons(0x1234));
	put_sa_stats(nlh, 3, 990, 7, 0);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_SA_FIRST_SEEN, 1700000000);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_SA_LAST_MISMATCH, 1700000100);
	/* a future attribute is ignored */
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_MAX + 5, 1);
	return nlh;
}

#define NSAS 3

/*
 * The SA table of the samples: the IPv4 SA above; an IPv6 SA still
 * learning (no K, no original addresses, no mark); a second IPv4 SA with
 * the first one's SPI and address but no mark, in conflict.
 */
static void sample_sas(struct xc_sa sas[NSAS])
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
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_REQID, 4);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_SEEN_SADDR, 16, p6);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_ENCAP_TYPE, 7);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_ENCAP_SPORT, htons(4500));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_ENCAP_DPORT, htons(4500));
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_NAT_STATE, XFRM_CSUM_NAT_STATE_LEARNING);
	put_sa_stats(nlh, 0, 0, 0, 1);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_SA_FIRST_SEEN, 1700000050);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_SA_LAST_MISMATCH, 0);
	parse_sa(nlh, &sas[1]);
	nlh = genl_msg(XFRM_CSUM_CMD_SA_GET);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_SA_FAMILY, AF_INET);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_SPI, htonl(0x0a0b0001));
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_DADDR, 4, local4);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_SADDR, 4, peer4);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_NAT_STATE, XFRM_CSUM_NAT_STATE_CONFLICT);
	put_sa_stats(nlh, 0, 0, 0, 9);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_SA_FIRST_SEEN, 1700000060);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_SA_LAST_MISMATCH, 0);
	parse_sa(nlh, &sas[2]);
}

#define NPEERS 2

static void sample_peers(struct xc_peer peers[NPEERS])
{
	static const uint8_t l6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xb, [15] = 2 };
	static const uint8_t p6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xb, [15] = 1 };
	struct nlmsghdr *nlh;

	nlh = genl_msg(XFRM_CSUM_CMD_PEER_GET);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_FAMILY, AF_INET);
	mnl_attr_put(nlh, XFRM_CSUM_A_PEER_SADDR, 4, peer4);
	mnl_attr_put(nlh, XFRM_CSUM_A_PEER_DADDR, 4, local4);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_TYPE, 2);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_SPORT, htons(40001));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_DPORT, htons(4500));
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_PEER_NAT_STATE, XFRM_CSUM_NAT_STATE_CONFIRMED);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_NAT_K, htons(0x4321));
	parse_peer(nlh, &peers[0]);
	nlh = genl_msg(XFRM_CSUM_CMD_PEER_GET);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_FAMILY, AF_INET6);
	mnl_attr_put(nlh, XFRM_CSUM_A_PEER_SADDR, 16, p6);
	mnl_attr_put(nlh, XFRM_CSUM_A_PEER_DADDR, 16, l6);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_TYPE, 7);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_SPORT, htons(4500));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_DPORT, htons(4500));
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_PEER_NAT_STATE, XFRM_CSUM_NAT_STATE_NONE);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_NAT_K, htons(0xffff));
	parse_peer(nlh, &peers[1]);
}

static void test_parse(void)
{
	struct nlmsghdr *nlh;
	struct xc_config cfg;
	struct xc_stats st;
	struct xc_peer peer;
	struct xc_sa sa;

	nlh = genl_msg(XFRM_CSUM_CMD_STATS_GET);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_CHECKED, 123456789012ull);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_MISMATCH, 5);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_UNCONFIRMED, 6);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_CONFLICTS, 2);
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_EVENTS_SUPPRESSED, 8);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_STATS_DROPPED, 5);	/* wrong size */
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_STATS_MAX + 1, 9);	/* newer module */
	CHECK(!parse_stats(nlh, &st) && st.val[XFRM_CSUM_A_STATS_CHECKED] == 123456789012ull &&
	      st.val[XFRM_CSUM_A_STATS_MISMATCH] == 5 &&
	      st.val[XFRM_CSUM_A_STATS_UNCONFIRMED] == 6 &&
	      st.val[XFRM_CSUM_A_STATS_CONFLICTS] == 2 &&
	      st.val[XFRM_CSUM_A_STATS_EVENTS_SUPPRESSED] == 8 &&
	      stats_has(&st, XFRM_CSUM_A_STATS_MISMATCH) &&
	      !stats_has(&st, XFRM_CSUM_A_STATS_DROPPED) &&
	      !stats_has(&st, XFRM_CSUM_A_STATS_VERIFIED), "stats reply");

	nlh = genl_msg(XFRM_CSUM_CMD_CONFIG_GET);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_MODE, XFRM_CSUM_MODE_AUDIT);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_LEARN, XFRM_CSUM_LEARN_STRICT);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_CONFIRM_PACKETS, 3);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_CONFIG_MAX_SAS, 4096);
	CHECK(!parse_config(nlh, &cfg) && cfg.mode == XFRM_CSUM_MODE_AUDIT &&
	      cfg.learn == XFRM_CSUM_LEARN_STRICT && cfg.confirm_packets == 3 &&
	      cfg.max_sas == 4096 && !config_has(&cfg, XFRM_CSUM_A_CONFIG_EVENT_RATE),
	      "config reply");

	CHECK(!parse_sa(sa_msg4(), &sa) && sa.family == AF_INET && sa.spi == 0x0a0b0001 &&
	      sa.daddr.len == 4 && !memcmp(sa.daddr.a, local4, 4) &&
	      !memcmp(sa.saddr.a, peer4, 4) && !memcmp(sa.orig_saddr.a, orig4, 4) &&
	      !memcmp(sa.orig_daddr.a, origd4, 4) && sa.mark == 0x50 && sa.reqid == 3 &&
	      sa.encap_type == 2 && sa.encap_sport == 40001 && sa.encap_dport == 4500 &&
	      sa.nat_state == XFRM_CSUM_NAT_STATE_STATIC && sa.nat_k == 0xabcd &&
	      sa.nat_delta == 0x1234 &&
	      sa.first_seen == 1700000000 && sa.last_mismatch == 1700000100 &&
	      sa.stats.val[XFRM_CSUM_A_STATS_CHECKED] == 1000 &&
	      sa.stats.val[XFRM_CSUM_A_STATS_MISMATCH] == 7 &&
	      stats_has(&sa.stats, XFRM_CSUM_A_STATS_UNCONFIRMED), "SA entry, byte orders");

	nlh = genl_msg(XFRM_CSUM_CMD_SA_GET);
	mnl_attr_put(nlh, XFRM_CSUM_A_SA_DADDR, 5, "abcde");
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_SA_NAT_K, 0x1234);	/* a u32 is not a u16 */
	CHECK(!parse_sa(nlh, &sa) && !sa_has(&sa, XFRM_CSUM_A_SA_DADDR) && !sa.daddr.len &&
	      !sa_has(&sa, XFRM_CSUM_A_SA_NAT_K), "wrongly sized attributes ignored");

	nlh = genl_msg(XFRM_CSUM_CMD_PEER_GET);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_FAMILY, AF_INET);
	mnl_attr_put(nlh, XFRM_CSUM_A_PEER_SADDR, 4, peer4);
	mnl_attr_put(nlh, XFRM_CSUM_A_PEER_DADDR, 4, local4);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_TYPE, 2);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_SPORT, htons(40001));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_ENCAP_DPORT, htons(4500));
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_PEER_NAT_STATE, XFRM_CSUM_NAT_STATE_CONFIRMED);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_PEER_NAT_K, htons(0x4321));
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_PEER_MAX + 1, 1);
	CHECK(!parse_peer(nlh, &peer) && peer.family == AF_INET &&
	      !memcmp(peer.saddr.a, peer4, 4) && !memcmp(peer.daddr.a, local4, 4) &&
	      peer.encap_type == 2 && peer.encap_sport == 40001 && peer.encap_dport == 4500 &&
	      peer.nat_state == XFRM_CSUM_NAT_STATE_CONFIRMED && peer.nat_k == 0x4321 &&
	      peer.present == 0x67e, "peer entry, byte orders");

	nlh = mnl_nlmsg_put_header(msgbuf);
	CHECK(parse_sa(nlh, &sa) == -EINVAL && parse_peer(nlh, &peer) == -EINVAL,
	      "message without genl header rejected");
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
	struct nlmsghdr *nlh = genl_msg(XFRM_CSUM_CMD_EVENT_NTF);

	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_SEQ, 41);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_EVENT_FAMILY, AF_INET);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_SPI, htonl(0x0a0b0001));
	mnl_attr_put(nlh, XFRM_CSUM_A_EVENT_DADDR, 4, local4);
	mnl_attr_put(nlh, XFRM_CSUM_A_EVENT_SADDR, 4, peer4);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_NAT_STATE, XFRM_CSUM_NAT_STATE_CONFIRMED);
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

/*
 * An SA entering conflict: no expected checksum, the packet that did it.
 * Built in a buffer of its own, next to an event_msg() still in use.
 */
static struct nlmsghdr *conflict_msg(const uint8_t *pkt, uint32_t caplen, uint32_t len)
{
	static char buf[sizeof(msgbuf)];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = 0x20;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = XFRM_CSUM_CMD_EVENT_NTF;
	g->version = XFRM_CSUM_FAMILY_VERSION;

	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_SEQ, 45);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_EVENT_FAMILY, AF_INET);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_SPI, htonl(0x0a0b0001));
	mnl_attr_put(nlh, XFRM_CSUM_A_EVENT_DADDR, 4, local4);
	mnl_attr_put(nlh, XFRM_CSUM_A_EVENT_SADDR, 4, peer4);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_NAT_STATE, XFRM_CSUM_NAT_STATE_CONFLICT);
	mnl_attr_put_u32(nlh, XFRM_CSUM_A_EVENT_REASON, XFRM_CSUM_REASON_CONFLICT);
	mnl_attr_put_u8(nlh, XFRM_CSUM_A_EVENT_L4_PROTO, 17);
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_EVENT_SPORT, htons(40000));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_EVENT_DPORT, htons(5001));
	mnl_attr_put_u16(nlh, XFRM_CSUM_A_EVENT_CSUM, htons(0xbeef));
	mnl_attr_put_u64(nlh, XFRM_CSUM_A_EVENT_TIMESTAMP, 1700000001000000000ull);
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

static const char event_line[] = {
	"2023-11-14T22:13:20.123456Z mismatch ipv4 spi 0x0a0b0001 from 203.0.113.1 to 203.0.113.2 udp 40000 > 5001 csum 0xbeef expected 0x1234 nat confirmed len 1028 seq 41\n"
};

static const char conflict_line[] = {
	"2023-11-14T22:13:21.000000Z conflict ipv4 spi 0x0a0b0001 from 203.0.113.1 to 203.0.113.2 udp 40000 > 5001 csum 0xbeef nat conflict len 1028 seq 45\n"
};

static void test_events_pcap(void)
{
	uint8_t pkt[2048], rec[64];
	struct xc_event ev, cev;
	char path[512], *s;
	size_t len = sample_packet(pkt, false);
	struct stat stt;
	struct out o;
	int fd;
	FILE *f;

	CHECK(!parse_event(event_msg(pkt, 128, len), &ev) && ev.family == AF_INET &&
	      ev.seq == 41 && ev_has(&ev, XFRM_CSUM_A_EVENT_SEQ) &&
	      ev.spi == 0x0a0b0001 && ev.sport == 40000 && ev.dport == 5001 &&
	      ev.csum == 0xbeef && ev.csum_expected == 0x1234 && ev.l4_proto == 17 &&
	      ev.pkt_len == len && ev.caplen == 128 && !memcmp(ev.pkt, pkt, 128),
	      "event parsed");
	s = capture(event_human, &ev);
	check_text(s, event_line, "event line");
	free(s);
	CHECK(!parse_event(conflict_msg(pkt, 64, len), &cev) &&
	      cev.reason == XFRM_CSUM_REASON_CONFLICT && cev.seq == 45 &&
	      !ev_has(&cev, XFRM_CSUM_A_EVENT_CSUM_EXPECTED), "conflict event parsed");
	s = capture(event_human, &cev);
	check_text(s, conflict_line, "conflict event line");
	free(s);
	o = (struct out){ .f = out_file("event.json"), .json = true };
	print_event(&o, &ev);
	print_event(&o, &cev);	/* one object per line, like ip -j monitor */
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
	*cfg = (struct xc_config){ .mode = XFRM_CSUM_MODE_DROP,
				   .learn = XFRM_CSUM_LEARN_CONFIRM, .confirm_packets = 2,
				   .event_rate = 10, .event_snaplen = 128, .max_sas = 4096,
				   .present = 0x7e };
	memset(g, 0, sizeof(*g));
	snprintf(g->f[0].name, sizeof(g->f[0].name), "checked");
	g->f[0].val = 5000;
	snprintf(g->f[1].name, sizeof(g->f[1].name), "conflicts");
	g->f[1].val = 1;
	snprintf(g->f[2].name, sizeof(g->f[2].name), "mismatches");
	g->f[2].val = 17;
	snprintf(g->f[3].name, sizeof(g->f[3].name), "newfangled");
	g->f[3].val = 1;
	snprintf(g->f[4].name, sizeof(g->f[4].name), "peer_entries");
	g->f[4].val = 2;
	snprintf(g->f[5].name, sizeof(g->f[5].name), "sa_entries");
	g->f[5].val = 3;
	g->n = 6;
}

struct prom_sample {
	const char *netns;
	bool with_tables;
};

static void prom_sample(FILE *f, void *data)
{
	const struct prom_sample *ps = data;
	struct xc_config cfg;
	struct xc_global g;
	struct xc_stats st;
	struct xc_sa sas[NSAS];
	struct prom_in in;

	sample_stats(&st, &cfg, &g);
	sample_sas(sas);
	in = (struct prom_in){ .stats = &st, .config = &cfg, .with_tables = ps->with_tables,
			       .sas = sas, .nsa = NSAS, .npeer = NPEERS, .global = &g,
			       .netns = ps->netns };
	prom_stats(f, &in);
}

static void sa_table(FILE *f, void *data)
{
	struct out o = { .f = f, .details = data };
	struct xc_sa sas[NSAS];

	sample_sas(sas);
	print_sa_table(&o, sas, NSAS);
}

static void peer_table(FILE *f, void *data)
{
	struct out o = { .f = f };
	struct xc_peer peers[NPEERS];

	(void)data;
	sample_peers(peers);
	print_peer_table(&o, peers, NPEERS);
}

static void stats_human(FILE *f, void *data)
{
	struct out o = { .f = f };
	struct xc_config cfg;
	struct xc_global g;
	struct xc_stats st;

	sample_stats(&st, &cfg, &g);
	print_stats(&o, &st, &cfg, data ? &g : NULL);
}

/* Write a rendering to OUTDIR for check-output.sh, and return it. */
static char *render(const char *name, void (*fn)(FILE *f, void *data), void *data)
{
	char *s = capture(fn, data);
	FILE *f = out_file(name);

	fputs(s, f);
	fclose(f);
	return s;
}

/* What an operator sees for the samples. */
static const char stats_txt[] = {
	"mode drop  learn confirm  confirm-packets 2  event-rate 10/s  event-snaplen 128  max-sas 4096\n"
	"counter                        this netns               global\n"
	"checked                               100                 5000\n"
	"verified                              101                    -\n"
	"nat-adjusted                          102                    -\n"
	"no-csum                               103                    -\n"
	"mismatch                              104                   17\n"
	"malformed                             105                    -\n"
	"unconfirmed                           106                    -\n"
	"unverified                            107                    -\n"
	"dropped                               108                    -\n"
	"deferred                              109                    -\n"
	"skipped                               110                    -\n"
	"untracked                             111                    -\n"
	"conflicts                             112                    1\n"
	"events                                113                    -\n"
	"events-suppressed                     114                    -\n"
	"newfangled                              -                    1\n"
	"peer_entries                            -                    2\n"
	"sa_entries                              -                    3\n"
};

static const char sa_txt[] = {
	"FAMILY  SPI         PEER           LOCAL          SEEN           NAT       NAT-K   CHECKED  MISMATCH  UNCONFIRMED  DROPPED  LAST-MISMATCH\n"
	"ipv4    0x0a0b0001  203.0.113.1    203.0.113.2    203.0.113.1    static    0xabcd     1000         7            0        7  2023-11-14T22:15:00Z\n"
	"ipv6    0x0b0a0001  2001:db8:b::1  2001:db8:b::2  2001:db8:b::1  learning  -             1         0            1        1  never\n"
	"ipv4    0x0a0b0001  203.0.113.1    203.0.113.2    -              conflict  -             9         0            9        9  never\n"
};

static const char sa_details_txt[] = {
	"FAMILY  SPI         MARK  REQID  PEER           LOCAL          SEEN           ENCAP           ORIG-SADDR    ORIG-DADDR  NAT       NAT-K   NAT-DELTA  CHECKED  VERIFIED  NAT-ADJUSTED  NO-CSUM  MISMATCH  MALFORMED  UNCONFIRMED  UNVERIFIED  DROPPED  FIRST-SEEN            LAST-MISMATCH\n"
	"ipv4    0x0a0b0001  0x50      3  203.0.113.1    203.0.113.2    203.0.113.1    udp:40001>4500  198.51.100.2  192.0.2.2   static    0xabcd  0x1234        1000         3           990        0         7          0            0           0        7  2023-11-14T22:13:20Z  2023-11-14T22:15:00Z\n"
	"ipv6    0x0b0a0001  -         4  2001:db8:b::1  2001:db8:b::2  2001:db8:b::1  tcp:4500>4500   -             -           learning  -       -                1         0             0        0         0          0            1           0        1  2023-11-14T22:14:10Z  never\n"
	"ipv4    0x0a0b0001  -         -  203.0.113.1    203.0.113.2    -              -               -             -           conflict  -       -                9         0             0        0         0          0            9           0        9  2023-11-14T22:14:20Z  never\n"
};

static const char peer_txt[] = {
	"FAMILY  PEER           LOCAL          ENCAP           NAT        NAT-K\n"
	"ipv4    203.0.113.1    203.0.113.2    udp:40001>4500  confirmed  0x4321\n"
	"ipv6    2001:db8:b::1  2001:db8:b::2  tcp:4500>4500   none       0xffff\n"
};

/* The labels of the sample SAs. */
#define SA4_LABELS "family=\"ipv4\",spi=\"0x0a0b0001\",mark=\"0x50\",peer=\"203.0.113.1\",local=\"203.0.113.2\""
#define SA6_LABELS "family=\"ipv6\",spi=\"0x0b0a0001\",mark=\"0x0\",peer=\"2001:db8:b::1\",local=\"2001:db8:b::2\""
#define SA4B_LABELS "family=\"ipv4\",spi=\"0x0a0b0001\",mark=\"0x0\",peer=\"203.0.113.1\",local=\"203.0.113.2\""

static void test_output(void)
{
	struct prom_sample ps = { .with_tables = true };
	struct xc_peer peers[NPEERS];
	struct xc_config cfg;
	struct xc_global g;
	struct xc_stats st;
	struct xc_sa sas[NSAS];
	char *s;
	struct out o;

	sample_stats(&st, &cfg, &g);
	sample_sas(sas);
	sample_peers(peers);

	o = (struct out){ .f = out_file("stats.json"), .json = true };
	print_stats(&o, &st, &cfg, &g);
	fclose(o.f);
	o = (struct out){ .f = out_file("stats-pretty.json"), .json = true, .pretty = true };
	print_stats(&o, &st, &cfg, NULL);
	fclose(o.f);
	o = (struct out){ .f = out_file("sa.json"), .json = true };
	print_sa_table(&o, sas, NSAS);
	fclose(o.f);
	o = (struct out){ .f = out_file("sa-empty.json"), .json = true };
	print_sa_table(&o, sas, 0);
	fclose(o.f);
	o = (struct out){ .f = out_file("peer.json"), .json = true, .pretty = true };
	print_peer_table(&o, peers, NPEERS);
	fclose(o.f);

	s = render("stats.txt", stats_human, &g);
	check_text(s, stats_txt, "stats, human");
	free(s);
	s = render("sa.txt", sa_table, NULL);
	check_text(s, sa_txt, "sa table");
	free(s);
	s = render("sa-details.txt", sa_table, "");
	check_text(s, sa_details_txt, "sa -d table");
	free(s);
	s = render("peer.txt", peer_table, NULL);
	check_text(s, peer_txt, "peer table");
	free(s);
	{
		char *buf = NULL;
		size_t len = 0;

		o = (struct out){ .f = open_memstream(&buf, &len) };
		print_sa_table(&o, sas, 0);
		print_peer_table(&o, peers, 0);
		fclose(o.f);
		CHECK(len == 0, "empty tables print nothing");
		free(buf);
	}

	s = render("metrics.prom", prom_sample, &ps);
	CHECK(strstr(s, "\nxfrm_csum_packets_checked_total 100\n") &&
	      strstr(s, "# TYPE xfrm_csum_packets_checked_total counter\n"),
	      "namespace counter metric");
	CHECK(strstr(s, "\nxfrm_csum_packets_unconfirmed_total 106\n") &&
	      strstr(s, "\nxfrm_csum_packets_deferred_total 109\n") &&
	      strstr(s, "\nxfrm_csum_conflicts_total 112\n") &&
	      strstr(s, "\nxfrm_csum_events_suppressed_total 114\n"),
	      "the new namespace counters");
	CHECK(strstr(s, "xfrm_csum_mode{mode=\"drop\"} 1\n") &&
	      strstr(s, "xfrm_csum_mode{mode=\"audit\"} 0\n"), "mode metric");
	CHECK(strstr(s, "xfrm_csum_learn{learn=\"confirm\"} 1\n") &&
	      strstr(s, "xfrm_csum_learn{learn=\"permissive\"} 0\n") &&
	      strstr(s, "\nxfrm_csum_confirm_packets 2\n") &&
	      strstr(s, "\nxfrm_csum_event_snaplen_bytes 128\n"), "learn settings");
	CHECK(strstr(s, "xfrm_csum_sa_packets_mismatched_total{" SA4_LABELS "} 7\n") &&
	      strstr(s, "xfrm_csum_sa_packets_unconfirmed_total{" SA4B_LABELS "} 9\n"),
	      "per-SA metrics labelled by family, spi, mark, peer, local");
	CHECK(strstr(s, "xfrm_csum_sa_packets_checked_total{" SA6_LABELS "} 1\n"),
	      "IPv6 per-SA metric");
	CHECK(strstr(s, "xfrm_csum_sa_nat_state{" SA4_LABELS ",state=\"static\"} 1\n") &&
	      strstr(s, "xfrm_csum_sa_nat_state{" SA4_LABELS ",state=\"learning\"} 0\n") &&
	      strstr(s, "xfrm_csum_sa_nat_state{" SA4B_LABELS ",state=\"conflict\"} 1\n") &&
	      strstr(s, "xfrm_csum_sa_nat_state{" SA6_LABELS ",state=\"inherited\"} 0\n"),
	      "NAT state metric, every state");
	CHECK(strstr(s, "xfrm_csum_sa_last_mismatch_timestamp_seconds{" SA4_LABELS
		     "} 1700000100\n"),
	      "last mismatch metric");
	CHECK(strstr(s, "\nxfrm_csum_global_packets_mismatched_total 17\n") &&
	      strstr(s, "\nxfrm_csum_global_conflicts_total 1\n") &&
	      !strstr(s, "newfangled"), "global metrics from sysfs names");
	CHECK(strstr(s, "gauge\nxfrm_csum_global_sa_entries 3\n") &&
	      strstr(s, "gauge\nxfrm_csum_global_peer_entries 2\n"),
	      "global table sizes from sysfs, as gauges");
	CHECK(strstr(s, "\nxfrm_csum_sa_entries 3\n") && strstr(s, "\nxfrm_csum_peer_entries 2\n"),
	      "SA and peer counts");
	free(s);

	ps.netns = "vpn\"1";
	s = render("metrics-netns.prom", prom_sample, &ps);
	CHECK(strstr(s, "\nxfrm_csum_packets_checked_total{netns=\"vpn\\\"1\"} 100\n") &&
	      strstr(s, "xfrm_csum_mode{netns=\"vpn\\\"1\",mode=\"drop\"} 1\n") &&
	      strstr(s, "xfrm_csum_sa_packets_mismatched_total{netns=\"vpn\\\"1\","
			SA4_LABELS "} 7\n") &&
	      strstr(s, "\nxfrm_csum_global_packets_mismatched_total 17\n") &&
	      strstr(s, "xfrm_csum_sa_entries{netns=\"vpn\\\"1\"} 3\n"),
	      "netns label on per-namespace series (escaped), not on global ones");
	free(s);

	ps = (struct prom_sample){ .netns = "blue" };
	s = render("metrics-nosa.prom", prom_sample, &ps);
	CHECK(!strstr(s, "xfrm_csum_sa_packets_") && !strstr(s, "xfrm_csum_sa_nat_state") &&
	      !strstr(s, "xfrm_csum_sa_entries{") && !strstr(s, "xfrm_csum_peer_entries") &&
	      strstr(s, "xfrm_csum_sa_entries_max{netns=\"blue\"} 4096\n") &&
	      strstr(s, "\nxfrm_csum_packets_checked_total{netns=\"blue\"} 100\n"),
	      "--no-sa: no per-SA families, no table sizes");
	free(s);
}

static void test_messages(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msgbuf);
	struct nlmsgerr *e;
	char buf[512];

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
	      "error message with extack: %s", buf);
	format_nl_error(buf, sizeof(buf), "reading the counters", EIO, NULL);
	CHECK(!strcmp(buf, "reading the counters: Input/output error"),
	      "error without extack: %s", buf);
	format_nl_error(buf, sizeof(buf), "changing the settings", EPERM, NULL);
	check_text(buf,
		   "changing the settings: Operation not permitted (needs CAP_NET_ADMIN in the network namespace's user namespace)",
		   "EPERM names the capability");
	format_nl_error(buf, sizeof(buf), "listing the SAs", EPERM, "admin only");
	check_text(buf,
		   "listing the SAs: Operation not permitted: admin only (needs CAP_NET_ADMIN in the network namespace's user namespace)",
		   "EPERM with extack");
	format_join_error(buf, sizeof(buf), EPERM);
	check_text(buf,
		   "joining the events group needs CAP_NET_ADMIN in the network namespace's user namespace: Operation not permitted",
		   "monitor refused");
	format_join_error(buf, sizeof(buf), ENOMEM);
	CHECK(!strcmp(buf, "cannot join the 'events' group: Cannot allocate memory"),
	      "monitor failed otherwise: %s", buf);
	CHECK(family_too_old(1, buf, sizeof(buf)), "family version 1 is too old");
	check_text(buf,
		   "the xfrm_csum module is too old for this tool: its netlink family 'xfrm-csum' is version 1, this tool needs version 2 or later (update the module)",
		   "too old: the message");
	CHECK(family_too_old(0, buf, sizeof(buf)), "family without a version is too old");
	CHECK(!family_too_old(2, buf, sizeof(buf)) && !family_too_old(3, buf, sizeof(buf)),
	      "family versions 2 and 3 are fine");
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
	test_messages();
	printf("1..%d\n# %d failed\n", tests, failures);
	return failures ? 1 : 0;
}
