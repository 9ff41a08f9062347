// SPDX-License-Identifier: GPL-2.0
/*
 * Send ESP packets as a NAT-T peer would, built entirely in userspace, so
 * that the receiving kernel's transport-mode SA decrypts whatever inner
 * segment a test asks for: any header field, length, checksum or next
 * header, truncated or padded oddly.  No sending kernel's xfrm is involved.
 *
 *   esp_send -4|-6 -s SADDR -d DADDR --spi SPI --key HEX [options]
 *
 * (esp_send -h lists the options.)
 *
 * The SA is AES-GCM as RFC 4106 ("rfc4106(gcm(aes))" in ip xfrm): the key
 * is given as ip xfrm takes it, the AES key followed by the 4-byte salt;
 * the explicit IV is 8 bytes, the ICV 16 (or 8, 12).
 *
 * Encapsulation: ESP-in-UDP (RFC 3948, default) through a raw socket, so
 * that the outer IP header (IPv4 options, IPv6 extension headers) and
 * fragmentation are ours too, or through a UDP socket (-u); ESP-in-TCP
 * (RFC 8229: the "IKETCP" stream prefix, then each ESP packet behind a
 * 16-bit length); or plain ESP (IP protocol 50).
 *
 * Exit status: 0 sent, 1 error, 2 bad usage, 4 ESP-in-TCP asked for but
 * not in this kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_PKT 65535
#define MAX_EXT 8

enum csum_mode { CSUM_GOOD, CSUM_BAD, CSUM_ZERO, CSUM_VALUE };
enum csum_kind { KIND_NONE, KIND_PSEUDO, KIND_PLAIN, KIND_CRC32C };
enum encap { ENCAP_UDP, ENCAP_TCP, ENCAP_NONE };

struct buf {
	unsigned char d[MAX_PKT];
	size_t len;
};

static struct {
	int family, alen;
	unsigned char saddr[16], daddr[16], csaddr[16], cdaddr[16];
	bool have_s, have_d, have_cs, have_cd;
	enum encap encap;
	bool udp_sock, tcp_prefix, verbose, corrupt_icv, frag_reverse, print;
	int esport, edport;
	__u32 spi, seq;
	long count, interval_us;
	unsigned char key[32], salt[4], iv[8];
	int keylen, icvlen;
	bool have_key, have_iv;

	/* inner segment */
	int proto, sport, dport, next_header;
	unsigned char data[MAX_PKT];
	size_t datalen, minlen;
	enum csum_mode csum_mode;
	__u32 csum_value;
	long udp_len, cscov, doff, trunc;
	int tcp_flags, icmp_type, icmp_code, gre_proto;
	bool gre_csum, raw;
	int inner_ext[MAX_EXT], n_inner_ext;

	/* ESP trailer */
	long pad, pad_field;
	int pad_byte;

	/* outer */
	unsigned char ipopt[40];
	size_t ipoptlen;
	int outer_ext[MAX_EXT], n_outer_ext;
	long frag;
	int outer_csum;		/* -1 default, 0 zero, 1 computed */
	__u16 ip_id;
} cfg = {
	.encap = ENCAP_UDP, .tcp_prefix = true,
	.esport = 4500, .edport = 4500, .seq = 1, .count = 1, .icvlen = 16,
	.proto = IPPROTO_UDP, .sport = 40000, .dport = 5001, .next_header = -1,
	.udp_len = -1, .cscov = -1, .doff = 5, .trunc = -1,
	.tcp_flags = 0x02, .icmp_type = -1, .gre_proto = 0x0800,
	.pad = -1, .pad_field = -1, .pad_byte = -1, .outer_csum = -1,
};

static void die(const char *what)
{
	fprintf(stderr, "esp_send: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "esp_send: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: esp_send -4|-6 -s SADDR -d DADDR --spi SPI --key HEX [options]\n"
		"SA:     --seq N (1)  -n COUNT (1, seq counts up)  -i USEC (between packets)\n"
		"        --iv HEX (8 bytes; default the sequence number)  --icv-len 8|12|16\n"
		"        --corrupt-icv\n"
		"Outer:  -e udp|tcp|none (udp)  --encap-sport N --encap-dport N (4500)\n"
		"        -u (UDP socket instead of raw)  --no-prefix (ESP-in-TCP)\n"
		"        --ipopt HEX (IPv4)  --outer-ext hbh,dst,rt,frag (IPv6)\n"
		"        --frag BYTES [--frag-reverse]  --outer-csum zero|good  --ip-id N\n"
		"Inner:  -p udp|tcp|udplite|icmp|icmpv6|sctp|gre|none|NUM (udp)\n"
		"        --sport N (40000) --dport N (5001)  --data STR  --data-hex HEX\n"
		"        --len N (data filled up to N bytes)  --raw-hex HEX (whole segment)\n"
		"        --csum good|bad|zero|VALUE  --csum-saddr A --csum-daddr A\n"
		"        --udp-len N  --cscov N  --doff N  --tcp-flags N\n"
		"        --icmp-type N --icmp-code N  --gre-csum --gre-proto N\n"
		"        --trunc N (cut the segment to N bytes before the checksum)\n"
		"        --inner-ext hbh,dst,rt,frag (IPv6, inside ESP)  --next-header N\n"
		"ESP:    --pad N (pad bytes)  --pad-field N (pad length byte)  --pad-byte B\n"
		"        -v (dump the inner segment and the ESP packet)\n"
		"        --print (print the inner segment in hex, send nothing)\n");
	exit(2);
}

static long num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < min || v > max)
		fail("bad number '%s'", s);
	return v;
}

static size_t parse_hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	if (strlen(s) % 2)
		fail("odd number of hex digits in '%s'", s);
	for (; *s; s += 2) {
		unsigned int v = 0;

		if (n == max || sscanf(s, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", s[0]) ||
		    !strchr("0123456789abcdefABCDEF", s[1]))
			fail("bad or too long hex '%s'", s);
		out[n++] = v;
	}
	return n;
}

static void addr(const char *s, unsigned char *out)
{
	if (!cfg.family)
		fail("give -4 or -6 before addresses (%s)", s);
	if (inet_pton(cfg.family, s, out) != 1)
		fail("bad address '%s'", s);
}

static int proto_num(const char *s)
{
	static const struct { const char *name; int num; } names[] = {
		{ "udp", IPPROTO_UDP }, { "tcp", IPPROTO_TCP },
		{ "udplite", IPPROTO_UDPLITE }, { "icmp", IPPROTO_ICMP },
		{ "icmpv6", IPPROTO_ICMPV6 }, { "sctp", IPPROTO_SCTP },
		{ "gre", IPPROTO_GRE }, { "none", IPPROTO_NONE },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i].name))
			return names[i].num;
	return num(s, 0, 255);
}

static int ext_list(const char *s, int *out)
{
	char *copy = strdup(s), *tok, *save;
	int n = 0;

	if (!copy)
		die("strdup");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_EXT)
			fail("too many extension headers in '%s'", s);
		if (!strcmp(tok, "hbh"))
			out[n++] = IPPROTO_HOPOPTS;
		else if (!strcmp(tok, "dst"))
			out[n++] = IPPROTO_DSTOPTS;
		else if (!strcmp(tok, "rt"))
			out[n++] = IPPROTO_ROUTING;
		else if (!strcmp(tok, "frag"))
			out[n++] = IPPROTO_FRAGMENT;
		else
			fail("unknown extension header '%s'", tok);
	}
	free(copy);
	return n;
}

/* --- bytes and checksums ------------------------------------------------ */

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > sizeof(b->d)) {
		fprintf(stderr, "esp_send: packet longer than %d bytes\n", MAX_PKT);
		exit(2);
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void put8(struct buf *b, unsigned int v)
{
	unsigned char c = v;

	put(b, &c, 1);
}

static void put16(struct buf *b, unsigned int v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void put32(struct buf *b, __u32 v)
{
	put16(b, v >> 16);
	put16(b, v);
}

static void set16(unsigned char *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static __u32 sum16(const unsigned char *p, size_t n, __u32 s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += p[i] << 8 | p[i + 1];
	if (n & 1)
		s += p[n - 1] << 8;
	return s;
}

static __u16 fold(__u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* One's-complement checksum with the pseudo-header of RFC 768 / RFC 8200. */
static __u16 pseudo_csum(const unsigned char *src, const unsigned char *dst,
			 int proto, __u32 plen, const unsigned char *p, size_t n)
{
	__u32 s = 0;

	s = sum16(src, cfg.alen, s);
	s = sum16(dst, cfg.alen, s);
	s += proto + (plen >> 16) + (plen & 0xffff);
	return ~fold(sum16(p, n, s)) & 0xffff;
}

static __u32 crc32c(const unsigned char *p, size_t n)
{
	__u32 crc = ~0u;
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
	}
	return ~crc;
}

static void dump(const char *what, const struct buf *b)
{
	size_t i;

	fprintf(stderr, "%s (%zu bytes):", what, b->len);
	for (i = 0; i < b->len; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", b->d[i]);
	fprintf(stderr, "\n");
}

/* --- the inner segment -------------------------------------------------- */

/*
 * Build the transport-mode payload: optional IPv6 extension headers, then
 * the L4 segment.  Returns the ESP next header.
 */
static int build_inner(struct buf *seg, __u32 seq)
{
	const unsigned char *src = cfg.have_cs ? cfg.csaddr : cfg.saddr;
	const unsigned char *dst = cfg.have_cd ? cfg.cdaddr : cfg.daddr;
	enum csum_kind kind = KIND_NONE;
	size_t csum_off = 0, i, covered;
	__u32 plen, c = 0;
	struct buf l4 = { .len = 0 };
	int proto = cfg.proto;

	if (cfg.raw) {
		put(&l4, cfg.data, cfg.datalen);
		goto ext;
	}
	switch (proto) {
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		put16(&l4, cfg.sport);
		put16(&l4, cfg.dport);
		if (proto == IPPROTO_UDP)
			put16(&l4, cfg.udp_len >= 0 ? (size_t)cfg.udp_len : 8 + cfg.datalen);
		else
			put16(&l4, cfg.cscov >= 0 ? (size_t)cfg.cscov : 8 + cfg.datalen);
		csum_off = l4.len;
		put16(&l4, 0);
		kind = KIND_PSEUDO;
		break;
	case IPPROTO_TCP:
		put16(&l4, cfg.sport);
		put16(&l4, cfg.dport);
		put32(&l4, 1);			/* sequence number */
		put32(&l4, 0);			/* acknowledgment number */
		put8(&l4, (cfg.doff & 0xf) << 4);
		put8(&l4, cfg.tcp_flags);
		put16(&l4, 65535);		/* window */
		csum_off = l4.len;
		put16(&l4, 0);
		put16(&l4, 0);			/* urgent pointer */
		for (i = 20; i < (size_t)cfg.doff * 4; i++)
			put8(&l4, 1);		/* NOP options */
		kind = KIND_PSEUDO;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		put8(&l4, cfg.icmp_type >= 0 ? cfg.icmp_type :
			  proto == IPPROTO_ICMP ? 8 : 128);	/* echo request */
		put8(&l4, cfg.icmp_code);
		csum_off = l4.len;
		put16(&l4, 0);
		put16(&l4, 0x4553);		/* identifier */
		put16(&l4, seq & 0xffff);	/* sequence number */
		kind = proto == IPPROTO_ICMP ? KIND_PLAIN : KIND_PSEUDO;
		break;
	case IPPROTO_SCTP:
		put16(&l4, cfg.sport);
		put16(&l4, cfg.dport);
		put32(&l4, 0);			/* verification tag */
		csum_off = l4.len;
		put32(&l4, 0);
		if (!cfg.datalen) {
			/* an INIT chunk */
			put8(&l4, 1);
			put8(&l4, 0);
			put16(&l4, 20);
			put32(&l4, 0x45535001);	/* initiate tag */
			put32(&l4, 65536);	/* a_rwnd */
			put16(&l4, 1);
			put16(&l4, 1);
			put32(&l4, 1);		/* initial TSN */
		}
		kind = KIND_CRC32C;
		break;
	case IPPROTO_GRE:
		put16(&l4, cfg.gre_csum ? 0x8000 : 0);
		put16(&l4, cfg.gre_proto);
		if (cfg.gre_csum) {
			csum_off = l4.len;
			put16(&l4, 0);
			put16(&l4, 0);
			kind = KIND_PLAIN;
		}
		break;
	default:
		break;
	}
	put(&l4, cfg.data, cfg.datalen);

	if (cfg.trunc >= 0 && (size_t)cfg.trunc < l4.len)
		l4.len = cfg.trunc;

	if (kind != KIND_NONE && csum_off + (kind == KIND_CRC32C ? 4 : 2) <= l4.len) {
		/* What the stack sums: see udp_rcv(), udplite_checksum_init(). */
		covered = l4.len;
		plen = l4.len;
		if (proto == IPPROTO_UDP) {
			unsigned int ulen = l4.d[4] << 8 | l4.d[5];

			if (ulen || cfg.family == AF_INET)
				plen = ulen;
			if (plen < covered)
				covered = plen;
		} else if (proto == IPPROTO_UDPLITE) {
			unsigned int cov = l4.d[4] << 8 | l4.d[5];

			if (cov && cov < covered)
				covered = cov;
		}
		if (kind == KIND_PSEUDO) {
			c = pseudo_csum(src, dst, proto, plen, l4.d, covered);
			if (!c && proto != IPPROTO_TCP)
				c = 0xffff;	/* 0 means "none" for UDP */
		} else if (kind == KIND_PLAIN) {
			c = ~fold(sum16(l4.d, l4.len, 0)) & 0xffff;
		} else {
			c = crc32c(l4.d, l4.len);
		}
		switch (cfg.csum_mode) {
		case CSUM_GOOD:
			break;
		case CSUM_BAD:
			/* never 0 (no checksum) nor the one's complement twin */
			c = (c == 0x1234 || c == 0x4321) ? 0x5678 : 0x1234;
			break;
		case CSUM_ZERO:
			c = 0;
			break;
		case CSUM_VALUE:
			c = cfg.csum_value;
			break;
		}
		if (kind == KIND_CRC32C) {
			/* stored little-endian, as sctp_compute_cksum() does */
			l4.d[csum_off] = c;
			l4.d[csum_off + 1] = c >> 8;
			l4.d[csum_off + 2] = c >> 16;
			l4.d[csum_off + 3] = c >> 24;
		} else {
			set16(l4.d + csum_off, c);
		}
	}

ext:
	/* IPv6 extension headers inside ESP, each 8 bytes */
	for (i = 0; i < (size_t)cfg.n_inner_ext; i++) {
		int next = i + 1 < (size_t)cfg.n_inner_ext ? cfg.inner_ext[i + 1] : proto;

		put8(seg, next);
		if (cfg.inner_ext[i] == IPPROTO_FRAGMENT) {
			put8(seg, 0);
			put16(seg, 0);		/* offset 0, no more: atomic */
			put32(seg, 0x45535046);
		} else if (cfg.inner_ext[i] == IPPROTO_ROUTING) {
			put8(seg, 0);
			put8(seg, 0);		/* type 0 */
			put8(seg, 0);		/* segments left */
			put32(seg, 0);
		} else {
			put8(seg, 0);
			put8(seg, 1);		/* PadN */
			put8(seg, 4);
			put32(seg, 0);
		}
	}
	put(seg, l4.d, l4.len);
	if (cfg.verbose)
		dump("inner segment", &l4);
	if (cfg.next_header >= 0)
		return cfg.next_header;
	return cfg.n_inner_ext ? cfg.inner_ext[0] : proto;
}

/* --- ESP (RFC 4303, RFC 4106) -------------------------------------------- */

static void build_esp(struct buf *esp, const struct buf *seg, int nexthdr,
		      __u32 seq)
{
	unsigned char nonce[12], tag[16], *ct;
	struct buf pt = { .len = 0 };
	const EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx;
	int n, padlen;
	__u64 iv;

	put(&pt, seg->d, seg->len);
	padlen = cfg.pad >= 0 ? (size_t)cfg.pad : (4 - (seg->len + 2) % 4) % 4;
	for (n = 0; n < padlen; n++)
		put8(&pt, cfg.pad_byte >= 0 ? cfg.pad_byte : n + 1);
	put8(&pt, cfg.pad_field >= 0 ? cfg.pad_field : padlen);
	put8(&pt, nexthdr);

	esp->len = 0;
	put32(esp, cfg.spi);
	put32(esp, seq);
	if (cfg.have_iv) {
		put(esp, cfg.iv, 8);
	} else {
		iv = seq;
		put32(esp, iv >> 32);
		put32(esp, iv);
	}
	memcpy(nonce, cfg.salt, 4);
	memcpy(nonce + 4, esp->d + 8, 8);

	switch (cfg.keylen) {
	case 16:
		cipher = EVP_aes_128_gcm();
		break;
	case 24:
		cipher = EVP_aes_192_gcm();
		break;
	default:
		cipher = EVP_aes_256_gcm();
		break;
	}
	ct = esp->d + esp->len;
	if (esp->len + pt.len + cfg.icvlen > sizeof(esp->d)) {
		fprintf(stderr, "esp_send: ESP packet too long\n");
		exit(2);
	}
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx ||
	    EVP_EncryptInit_ex(ctx, cipher, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, cfg.key, nonce) != 1 ||
	    /* AAD: SPI and sequence number (no ESN) */
	    EVP_EncryptUpdate(ctx, NULL, &n, esp->d, 8) != 1 ||
	    EVP_EncryptUpdate(ctx, ct, &n, pt.d, pt.len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, ct + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, cfg.icvlen, tag) != 1) {
		fprintf(stderr, "esp_send: AES-GCM failed\n");
		exit(1);
	}
	EVP_CIPHER_CTX_free(ctx);
	esp->len += pt.len;
	if (cfg.corrupt_icv)
		tag[0] ^= 0x80;
	put(esp, tag, cfg.icvlen);
}

/* --- the outer packet --------------------------------------------------- */

static void put_ext(struct buf *b, int type, int next)
{
	put8(b, next);
	put8(b, 0);
	if (type == IPPROTO_ROUTING) {
		put16(b, 0);			/* type 0, no segments left */
		put32(b, 0);
	} else {
		put8(b, 1);			/* PadN */
		put8(b, 4);
		put32(b, 0);
	}
}

/* IP header (with options or extension headers) up to the payload. */
static void build_ip(struct buf *ip, int proto, size_t paylen, __u16 ip_id,
		     __u16 frag_off, bool frag6, __u32 frag_id)
{
	int i, next;

	ip->len = 0;
	if (cfg.family == AF_INET) {
		put8(ip, 0x40 | (5 + cfg.ipoptlen / 4));
		put8(ip, 0);
		put16(ip, 20 + cfg.ipoptlen + paylen);	/* the kernel sets it too */
		put16(ip, ip_id);
		put16(ip, frag_off);
		put8(ip, 64);
		put8(ip, proto);
		put16(ip, 0);				/* the kernel fills it */
		put(ip, cfg.saddr, 4);
		put(ip, cfg.daddr, 4);
		put(ip, cfg.ipopt, cfg.ipoptlen);
		return;
	}
	put32(ip, 0x60000000);
	put16(ip, 8 * cfg.n_outer_ext + (frag6 ? 8 : 0) + paylen);
	next = cfg.n_outer_ext ? cfg.outer_ext[0] : frag6 ? IPPROTO_FRAGMENT : proto;
	put8(ip, next);
	put8(ip, 64);
	put(ip, cfg.saddr, 16);
	put(ip, cfg.daddr, 16);
	for (i = 0; i < cfg.n_outer_ext; i++) {
		next = i + 1 < cfg.n_outer_ext ? cfg.outer_ext[i + 1] :
		       frag6 ? IPPROTO_FRAGMENT : proto;
		if (cfg.outer_ext[i] == IPPROTO_FRAGMENT) {
			/* an atomic fragment header */
			put8(ip, next);
			put8(ip, 0);
			put16(ip, 0);
			put32(ip, frag_id ^ 0xffff);
		} else {
			put_ext(ip, cfg.outer_ext[i], next);
		}
	}
	if (frag6) {
		put8(ip, proto);
		put8(ip, 0);
		put16(ip, frag_off);
		put32(ip, frag_id);
	}
}

static socklen_t sockaddr_of(struct sockaddr_storage *ss, const unsigned char *a,
			     int port)
{
	memset(ss, 0, sizeof(*ss));
	if (cfg.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, a, 16);
	return sizeof(*sin6);
}

static void send_raw(int fd, const struct buf *pkt)
{
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(&ss, cfg.daddr, 0);

	if (sendto(fd, pkt->d, pkt->len, 0, (struct sockaddr *)&ss, sl) < 0 &&
	    errno != ENOBUFS)
		die("sendto (raw)");
}

/* The datagram holding one ESP packet, as one IP packet or fragments. */
static void send_ip(int fd, const struct buf *esp)
{
	struct buf l4 = { .len = 0 }, pkt;
	int proto = IPPROTO_ESP;
	size_t off, n, piece, nfrag, k;
	__u32 id = random();
	__u16 ip_id = cfg.ip_id ? cfg.ip_id : (id & 0xffff) | 1;

	if (cfg.encap == ENCAP_UDP) {
		bool csum = cfg.outer_csum >= 0 ? cfg.outer_csum : cfg.family == AF_INET6;
		__u16 c;

		put16(&l4, cfg.esport);
		put16(&l4, cfg.edport);
		put16(&l4, 8 + esp->len);
		put16(&l4, 0);
		put(&l4, esp->d, esp->len);
		if (csum) {
			c = pseudo_csum(cfg.saddr, cfg.daddr, IPPROTO_UDP, l4.len,
					l4.d, l4.len);
			set16(l4.d + 6, c ? c : 0xffff);
		}
		proto = IPPROTO_UDP;
	} else {
		put(&l4, esp->d, esp->len);
	}

	if (cfg.frag <= 0) {
		build_ip(&pkt, proto, l4.len, ip_id, 0, false, 0);
		put(&pkt, l4.d, l4.len);
		send_raw(fd, &pkt);
		return;
	}
	piece = cfg.frag & ~7L;
	if (!piece)
		piece = 8;
	nfrag = (l4.len + piece - 1) / piece;
	for (k = 0; k < nfrag; k++) {
		size_t idx = cfg.frag_reverse ? nfrag - 1 - k : k;
		bool more = idx + 1 < nfrag;

		off = idx * piece;
		n = more ? piece : l4.len - off;
		if (cfg.family == AF_INET)
			build_ip(&pkt, proto, n, ip_id, off / 8 | (more ? 0x2000 : 0),
				 false, 0);
		else
			build_ip(&pkt, proto, n, 0, off | more, true, id);
		put(&pkt, l4.d + off, n);
		send_raw(fd, &pkt);
	}
}

static int open_tcp(void)
{
	struct sockaddr_storage ss;
	int fd, one = 1;
	socklen_t sl;

	/* Does this kernel have ESP-in-TCP at all? */
	fd = socket(cfg.family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket (tcp)");
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "espintcp", sizeof("espintcp"))) {
		if (errno == ENOENT) {
			fprintf(stderr, "esp_send: no ESP-in-TCP in this kernel\n");
			exit(4);
		}
		die("TCP_ULP espintcp (probe)");
	}
	close(fd);

	fd = socket(cfg.family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket (tcp)");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sl = sockaddr_of(&ss, cfg.saddr, cfg.esport);
	if (bind(fd, (struct sockaddr *)&ss, sl))
		die("bind (tcp)");
	sl = sockaddr_of(&ss, cfg.daddr, cfg.edport);
	if (connect(fd, (struct sockaddr *)&ss, sl))
		die("connect (tcp)");
	if (cfg.tcp_prefix && write(fd, "IKETCP", 6) != 6)
		die("write (stream prefix)");
	return fd;
}

static void write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write (tcp)");
		p += w;
		n -= w;
	}
}

int main(int argc, char **argv)
{
	enum {
		O_SPI = 256, O_SEQ, O_KEY, O_IV, O_ICVLEN, O_CORRUPT_ICV,
		O_ESPORT, O_EDPORT, O_NOPREFIX, O_IPOPT, O_OUTER_EXT, O_FRAG,
		O_FRAG_REV, O_OUTER_CSUM, O_IPID, O_SPORT, O_DPORT, O_DATA,
		O_DATA_HEX, O_LEN, O_RAW_HEX, O_CSUM, O_CSADDR, O_CDADDR,
		O_UDPLEN, O_CSCOV, O_DOFF, O_TCPFLAGS, O_ICMPTYPE, O_ICMPCODE,
		O_GRECSUM, O_GREPROTO, O_TRUNC, O_INNER_EXT, O_NEXTHDR, O_PAD,
		O_PADFIELD, O_PADBYTE, O_PRINT,
	};
	static const struct option lopts[] = {
		{ "spi", 1, NULL, O_SPI }, { "seq", 1, NULL, O_SEQ },
		{ "key", 1, NULL, O_KEY }, { "iv", 1, NULL, O_IV },
		{ "icv-len", 1, NULL, O_ICVLEN },
		{ "corrupt-icv", 0, NULL, O_CORRUPT_ICV },
		{ "encap-sport", 1, NULL, O_ESPORT },
		{ "encap-dport", 1, NULL, O_EDPORT },
		{ "no-prefix", 0, NULL, O_NOPREFIX },
		{ "ipopt", 1, NULL, O_IPOPT },
		{ "outer-ext", 1, NULL, O_OUTER_EXT },
		{ "frag", 1, NULL, O_FRAG },
		{ "frag-reverse", 0, NULL, O_FRAG_REV },
		{ "outer-csum", 1, NULL, O_OUTER_CSUM },
		{ "ip-id", 1, NULL, O_IPID },
		{ "sport", 1, NULL, O_SPORT }, { "dport", 1, NULL, O_DPORT },
		{ "data", 1, NULL, O_DATA }, { "data-hex", 1, NULL, O_DATA_HEX },
		{ "len", 1, NULL, O_LEN }, { "raw-hex", 1, NULL, O_RAW_HEX },
		{ "csum", 1, NULL, O_CSUM },
		{ "csum-saddr", 1, NULL, O_CSADDR },
		{ "csum-daddr", 1, NULL, O_CDADDR },
		{ "udp-len", 1, NULL, O_UDPLEN }, { "cscov", 1, NULL, O_CSCOV },
		{ "doff", 1, NULL, O_DOFF }, { "tcp-flags", 1, NULL, O_TCPFLAGS },
		{ "icmp-type", 1, NULL, O_ICMPTYPE },
		{ "icmp-code", 1, NULL, O_ICMPCODE },
		{ "gre-csum", 0, NULL, O_GRECSUM },
		{ "gre-proto", 1, NULL, O_GREPROTO },
		{ "trunc", 1, NULL, O_TRUNC },
		{ "inner-ext", 1, NULL, O_INNER_EXT },
		{ "next-header", 1, NULL, O_NEXTHDR },
		{ "pad", 1, NULL, O_PAD }, { "pad-field", 1, NULL, O_PADFIELD },
		{ "pad-byte", 1, NULL, O_PADBYTE },
		{ "print", 0, NULL, O_PRINT },
		{ "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned char keybuf[36];
	struct buf seg = { .len = 0 }, esp;
	int c, fd, nexthdr;
	size_t n;
	long i;

	while ((c = getopt_long(argc, argv, "46s:d:e:up:n:i:vh", lopts, NULL)) != -1) {
		switch (c) {
		case '4':
			cfg.family = AF_INET;
			cfg.alen = 4;
			break;
		case '6':
			cfg.family = AF_INET6;
			cfg.alen = 16;
			break;
		case 's':
			addr(optarg, cfg.saddr);
			cfg.have_s = true;
			break;
		case 'd':
			addr(optarg, cfg.daddr);
			cfg.have_d = true;
			break;
		case 'e':
			if (!strcmp(optarg, "udp"))
				cfg.encap = ENCAP_UDP;
			else if (!strcmp(optarg, "tcp"))
				cfg.encap = ENCAP_TCP;
			else if (!strcmp(optarg, "none"))
				cfg.encap = ENCAP_NONE;
			else
				fail("unknown encapsulation '%s'", optarg);
			break;
		case 'u':
			cfg.udp_sock = true;
			break;
		case 'p':
			cfg.proto = proto_num(optarg);
			break;
		case 'n':
			cfg.count = num(optarg, 1, 100000000);
			break;
		case 'i':
			cfg.interval_us = num(optarg, 0, 10000000);
			break;
		case 'v':
			cfg.verbose = true;
			break;
		case O_SPI:
			cfg.spi = strtoul(optarg, NULL, 0);
			if (cfg.spi < 256)
				fail("SPI '%s' is reserved (below 256)", optarg);
			break;
		case O_SEQ:
			cfg.seq = num(optarg, 0, 0xffffffffL);
			break;
		case O_KEY:
			n = parse_hex(optarg, keybuf, sizeof(keybuf));
			if (n != 20 && n != 28 && n != 36)
				fail("key '%s': want 16, 24 or 32 key bytes and a 4-byte salt",
				     optarg);
			cfg.keylen = n - 4;
			memcpy(cfg.key, keybuf, cfg.keylen);
			memcpy(cfg.salt, keybuf + cfg.keylen, 4);
			cfg.have_key = true;
			break;
		case O_IV:
			if (parse_hex(optarg, cfg.iv, sizeof(cfg.iv)) != 8)
				fail("IV '%s': want 8 bytes", optarg);
			cfg.have_iv = true;
			break;
		case O_ICVLEN:
			cfg.icvlen = num(optarg, 8, 16);
			if (cfg.icvlen % 4)
				fail("ICV length '%s': 8, 12 or 16", optarg);
			break;
		case O_CORRUPT_ICV:
			cfg.corrupt_icv = true;
			break;
		case O_ESPORT:
			cfg.esport = num(optarg, 0, 65535);
			break;
		case O_EDPORT:
			cfg.edport = num(optarg, 1, 65535);
			break;
		case O_NOPREFIX:
			cfg.tcp_prefix = false;
			break;
		case O_IPOPT:
			cfg.ipoptlen = parse_hex(optarg, cfg.ipopt, sizeof(cfg.ipopt));
			/* pad with end-of-list to a multiple of 4 */
			while (cfg.ipoptlen % 4)
				cfg.ipopt[cfg.ipoptlen++] = 0;
			break;
		case O_OUTER_EXT:
			cfg.n_outer_ext = ext_list(optarg, cfg.outer_ext);
			break;
		case O_FRAG:
			cfg.frag = num(optarg, 8, MAX_PKT);
			break;
		case O_FRAG_REV:
			cfg.frag_reverse = true;
			break;
		case O_OUTER_CSUM:
			if (!strcmp(optarg, "zero"))
				cfg.outer_csum = 0;
			else if (!strcmp(optarg, "good"))
				cfg.outer_csum = 1;
			else
				fail("--outer-csum '%s': zero or good", optarg);
			break;
		case O_IPID:
			cfg.ip_id = num(optarg, 1, 65535);
			break;
		case O_SPORT:
			cfg.sport = num(optarg, 0, 65535);
			break;
		case O_DPORT:
			cfg.dport = num(optarg, 0, 65535);
			break;
		case O_DATA:
			cfg.datalen = strlen(optarg);
			if (cfg.datalen > sizeof(cfg.data))
				fail("--data too long (%s)", "");
			memcpy(cfg.data, optarg, cfg.datalen);
			break;
		case O_DATA_HEX:
		case O_RAW_HEX:
			cfg.datalen = parse_hex(optarg, cfg.data, sizeof(cfg.data));
			cfg.raw = c == O_RAW_HEX;
			break;
		case O_LEN:
			cfg.minlen = num(optarg, 0, 65000);
			break;
		case O_CSUM:
			if (!strcmp(optarg, "good")) {
				cfg.csum_mode = CSUM_GOOD;
			} else if (!strcmp(optarg, "bad")) {
				cfg.csum_mode = CSUM_BAD;
			} else if (!strcmp(optarg, "zero")) {
				cfg.csum_mode = CSUM_ZERO;
			} else {
				cfg.csum_mode = CSUM_VALUE;
				cfg.csum_value = num(optarg, 0, 0xffffffffL);
			}
			break;
		case O_CSADDR:
			addr(optarg, cfg.csaddr);
			cfg.have_cs = true;
			break;
		case O_CDADDR:
			addr(optarg, cfg.cdaddr);
			cfg.have_cd = true;
			break;
		case O_UDPLEN:
			cfg.udp_len = num(optarg, 0, 65535);
			break;
		case O_CSCOV:
			cfg.cscov = num(optarg, 0, 65535);
			break;
		case O_DOFF:
			cfg.doff = num(optarg, 0, 15);
			break;
		case O_TCPFLAGS:
			cfg.tcp_flags = num(optarg, 0, 255);
			break;
		case O_ICMPTYPE:
			cfg.icmp_type = num(optarg, 0, 255);
			break;
		case O_ICMPCODE:
			cfg.icmp_code = num(optarg, 0, 255);
			break;
		case O_GRECSUM:
			cfg.gre_csum = true;
			break;
		case O_GREPROTO:
			cfg.gre_proto = num(optarg, 0, 65535);
			break;
		case O_TRUNC:
			cfg.trunc = num(optarg, 0, MAX_PKT);
			break;
		case O_INNER_EXT:
			cfg.n_inner_ext = ext_list(optarg, cfg.inner_ext);
			break;
		case O_NEXTHDR:
			cfg.next_header = num(optarg, 0, 255);
			break;
		case O_PAD:
			cfg.pad = num(optarg, 0, 255);
			break;
		case O_PADFIELD:
			cfg.pad_field = num(optarg, 0, 255);
			break;
		case O_PADBYTE:
			cfg.pad_byte = num(optarg, 0, 255);
			break;
		case O_PRINT:
			cfg.print = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !cfg.family || !cfg.have_s || !cfg.have_d ||
	    !cfg.spi || !cfg.have_key)
		usage();
	/* --len: the data given, then filler up to that length */
	for (n = cfg.datalen; n < cfg.minlen; n++)
		cfg.data[n] = n;
	if (cfg.minlen > cfg.datalen)
		cfg.datalen = cfg.minlen;
	if (cfg.udp_sock && (cfg.encap != ENCAP_UDP || cfg.ipoptlen ||
			     cfg.n_outer_ext || cfg.frag))
		fail("%s", "-u sends plain ESP-in-UDP: no options, extension headers or --frag");
	if ((cfg.ipoptlen && cfg.family != AF_INET) ||
	    ((cfg.n_outer_ext || cfg.n_inner_ext) && cfg.family != AF_INET6))
		fail("%s", "IPv4 options need -4, extension headers -6");
	if (cfg.encap == ENCAP_TCP && (cfg.ipoptlen || cfg.n_outer_ext || cfg.frag))
		fail("%s", "ESP-in-TCP goes through a TCP socket: no outer header options");

	if (cfg.print) {
		/* for tests that cut it up themselves (inner fragments) */
		build_inner(&seg, cfg.seq);
		for (n = 0; n < seg.len; n++)
			printf("%02x", seg.d[n]);
		printf("\n");
		return 0;
	}

	if (cfg.encap == ENCAP_TCP) {
		fd = open_tcp();
	} else if (cfg.udp_sock) {
		struct sockaddr_storage ss;
		int one = 1;
		socklen_t sl;

		fd = socket(cfg.family, SOCK_DGRAM, 0);
		if (fd < 0)
			die("socket (udp)");
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sl = sockaddr_of(&ss, cfg.saddr, cfg.esport);
		if (bind(fd, (struct sockaddr *)&ss, sl))
			die("bind (udp)");
	} else {
		fd = socket(cfg.family, SOCK_RAW, IPPROTO_RAW);
		if (fd < 0)
			die("socket (raw)");
	}
	srandom(time(NULL) ^ getpid());

	for (i = 0; i < cfg.count; i++) {
		__u32 seq = cfg.seq + i;

		seg.len = 0;
		nexthdr = build_inner(&seg, seq);
		build_esp(&esp, &seg, nexthdr, seq);
		if (cfg.verbose) {
			dump("ESP packet", &esp);
			cfg.verbose = false;
		}
		if (cfg.encap == ENCAP_TCP) {
			unsigned char len[2];

			set16(len, esp.len + 2);
			write_all(fd, len, 2);
			write_all(fd, esp.d, esp.len);
		} else if (cfg.udp_sock) {
			struct sockaddr_storage ss;
			socklen_t sl = sockaddr_of(&ss, cfg.daddr, cfg.edport);

			if (sendto(fd, esp.d, esp.len, 0, (struct sockaddr *)&ss, sl) < 0 &&
			    errno != ENOBUFS && errno != ECONNREFUSED)
				die("sendto (udp)");
		} else {
			send_ip(fd, &esp);
		}
		if (cfg.interval_us)
			usleep(cfg.interval_us);
	}
	close(fd);
	return 0;
}
