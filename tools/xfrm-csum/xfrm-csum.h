/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xfrm-csum: command-line client of the xfrm-csum generic netlink family.
 *
 * Shared declarations.  The program is split so that everything but the
 * socket code (nl.c) can be exercised on a host without the module: the
 * command line (args.c), attribute parsing (parse.c, fed with messages
 * built in memory), the renderings (output.c, json.c, prom.c) and the pcap
 * writer (pcap.c).  See tests/unit.c.
 */
#ifndef XFRM_CSUM_TOOL_H
#define XFRM_CSUM_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/xfrm_csum.h>

/*
 * The kernel's __printf().  The attribute's parentheses open on the first
 * line so that checkpatch does not suggest __printf() for its own definition.
 */
#define __printf(a, b) __attribute__((	\
	format(printf, a, b)))

#define PROG "xfrm-csum"

#ifndef XFRM_CSUM_TOOL_VERSION
#define XFRM_CSUM_TOOL_VERSION "0.1"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes. */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

#define XC_SYSFS_DIR	"/sys/kernel/xfrm_csum"

struct nlattr;
struct nlmsghdr;

/* --- counters ---------------------------------------------------------- */

/*
 * A counter set, indexed by XFRM_CSUM_A_STATS_*.  The sa-stats set is a
 * subset of the stats set with the same attribute numbers, so one type
 * serves both.
 */
struct xc_stats {
	uint64_t val[XFRM_CSUM_A_STATS_MAX + 1];
	uint32_t present;	/* bit per attribute type */
};

struct xc_counter {
	int type;		/* XFRM_CSUM_A_STATS_* */
	const char *name;	/* the spec's name: human output */
	const char *key;	/* JSON key */
	const char *metric;	/* Prometheus name without the prefix */
	const char *help;
	bool per_sa;		/* also in the sa-stats subset */
};

extern const struct xc_counter xc_counters[];
extern const size_t xc_ncounters;
/* The counter a sysfs file name stands for ("nat_adjusted", "mismatches"). */
const struct xc_counter *counter_by_sysfs_name(const char *name);

static inline bool stats_has(const struct xc_stats *s, int type)
{
	return s->present & (1u << type);
}

/* --- settings ---------------------------------------------------------- */

struct xc_config {
	uint32_t mode, learn, confirm_packets, event_rate, event_snaplen, max_sas;
	uint32_t present;	/* bit per XFRM_CSUM_A_CONFIG_* */
};

static inline bool config_has(const struct xc_config *c, int type)
{
	return c->present & (1u << type);
}

/* The limits of module/xfrm_csum.yaml, checked before asking the kernel. */
#define XC_CONFIRM_PACKETS_MIN	2
#define XC_CONFIRM_PACKETS_MAX	16
#define XC_EVENT_RATE_MAX	100000
#define XC_EVENT_SNAPLEN_MAX	1024

/* --- SA and peer entries ----------------------------------------------- */

struct xc_addr {
	uint8_t len;		/* 0 (absent), 4 or 16 */
	uint8_t a[16];
};

struct xc_sa {
	uint16_t family;
	uint32_t spi;		/* host order */
	uint32_t mark, reqid;
	struct xc_addr daddr, saddr, seen_saddr, orig_saddr, orig_daddr;
	uint16_t encap_type, encap_sport, encap_dport;	/* host order */
	uint32_t nat_state;
	uint16_t nat_k, nat_delta;	/* host order */
	uint64_t first_seen, last_mismatch;
	struct xc_stats stats;
	uint32_t present;	/* bit per XFRM_CSUM_A_SA_* */
};

static inline bool sa_has(const struct xc_sa *sa, int type)
{
	return sa->present & (1u << type);
}

/* A peer NAT mapping and its K (docs/design.md, "Inherited"). */
struct xc_peer {
	uint16_t family;
	struct xc_addr saddr, daddr;
	uint16_t encap_type, encap_sport, encap_dport;	/* host order */
	uint32_t nat_state;
	uint16_t nat_k;		/* host order */
	uint32_t present;	/* bit per XFRM_CSUM_A_PEER_* */
};

static inline bool peer_has(const struct xc_peer *p, int type)
{
	return p->present & (1u << type);
}

/* --- events ------------------------------------------------------------ */

struct xc_event {
	uint32_t seq;
	uint16_t family;
	uint32_t spi;
	struct xc_addr daddr, saddr;
	uint32_t nat_state, reason;
	uint8_t l4_proto;
	uint16_t sport, dport, csum, csum_expected;	/* host order */
	uint64_t timestamp;	/* ns since the epoch */
	uint32_t pkt_len;
	const uint8_t *pkt;	/* points into the message */
	uint32_t caplen;
	uint32_t present;	/* bit per XFRM_CSUM_A_EVENT_* */
};

static inline bool ev_has(const struct xc_event *ev, int type)
{
	return ev->present & (1u << type);
}

/*
 * Events missed before one with sequence number seq, given the previous
 * one (have_prev false: the first event, nothing is missed).  Sequence
 * numbers are per namespace and wrap at 2^32.
 */
uint32_t event_seq_gap(bool have_prev, uint32_t prev, uint32_t seq);

/*
 * parse.c: generic netlink messages to the structures above.  Unknown
 * attributes are ignored (newer modules); attributes of the wrong size are
 * ignored too and left absent.  Return 0, or -EINVAL for a message too
 * short to hold a generic netlink header.
 */
int parse_stats(const struct nlmsghdr *nlh, struct xc_stats *s);
int parse_stats_nest(const struct nlattr *nest, struct xc_stats *s);
int parse_config(const struct nlmsghdr *nlh, struct xc_config *c);
int parse_sa(const struct nlmsghdr *nlh, struct xc_sa *sa);
int parse_peer(const struct nlmsghdr *nlh, struct xc_peer *p);
int parse_event(const struct nlmsghdr *nlh, struct xc_event *ev);

/* --- util.c ------------------------------------------------------------ */

const char *mode_name(uint32_t mode);
const char *learn_name(uint32_t learn);
const char *nat_state_name(uint32_t state);
const char *reason_name(uint32_t reason);
const char *family_name(uint16_t family);
const char *encap_name(uint16_t type);
const char *l4_name(uint8_t proto, char *buf, size_t len);

#define XC_ENCAP_UDP	2	/* UDP_ENCAP_ESPINUDP */
#define XC_ENCAP_TCP	7	/* TCP_ENCAP_ESPINTCP */

/* Parsers return 0 or -EINVAL. */
int parse_mode(const char *s, uint32_t *mode);
int parse_learn(const char *s, uint32_t *learn);
/* udp, espinudp, tcp, espintcp. */
int parse_encap(const char *s, uint16_t *type);
int parse_spi(const char *s, uint32_t *spi);
/* Decimal or 0x hexadecimal, 0 included. */
int parse_mark(const char *s, uint32_t *mark);
/* 1 to 65535. */
int parse_port(const char *s, uint16_t *port);
int parse_u32(const char *s, uint32_t *val);
/* family AF_UNSPEC: accept either; on success *family is set. */
int parse_addr(const char *s, uint16_t *family, struct xc_addr *addr);

/* "192.0.2.1", "2001:db8::1", or "-" when absent. */
const char *addr_str(const struct xc_addr *a, char *buf, size_t len);
/* "2024-01-02T03:04:05Z", or "never" for 0. */
const char *time_str(uint64_t secs, char *buf, size_t len);
/* With microseconds: "2024-01-02T03:04:05.123456Z". */
const char *time_ns_str(uint64_t ns, char *buf, size_t len);

/* Error messages: "xfrm-csum: ..." on stderr. */
void errmsg(const char *fmt, ...) __printf(1, 2);

/* The global counters in sysfs, one file per counter. */
struct xc_global {
	struct {
		char name[64];
		uint64_t val;
	} f[32];
	int n;
};

/* Read DIR: 0, or -errno when it cannot be read. */
int read_global(const char *dir, struct xc_global *g);

/* --- json.c: a small JSON writer in the spirit of iproute2's ----------- */

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[32];		/* nothing written yet at this depth */
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/* Terminate a top-level value with a newline. */
void json_end(struct json *j);
void json_escape(FILE *f, const char *s);

/* --- pcap.c ------------------------------------------------------------ */

#define PCAP_MAGIC_USEC		0xa1b2c3d4u
#define PCAP_LINKTYPE_RAW	101
#define PCAP_SNAPLEN		65535

/* Write the file header; every record is written with one write(2). */
int pcap_write_header(int fd);
int pcap_write_record(int fd, uint64_t ts_ns, const void *pkt,
		      uint32_t caplen, uint32_t len);
/*
 * If the captured IP header still names ESP as its next protocol or
 * carries a length other than LEN (a copy taken before the transport-mode
 * input rewrote it), make it name L4 and carry LEN, so that a pcap reader
 * decodes the inner segment.  Returns 1 when the copy was changed.
 */
int pcap_fixup_ip(uint8_t *pkt, uint32_t caplen, uint32_t len, uint8_t l4);

/* --- output.c: human and JSON renderings ------------------------------- */

struct out {
	FILE *f;
	bool json, pretty;
	bool details;		/* sa: every column */
};

void print_stats(const struct out *o, const struct xc_stats *s,
		 const struct xc_config *c, const struct xc_global *g);
void print_sa_table(const struct out *o, const struct xc_sa *sas, size_t n);
void print_peer_table(const struct out *o, const struct xc_peer *peers, size_t n);
void print_event(const struct out *o, const struct xc_event *ev);

/* --- prom.c: Prometheus text exposition -------------------------------- */

struct prom_in {
	const struct xc_stats *stats;	/* may be NULL */
	const struct xc_config *config;	/* may be NULL */
	bool with_tables;		/* the per-SA families and table sizes */
	const struct xc_sa *sas;
	size_t nsa;
	size_t npeer;
	const struct xc_global *global;	/* may be NULL */
	const char *netns;		/* may be NULL: a label on per-netns series */
};

void prom_stats(FILE *f, const struct prom_in *in);
void prom_label_value(FILE *f, const char *s);

/* --- args.c: the command line ------------------------------------------ */

enum xc_cmd {
	CMD_NONE,
	CMD_HELP,
	CMD_VERSION,
	CMD_STATS,
	CMD_SA,
	CMD_SA_SET,
	CMD_PEER,
	CMD_PEER_SET,
	CMD_MONITOR,
	CMD_SET,
};

enum xc_format {
	FMT_HUMAN,
	FMT_JSON,
	FMT_PROMETHEUS,
};

struct xc_args {
	enum xc_cmd cmd;
	enum xc_format format;
	bool pretty;
	const char *netns;
	/* stats */
	bool no_sa;		/* prometheus: leave out the per-SA metrics */
	bool no_global;		/* leave out the module-wide totals */
	/* sa */
	bool details;
	/* monitor */
	const char *pcap;
	uint64_t count;		/* 0: until interrupted */
	/* set */
	struct xc_config cfg;
	/* sa, sa-set: the SA (sa: the filter); peer-set: the mapping */
	uint16_t family;
	bool have_spi, have_daddr, have_mark, have_saddr;
	uint32_t spi, mark;
	struct xc_addr daddr, saddr;
	uint16_t encap_type, encap_sport, encap_dport;
	/* sa-set, peer-set */
	struct xc_addr orig_saddr, orig_daddr;
	bool relearn;
};

/*
 * Parse argv.  Returns 0, or EXIT_USAGE with a message (without the
 * program name) in err.
 */
int parse_args(int argc, char **argv, struct xc_args *a, char *err,
	       size_t errlen);
void usage(FILE *f);

/* --- nl.c: the generic netlink conversation (libmnl) ------------------- */

struct xc_nl;

/*
 * Open a socket, resolve the family and check its version.  Returns NULL
 * with a message already printed (module not loaded or too old, no
 * netlink).
 */
struct xc_nl *xc_nl_open(void);
void xc_nl_close(struct xc_nl *nl);

typedef int (*xc_msg_cb)(const struct nlmsghdr *nlh, void *data);
typedef void (*xc_fill_cb)(struct nlmsghdr *nlh, void *data);

/*
 * One request.  fill (may be NULL) adds the attributes.  cb runs for each
 * reply message.  Returns 0 or -errno, printing a message naming `what`
 * and the kernel's extended ack on failure.
 */
int xc_nl_do(struct xc_nl *nl, uint8_t cmd, bool dump, xc_fill_cb fill,
	     void *fill_data, xc_msg_cb cb, void *cb_data, const char *what);

/* Join the "events" group; a refusal is reported. */
int xc_nl_join_events(struct xc_nl *nl);
/*
 * Deliver events to cb until it returns non-zero or a signal arrives on
 * stop_fd (a signalfd).  Returns 0 on a clean stop, -errno otherwise.
 */
int xc_nl_monitor(struct xc_nl *nl, int stop_fd, xc_msg_cb cb, void *data);

/*
 * The messages, separate from the socket for the tests.
 * "what: strerror[: extack]", and for EPERM what the kernel wants.
 */
void format_nl_error(char *buf, size_t len, const char *what, int err,
		     const char *extack);
/* Refused subscription to the events group. */
void format_join_error(char *buf, size_t len, int err);
/*
 * A family version this tool cannot use: true with the reason in buf.
 * Newer versions are fine (unknown attributes are ignored).
 */
bool family_too_old(uint32_t version, char *buf, size_t len);
/* Extract the extack message of an NLMSG_ERROR or NLMSG_DONE, or NULL. */
const char *nl_extack_msg(const struct nlmsghdr *nlh);

/* Switch to a named network namespace (ip netns) or a path to one. */
int enter_netns(const char *name);

#endif /* XFRM_CSUM_TOOL_H */
