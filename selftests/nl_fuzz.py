#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Bounded randomized fuzzer for the xfrm-csum generic netlink family.

  nl_fuzz.py --ynl CLI --spec YAML [--seed N] [--iterations N]
             [--sa FAMILY,DADDR,SPI ...]

Every iteration sends one request: any command of the spec (or a number
beyond them), as do or dump, with attributes drawn from the spec and then
spoiled: missing, random values, wrong sizes, oversized, flags and nests
where they do not belong, broken attribute streams, unknown types, and
sometimes a header cut short or a foreign version.  A part of the requests
is left valid (and aimed at the SAs given with --sa), so that the
module's deeper paths run too.

Every answer must be an ACK, a dump, or an error with a sane errno.  What
the generic netlink core refuses before the family's policy or code sees
it must be refused as the core does: an unknown command or one without
that do or dump with EOPNOTSUPP, a header cut short with EINVAL (or for
another fault, with a message: a reserved field set).  Any
other error must carry an extended ACK with a message, or the missing
attribute's type (GENL_REQ_ATTR_CHECK): the family explains every
refusal.  After the run the module must still answer correctly; then big
peer dumps are cut short, raced with a change (NLM_F_DUMP_INTR) and
checked whole.  Prints the seed and the
iteration count; exits 1 on any violation.
"""

import argparse
import errno
import ipaddress
import random
import socket
import struct
import sys
import time

from xcsum_genl import (NETLINK_GENERIC, NLA_F_NESTED, NLA_F_NET_BYTEORDER,
                        NLMSG_DONE, NLMSG_ERROR, Genl, nla, parse_attrs,
                        scalar)

NLM_F_DUMP_INTR = 0x10
DUMP_PEERS = 1500         # peers added for the dump checks

# What a request may be refused with.  ENOMEM, EFAULT, EIO, ERESTART*,
# positive values and the like are bugs.
SANE = {0, errno.EINVAL, errno.ERANGE, errno.EOPNOTSUPP, errno.ENOENT,
        errno.EPERM, errno.EMSGSIZE, errno.E2BIG, errno.ENOSPC, errno.EEXIST,
        errno.EAFNOSUPPORT, errno.EBUSY, errno.EADDRNOTAVAIL, errno.ENODEV,
        errno.ESRCH}

MAX_ATTRS = 24000         # bytes of attributes per level, at most

INTERESTING = [0, 1, 2, 3, 4, 7, 8, 10, 15, 16, 17, 255, 256, 1024, 1025,
               4500, 65535, 65536, 100000, 100001, 0x7fffffff, 0xffffffff]


class Fuzzer:
    """Generates requests and judges the answers."""

    def __init__(self, genl, rng, sas):
        self.genl = genl
        self.rng = rng
        self.sas = sas
        self.ops = [oper for oper in genl.ynl.ops.values() if oper.is_call]
        self.stats = {}
        self.failures = []
        self.extack = {}        # refusals by the family, by extack kind
        self.took = 0.0

    # --- values -----------------------------------------------------------

    def int_value(self, attr):
        """A value for an integer attribute, valid more often than not."""
        bits = 8 * struct.calcsize(scalar_fmt(attr))
        checks = attr.yaml.get("checks", {})
        pool = list(INTERESTING)
        for key in ("min", "max"):
            if key in checks:
                pool += [checks[key] - 1, checks[key], checks[key] + 1]
        if "enum" in attr.yaml:
            count = len(self.genl.ynl.consts[attr.yaml["enum"]].entries)
            pool += list(range(count + 2))
        if attr.name == "family":
            pool += [socket.AF_INET, socket.AF_INET6] * 4
        value = self.rng.choice(pool) if self.rng.random() < 0.8 else \
            self.rng.getrandbits(bits)
        return value & ((1 << bits) - 1)

    def addr(self, length=None):
        """Address-like bytes: documentation ranges, or anything."""
        if length is None:
            length = self.rng.choice([4, 16, 4, 16, 0, 1, 3, 5, 8, 15, 17, 32])
        if length == 4 and self.rng.random() < 0.7:
            return ipaddress.ip_address(f"192.0.2.{self.rng.randint(0, 3)}").packed
        if length == 16 and self.rng.random() < 0.7:
            return ipaddress.ip_address(f"2001:db8:1::{self.rng.randint(0, 3)}").packed
        return self.rng.randbytes(length)

    def valid(self, attr, depth):
        """A well-typed payload for ATTR (not necessarily accepted)."""
        if attr.type == "flag":
            return b""
        if attr.type == "binary":
            return self.addr()
        if attr.type == "nest":
            return self.attrs(attr.yaml["nested-attributes"], depth + 1)
        if attr.type == "pad":
            return self.rng.randbytes(self.rng.choice([0, 4, 8]))
        if attr.type in ("u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64"):
            return scalar(attr, self.int_value(attr))
        return self.rng.randbytes(self.rng.randint(0, 16))

    def spoiled(self, attr, depth):
        """(type flags, payload): ATTR with something wrong with it."""
        what = self.rng.random()
        if what < 0.3:             # wrong size
            return 0, self.rng.randbytes(self.rng.choice([0, 1, 2, 3, 5, 6, 7, 9, 12, 16, 17]))
        if what < 0.45:            # oversized
            return 0, self.rng.randbytes(self.rng.randint(200, 8000))
        if what < 0.6:             # a nest where a value belongs, or deep
            inner = self.attrs(self.rng.choice(list(self.genl.ynl.attr_sets)), depth + 1)
            return NLA_F_NESTED, inner
        if what < 0.7:             # flags that do not belong
            return self.rng.choice([NLA_F_NESTED, NLA_F_NET_BYTEORDER,
                                    NLA_F_NESTED | NLA_F_NET_BYTEORDER]), \
                self.valid(attr, depth)
        if what < 0.85:            # a broken attribute stream
            return 0, self.broken_stream()
        return 0, self.rng.randbytes(self.rng.randint(0, 64))

    def broken_stream(self):
        """Bytes that start like attributes and go wrong."""
        out = b""
        for _ in range(self.rng.randint(0, 3)):
            out += nla(self.rng.randint(0, 40), self.rng.randbytes(self.rng.randint(0, 12)))
        length = self.rng.choice([0, 1, 3, 5, 200, 0xffff])
        out += struct.pack("HH", length, self.rng.randint(0, 0xffff))
        return out + self.rng.randbytes(self.rng.randint(0, 8))

    def attrs(self, set_name, depth=0, want=None):
        """Attributes of a set, each valid or spoiled, plus strangers."""
        aset = self.genl.ynl.attr_sets[set_name]
        names = list(aset.attrs)
        chosen = list(want) if want is not None else \
            self.rng.sample(names, self.rng.randint(0, len(names)))
        if want is None and self.rng.random() < 0.2 and chosen:
            chosen.append(self.rng.choice(chosen))     # a duplicate
        out = b""
        for name in chosen:
            if len(out) > MAX_ATTRS:
                break
            attr = aset[name]
            if depth < 12 and self.rng.random() < 0.35:
                flags, payload = self.spoiled(attr, depth)
            else:
                flags, payload = 0, self.valid(attr, depth)
            out += nla(attr.value | flags, payload)
        if self.rng.random() < 0.15:                   # unknown types
            atype = self.rng.choice([0, max(a.value for a in aset.attrs.values()) + 1,
                                     self.rng.randint(0, 0x3fff)])
            out += nla(atype, self.rng.randbytes(self.rng.randint(0, 8)))
        return out

    # --- requests ------------------------------------------------------------

    def known_sa(self, aset_name):
        """Attributes naming an SA that exists (for sa-get / sa-set)."""
        family, daddr, spi = self.rng.choice(self.sas)
        values = {"family": family, "daddr": daddr, "spi": spi}
        if aset_name == "sa" and self.rng.random() < 0.3:
            values["relearn"] = True
        if self.rng.random() < 0.5:
            alen = len(daddr)
            values["orig-saddr"] = self.addr(alen)
            if self.rng.random() < 0.5:
                values["orig-daddr"] = self.addr(alen)
        return self.genl.encode(aset_name, values)

    def valid_request(self, oper, mode):
        """All the request attributes of OP, well-typed values."""
        req = oper.yaml.get(mode, {}).get("request", {}).get("attributes", [])
        aset = oper.attr_set.name
        if oper.name in ("sa-get", "sa-set") and self.sas and mode == "do":
            return self.known_sa(aset)
        if oper.name == "config-set":
            values = {"mode": self.rng.randint(0, 2), "learn": self.rng.randint(0, 2),
                      "confirm-packets": self.rng.randint(2, 16),
                      "event-rate": self.rng.randint(0, 100000),
                      "event-snaplen": self.rng.randint(0, 1024)}
            keep = self.rng.sample(list(values), self.rng.randint(1, len(values)))
            return self.genl.encode(aset, {k: values[k] for k in keep})
        if oper.name == "peer-set":
            fam = self.rng.choice([socket.AF_INET, socket.AF_INET6])
            alen = 4 if fam == socket.AF_INET else 16
            return self.genl.encode(aset, {
                "family": fam, "saddr": self.addr(alen), "daddr": self.addr(alen),
                "encap-type": 2, "encap-sport": self.rng.choice([4500, 1024, 65535]),
                "encap-dport": 4500, "orig-saddr": self.addr(alen),
                "orig-daddr": self.addr(alen)})
        return self.attrs(aset, want=req) if req else b""

    def one(self, i):
        """Build, send and judge one request."""
        rng = self.rng
        oper = rng.choice(self.ops)
        mode = rng.choice(["do", "dump"])
        cmd, name = oper.req_value, oper.name
        kind = "fuzzed"
        hdr = {}
        roll = rng.random()
        if roll < 0.25:
            attrs, kind = self.valid_request(oper, mode), "valid"
        elif roll < 0.93:
            aset = oper.attr_set.name if rng.random() < 0.85 else \
                rng.choice(list(self.genl.ynl.attr_sets))
            attrs = self.attrs(aset)
        elif roll < 0.96:
            known = {o.req_value for o in self.genl.ynl.ops.values()}
            cmd = rng.choice([0, max(known) + 1, rng.randint(0, 255)])
            while cmd in known:
                cmd = rng.randint(0, 255)
            name, attrs, kind = f"cmd-{cmd}", self.attrs(oper.attr_set.name), "command"
        else:
            attrs, kind = self.attrs(oper.attr_set.name), "header"
            hdr = rng.choice([{"version": rng.randint(0, 255)},
                             {"reserved": rng.randint(1, 0xffff)}])
        cut = kind == "header" and rng.random() < 0.3
        data = self.genl.message(cmd, attrs, mode == "dump", **hdr)
        if cut:
            # shorter than a genl header: refused by the core
            data = struct.pack("I", 16 + 2) + data[4:16] + data[16:18]
        reply = self.genl.transact(data)
        # what the genl core answers itself, without an extended ACK
        core = -errno.EINVAL if cut else \
            -errno.EOPNOTSUPP if kind == "command" or mode not in oper.yaml \
            else None
        self.judge(f"iteration {i}: {name} {mode} ({kind})", (name, mode), core,
                   reply)

    def judge(self, what, req, core, reply):  # pylint: disable=too-many-branches
        """Record the outcome; remember what breaks the rules."""
        name, mode = req
        key = (name if not name.startswith("cmd-") else "unknown-cmd", mode)
        outcome = reply.errname()
        if not name.startswith("cmd-") and reply.error == 0:
            outcome = f"ok({len(reply.msgs)})" if mode == "dump" else "ACK"
        self.stats.setdefault(key, {}).setdefault(outcome, 0)
        self.stats[key][outcome] += 1

        why = []
        if reply.error is None:
            why.append("no answer")
        elif reply.error > 0 or -reply.error not in SANE:
            why.append(f"errno {reply.error}")
        elif core is not None:
            # or it refused something else first, and said what
            if reply.error != core and \
                    not (reply.error and "msg" in reply.extack):
                why.append(f"the core should refuse it with {-core}")
        elif reply.error and "msg" not in reply.extack and \
                "miss-type" not in reply.extack:
            why.append("error without an extended ACK message")
        if reply.error and core is None:
            kind = "message" if "msg" in reply.extack else \
                "missing attribute" if "miss-type" in reply.extack else "none"
            self.extack[kind] = self.extack.get(kind, 0) + 1
        why += reply.problems
        if why:
            self.failures.append(f"{what}: {', '.join(why)}: {reply.describe()}")

    # --- after the run ----------------------------------------------------

    def still_answers(self):
        """The family still does its job: reads, a write, dumps."""
        genl = self.genl
        out = []
        for name, mode, attrs in (
                ("stats-get", "do", b""),
                ("config-set", "do", genl.encode("config", {"mode": 2, "learn": 0})),
                ("config-get", "do", b""),
                ("sa-get", "dump", b""),
                ("peer-get", "dump", b"")):
            reply = genl.request(genl.op(name).req_value, attrs, mode == "dump")
            good = reply.error == 0 and not reply.problems
            if name in ("stats-get", "config-get"):
                good = good and len(reply.msgs) == 1
            out.append((name, mode, good, reply.describe()))
        joined = genl.join(genl.groups.get("events", 0))
        out.append(("events", "join", joined == 0, f"{joined}"))
        return out


class Dumps:
    """Big peer dumps: cut short, raced with a change, and whole."""

    def __init__(self, genl, rng):
        self.genl = genl
        self.rng = rng
        self.peer_set = genl.op("peer-set").req_value
        self.peer_get = genl.op("peer-get").req_value
        self.sa_get = genl.op("sa-get").req_value
        self.saddr_type = genl.ynl.attr_sets["peer"]["saddr"].value

    def add_peer(self, i, genl=None):
        """peer-set for peer number I (2001:db8:fe::I); the reply."""
        saddr = ipaddress.ip_address(f"2001:db8:fe::{i:x}").packed
        attrs = self.genl.encode("peer", {
            "family": socket.AF_INET6, "saddr": saddr,
            "daddr": ipaddress.ip_address("2001:db8:1::2").packed,
            "encap-type": 2, "encap-sport": 4500, "encap-dport": 4500,
            "orig-saddr": ipaddress.ip_address("2001:db8:ff::1").packed})
        return (genl or self.genl).request(self.peer_set, attrs)

    def sock(self):
        """A bound generic netlink socket, for one dump."""
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                             NETLINK_GENERIC)
        sock.bind((0, 0))
        sock.settimeout(10.0)
        return sock

    def read(self, sock, limit=None):
        """Messages of a dump: ([(flags, attribute bytes)], the end's
        error or None, whether any message had NLM_F_DUMP_INTR).  LIMIT:
        stop after that many reads."""
        msgs, end, intr, reads = [], None, False, 0
        while end is None and (limit is None or reads < limit):
            buf = sock.recv(1 << 16)
            reads += 1
            off = 0
            while off + 16 <= len(buf):
                mlen, mtype, mflags = struct.unpack_from("IHH", buf, off)
                if mlen < 16:
                    raise ValueError(f"message length {mlen}")
                intr |= bool(mflags & NLM_F_DUMP_INTR)
                body = buf[off + 16:off + mlen]
                if mtype in (NLMSG_DONE, NLMSG_ERROR):
                    end = struct.unpack_from("i", body)[0]
                else:
                    msgs.append((mflags, body[4:]))
                off += (mlen + 3) & ~3
        return msgs, end, intr

    def start(self, cmd):
        """A socket with a dump of CMD under way."""
        sock = self.sock()
        sock.send(self.genl.message(cmd, b"", True))
        return sock

    def run(self):
        """The checks; a list of what went wrong."""
        bad = []
        refused = [i for i in range(1, DUMP_PEERS + 1)
                   if self.add_peer(i).error != 0]
        if refused:
            return [f"peer-set refused {len(refused)} of {DUMP_PEERS} peers"]
        # cut short: the socket closed after the first read, or after a few
        for i in range(40):
            sock = self.start(self.rng.choice([self.peer_get, self.sa_get]))
            try:
                self.read(sock, limit=1 + i % 3)
            finally:
                sock.close()
        # a second dump on a socket with one under way: refused, and the
        # first one goes on to its end
        sock = self.start(self.peer_get)
        try:
            first, _, _ = self.read(sock, limit=1)
            sock.send(self.genl.message(self.peer_get, b"", True))
            more, end, _ = self.read(sock)
            # the refusal (EBUSY) may end the read before the dump's DONE
            if end not in (0, -errno.EBUSY):
                bad.append(f"dump with a second one sent: end {end}")
            print(f"# peer dump with a second dump sent after {len(first)} "
                  f"entries: end {end}, {len(first) + len(more)} entries")
        finally:
            sock.close()
        # a change between two parts of a dump: flagged NLM_F_DUMP_INTR
        sock = self.start(self.peer_get)
        try:
            first, _, _ = self.read(sock, limit=1)
            reply = self.add_peer(DUMP_PEERS + 1)
            rest, end, intr = self.read(sock)
            print(f"# peer dump with a peer-set after {len(first)} entries: "
                  f"end {end}, {len(first) + len(rest)} entries, "
                  f"{'NLM_F_DUMP_INTR' if intr else 'not flagged'}")
            if reply.error != 0 or end != 0 or not intr:
                bad.append(f"peer dump raced with peer-set: peer-set "
                           f"{reply.describe()}, end {end}, flagged {intr}")
        finally:
            sock.close()
        # whole, with nothing changing: every peer once, not flagged
        sock = self.start(self.peer_get)
        try:
            msgs, end, intr = self.read(sock)
        finally:
            sock.close()
        seen = {}
        for _, raw in msgs:
            for atype, _, payload in parse_attrs(raw):
                if atype == self.saddr_type and payload[:6] == bytes.fromhex("20010db800fe"):
                    idx = int.from_bytes(payload[-2:], "big")
                    seen[idx] = seen.get(idx, 0) + 1
        want = set(range(1, DUMP_PEERS + 2))
        twice = [k for k, v in seen.items() if v != 1]
        print(f"# whole peer dump: {len(msgs)} entries, {len(seen)} of the "
              f"{len(want)} added, end {end}, "
              f"{'NLM_F_DUMP_INTR' if intr else 'not flagged'}")
        if end != 0 or intr or set(seen) != want or twice:
            bad.append(f"whole peer dump: end {end}, flagged {intr}, "
                       f"missing {len(want - set(seen))}, repeated {len(twice)}")
        return bad


def scalar_fmt(attr):
    """struct format of an integer attribute."""
    return {"u8": "B", "u16": "H", "u32": "I", "u64": "Q",
            "s8": "b", "s16": "h", "s32": "i", "s64": "q"}[attr.type]


def parse_sa(text):
    """FAMILY,DADDR,SPI -> (AF_*, packed address, spi)."""
    fam, daddr, spi = text.split(",")
    family = socket.AF_INET if fam == "4" else socket.AF_INET6
    return family, ipaddress.ip_address(daddr).packed, int(spi, 0)


def run(args):
    """Fuzz; return the fuzzer with its statistics."""
    rng = random.Random(args.seed)
    genl = Genl(args.ynl, args.spec)
    fuzz = Fuzzer(genl, rng, args.sa)
    start = time.monotonic()
    for i in range(args.iterations):
        fuzz.one(i)
        if i % 50 == 0:
            # joining groups, the events one and others, now and then
            genl.join(rng.choice([genl.groups.get("events", 0), 0, 1, 31, 32, 64,
                                  rng.randint(0, 1 << 16)]))
    fuzz.took = time.monotonic() - start
    return fuzz


def verdict(fuzz):
    """Print the statistics; the list of what went wrong."""
    for (name, mode), outcomes in sorted(fuzz.stats.items()):
        text = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        print(f"# {name} {mode}: {text}")
    print("# extended ACKs of the family's refusals: " +
          ", ".join(f"{k} {v}" for k, v in sorted(fuzz.extack.items())))
    bad = list(fuzz.failures)
    # every command of the spec was accepted at least once where it has
    # that mode: the fuzzer reached the module's code, not only the policy
    for oper in fuzz.ops:
        for mode in ("do", "dump"):
            got = fuzz.stats.get((oper.name, mode), {})
            if mode in oper.yaml and \
                    not any(k == "ACK" or k.startswith("ok(") for k in got):
                bad.append(f"{oper.name} {mode} never accepted: {got}")
    for name, mode, good, text in fuzz.still_answers():
        print(f"# after the run: {name} {mode}: {text}")
        if not good:
            bad.append(f"after the run, {name} {mode} failed: {text}")
    return bad


def main():
    """Run the fuzzer."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--ynl", required=True, help="the kernel's tools/net/ynl/cli.py")
    parser.add_argument("--spec", required=True, help="module/xfrm_csum.yaml")
    parser.add_argument("--seed", type=int, default=4500)
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--sa", action="append", default=[], type=parse_sa,
                        help="an SA that exists: 4|6,DADDR,SPI")
    args = parser.parse_args()

    print(f"# nl_fuzz: seed {args.seed}, {args.iterations} iterations", flush=True)
    fuzz = run(args)
    print(f"# {args.iterations} requests in {fuzz.took:.1f} s")
    bad = verdict(fuzz)
    start = time.monotonic()
    bad += Dumps(fuzz.genl, fuzz.rng).run()
    print(f"# dump checks in {time.monotonic() - start:.1f} s")
    for line in bad[:50]:
        print(f"# FAIL {line}")
    if len(bad) > 50:
        print(f"# ... and {len(bad) - 50} more")
    fuzz.genl.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
