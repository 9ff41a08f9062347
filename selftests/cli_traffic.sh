#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm-csum against the module while the AES-GCM injector corrupts traffic
# through a real NAT (ESP-in-UDP transport mode, no encap_oa: the SA learns
# its NAT difference K with the default learn confirm), UDP over IPv4 and
# IPv6, TCP over IPv4:
#
# - monitor --pcap in the receiver's namespace gets one event per mismatch
#   event the module counted, naming the SA, the NATed peer and the 5-tuple,
#   numbered without gaps; tcpdump -r decodes the pcap as the inner UDP
#   datagrams or TCP segments, and every record holds a non-zero byte (the
#   corruption) of a zero stream;
# - sa names the corrupting peer: its mismatches equal the packets the
#   injector corrupted, K is confirmed, and the peer table holds it;
# - stats, sa, sysfs and the Prometheus output agree; the JSON validates
#   against the schema;
# - sa-set --relearn and sa-set --orig-saddr take effect (learning, then
#   static) and a clean stream afterwards passes with no new mismatch;
#   peer-set gives the peer's mapping the same static K.

source "$(dirname "$0")/ipsec_lib.sh"

XC=${XFRM_CSUM_CLI:-$SELFTEST_DIR/../tools/xfrm-csum/xfrm-csum}
TOOLTESTS=$SELFTEST_DIR/../tools/xfrm-csum/tests
SCHEMA=$TOOLTESTS/../xfrm-csum.schema.json

require_root
require_cmd ip nft socat python3 tcpdump encap_sock udp_stream

ktap_header
cli_module_setup

check() {
	local name=$1

	shift
	if "$@"; then
		ktap_pass "$name"
	else
		ktap_fail "$name"
	fi
}

# jq-like access with python: jget EXPR < JSON
jget() {
	python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

# valid DEF [--lines] < JSON: the output validates against the schema.
valid() {
	python3 "$TOOLTESTS/json-check.py" "$SCHEMA" "$@" -
}

file_size_ge() {
	[ "$(stat -c %s "$1")" -ge "$2" ]
}

# The SA entry of SPI in B, as JSON.
sa_json() {
	"$XC" -n "$NS_B" -j sa spi "$1" | jget 'json.dumps(d[0]) if d else "{}"'
}

run_case() {
	local fam=$1 proto=$2
	local pfx="ipv$fam $proto" mon ev pcap sa st mism events nev ok port unconf

	topo_create nat && use_family "$fam" || { ktap_fail "$pfx: topology"; return; }
	"$XC" -n "$NS_B" set mode drop event-rate 100000 event-snaplen 128 ||
		{ ktap_fail "$pfx: set"; return; }

	ev=$(mktemp) pcap=$(mktemp) mon=$(mktemp)
	defer rm -f "$ev" "$pcap" "$mon"
	"$XC" -n "$NS_B" -j monitor --pcap "$pcap" > "$ev" 2> "$mon" &
	local mpid=$!
	if ! busywait 10000 file_size_ge "$pcap" 24; then
		kill $mpid; wait $mpid 2>/dev/null
		wait $mpid
		ktap_msg "monitor exit $?, pcap $(stat -c %s "$pcap") bytes"
		sed 's/^/# /' "$mon"
		case_abort "$pfx: starting the monitor"
		return
	fi

	# A second listener in human format that stops by itself after 3 events.
	local ev3 m3pid
	ev3=$(mktemp)
	defer rm -f "$ev3"
	"$XC" -n "$NS_B" monitor --count 3 > "$ev3" 2>&1 &
	m3pid=$!

	POISON_EVERY=10
	POISON_UDP_COUNT=200
	POISON_TCP_BYTES=300000
	port=$([ "$proto" = udp ] && echo $UDP_PORT || echo $TCP_PORT)
	if ! poison_setup aead -e udp; then
		kill $mpid; wait $mpid 2>/dev/null
		case_abort "$pfx: SA and injector setup"
		return
	fi
	if ! poison_transfer "$proto"; then
		kill $mpid; wait $mpid 2>/dev/null
		case_abort "$pfx: poisoned transfer"
		return
	fi
	sleep 0.5
	kill -TERM $mpid
	wait $mpid
	check "$pfx: monitor exits 0 on SIGTERM" test $? = 0
	busywait 5000 eval '! kill -0 $m3pid 2>/dev/null'
	if kill -0 $m3pid 2>/dev/null; then
		kill $m3pid
		ktap_fail "$pfx: monitor --count 3 did not stop by itself"
	else
		wait $m3pid
		check "$pfx: monitor --count 3 exits 0 after 3 events" test $? = 0
	fi
	sed 's/^/# monitor --count 3: /' "$ev3"
	check "$pfx: monitor human lines name time, SA, peer and ports" \
		test "$(grep -cE "^[0-9T:.-]+Z mismatch ipv$fam spi 0x0a0b0001 from $SEEN_A to $ADDR_B $proto [0-9]+ > $port csum 0x[0-9a-f]{4}" "$ev3")" = 3
	sed 's/^/# monitor: /' "$mon"
	ktap_msg "$pfx: injected=$INJECTED delivered_bad=$BAD missing=$SHORT"

	sa=$(sa_json "$SPI_AB")
	st=$("$XC" -n "$NS_B" -j stats)
	mism=$(jget 'd.get("stats", {}).get("mismatch", -1)' <<< "$sa")
	events=$(jget 'd["netns"]["events"]' <<< "$st")
	nev=$(grep -c . "$ev")
	ktap_msg "$pfx: sa: $sa"
	"$XC" -n "$NS_B" sa | sed 's/^/# /'

	check "$pfx: injector corrupted packets" test "${INJECTED:-0}" -gt 0
	check "$pfx: nothing corrupt delivered in drop mode" test "$BAD" = 0
	[ "$proto" = tcp ] &&
		check "$pfx: TCP stream complete (retransmitted)" test "$SHORT" = 0
	check "$pfx: sa names the corrupting peer $SEEN_A" \
		test "$(jget 'd.get("peer"), d.get("local"), d.get("family")' <<< "$sa")" = \
			"$SEEN_A $ADDR_B ipv$fam"
	check "$pfx: sa mismatches ($mism) = packets corrupted ($INJECTED)" \
		test "$mism" = "$INJECTED"
	check "$pfx: sa NAT difference confirmed, last mismatch set" \
		test "$(jget 'd.get("nat_state"), d.get("last_mismatch", 0) > 0, "nat_k" in d' <<< "$sa")" = \
			"confirmed True True"
	check "$pfx: sa -j matches the schema" valid sa_list <<< "[$sa]"
	check "$pfx: stats -j matches the schema" valid stats <<< "$st"
	check "$pfx: netns mismatch = sa mismatch" \
		test "$(jget 'd["netns"]["mismatch"]' <<< "$st")" = "$mism"
	check "$pfx: global (sysfs) mismatch >= netns" \
		test "$(jget 'd["global"]["mismatch"]' <<< "$st")" -ge "$mism"
	check "$pfx: events + suppressed = mismatches" \
		test "$(jget 'd["netns"]["events"] + d["netns"]["events_suppressed"]' <<< "$st")" = "$mism"
	# The peer table holds the confirmed K of the NAT mapping.
	local peers
	peers=$("$XC" -n "$NS_B" -j peer)
	ktap_msg "$pfx: peers: $peers"
	check "$pfx: peer -j matches the schema" valid peer_list <<< "$peers"
	check "$pfx: peer table: the mapping of $SEEN_A with the SA's K, confirmed" \
		test "$(python3 -c '
import json, sys
sa, peers = json.loads(sys.argv[1]), json.loads(sys.argv[2])
m = [p for p in peers if p["peer"] == sa["peer"] and p["local"] == sa["local"] and
     p["encap"] == sa["encap"] and p["encap_sport"] == sa["encap_sport"] and
     p["encap_dport"] == sa["encap_dport"]]
print(len(m), m[0]["nat_state"] if m else "-", m and m[0]["nat_k"] == sa["nat_k"])
' "$sa" "$peers")" = "1 confirmed True"
	check "$pfx: monitor printed every event sent ($nev of $events)" \
		test "$nev" = "$events" -a "$nev" -gt 0
	ok=$(python3 - "$ev" "$SPI_AB" "$SEEN_A" "$ADDR_B" "$fam" "$port" "$proto" <<-'EOF'
	import ipaddress, json, sys
	path, spi, saddr, daddr, fam, port, proto = sys.argv[1:]
	n = 0
	for line in open(path):
	    e = json.loads(line)
	    assert int(e["spi"], 16) == int(spi, 16), e
	    assert ipaddress.ip_address(e["saddr"]) == ipaddress.ip_address(saddr), e
	    assert ipaddress.ip_address(e["daddr"]) == ipaddress.ip_address(daddr), e
	    assert e["family"] == "ipv" + fam and e["proto"] == proto, e
	    assert e["dport"] == int(port) and e["reason"] == "mismatch", e
	    n += 1
	print(n)
	EOF
	)
	check "$pfx: events name SA, peer and 5-tuple" test "$ok" = "$nev"
	check "$pfx: monitor -j matches the schema" valid event --lines < "$ev"
	check "$pfx: events numbered without gaps" \
		python3 -c '
import json, sys
seq = [json.loads(l)["seq"] for l in open(sys.argv[1])]
sys.exit(any((b - a) % 2**32 != 1 for a, b in zip(seq, seq[1:])))' "$ev"
	check "$pfx: monitor reported no missed events" \
		test "$(grep -c "missed before seq" "$mon")" = 0

	# The capture: tcpdump decodes it; every record is a corrupted zero stream.
	local dump
	dump=$(tcpdump -nr "$pcap" 2>&1)
	echo "$dump" | head -3 | sed 's/^/# /'
	check "$pfx: tcpdump -r decodes $nev $proto packets $SEEN_A -> $ADDR_B.$port" \
		test "$(grep -cE "^[0-9:.]+ IP6? $SEEN_A\.[0-9]+ > $ADDR_B\.$port: (UDP|Flags)" <<< "$dump")" = "$nev"
	ok=$(python3 - "$pcap" "$fam" "$proto" <<-'EOF'
	import struct, sys
	data = open(sys.argv[1], 'rb').read()
	magic, _, _, _, _, _, link = struct.unpack('<IHHiIII', data[:24])
	assert magic == 0xa1b2c3d4 and link == 101
	off, n = 24, 0
	while off < len(data):
	    _, _, cap, length = struct.unpack('<IIII', data[off:off + 16])
	    pkt = data[off + 16:off + 16 + cap]
	    off += 16 + cap
	    hl = 20 if sys.argv[2] == '4' else 40
	    assert pkt[0] >> 4 == int(sys.argv[2])
	    l4 = 17 if sys.argv[3] == 'udp' else 6
	    assert (pkt[9] if hl == 20 else pkt[6]) == l4
	    l4len = 8 if l4 == 17 else (pkt[hl + 12] >> 4) * 4
	    assert any(pkt[hl + l4len:]), 'record %d: payload all zeros' % n
	    n += 1
	print(n)
	EOF
	)
	check "$pfx: every pcap record holds the corruption ($ok records)" test "$ok" = "$nev"

	# Prometheus agrees with the table.
	local prom
	prom=$(mktemp)
	defer rm -f "$prom"
	"$XC" -n "$NS_B" stats --format prometheus > "$prom"
	check "$pfx: prometheus output well-formed" \
		python3 "$TOOLTESTS/prom-lint.py" --netns "$NS_B" "$prom"
	check "$pfx: prometheus per-SA mismatches labelled by peer" \
		grep -qxF "xfrm_csum_sa_packets_mismatched_total{netns=\"$NS_B\",family=\"ipv$fam\",spi=\"$(printf 0x%08x $SPI_AB)\",mark=\"0x0\",peer=\"$SEEN_A\",local=\"$ADDR_B\"} $mism" "$prom"
	check "$pfx: prometheus per-SA NAT state" \
		grep -qxF "xfrm_csum_sa_nat_state{netns=\"$NS_B\",family=\"ipv$fam\",spi=\"$(printf 0x%08x $SPI_AB)\",mark=\"0x0\",peer=\"$SEEN_A\",local=\"$ADDR_B\",state=\"confirmed\"} 1" "$prom"

	# --relearn: learning again, then confirmed by a clean stream; with
	# confirm-packets 2 only the first datagram is dropped, unconfirmed.
	unconf=$(jget 'd["stats"]["unconfirmed"]' <<< "$sa")
	"$XC" -n "$NS_B" sa-set spi "$SPI_AB" dst "$ADDR_B" --relearn
	check "$pfx: sa-set --relearn -> learning, no K" \
		test "$(sa_json "$SPI_AB" | jget 'd.get("nat_state"), "nat_k" in d')" = "learning False"
	udp_zero_stream 30 1000
	sa=$(sa_json "$SPI_AB")
	check "$pfx: clean stream after relearn: confirmed, no new mismatch, 1 unconfirmed" \
		test "$(jget 'd.get("nat_state"), d["stats"]["mismatch"], d["stats"]["unconfirmed"] - '"$unconf" <<< "$sa") $UDP_RECEIVED" = \
			"confirmed $mism 1 29"

	# --orig-saddr: static, computed from A's real address; a clean stream
	# verifies from its first datagram.
	"$XC" -n "$NS_B" sa-set spi "$SPI_AB" dst "$ADDR_B" --orig-saddr "$ADDR_A"
	sa=$(sa_json "$SPI_AB")
	check "$pfx: sa-set --orig-saddr $ADDR_A -> static, our side taken as seen" \
		test "$(jget 'd.get("nat_state"), d.get("orig_saddr"), d.get("orig_daddr")' <<< "$sa")" = \
			"static $ADDR_A None"
	unconf=$(jget 'd["stats"]["unconfirmed"]' <<< "$sa")
	udp_zero_stream 30 1000
	sa=$(sa_json "$SPI_AB")
	check "$pfx: clean stream with the original address: nothing dropped" \
		test "$(jget 'd["stats"]["mismatch"], d["stats"]["unconfirmed"] - '"$unconf" <<< "$sa") $UDP_RECEIVED" = \
			"$mism 0 30"

	# peer-set: the mapping's K from the same original address.
	"$XC" -n "$NS_B" peer-set src "$SEEN_A" dst "$ADDR_B" encap udp \
		sport "$(jget 'd["encap_sport"]' <<< "$sa")" \
		dport "$(jget 'd["encap_dport"]' <<< "$sa")" --orig-saddr "$ADDR_A"
	check "$pfx: peer-set: the mapping is static with the SA's K" \
		test "$("$XC" -n "$NS_B" -j peer | python3 -c '
import json, sys
sa = json.loads(sys.argv[1])
m = [p for p in json.load(sys.stdin) if p["peer"] == sa["peer"]]
print(len(m), m[0]["nat_state"], m[0]["nat_k"] == sa["nat_k"])' "$sa")" = "1 static True"
	cleanup_all
}

# "FAMILY PROTO" cases; XFRM_CSUM_CLI_CASES="4 udp,6 tcp" picks some.
IFS=, read -r -a cases <<< "${XFRM_CSUM_CLI_CASES:-4 udp,6 udp,4 tcp}"
for c in "${cases[@]}"; do
	# shellcheck disable=SC2086
	run_case $c
done
ktap_finish
