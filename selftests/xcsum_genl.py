# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink for the xfrm-csum family.

For tests that send what no well-behaved client would (nl_fuzz.py) or must
see exactly how the kernel refused a request (nl_perms.py).  The family id
and its multicast groups are resolved with the kernel's YNL library and
module/xfrm_csum.yaml; messages are built and parsed here, byte by byte.
"""

import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16     # not in Python's socket module
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_ACK_TLVS = 0x200
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_DROP_MEMBERSHIP = 2
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NETLINK_GET_STRICT_CHK = 12
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_POLICY = 4
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6
NLA_F_NESTED = 1 << 15
NLA_F_NET_BYTEORDER = 1 << 14
NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff

SCALARS = {"u8": "B", "u16": "H", "u32": "I", "u64": "Q",
           "s8": "b", "s16": "h", "s32": "i", "s64": "q"}


def load_family(ynl_cli, spec):
    """The YNL family object of the spec; resolves the family's id."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(ynl_cli)))
    # pylint: disable-next=import-outside-toplevel,import-error
    from lib import YnlFamily
    return YnlFamily(spec, "")


def nla(atype, payload):
    """One netlink attribute, padded to 4 bytes.  A payload too long for
    the 16-bit length gets a wrapped one (what a fuzzer wants anyway)."""
    raw = struct.pack("HH", (4 + len(payload)) & 0xffff, atype) + payload
    return raw + b"\0" * (-len(raw) % 4)


def scalar(attr, value):
    """Encode a scalar of the spec attribute's type and byte order."""
    fmt = SCALARS[attr.type]
    order = ">" if attr.byte_order == "big-endian" else "="
    return struct.pack(order + fmt, value)


def parse_attrs(raw):
    """[(type, flags, payload)]; ValueError if the stream is malformed."""
    out = []
    off = 0
    while off < len(raw):
        if len(raw) - off < 4:
            raise ValueError(f"{len(raw) - off} trailing bytes")
        alen, atype = struct.unpack_from("HH", raw, off)
        if alen < 4 or off + alen > len(raw):
            raise ValueError(f"attribute length {alen} at {off} of {len(raw)}")
        out.append((atype & NLA_TYPE_MASK, atype & ~NLA_TYPE_MASK & 0xffff,
                    raw[off + 4:off + alen]))
        off += (alen + 3) & ~3
    return out


class Reply:  # pylint: disable=too-few-public-methods
    """What the kernel answered to one request."""

    def __init__(self):
        self.error = None       # 0 for an ACK or a clean end of dump
        self.extack = {}
        self.msgs = []          # (genl cmd, attribute bytes) of each reply
        self.problems = []      # malformed replies

    def errname(self):
        """EINVAL, ACK or the number."""
        err = self.error
        if err is None:
            return "no reply"
        if err == 0:
            return "ACK"
        if err == -errno.EOPNOTSUPP:
            return "EOPNOTSUPP"     # errorcode has ENOTSUP, its alias
        return errno.errorcode.get(abs(err), str(err))

    def describe(self):
        """One line: error name and extack."""
        text = self.errname()
        if "msg" in self.extack:
            text += f' "{self.extack["msg"]}"'
        for key in ("offs", "miss-type", "miss-nest"):
            if key in self.extack:
                text += f" {key}={self.extack[key]}"
        if "policy" in self.extack:
            text += " policy"
        return text


class Genl:
    """A generic netlink socket speaking to the xfrm-csum family."""

    def __init__(self, ynl_cli, spec, timeout=10.0, family=None):
        self.ynl = family if family else load_family(ynl_cli, spec)
        self.family_id = self.ynl.nlproto.family_id
        self.groups = dict(self.ynl.nlproto.genl_family.get("mcast", {}))
        self.version = self.ynl.yaml.get("version", 1)
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        for opt in (NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK):
            self.sock.setsockopt(SOL_NETLINK, opt, 1)
        self.sock.bind((0, 0))
        self.sock.settimeout(timeout)
        self.seq = 0

    def close(self):
        """Close the socket."""
        self.sock.close()

    def op(self, name):  # pylint: disable=invalid-name
        """The spec's operation."""
        return self.ynl.ops[name]

    def encode(self, set_name, values):
        """Attributes from {name: value}, as the spec says (nests: dicts)."""
        aset = self.ynl.attr_sets[set_name]
        out = b""
        for name, value in values.items():
            attr = aset[name]
            if attr.type == "flag":
                payload = b""
            elif attr.type == "binary":
                payload = bytes(value)
            elif attr.type == "nest":
                payload = self.encode(attr.yaml["nested-attributes"], value)
            else:
                payload = scalar(attr, value)
            out += nla(attr.value, payload)
        return out

    def send_raw(self, data):
        """Send one message as it is."""
        self.sock.send(data)

    def message(self, cmd, attrs=b"", dump=False, **hdr):
        """A whole request: nlmsghdr, genlmsghdr, attributes.  HDR may
        override flags, version and reserved."""
        self.seq += 1
        flags = hdr.get("flags", NLM_F_REQUEST | NLM_F_ACK |
                        (NLM_F_DUMP if dump else 0))
        ver = hdr.get("version", self.version)
        body = struct.pack("BBH", cmd, ver, hdr.get("reserved", 0)) + attrs
        return struct.pack("IHHII", 16 + len(body), self.family_id, flags,
                           self.seq, 0) + body

    def request(self, cmd, attrs=b"", dump=False, **kw):
        """Send a request and collect everything up to its ACK/error/DONE."""
        return self.transact(self.message(cmd, attrs, dump, **kw))

    def transact(self, data):
        """Send DATA (one message, our seq) and read the answer."""
        self.send_raw(data)
        seq = struct.unpack_from("I", data, 8)[0]
        reply = Reply()
        while reply.error is None:
            try:
                buf = self.sock.recv(1 << 20)
            except socket.timeout:
                return reply
            self._parse(buf, seq, reply)
        return reply

    def _parse(self, buf, seq, reply):
        off = 0
        while off + 16 <= len(buf):
            mlen, mtype, mflags, mseq, _ = struct.unpack_from("IHHII", buf, off)
            if mlen < 16 or off + mlen > len(buf):
                reply.problems.append(f"message length {mlen}")
                return
            body = buf[off + 16:off + mlen]
            off += (mlen + 3) & ~3
            if mseq != seq:
                if mseq != 0:   # notifications carry 0
                    reply.problems.append(f"reply for seq {mseq}, want {seq}")
                continue
            if mtype in (NLMSG_ERROR, NLMSG_DONE):
                reply.error = struct.unpack_from("i", body)[0] if body else 0
                # ERROR: error code and our header (capped); DONE: code
                skip = 4 + (16 if mtype == NLMSG_ERROR else 0)
                if mflags & NLM_F_ACK_TLVS:
                    self._extack(body[skip:], reply)
                continue
            if mtype != self.family_id:
                reply.problems.append(f"message type {mtype}")
                continue
            if len(body) < 4:
                reply.problems.append("reply without genl header")
                continue
            try:
                parse_attrs(body[4:])
            except ValueError as err:
                reply.problems.append(f"malformed reply: {err}")
            reply.msgs.append((body[0], body[4:]))

    @staticmethod
    def _extack(raw, reply):
        try:
            attrs = parse_attrs(raw)
        except ValueError as err:
            reply.problems.append(f"malformed extack: {err}")
            return
        for atype, _, payload in attrs:
            if atype == NLMSGERR_ATTR_MSG:
                reply.extack["msg"] = payload.rstrip(b"\0").decode(errors="replace")
            elif atype == NLMSGERR_ATTR_OFFS:
                reply.extack["offs"] = struct.unpack("I", payload[:4])[0]
            elif atype == NLMSGERR_ATTR_MISS_TYPE:
                reply.extack["miss-type"] = struct.unpack("I", payload[:4])[0]
            elif atype == NLMSGERR_ATTR_MISS_NEST:
                reply.extack["miss-nest"] = struct.unpack("I", payload[:4])[0]
            elif atype == NLMSGERR_ATTR_POLICY:
                reply.extack["policy"] = payload

    @staticmethod
    def join(group_id, sock=None):
        """Join and leave a multicast group; 0 or the -errno.  On a fresh
        socket unless SOCK (bound) is given."""
        own = sock is None
        if own:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                 NETLINK_GENERIC)
        try:
            if own:
                sock.bind((0, 0))
            sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group_id)
            sock.setsockopt(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group_id)
            return 0
        except OSError as err:
            return -err.errno
        finally:
            if own:
                sock.close()
