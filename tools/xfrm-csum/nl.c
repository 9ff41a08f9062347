// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-csum: the generic netlink conversation.
 *
 * libmnl rather than libnl-genl: it is what iproute2 itself is built on, a
 * single small library (libmnl0, ~30 KiB, no further dependencies) that
 * leaves message layout visible, which the YNL spec already describes
 * exactly; libnl-genl would pull in libnl-3 and its cache machinery for
 * a handful of requests and one multicast group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "xfrm-csum.h"

#define BUFSZ (64 * 1024)

struct xc_nl {
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	uint16_t family_id;
	uint32_t events_grp;
	char *buf;
};

/* --- errors and extended acks -------------------------------------------- */

static int extack_cb(const struct nlattr *a, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		*msg = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

const char *nl_extack_msg(const struct nlmsghdr *nlh)
{
	const char *msg = NULL;
	unsigned int off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		off = sizeof(int);
	} else if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
	} else {
		return NULL;
	}
	if (MNL_ALIGN(off) + MNL_NLMSG_HDRLEN > nlh->nlmsg_len)
		return NULL;
	mnl_attr_parse(nlh, MNL_ALIGN(off), extack_cb, &msg);
	return msg;
}

/* What the kernel wants when it answers EPERM (uns-admin-perm operations). */
#define NEEDS_CAP "CAP_NET_ADMIN in the network namespace's user namespace"

void format_nl_error(char *buf, size_t len, const char *what, int err,
		     const char *extack)
{
	snprintf(buf, len, "%s: %s%s%s%s", what, strerror(err),
		 extack ? ": " : "", extack ? extack : "",
		 err == EPERM ? " (needs " NEEDS_CAP ")" : "");
}

void format_join_error(char *buf, size_t len, int err)
{
	if (err == EPERM || err == EACCES)
		snprintf(buf, len, "joining the events group needs " NEEDS_CAP ": %s",
			 strerror(err));
	else
		snprintf(buf, len, "cannot join the '" XFRM_CSUM_MCGRP_EVENTS "' group: %s",
			 strerror(err));
}

bool family_too_old(uint32_t version, char *buf, size_t len)
{
	if (version >= XFRM_CSUM_FAMILY_VERSION)
		return false;
	snprintf(buf, len,
		 "the xfrm_csum module is too old for this tool: its netlink family '%s' is version %u, this tool needs version %d or later (update the module)",
		 XFRM_CSUM_FAMILY_NAME, version, XFRM_CSUM_FAMILY_VERSION);
	return true;
}

static void report(const char *what, int err, const char *extack)
{
	char buf[768];

	format_nl_error(buf, sizeof(buf), what, err, extack);
	errmsg("%s", buf);
}

/* --- one request ------------------------------------------------------------ */

/*
 * Read replies to seq until the ACK (do) or NLMSG_DONE (dump).  Messages of
 * type `family` go to cb.  Returns 0, -errno from the kernel with *extack
 * set, or -errno of the socket.
 */
static int run_replies(struct xc_nl *nl, unsigned int seq, uint16_t family,
		       xc_msg_cb cb, void *data, const char **extack)
{
	*extack = NULL;
	for (;;) {
		const struct nlmsghdr *nlh;
		int len, rc;

		len = mnl_socket_recvfrom(nl->sk, nl->buf, BUFSZ);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (nlh = (const struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
					return -EBADMSG;
				if (e->error)
					*extack = nl_extack_msg(nlh);
				return e->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)))
					memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(int));
				if (err)
					*extack = nl_extack_msg(nlh);
				return err;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_OVERRUN)
				continue;
			if (nlh->nlmsg_type != family || !cb)
				continue;
			rc = cb(nlh, data);
			if (rc < 0)
				return rc;
		}
	}
}

static struct nlmsghdr *put_request(struct xc_nl *nl, uint16_t type, uint8_t cmd,
				    uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = XFRM_CSUM_FAMILY_VERSION;
	return nlh;
}

int xc_nl_do(struct xc_nl *nl, uint8_t cmd, bool dump, xc_fill_cb fill,
	     void *fill_data, xc_msg_cb cb, void *cb_data, const char *what)
{
	const char *extack;
	struct nlmsghdr *nlh;
	int rc;

	nlh = put_request(nl, nl->family_id, cmd, dump ? NLM_F_DUMP : NLM_F_ACK);
	if (fill)
		fill(nlh, fill_data);
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		report(what, -rc, NULL);
		return rc;
	}
	rc = run_replies(nl, nlh->nlmsg_seq, nl->family_id, cb, cb_data, &extack);
	if (rc < 0)
		report(what, -rc, extack);
	return rc;
}

/* --- family resolution ---------------------------------------------------- */

struct family_info {
	uint16_t id;
	uint32_t version;
	uint32_t events_grp;
};

static int grp_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type == CTRL_ATTR_MCAST_GRP_NAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		tb[type] = a;
	if (type == CTRL_ATTR_MCAST_GRP_ID && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static int family_cb(const struct nlattr *a, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *g;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			fi->id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			fi->version = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(g, a) {
			const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = {};

			mnl_attr_parse_nested(g, grp_cb, tb);
			if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
			    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
				    XFRM_CSUM_MCGRP_EVENTS))
				fi->events_grp = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
		}
		break;
	}
	return MNL_CB_OK;
}

static int family_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, GENL_HDRLEN, family_cb, data);
	return 0;
}

struct xc_nl *xc_nl_open(void)
{
	struct family_info fi = {};
	const char *extack;
	char msg[256];
	struct nlmsghdr *nlh;
	struct xc_nl *nl;
	int one = 1, rc;

	nl = calloc(1, sizeof(*nl));
	if (nl)
		nl->buf = malloc(BUFSZ);
	if (!nl || !nl->buf) {
		errmsg("out of memory");
		goto err_free;
	}
	nl->sk = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sk) {
		errmsg("cannot open a generic netlink socket: %s", strerror(errno));
		goto err_free;
	}
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		errmsg("cannot bind the netlink socket: %s", strerror(errno));
		goto err_close;
	}
	/* Best effort: old kernels ignore these, errors just lose detail. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = time(NULL);

	nlh = put_request(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	nlh->nlmsg_seq = nl->seq;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, XFRM_CSUM_FAMILY_NAME);
	/* put_request set the controller's version field to ours: fix it. */
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0) {
		errmsg("cannot talk to the generic netlink controller: %s", strerror(errno));
		goto err_close;
	}
	rc = run_replies(nl, nlh->nlmsg_seq, GENL_ID_CTRL, family_msg_cb, &fi, &extack);
	if (rc == -ENOENT || (!rc && !fi.id)) {
		errmsg("xfrm_csum module not loaded: no generic netlink family '"
		       XFRM_CSUM_FAMILY_NAME "' (modprobe xfrm_csum)");
		goto err_close;
	}
	if (rc < 0) {
		report("resolving generic netlink family '" XFRM_CSUM_FAMILY_NAME "'", -rc, extack);
		goto err_close;
	}
	if (family_too_old(fi.version, msg, sizeof(msg))) {
		errmsg("%s", msg);
		goto err_close;
	}
	nl->family_id = fi.id;
	nl->events_grp = fi.events_grp;
	return nl;

err_close:
	mnl_socket_close(nl->sk);
err_free:
	if (nl)
		free(nl->buf);
	free(nl);
	return NULL;
}

void xc_nl_close(struct xc_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sk);
	free(nl->buf);
	free(nl);
}

/* --- events ----------------------------------------------------------------- */

int xc_nl_join_events(struct xc_nl *nl)
{
	int grp = nl->events_grp, size = 4 << 20;

	if (!grp) {
		errmsg("the module has no '" XFRM_CSUM_MCGRP_EVENTS "' multicast group");
		return -ENOENT;
	}
	/* Room for bursts: a mismatch storm is what we are here to see. */
	setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		int err = errno;
		char msg[256];

		format_join_error(msg, sizeof(msg), err);
		errmsg("%s", msg);
		return -err;
	}
	return 0;
}

int xc_nl_monitor(struct xc_nl *nl, int stop_fd, xc_msg_cb cb, void *data)
{
	struct pollfd pfd[2] = {
		{ .fd = mnl_socket_get_fd(nl->sk), .events = POLLIN },
		{ .fd = stop_fd, .events = POLLIN },
	};

	for (;;) {
		const struct nlmsghdr *nlh;
		int len, rc;

		if (poll(pfd, stop_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (stop_fd >= 0 && pfd[1].revents)
			return 0;
		if (!pfd[0].revents)
			continue;
		len = recv(pfd[0].fd, nl->buf, BUFSZ, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ENOBUFS) {
				errmsg("warning: events lost (socket receive buffer overrun)");
				continue;
			}
			return -errno;
		}
		for (nlh = (const struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct genlmsghdr *g;

			if (nlh->nlmsg_type != nl->family_id ||
			    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
				continue;
			g = mnl_nlmsg_get_payload(nlh);
			if (g->cmd != XFRM_CSUM_CMD_EVENT_NTF)
				continue;
			rc = cb(nlh, data);
			if (rc)
				return rc < 0 ? rc : 0;
		}
	}
}

/* --- namespaces ---------------------------------------------------------- */

int enter_netns(const char *name)
{
	char path[4096];
	int fd, err;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		errmsg("cannot open network namespace '%s': %s", name, strerror(err));
		return -err;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		err = errno;
		close(fd);
		errmsg("cannot enter network namespace '%s': %s", name, strerror(err));
		return -err;
	}
	close(fd);
	return 0;
}
