// SPDX-License-Identifier: GPL-2.0
/*
 * Hold the socket an IKE daemon would own for NAT-T, so the kernel accepts
 * ESP-in-UDP (RFC 3948) or ESP-in-TCP (RFC 8229) for hand-made SAs.
 *
 *   encap_sock udp -4|-6 [-p PORT]
 *   encap_sock tcp-listen -4|-6 [-p PORT] [-P]
 *   encap_sock tcp-connect -4|-6 -a PEER [-p PEERPORT] [-l LOCALPORT]
 *
 * tcp-listen -P serves any number of connections from a peer that opens
 * its stream with the RFC 8229 prefix "IKETCP" (esp_send -e tcp): the
 * prefix is read here, as an IKE daemon does, before the espintcp ULP
 * takes the connection over.
 *
 * Each socket gets a per-socket IPsec bypass policy in both directions, as
 * strongSwan sets: without it a "require ESP" policy covering the peer would
 * also apply to the encapsulating socket's own traffic.  Prints "ready" once
 * set up, then sleeps until killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/xfrm.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

static void die(const char *what)
{
	fprintf(stderr, "encap_sock: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: encap_sock udp|tcp-listen -4|-6 [-p PORT]\n"
		"       encap_sock tcp-connect -4|-6 -a PEER [-p PEERPORT] [-l LOCALPORT]\n");
	exit(2);
}

static void bypass(int fd, int family)
{
	struct xfrm_userpolicy_info pol = {
		.action = XFRM_POLICY_ALLOW,
		.sel.family = family,
		.lft = {
			.soft_byte_limit = XFRM_INF,
			.hard_byte_limit = XFRM_INF,
			.soft_packet_limit = XFRM_INF,
			.hard_packet_limit = XFRM_INF,
		},
	};
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int opt = family == AF_INET ? IP_XFRM_POLICY : IPV6_XFRM_POLICY;

	pol.dir = XFRM_POLICY_IN;
	if (setsockopt(fd, level, opt, &pol, sizeof(pol)))
		die("per-socket IPsec policy (in)");
	pol.dir = XFRM_POLICY_OUT;
	if (setsockopt(fd, level, opt, &pol, sizeof(pol)))
		die("per-socket IPsec policy (out)");
}

static socklen_t make_addr(struct sockaddr_storage *ss, int family,
			   const char *addr, int port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (addr && inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
			goto bad;
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	if (addr && inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
		goto bad;
	return sizeof(*sin6);
bad:
	fprintf(stderr, "encap_sock: bad address '%s'\n", addr);
	exit(2);
}

static void ulp_espintcp(int fd)
{
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "espintcp", sizeof("espintcp")))
		die("TCP_ULP espintcp");
}

/*
 * Accept connections for ever; each must start with the stream prefix.
 * The ESP packets that follow it may already be queued: espintcp parses
 * those when it is attached.  Connections stay open until we are killed.
 */
static void serve_prefixed(int lfd)
{
	char prefix[6];

	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		if (recv(fd, prefix, sizeof(prefix), MSG_WAITALL) != sizeof(prefix) ||
		    memcmp(prefix, "IKETCP", sizeof(prefix))) {
			fprintf(stderr, "encap_sock: connection without the IKETCP prefix\n");
			close(fd);
			continue;
		}
		ulp_espintcp(fd);
	}
}

int main(int argc, char **argv)
{
	int family = 0, port = 4500, lport = 0, one = 1, prefixed = 0, fd, c;
	struct sockaddr_storage ss;
	const char *peer = NULL;
	socklen_t len;
	char *mode;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "46p:a:l:P")) != -1) {
		switch (c) {
		case '4':
			family = AF_INET;
			break;
		case '6':
			family = AF_INET6;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'l':
			lport = atoi(optarg);
			break;
		case 'a':
			peer = optarg;
			break;
		case 'P':
			prefixed = 1;
			break;
		default:
			usage();
		}
	}
	if (!family)
		usage();

	if (!strcmp(mode, "udp")) {
		int encap = UDP_ENCAP_ESPINUDP;

		fd = socket(family, SOCK_DGRAM, 0);
		if (fd < 0)
			die("socket");
		bypass(fd, family);
		len = make_addr(&ss, family, NULL, port);
		if (bind(fd, (struct sockaddr *)&ss, len))
			die("bind");
		if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)))
			die("UDP_ENCAP");
	} else if (!strcmp(mode, "tcp-listen")) {
		int lfd = socket(family, SOCK_STREAM, 0);

		if (lfd < 0)
			die("socket");
		bypass(lfd, family);
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		len = make_addr(&ss, family, NULL, port);
		if (bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 16))
			die("bind/listen");
		if (prefixed)
			serve_prefixed(lfd);
		printf("listening\n");
		fflush(stdout);
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		ulp_espintcp(fd);
	} else if (!strcmp(mode, "tcp-connect")) {
		if (!peer)
			usage();
		fd = socket(family, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		bypass(fd, family);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (lport) {
			len = make_addr(&ss, family, NULL, lport);
			if (bind(fd, (struct sockaddr *)&ss, len))
				die("bind");
		}
		len = make_addr(&ss, family, peer, port);
		if (connect(fd, (struct sockaddr *)&ss, len))
			die("connect");
		ulp_espintcp(fd);
	} else {
		usage();
	}

	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}
