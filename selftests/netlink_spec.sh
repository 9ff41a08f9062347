#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's generic netlink family as module/xfrm_csum.yaml describes
# it, driven by the kernel's own YNL CLI (tools/net/ynl/pyynl/cli.py of
# the 7.2 source, the series' base), with the spec validated against the
# kernel's genetlink-legacy schema:
# - the spec is valid, and for every operation the kernel's policy (the
#   controller's policy dump) has exactly the request attributes the spec
#   lists, with the spec's types, ranges and minimum lengths;
# - every do and dump operation runs at least once and answers with the
#   attributes the spec lists for its reply: stats-get, config-get,
#   config-set, sa-get (do and dump), sa-set, peer-get (dump), peer-set;
#   values round-trip (settings, original addresses, the NAT difference
#   K they imply, IPv4 and IPv6);
# - requests the module must refuse are refused with the kernel's extack
#   message, and change nothing;
# - the events group delivers an event-ntf the CLI decodes: a mismatch
#   from a packet corrupted on the wire.

source "$(dirname "$0")/ipsec_lib.sh"

KSRC=${XFRM_CSUM_KSRC:-$SELFTEST_DIR/../build/src/linux-source-7.2}
YNL_CLI=$KSRC/tools/net/ynl/pyynl/cli.py
YNL_SCHEMA=$KSRC/Documentation/netlink/genetlink-legacy.yaml
# module_lib.sh's helpers use the same client
# shellcheck disable=SC2034
XCSUM_YNL=$YNL_CLI

source "$(dirname "$0")/module_lib.sh"

# The read-only tree the guest sees: no byte code written next to it;
# notifications written as they come
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

[ -f "$YNL_SCHEMA" ] || ksft_skip_all "no genetlink-legacy schema in $KSRC"
require_cmd python3 tc encap_sock udp_stream
xcsum_require mode=drop

# jq_py EXPR: a Python expression over the JSON on stdin (d), printed
jq_py() {
	python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

# fields KEY...: the values of KEYs of the JSON object on stdin, "-" for
# an absent one, on one line
fields() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(str(d.get(k, "-")) for k in sys.argv[1:]))' "$@"
}

# keys [KEY]: the keys of the JSON object on stdin (or of its member
# KEY), sorted, on one line
keys() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in sys.argv[1:]:
    d = d[k]
print(" ".join(sorted(d)))' "$@"
}

# spec_attrs OP MODE: the attributes the spec lists for OP's MODE
# ("do-request", "do-reply", "dump-reply", "event-attributes"), sorted,
# on one line
spec_attrs() {
	python3 - "$XCSUM_SPEC" "$1" "$2" <<'PY'
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
op = next(o for o in spec["operations"]["list"] if o["name"] == sys.argv[2])
mode, part = sys.argv[3].split("-", 1)
node = op[mode] if part == "attributes" else op[mode][part]
print(" ".join(sorted(node["attributes"])))
PY
}

# set_attrs SET: the attributes of an attribute set but pad, sorted
set_attrs() {
	python3 - "$XCSUM_SPEC" "$1" <<'PY'
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
aset = next(s for s in spec["attribute-sets"] if s["name"] == sys.argv[2])
print(" ".join(sorted(a["name"] for a in aset["attributes"]
                      if a["name"] != "pad")))
PY
}

# expect_eq NAME GOT WANT [DETAIL]: one result from a comparison
expect_eq() {
	if [ "$2" = "$3" ]; then
		ktap_pass "$1"
	else
		ktap_fail "$1" "got '$2', want '$3'"
		[ -n "${4:-}" ] && ktap_msg "  $4"
	fi
	return 0
}

# refused NAME MSG ARGS...: the CLI exits 1 and prints the kernel's
# extack message MSG (ERE)
refused() {
	local name=$1 msg=$2 out rc

	shift 2
	out=$(xcsum_nl "$NS1" "$@" 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -qE "^Netlink error: .*$msg" <<< "$out"; then
		ktap_pass "$name"
		ktap_msg "  $(grep -m1 '^Netlink error' <<< "$out")"
	else
		ktap_fail "$name" "exit $rc, expected extack /$msg/"
		while read -r line; do ktap_msg "  $line"; done <<< "$out"
	fi
}

# an inbound ESP-in-UDP transport SA in NS (no traffic needed: sa-set
# creates the module's entry)
state_add() {
	local ns=$1 src=$2 dst=$3 spi=$4 mode=${5:-transport} encap=()

	[ "$mode" = transport ] &&
		encap=(encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" "$6")
	ip -n "$ns" xfrm state add src "$src" dst "$dst" proto esp spi "$spi" \
		reqid 7 mode "$mode" "${encap[@]}" \
		enc 'ecb(cipher_null)' '' auth digest_null ''
}

ktap_header

# --- the spec and the kernel's policies ------------------------------------

if python3 "$YNL_CLI" --spec "$XCSUM_SPEC" --schema "$YNL_SCHEMA" \
	--validate; then
	ktap_pass "spec: valid against genetlink-legacy.yaml"
else
	ktap_fail "spec: valid against genetlink-legacy.yaml"
fi

setup_ns NS1 NS2 || { ktap_fail "namespaces"; ktap_finish; }

# Per operation and mode: the request attributes of the spec against the
# kernel's policy, and the spec's checks against the policy's ranges.
out=$(ip netns exec "$NS1" python3 - "$YNL_CLI" "$XCSUM_SPEC" <<'PY'
import os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
from lib import YnlFamily, YnlException
ynl = YnlFamily(sys.argv[2], "")
types = {"u8": "u8", "u16": "u16", "u32": "u32", "u64": "u64",
         "binary": "binary", "flag": "flag", "nest": "nested"}
bad = []
n = 0
for name, op in ynl.ops.items():
    for mode in ("do", "dump"):
        if mode not in op.yaml:
            continue
        req = op.yaml[mode].get("request", {}).get("attributes", [])
        try:
            pol = ynl.get_policy(name, mode)
        except YnlException as e:
            # ENODATA: the operation has no policy, takes no attributes
            if "-61" not in str(e):
                raise
            pol = None
        have = set(pol.to_dict()) if pol else set()
        n += 1
        # The policy dump has no case for NLA_BE16/NLA_BE32 and leaves
        # them out (net/netlink/policy.c, up to 7.2 at least): the
        # big-endian integers may be missing, nothing else may
        be = {a for a in req
              if op.attr_set[a].yaml.get("byte-order") == "big-endian"}
        if not have <= set(req) or set(req) - be - have:
            bad.append(f"{name} {mode}: kernel {sorted(have)}, spec {sorted(req)}")
            continue
        for a in have:
            spec = op.attr_set[a]
            p = pol[a]
            if types.get(spec.type, spec.type) != p.type:
                bad.append(f"{name} {mode} {a}: type {p.type}, spec {spec.type}")
            checks = spec.yaml.get("checks", {})
            for key, prop in (("min", "min-value"), ("max", "max-value"),
                              ("min-len", "min-length")):
                # a binary's minimum alone (NLA_POLICY_MIN_LEN) is not
                # dumped either, only ranges are
                if (key == "min-len" and "max-len" not in checks and
                        p.to_dict().get(prop) is None):
                    continue
                if key in checks and p.to_dict().get(prop) != checks[key]:
                    bad.append(f"{name} {mode} {a}: {prop} "
                               f"{p.to_dict().get(prop)}, spec {checks[key]}")
print(f"ops={n}")
for b in bad:
    print("bad: " + b)
PY
)
rc=$?
while read -r line; do ktap_msg "  $line"; done <<< "$out"
expect_eq "policies: request attributes, types and checks match the spec" \
	"$rc $(grep -c '^bad:' <<< "$out")" "0 0"

# --- namespace operations ---------------------------------------------------

out=$(xcsum_nl "$NS1" --do stats-get)
expect_eq "stats-get: the spec's reply attributes" \
	"$(keys <<< "$out")" "$(spec_attrs stats-get do-reply)" "$out"
expect_eq "stats-get: all 0 in a new namespace" \
	"$(jq_py 'sum(d.values())' <<< "$out")" 0 "$out"

out=$(xcsum_nl "$NS1" --do config-get)
default_config=$out
expect_eq "config-get: the spec's reply attributes" \
	"$(keys <<< "$out")" "$(spec_attrs config-get do-reply)" "$out"
expect_eq "config-get: the defaults" \
	"$(fields mode learn confirm-packets <<< "$out")" "drop confirm 2"

xcsum_nl "$NS1" --do config-set --json '{"mode": "audit", "learn": "strict",
	"confirm-packets": 5, "event-rate": 7, "event-snaplen": 100}' >/dev/null
out=$(xcsum_nl "$NS1" --do config-get)
expect_eq "config-set: every setting changed, as config-get reads it" \
	"$(fields mode learn confirm-packets event-rate event-snaplen <<< "$out")" \
	"audit strict 5 7 100"
expect_eq "config-set: another namespace keeps its settings" \
	"$(xcsum_nl "$NS2" --do config-get)" "$default_config"

before=$(xcsum_nl "$NS1" --do config-get)
refused "config-set confirm-packets 1: refused by the policy" \
	"integer out of range" --do config-set --json '{"confirm-packets": 1}'
refused "config-set with nothing to set: refused" "nothing to set" \
	--do config-set --json '{}'
expect_eq "refused config-set requests changed nothing" \
	"$(xcsum_nl "$NS1" --do config-get)" "$before"
xcsum_nl "$NS1" --do config-set --json '{"mode": "drop", "learn": "confirm",
	"confirm-packets": 2}' >/dev/null

# --- SAs and peers ----------------------------------------------------------

# hex ADDR: an address as the CLI takes and prints binary attributes
hex() {
	xcsum_addr_hex "$1"
}

# sa_json FAMILY DADDR SPI [MORE]: the attributes that name an SA
sa_json() {
	echo "{\"family\": $1, \"daddr\": \"$(hex "$2")\", \"spi\": $(($3))${4:+, $4}}"
}

# The peer 198.51.100.2 behind a NAT seen as 203.0.113.1, we are 192.0.2.2
# and the peer sent to 198.51.100.1 (our NAT); the same in IPv6.
state_add "$NS1" 203.0.113.1 192.0.2.2 0x100 transport 0.0.0.0
state_add "$NS1" 2001:db8:b::1 2001:db8:1::2 0x106 transport ::
state_add "$NS1" 203.0.113.1 192.0.2.2 0x200 tunnel

refused "sa-get of an SA that does not exist: refused" \
	"no ESP SA with this daddr, spi and mark" \
	--do sa-get --json "$(sa_json 2 192.0.2.2 0xfff)"

xcsum_nl "$NS1" --do sa-set --json "$(sa_json 2 192.0.2.2 0x100 \
	"\"orig-saddr\": \"$(hex 198.51.100.2)\", \"orig-daddr\": \"$(hex 198.51.100.1)\"")" \
	>/dev/null
out=$(xcsum_nl "$NS1" --do sa-get --json "$(sa_json 2 192.0.2.2 0x100)")
expect_eq "sa-set, sa-get IPv4: static, the original addresses, K from them" \
	"$(fields nat-state orig-saddr orig-daddr nat-k encap-type encap-dport <<< "$out")" \
	"static $(hex 198.51.100.2) $(hex 198.51.100.1) $(xcsum_expected_k 198.51.100.2 198.51.100.1) 2 $ENCAP_PORT" \
	"$out"
expect_eq "sa-get: the spec's reply attributes" \
	"$(keys <<< "$out")" "$(spec_attrs sa-get do-reply)" "$out"
expect_eq "sa-get: the per-SA counters of sa-stats" \
	"$(keys stats <<< "$out")" "$(set_attrs sa-stats)" "$out"

xcsum_nl "$NS1" --do sa-set --json "$(sa_json 10 2001:db8:1::2 0x106 \
	"\"orig-saddr\": \"$(hex 2001:db8:a::20)\", \"orig-daddr\": \"$(hex 2001:db8:a::1)\"")" \
	>/dev/null
out=$(xcsum_nl "$NS1" --do sa-get --json "$(sa_json 10 2001:db8:1::2 0x106)")
expect_eq "sa-set, sa-get IPv6: static, the original addresses, K from them" \
	"$(fields nat-state orig-saddr orig-daddr nat-k <<< "$out")" \
	"static $(hex 2001:db8:a::20) $(hex 2001:db8:a::1) $(xcsum_expected_k 2001:db8:a::20 2001:db8:a::1)" \
	"$out"

refused "sa-set with an IPv6 address on an IPv4 SA: refused" \
	"address length does not match the family" \
	--do sa-set --json "$(sa_json 2 192.0.2.2 0x100 \
		"\"orig-saddr\": \"$(hex 2001:db8::1)\"")"
# the minimum length the policy dump cannot show (see above), by its effect
refused "sa-set with a 2-byte original address: refused by the policy" \
	"binary attribute size out of range" \
	--do sa-set --json "$(sa_json 2 192.0.2.2 0x100 '"orig-saddr": "c633"')"
refused "sa-set on a tunnel mode SA: refused" \
	"not transport mode with encapsulation" \
	--do sa-set --json "$(sa_json 2 192.0.2.2 0x200 \
		"\"orig-saddr\": \"$(hex 198.51.100.2)\"")"
refused "sa-set with nothing to set: refused" \
	"need orig-saddr, orig-daddr or relearn" \
	--do sa-set --json "$(sa_json 2 192.0.2.2 0x100)"

out=$(xcsum_nl "$NS1" --dump sa-get)
expect_eq "sa-get dump: the two entries" \
	"$(jq_py '" ".join(str(s["spi"]) for s in sorted(d, key=lambda s: s["spi"]))' <<< "$out")" \
	"$((0x100)) $((0x106))" "$out"
expect_eq "sa-get dump: the spec's reply attributes" \
	"$(jq_py '" | ".join(sorted({" ".join(sorted(s)) for s in d}))' <<< "$out")" \
	"$(spec_attrs sa-get dump-reply)"

xcsum_nl "$NS1" --do sa-set --json "$(sa_json 2 192.0.2.2 0x100 '"relearn": true')" \
	>/dev/null
out=$(xcsum_nl "$NS1" --do sa-get --json "$(sa_json 2 192.0.2.2 0x100)")
expect_eq "sa-set relearn: learning, no original addresses, no K" \
	"$(fields nat-state orig-saddr orig-daddr nat-k <<< "$out")" \
	"learning - - -" "$out"

peer="\"family\": 2, \"saddr\": \"$(hex 203.0.113.1)\",
      \"daddr\": \"$(hex 192.0.2.2)\", \"encap-type\": 2,
      \"encap-sport\": 4501, \"encap-dport\": $ENCAP_PORT"
refused "peer-set without original addresses: refused" \
	"need orig-saddr or orig-daddr" --do peer-set --json "{$peer}"
refused "peer-set with an encapsulation type that is none: refused" \
	"encap-type must be ESP-in-UDP" --do peer-set \
	--json "{${peer/\"encap-type\": 2/\"encap-type\": 1},
		 \"orig-saddr\": \"$(hex 198.51.100.2)\"}"
xcsum_nl "$NS1" --do peer-set --json "{$peer,
	\"orig-saddr\": \"$(hex 198.51.100.2)\",
	\"orig-daddr\": \"$(hex 198.51.100.1)\"}" >/dev/null
out=$(xcsum_nl "$NS1" --dump peer-get)
p=$(jq_py 'json.dumps(next((p for p in d if p["encap-sport"] == 4501), {}))' \
	<<< "$out")
expect_eq "peer-set, peer-get: the mapping, static, K from the addresses" \
	"$(fields saddr daddr encap-type encap-sport encap-dport nat-state nat-k <<< "$p")" \
	"$(hex 203.0.113.1) $(hex 192.0.2.2) 2 4501 $ENCAP_PORT static $(xcsum_expected_k 198.51.100.2 198.51.100.1)" \
	"$out"
expect_eq "peer-get: the spec's reply attributes" \
	"$(keys <<< "$p")" "$(spec_attrs peer-get dump-reply)" "$out"
expect_eq "peer-get in another namespace: empty" \
	"$(xcsum_nl "$NS2" --dump peer-get)" "[]"

# --- events -----------------------------------------------------------------

# A's ESP packets corrupted on the wire (tc pedit, with a null cipher)
# are mismatches on B, and events.  (A wrong original address would not
# do: without NAT the module verifies against the addresses it sees.)
ev=$(mktemp)
defer rm -f "$ev"
POISON_EVERY=2
if ! topo_create direct || ! use_family 4 || ! poison_setup pedit -e udp ||
   ! xcsum_nl "$NS_B" --do config-set --json '{"event-snaplen": 64}' >/dev/null
then
	ktap_fail "event-ntf: a mismatch, decoded from the spec" "setup failed"
else
	# the CLI prints each event as it comes (7.x), to a file: unbuffered
	export PYTHONUNBUFFERED=1
	bg_start xcsum_nl "$NS_B" --subscribe events --sleep 300 > "$ev" 2>&1
	# The group's id may be beyond what /proc/net/netlink shows: send
	# until an event comes; every 2nd datagram is corrupted
	for ((i = 0; i < 10; i++)); do
		udp_zero_stream 4 500
		wait_for_line "$ev" '"event-ntf"' 2000 && break
	done
	ev_msg=$(grep -m1 '"event-ntf"' "$ev" |
		 jq_py 'json.dumps(d["msg"])' 2>/dev/null || echo '{}')
	expect_eq "event-ntf: a mismatch, decoded from the spec" \
		"$(fields reason family spi l4-proto dport <<< "$ev_msg") $(jq_py 'len(d["pkt"]) // 2, d["pkt-len"] > 200' <<< "$ev_msg")" \
		"mismatch 2 $((SPI_AB)) 17 $UDP_PORT 64 True" \
		"$(head -c 600 "$ev")"
	expect_eq "event-ntf: the spec's event attributes" \
		"$(keys <<< "$ev_msg")" "$(spec_attrs event-ntf event-attributes)"
fi

ktap_finish
