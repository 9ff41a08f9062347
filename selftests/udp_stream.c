// SPDX-License-Identifier: GPL-2.0
/*
 * The UDP half of the incident's detector: stream datagrams of zeros, and
 * count on the receiving side how many arrive with any non-zero byte.
 *
 *   udp_stream send -4|-6 -a ADDR [-p PORT] [-n COUNT] [-s SIZE] [-i USEC]
 *   udp_stream recv -4|-6 [-p PORT] [-n COUNT] [-t IDLE_MS]
 *
 * recv waits IDLE_MS (ten times that for the first datagram) before it
 * decides the stream is over.
 * recv prints one line: "received=N corrupted=M nonzero_bytes=B bytes=T"
 * and exits once COUNT datagrams arrived or nothing came for IDLE_MS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SIZE 65507

static void die(const char *what)
{
	fprintf(stderr, "udp_stream: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: udp_stream send -4|-6 -a ADDR [-p PORT] [-n COUNT] [-s SIZE] [-i USEC]\n"
		"       udp_stream recv -4|-6 [-p PORT] [-n COUNT] [-t IDLE_MS]\n");
	exit(2);
}

static socklen_t make_addr(struct sockaddr_storage *ss, int family,
			   const char *addr, int port)
{
	void *dst;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = family;
	if (family == AF_INET) {
		((struct sockaddr_in *)ss)->sin_port = htons(port);
		dst = &((struct sockaddr_in *)ss)->sin_addr;
	} else {
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
		dst = &((struct sockaddr_in6 *)ss)->sin6_addr;
	}
	if (addr && inet_pton(family, addr, dst) != 1) {
		fprintf(stderr, "udp_stream: bad address '%s'\n", addr);
		exit(2);
	}
	return family == AF_INET ? sizeof(struct sockaddr_in) :
				   sizeof(struct sockaddr_in6);
}

int main(int argc, char **argv)
{
	long count = 1000, size = 1000, usec = 0, idle = 3000;
	int family = 0, port = 5001, c, fd;
	static unsigned char buf[MAX_SIZE];
	struct sockaddr_storage ss;
	const char *addr = NULL;
	socklen_t len;
	char *mode;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "46a:p:n:s:i:t:")) != -1) {
		switch (c) {
		case '4':
			family = AF_INET;
			break;
		case '6':
			family = AF_INET6;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 's':
			size = atol(optarg);
			break;
		case 'i':
			usec = atol(optarg);
			break;
		case 't':
			idle = atol(optarg);
			break;
		default:
			usage();
		}
	}
	if (!family || size < 1 || size > MAX_SIZE || count < 1)
		usage();

	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");

	if (!strcmp(mode, "send")) {
		if (!addr)
			usage();
		len = make_addr(&ss, family, addr, port);
		for (long i = 0; i < count; i++) {
			if (sendto(fd, buf, size, 0, (struct sockaddr *)&ss, len) < 0 &&
			    errno != ENOBUFS && errno != ECONNREFUSED)
				die("sendto");
			if (usec)
				usleep(usec);
		}
		return 0;
	}
	if (strcmp(mode, "recv"))
		usage();

	long received = 0, corrupted = 0, nonzero = 0, bytes = 0;
	int rcvbuf = 16 << 20;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	/* Loss from a full buffer would look like a dropped packet. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	len = make_addr(&ss, family, NULL, port);
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	printf("ready\n");
	fflush(stdout);

	while (received < count) {
		ssize_t n, bad = 0;
		/*
		 * Give up when the stream went quiet, or when it never
		 * started: a sender in a slow guest may take seconds to come
		 * up, and a stream whose packets are all dropped sends none.
		 */
		int r = poll(&pfd, 1, received ? idle : 10 * idle);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			die("recv");
		for (ssize_t i = 0; i < n; i++)
			bad += buf[i] != 0;
		received++;
		bytes += n;
		nonzero += bad;
		corrupted += bad != 0;
	}
	printf("received=%ld corrupted=%ld nonzero_bytes=%ld bytes=%ld\n",
	       received, corrupted, nonzero, bytes);
	return 0;
}
