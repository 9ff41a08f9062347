// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: classic pcap files (microsecond timestamps, host byte order,
 * LINKTYPE_RAW: every record starts with an IPv4 or IPv6 header), as
 * tcpdump -r and wireshark read them.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "xfrm-csum.h"

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t ts_sec, ts_usec, caplen, len;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

int pcap_write_header(int fd)
{
	struct pcap_file_hdr h = {
		.magic = PCAP_MAGIC_USEC,
		.version_major = 2,
		.version_minor = 4,
		.snaplen = PCAP_SNAPLEN,
		.linktype = PCAP_LINKTYPE_RAW,
	};

	return write_all(fd, &h, sizeof(h));
}

int pcap_write_record(int fd, uint64_t ts_ns, const void *pkt,
		      uint32_t caplen, uint32_t len)
{
	uint8_t buf[sizeof(struct pcap_rec_hdr) + PCAP_SNAPLEN];
	struct pcap_rec_hdr h;

	if (caplen > PCAP_SNAPLEN)
		caplen = PCAP_SNAPLEN;
	if (len < caplen)
		len = caplen;
	h.ts_sec = ts_ns / 1000000000ull;
	h.ts_usec = ts_ns % 1000000000ull / 1000;
	h.caplen = caplen;
	h.len = len;
	/* One write per record: a reader never sees half a record. */
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), pkt, caplen);
	return write_all(fd, buf, sizeof(h) + caplen);
}

static uint16_t ip_hdr_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

#define IPPROTO_ESP_ 50

int pcap_fixup_ip(uint8_t *pkt, uint32_t caplen, uint32_t len, uint8_t l4)
{
	bool proto, length;
	uint16_t c;

	if (!caplen || !l4 || l4 == IPPROTO_ESP_)
		return 0;
	switch (pkt[0] >> 4) {
	case 4: {
		unsigned int ihl = (pkt[0] & 0xf) * 4;

		if (ihl < 20 || caplen < ihl)
			return 0;
		proto = pkt[9] == IPPROTO_ESP_;
		length = len >= ihl && len <= 0xffff &&
			 (uint32_t)(pkt[2] << 8 | pkt[3]) != len;
		if (!proto && !length)
			return 0;
		if (proto)
			pkt[9] = l4;
		if (length) {
			pkt[2] = len >> 8;
			pkt[3] = len;
		}
		pkt[10] = 0;
		pkt[11] = 0;
		c = ip_hdr_csum(pkt, ihl);
		pkt[10] = c >> 8;
		pkt[11] = c;
		return 1;
	}
	case 6:
		if (caplen < 40)
			return 0;
		proto = pkt[6] == IPPROTO_ESP_;
		length = len >= 40 && len - 40 <= 0xffff &&
			 (uint32_t)(pkt[4] << 8 | pkt[5]) != len - 40;
		if (proto)
			pkt[6] = l4;
		if (length) {
			pkt[4] = (len - 40) >> 8;
			pkt[5] = len - 40;
		}
		return proto || length;
	}
	return 0;
}
