#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Who may use the xfrm-csum family: one actor, every command.

  nl_perms.py --ynl CLI --spec YAML --label NAME --expect admin|reader
              --tag N [--unshare] [--sa FAMILY,DADDR,SPI]

Sends each command (stats-get, config-get, config-set, sa-get do and dump,
sa-set, peer-get, peer-set) and joins the "events" group, as whoever runs
it, in the network namespace it runs in.  docs/design.md and the spec say:
reading the counters and the settings is open to everyone; changing
settings, the SA and peer tables and the events (decrypted bytes) need
CAP_NET_ADMIN in the user namespace that owns the network namespace.  So
"reader" expects the first two allowed and everything else refused with
EPERM, "admin" everything allowed (an error other than EPERM counts as
allowed: the module judged the request).

The writes carry the actor's TAG (config-set: event-rate 1000 + TAG;
peer-set: a peer address ending in 100 + TAG), so that the caller can
tell afterwards which of them took effect.  The peer addresses stay clear
of the SA's own mapping, whose peer entry every sa-set relearn forgets.

--unshare opens the socket first, then moves into a new user and network
namespace: the socket still talks to the old network namespace, whose
owner the process no longer has any capability in.

Prints one line per request with the errno and the extended ACK; exits 1
if anything differs from the expectation.
"""

import argparse
import ctypes
import errno
import ipaddress
import os
import socket
import sys

from xcsum_genl import NETLINK_GENERIC, Genl, load_family

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
READS = ("stats-get", "config-get")


def whoami():
    """uid, effective capabilities and namespaces, for the log."""
    caps = "?"
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("CapEff:"):
                caps = line.split()[1]
    user = os.readlink("/proc/self/ns/user")
    net = os.readlink("/proc/self/ns/net")
    return f"uid {os.getuid()} CapEff {caps} {user} {net}"


def requests(genl, sa_id, tag):
    """(name, mode, attributes) of every command, the writes tagged."""
    fam, daddr, spi = sa_id
    alen = len(daddr)
    peer = {"family": fam, "saddr": daddr[:-1] + bytes([100 + tag]),
            "daddr": daddr, "encap-type": 2, "encap-sport": 4500,
            "encap-dport": 4500, "orig-saddr": bytes(alen - 1) + b"\x08"}
    ident = {"family": fam, "daddr": daddr, "spi": spi}
    return [
        ("stats-get", "do", b""),
        ("config-get", "do", b""),
        ("config-set", "do", genl.encode("config", {"event-rate": 1000 + tag})),
        ("sa-get", "do", genl.encode("sa", ident)),
        ("sa-get", "dump", b""),
        ("sa-set", "do", genl.encode("sa", {**ident, "relearn": True})),
        ("peer-get", "dump", b""),
        ("peer-set", "do", genl.encode("peer", peer)),
    ]


def judge(label, what, refused, want_refused, text):
    """Print one result; True if it is as expected."""
    good = refused == want_refused
    want = "refused" if want_refused else "allowed"
    print(f"# {label}: {what}: {text}: {'refused' if refused else 'allowed'}"
          f"{'' if good else ' (want ' + want + ')'}")
    return good


def probe(args, genl, msock):
    """Every command and the group; the number of surprises."""
    fam, daddr, spi = args.sa.split(",")
    sa_id = (socket.AF_INET if fam == "4" else socket.AF_INET6,
          ipaddress.ip_address(daddr).packed, int(spi, 0))
    bad = 0
    for name, mode, attrs in requests(genl, sa_id, args.tag):
        reply = genl.request(genl.op(name).req_value, attrs, mode == "dump")
        sane = reply.error is not None and not reply.problems
        bad += not judge(args.label, f"{name} {mode}",
                         reply.error == -errno.EPERM,
                         args.expect == "reader" and name not in READS,
                         reply.describe()) or not sane
    joined = genl.join(genl.groups["events"], msock)
    text = "ok" if joined == 0 else errno.errorcode.get(-joined, str(joined))
    bad += not judge(args.label, "join events", joined == -errno.EPERM,
                     args.expect == "reader", text) or \
        joined not in (0, -errno.EPERM)
    return bad


def main():
    """Probe and judge."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--ynl", required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--expect", choices=("admin", "reader"), required=True)
    parser.add_argument("--tag", type=int, required=True)
    parser.add_argument("--unshare", action="store_true")
    parser.add_argument("--sa", default="4,192.0.2.2,0x0a0b0001")
    args = parser.parse_args()

    genl = Genl(args.ynl, args.spec, family=load_family(args.ynl, args.spec))
    # for the group: opened (and bound) here, before any unshare
    msock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    msock.bind((0, 0))
    if args.unshare:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET):
            print(f"# {args.label}: unshare: {os.strerror(ctypes.get_errno())}")
            return 1
    print(f"# {args.label}: {whoami()}")
    bad = probe(args, genl, msock)
    msock.close()
    genl.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
