#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm_csum.ko in drop mode on ESP-in-UDP transport SAs (direct topology,
# AES-GCM with the corrupting AEAD wrapper): for UDP and TCP, IPv4 and
# IPv6, GRO off and on on the receiving device (both for TCP, where GRO
# would merge segments; one each for UDP),
# - the zero-stream detector sees only zeros (UDP: every corrupted datagram
#   is missing; TCP: the stream is complete, retransmission recovered it);
# - every corrupted packet is counted as a mismatch and dropped, in the
#   namespace totals (netlink), the global totals (sysfs) and the SA entry,
#   and the SA entry names the sending peer;
# - nothing else is counted as a mismatch: correct packets verify.
# XFRM_CSUM_TIER=core runs four of the cases.
# One more case subscribes to the events group and checks a mismatch event
# carries the SA, the 5-tuple and the start of the decrypted packet.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_cmd ip socat xxd ethtool encap_sock udp_stream
xcsum_require mode=drop

POISON_UDP_COUNT=150
POISON_TCP_BYTES=400000

# sysfs totals before a case, to compare with the fresh namespace's figures
sys_before() {
	SYS_MISMATCH0=$(xcsum_sysfs mismatch)
	SYS_DROPPED0=$(xcsum_sysfs dropped)
	SYS_CHECKED0=$(xcsum_sysfs checked)
}

run_case() {
	local fam=$1 proto=$2 gro=$3 name detail mism drop chk sa_mism sa_saddr
	local want_saddr sys_m sys_d sys_c ok=0

	name="drop ipv$fam $proto gro=$gro"
	if ! topo_create direct || ! use_family "$fam" ||
	   ! ip netns exec "$NS_B" ethtool -K "$DEV_B" gro "$gro" >/dev/null 2>&1 ||
	   ! poison_setup aead -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	sys_before
	if ! poison_transfer "$proto"; then
		case_abort "$name" "transfer failed"
		return
	fi
	unset "${!NS0_@}" "${!NS1_@}"
	eval "$(xcsum_query "$NS_B" "$NS_A")"
	local spi=$((SPI_AB))
	mism=$NS0_mismatch drop=$NS0_dropped chk=$NS0_checked
	sys_m=$(( $(xcsum_sysfs mismatch) - SYS_MISMATCH0 ))
	sys_d=$(( $(xcsum_sysfs dropped) - SYS_DROPPED0 ))
	sys_c=$(( $(xcsum_sysfs checked) - SYS_CHECKED0 ))
	eval "sa_mism=\${NS0_SA${spi}_stats_mismatch:-none}"
	eval "sa_saddr=\${NS0_SA${spi}_seen_saddr:-none}"
	want_saddr=$(xcsum_addr_hex "$ADDR_A")
	detail="injected=$INJECTED delivered_bad=$BAD missing=$SHORT"
	detail="$detail checked=$chk mismatch=$mism dropped=$drop sa.mismatch=$sa_mism"
	detail="$detail A.checked=$NS1_checked sysfs(checked=$sys_c mismatches=$sys_m dropped=$sys_d) peer=$sa_saddr"

	[ "${INJECTED:-0}" -gt 0 ] || ok=1
	[ "$BAD" -eq 0 ] || ok=1
	if [ "$proto" = tcp ]; then
		[ "$SHORT" -eq 0 ] || ok=1
	else
		[ "$SHORT" -eq "$INJECTED" ] || ok=1
	fi
	[ "$mism" -eq "$INJECTED" ] && [ "$drop" -eq "$INJECTED" ] || ok=1
	[ "$sa_mism" = "$INJECTED" ] && [ "$sa_saddr" = "$want_saddr" ] || ok=1
	# sysfs totals cover both namespaces (B checks A's data, A B's acks)
	[ "$sys_m" -eq $((mism + NS1_mismatch)) ] &&
		[ "$sys_d" -eq $((drop + NS1_dropped)) ] &&
		[ "$sys_c" -eq $((chk + NS1_checked)) ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	cleanup_all
}

# A mismatch event: SA identity, 5-tuple and the decrypted packet (whole,
# with event-snaplen 1024 and 500-byte datagrams), a valid IPv4 packet as
# the stack sees it, whose UDP checksum is the reported expected one.
run_events() {
	local name="events ipv4 udp" ev res

	if ! topo_create direct || ! use_family 4 || ! poison_setup aead -e udp ||
	   ! xcsum_nl "$NS_B" --do config-set --json '{"event-snaplen": 1024}' >/dev/null; then
		case_abort "$name" "setup failed"
		return
	fi
	ev=$(mktemp)
	defer rm -f "$ev"
	xcsum_nl "$NS_B" --subscribe events --sleep 5 > "$ev" 2>&1 &
	local lpid=$!
	# group ids beyond 31 do not show in /proc: then just wait
	busywait 4000 xcsum_listening "$NS_B" || sleep 1
	udp_zero_stream 100 500
	INJECTED=$(inject_aead_count)
	inject_aead_stop
	wait $lpid
	res=$(python3 - "$ev" "$((SPI_AB))" "$(xcsum_addr_hex "$ADDR_A")" \
		"$(xcsum_addr_hex "$ADDR_B")" "$UDP_PORT" <<'PY'
import json, sys
path, spi, saddr, daddr, dport = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
text = open(path).read().strip().splitlines()
msgs = json.loads(text[-1]) if text else []
def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return t
good = exact = 0
for m in msgs:
    e = m.get("msg", {})
    pkt = e.get("pkt", "")
    if (m.get("name") == "event-ntf" and e.get("spi") == spi and
        e.get("saddr") == saddr and e.get("daddr") == daddr and
        e.get("dport") == dport and e.get("l4-proto") == 17 and
        pkt.startswith("45") and pkt[18:20] == "11" and
        pkt[24:32] == saddr and pkt[32:40] == daddr):
        good += 1
        p = bytes.fromhex(pkt)
        udp = bytearray(p[20:])
        if len(p) != e.get("pkt-len") or csum(p[:20]) != 0xffff:
            continue
        udp[6:8] = b"\0\0"
        pseudo = p[12:20] + bytes([0, 17]) + len(udp).to_bytes(2, "big")
        want = (~csum(pseudo + bytes(udp))) & 0xffff or 0xffff
        if want == e.get("csum-expected") and want != e.get("csum"):
            exact += 1
print(f"events={len(msgs)} matching={good} complete_and_expected_csum_right={exact}")
PY
)
	xcsum_check "$name" "echo '$res' | grep -q 'matching=\([1-9][0-9]*\) .*right=\1$'" \
		"$res injected=$INJECTED suppressed=$(xcsum_stat "$NS_B" events-suppressed)"
	cleanup_all
}

ktap_header
if [ "${XFRM_CSUM_TIER:-full}" = core ]; then
	# the other kernels: one case per family and protocol, GRO on for TCP
	ktap_plan 4
	run_case 4 udp off
	run_case 4 tcp on
	run_case 6 tcp on
	run_events
else
	ktap_plan 7
	run_case 4 udp off
	run_case 4 tcp off
	run_case 4 tcp on
	run_case 6 udp on
	run_case 6 tcp off
	run_case 6 tcp on
	run_events
fi
ktap_finish
