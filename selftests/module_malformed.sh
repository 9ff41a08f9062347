#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed and unusual packets through a real ESP-in-UDP transport-mode SA
# (and ESP-in-TCP where the kernel has it), IPv4 and IPv6, with xfrm_csum.ko
# in drop mode on the receiver B.  The sender is esp_send in A's namespace:
# it builds every packet in userspace, so no sending kernel shapes them.
#
# Each shape sends one or more packets, then a correct UDP datagram on the
# same SA, and checks:
# - the namespace counters changed exactly as docs/design.md says ("What is
#   checked", "Verdicts", "Counters"), and the SA entry's counters with them;
# - the stack's own counters (/proc/net/snmp, snmp6, xfrm_stat, sctp/snmp)
#   show what happened to the packets the module let through;
# - the shape's datagrams reached (or did not reach) the UDP receiver;
# - the correct datagram sent right after was delivered.
# The runner fails the whole test on any kernel splat.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_cmd ip python3 esp_send encap_sock
xcsum_require mode=drop

SPI=$SPI_AB
KEY=$KEY_AB
SPI_TCP=0x0a0b0002
PORT=5001		# the receiver's UDP and UDP-Lite port
PORT_NOCHECK=5002	# IPv6 UDP socket that accepts checksum 0
SEQ=1
SPORT=20000		# inner source ports: one per packet, to find it again
ENCAP=udp
ENCAP_ARGS=()
MOD_KEYS=(checked verified nat-adjusted no-csum mismatch malformed unconfirmed
	  unverified dropped deferred skipped untracked conflicts)
SA_KEYS=(checked verified nat-adjusted no-csum mismatch malformed unconfirmed
	 unverified dropped)

# --- receiver and counters ----------------------------------------------------

# The UDP receiver in B: one line per datagram, "PROTO dport=P sport=S len=N
# TEXT".  It empties every ready socket before printing, so that a line for
# a later datagram never comes before one for an earlier.
RECEIVER='
import select, socket, sys
fam = socket.AF_INET if sys.argv[1] == "4" else socket.AF_INET6
port, nocheck = int(sys.argv[2]), int(sys.argv[3])
socks = {}
def add(name, proto, p, nocheck6=False):
    s = socket.socket(fam, socket.SOCK_DGRAM, proto)
    if nocheck6:
        s.setsockopt(socket.IPPROTO_UDP, 102, 1)	# UDP_NO_CHECK6_RX
    s.bind(("0.0.0.0" if fam == socket.AF_INET else "::", p))
    s.setblocking(False)
    socks[s] = (name, p)
add("udp", 0, port)
add("udplite", 136, port)
add("udp", 0, nocheck, fam == socket.AF_INET6)
print("ready", flush=True)
while True:
    ready, _, _ = select.select(list(socks), [], [])
    lines = []
    for s in ready:
        while True:
            try:
                data, addr = s.recvfrom(65535)
            except BlockingIOError:
                break
            name, p = socks[s]
            text = "".join(chr(b) if 32 < b < 127 else "." for b in data)
            lines.append(f"{name} dport={p} sport={addr[1]} len={len(data)} {text}")
    print("\n".join(lines), flush=True)
'

# Counters of B, one line "key=value ..." per SPI read from stdin: the
# module's namespace counters (m.NAME), the SA entry's (sa.NAME) and the
# stack's under family-neutral names.
SNAPSHOT='
import os, sys
fam, ynl_cli, spec = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.dirname(ynl_cli))
from lib import YnlFamily
ynl = YnlFamily(spec, "")
def kv_file(path):
    out = {}
    try:
        for line in open(path):
            f = line.split()
            if len(f) == 2:
                out[f[0]] = int(f[1])
    except OSError:
        pass
    return out
def snmp():
    out, head = {}, {}
    for line in open("/proc/net/snmp"):
        name, rest = line.split(":", 1)
        f = rest.split()
        if name not in head:
            head[name] = f
        else:
            out.update({f"{name}.{k}": int(v) for k, v in zip(head[name], f)})
    return out
ALIAS4 = {
    "udp_csum": ["Udp.InCsumErrors"],
    "udp_err": ["Udp.InErrors"], "udplite_in": ["UdpLite.InDatagrams"],
    "icmp_echo": ["Icmp.InEchos"], "icmp_csum": ["Icmp.InCsumErrors"],
    "unreach_out": ["Icmp.OutDestUnreachs"],
    "unknown_proto": ["Ip.InUnknownProtos"], "reasm_ok": ["Ip.ReasmOKs"],
}
# udpv6_recvmsg() picks the MIB from skb->protocol: read both.  (No
# InDatagrams: the encapsulation socket counts the ESP-in-UDP datagrams
# there too; the receiver tells what was delivered.)
ALIAS6 = {
    "udp_csum": ["Udp6InCsumErrors", "Udp.InCsumErrors"],
    "udp_err": ["Udp6InErrors", "Udp.InErrors"],
    "udplite_in": ["UdpLite6InDatagrams", "UdpLite.InDatagrams"],
    "icmp_echo": ["Icmp6InEchos"], "icmp_csum": ["Icmp6InCsumErrors"],
    "unreach_out": ["Icmp6OutDestUnreachs"],
    "unknown_proto": ["Ip6InUnknownProtos"], "reasm_ok": ["Ip6ReasmOKs"],
}
COMMON = {
    "tcp_in": ["Tcp.InSegs"], "tcp_csum": ["Tcp.InCsumErrors"],
    "tcp_rst": ["Tcp.OutRsts"], "xfrm_proto": ["XfrmInStateProtoError"],
    "xfrm_mismatch": ["XfrmInStateMismatch"], "xfrm_nostate": ["XfrmInNoStates"],
    "xfrm_hdr": ["XfrmInHdrError"], "xfrm_buf": ["XfrmInBufferError"],
    "sctp_in": ["SctpInSCTPPacks"],
    "sctp_csum": ["SctpChecksumErrors"],
}
for line in sys.stdin:
    spi = int(line, 0)
    raw = snmp()
    for path in ("/proc/net/snmp6", "/proc/net/xfrm_stat", "/proc/net/sctp/snmp"):
        raw.update(kv_file(path))
    out = {}
    for alias, keys in {**(ALIAS4 if fam == "4" else ALIAS6), **COMMON}.items():
        out[alias] = sum(raw.get(k, 0) for k in keys)
    for k, v in ynl.do("stats-get", {}).items():
        out["m." + k] = v
    for sa in ynl.dump("sa-get", {}):
        if sa.get("spi") == spi:
            for k, v in sa.get("stats", {}).items():
                out["sa." + k] = v
            out["sa.nat-state"] = sa.get("nat-state", "")
    print(" ".join(f"{k}={v}" for k, v in out.items()), flush=True)
'

declare -A SNAP BEFORE

snap() {
	local kv line

	SNAP=()
	echo "$1" >&"${SNAPPER[1]}"
	read -r -t 60 line <&"${SNAPPER[0]}" || return 1
	for kv in $line; do
		SNAP[${kv%%=*}]=${kv#*=}
	done
}

# --- sending ----------------------------------------------------------------

# esp ARGS...: one ESP packet A -> B through the SA under test.
esp() {
	local spi=$SPI

	[ "$ENCAP" = tcp ] && spi=$SPI_TCP
	ip netns exec "$NS_A" esp_send -"$FAMILY" -s "$ADDR_A" -d "$ADDR_B" \
		--spi "$spi" --key "$KEY" --seq "$SEQ" -e "$ENCAP" \
		"${ENCAP_ARGS[@]}" "$@"
	SEQ=$((SEQ + 1))
}

# send ARGS...: one packet of the current shape, with its own source port.
send() {
	SHAPE_SPORTS+=("$SPORT")
	esp --sport "$SPORT" --dport $PORT "$@"
	SPORT=$((SPORT + 1))
}

# pad_min N: the esp_send --pad for an N-byte segment so that the ESP
# packet is at least 40 bytes (see the IPv6 shape in shapes_esp), kept
# 4-byte aligned.
pad_min() {
	local pad=$(( (4 - ($1 + 2) % 4) % 4 ))

	while [ $(($1 + pad + 2)) -lt 8 ]; do
		pad=$((pad + 4))
	done
	echo "$pad"
}

delivered() {
	grep -q "sport=$1 " "$RECV_LOG"
}

shape_start() {
	SHAPE_SPORTS=()
	snap "$(cur_spi)" || return 1
	BEFORE=()
	for k in "${!SNAP[@]}"; do
		BEFORE[$k]=${SNAP[$k]}
	done
}

cur_spi() {
	if [ "$ENCAP" = tcp ]; then echo $((SPI_TCP)); else echo $((SPI)); fi
}

# shape_end NAME DELIVER MODULE [STACK]
#   DELIVER  yes|no|-: the shape's datagrams reach the UDP receiver
#   MODULE   "malformed=2 dropped=2 checked=2": how the namespace counters
#            change; every other one of MOD_KEYS must not
#   STACK    "udp_csum=1 tcp_in=0": how these stack counters change
#            ("?name" only shows how one changed)
# A correct datagram follows on the same SA and must arrive; its own
# verified and checked are accounted for here.
shape_end() {
	local name="$ENCAP ipv$FAMILY: $1" deliver=$2 module=$3 stack=${4:-}
	local -A want=()
	local bad=() seen=() k d w kv tok=$SPORT p n_ok=0

	esp --sport "$tok" --dport $PORT --data "clean-after"
	SPORT=$((SPORT + 1))
	if ! busywait 10000 delivered "$tok"; then
		ktap_fail "$name" "the correct datagram sent after it was not delivered"
		return
	fi
	snap "$(cur_spi)" || { ktap_fail "$name" "no counters"; return; }

	for kv in $module; do
		want[m.${kv%%=*}]=${kv#*=}
	done
	want[m.checked]=$(( ${want[m.checked]:-0} + 1 ))
	want[m.verified]=$(( ${want[m.verified]:-0} + 1 ))
	for k in "${MOD_KEYS[@]}"; do
		d=$(( ${SNAP[m.$k]:-0} - ${BEFORE[m.$k]:-0} ))
		w=${want[m.$k]:-0}
		[ "$d" = 0 ] || seen+=("$k=$d")
		[ "$d" = "$w" ] || bad+=("$k=$d (want $w)")
	done
	for k in "${SA_KEYS[@]}"; do
		d=$(( ${SNAP[sa.$k]:-0} - ${BEFORE[sa.$k]:-0} ))
		w=$(( ${SNAP[m.$k]:-0} - ${BEFORE[m.$k]:-0} ))
		[ "$d" = "$w" ] || bad+=("SA entry $k=$d (namespace $w)")
	done
	seen+=("|")
	for kv in $stack; do
		if [ "${kv#\?}" != "$kv" ]; then
			k=${kv#\?}
			seen+=("$k=$(( ${SNAP[$k]:-0} - ${BEFORE[$k]:-0} ))")
			continue
		fi
		k=${kv%%=*}
		w=${kv#*=}
		d=$(( ${SNAP[$k]:-0} - ${BEFORE[$k]:-0} ))
		seen+=("$k=$d")
		[ "$d" = "$w" ] || bad+=("stack $k=$d (want $w)")
	done
	for p in "${SHAPE_SPORTS[@]}"; do
		delivered "$p" && n_ok=$((n_ok + 1))
	done
	case $deliver in
	yes) [ "$n_ok" = ${#SHAPE_SPORTS[@]} ] ||
		bad+=("delivered $n_ok of ${#SHAPE_SPORTS[@]}") ;;
	no) [ "$n_ok" = 0 ] || bad+=("delivered $n_ok of ${#SHAPE_SPORTS[@]}") ;;
	esac
	seen+=("| delivered $n_ok/${#SHAPE_SPORTS[@]}")
	if [ ${#bad[@]} = 0 ]; then
		ktap_pass "$name"
		ktap_msg "  ${seen[*]}"
	else
		ktap_fail "$name" "${bad[*]}; seen: ${seen[*]}"
	fi
}

# --- set-up -------------------------------------------------------------------

setup() {
	local out

	topo_create direct && use_family "$1" || return 1
	modprobe -q xfrm_user
	ip netns exec "$NS_B" sysctl -qw net.ipv4.icmp_ratelimit=0 \
		net.ipv6.icmp.ratelimit=0 || return 1
	# on a kernel with the series, the module is what is tested here
	ip netns exec "$NS_B" sysctl -qw net.core.xfrm_encap_csum=0 2>/dev/null
	out=$(mktemp)
	defer rm -f "$out"
	bg_start ip netns exec "$NS_B" encap_sock udp -"$FAMILY" -p "$ENCAP_PORT" > "$out"
	wait_for_line "$out" ready 5000 || return 1
	sa_algo gcm "$KEY"
	# B's inbound SA only: nothing in A transforms, and nothing in B
	# needs a policy for transport-mode packets to reach its sockets.
	ip -n "$NS_B" xfrm state add src "$ADDR_A" dst "$ADDR_B" proto esp \
		spi "$SPI" reqid 2 mode transport \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" "$ANY" "${ALGO[@]}" ||
		return 1
	RECV_LOG=$(mktemp)
	defer rm -f "$RECV_LOG"
	bg_start ip netns exec "$NS_B" python3 -c "$RECEIVER" "$FAMILY" $PORT \
		$PORT_NOCHECK > "$RECV_LOG"
	wait_for_line "$RECV_LOG" ready 10000 || return 1
	coproc SNAPPER { ip netns exec "$NS_B" python3 -c "$SNAPSHOT" "$FAMILY" \
		"$XCSUM_YNL" "$XCSUM_SPEC"; }
	BG_PIDS+=("$SNAPPER_PID")
	ENCAP=udp
	ENCAP_ARGS=()
}

# Protocols the stack verifies itself once the module has cleared the
# flag: with their modules loaded the stack's counters show it.
have_mod() {
	modprobe -q "$1" 2>/dev/null
}

# --- the shapes ---------------------------------------------------------------

shapes_udp() {
	local n

	shape_start
	send --data "first"
	shape_end "correct UDP datagram" yes "checked=1 verified=1"

	shape_start
	send --csum bad --data "bad-csum"
	shape_end "UDP checksum wrong" no "checked=1 mismatch=1 dropped=1" \
		"udp_csum=0"

	shape_start
	send --udp-len 0 --data "udp-len-0"
	# IPv6: udp6 would take length 0 for a jumbogram's and deliver it
	shape_end "UDP length 0" no "checked=1 malformed=1 dropped=1" \
		"udp_err=0 ?xfrm_buf"

	shape_start
	for n in 1 2 3 4 5 6 7; do
		send --udp-len $n --data "udp-len-$n"
	done
	shape_end "UDP length 1..7" no "checked=7 malformed=7 dropped=7" "udp_err=0"

	shape_start
	send --udp-len 23 --data "udp-len-23-14b"
	send --udp-len 65535 --data "udp-len-max"
	shape_end "UDP length beyond the payload" no "checked=2 malformed=2 dropped=2" \
		"udp_err=0"

	# udp_rcv() trims what lies beyond the length: checksum over the length
	shape_start
	send --udp-len 14 --data "short+trailing-bytes"
	shape_end "UDP length short of the payload" yes "checked=1 verified=1"

	shape_start
	for n in 1 2 3 4 5 6 7; do
		send --trunc $n --data "x" --pad "$(pad_min $n)"
	done
	shape_end "UDP header truncated to 1..7 bytes" no \
		"checked=7 malformed=7 dropped=7" "udp_err=0"

	shape_start
	send --len 0
	shape_end "UDP without data" yes "checked=1 verified=1"

	shape_start
	send --csum zero --data "csum-zero"
	if [ "$FAMILY" = 4 ]; then
		shape_end "UDP checksum 0" yes "checked=1 no-csum=1" "udp_csum=0"
	else
		# passed on; udpv6 drops it unless the socket allows zero
		shape_end "UDP checksum 0 (socket without UDP_NO_CHECK6_RX)" no \
			"checked=1 no-csum=1" "udp_csum=1"
		shape_start
		send --csum zero --data "csum-zero-nocheck" --dport $PORT_NOCHECK
		shape_end "UDP checksum 0 (socket with UDP_NO_CHECK6_RX)" yes \
			"checked=1 no-csum=1" "udp_csum=0"
	fi
}

shapes_udplite() {
	local n

	shape_start
	send -p udplite --data "udplite-full"
	send -p udplite --cscov 8 --data "udplite-cov-8"
	send -p udplite --cscov 12 --data "udplite-cov-12"
	shape_end "UDP-Lite, coverage whole, 8 and 12" yes "checked=3 verified=3" \
		"udplite_in=3"

	# RFC 3828 3.1: coverage 0 means the whole datagram, as in the stack
	shape_start
	send -p udplite --cscov 0 --data "udplite-cov-0"
	shape_end "UDP-Lite coverage 0 (whole datagram)" yes "checked=1 verified=1" \
		"udplite_in=1"

	shape_start
	for n in 1 7; do
		send -p udplite --cscov $n --data "udplite-cov-$n"
	done
	send -p udplite --cscov 40 --data "udplite-cov-40"
	shape_end "UDP-Lite coverage 1, 7 and beyond the payload" no \
		"checked=3 malformed=3 dropped=3" "udplite_in=0"

	shape_start
	send -p udplite --csum bad --data "udplite-bad"
	shape_end "UDP-Lite checksum wrong" no "checked=1 mismatch=1 dropped=1" \
		"udplite_in=0"

	# RFC 3828 3.1: the checksum is not optional; the stack drops 0 too
	shape_start
	send -p udplite --csum zero --data "udplite-zero"
	shape_end "UDP-Lite checksum 0" no "checked=1 malformed=1 dropped=1" \
		"udplite_in=0"

	shape_start
	for n in 1 2 3 4 5 6 7; do
		send -p udplite --trunc $n --data "x" --pad "$(pad_min $n)"
	done
	shape_end "UDP-Lite header truncated to 1..7 bytes" no \
		"checked=7 malformed=7 dropped=7" "udplite_in=0"
}

shapes_tcp() {
	local n

	# a SYN to a closed port: TCP answers with a reset if it took it
	shape_start
	send -p tcp
	shape_end "TCP SYN, checksum right" - "checked=1 verified=1" "tcp_in=1 tcp_rst=1"

	shape_start
	send -p tcp --csum bad
	shape_end "TCP SYN, checksum wrong" - "checked=1 mismatch=1 dropped=1" \
		"tcp_in=0 tcp_rst=0 tcp_csum=0"

	shape_start
	send -p tcp --doff 8 --data "with-options"
	shape_end "TCP with 12 bytes of options" - "checked=1 verified=1" \
		"tcp_in=1 tcp_rst=1"

	shape_start
	for n in 0 1 2 3 4; do
		send -p tcp --doff $n --data "doff-$n"
	done
	shape_end "TCP data offset 0..4" - "checked=5 malformed=5 dropped=5" "tcp_in=0"

	shape_start
	send -p tcp --doff 6 --trunc 20
	send -p tcp --doff 15 --trunc 40
	send -p tcp --doff 15 --trunc 59
	shape_end "TCP data offset beyond the segment" - "checked=3 malformed=3 dropped=3" \
		"tcp_in=0"

	shape_start
	for n in $(seq 1 19); do
		send -p tcp --trunc "$n" --pad "$(pad_min "$n")"
	done
	shape_end "TCP header truncated to 1..19 bytes" - \
		"checked=19 malformed=19 dropped=19" "tcp_in=0"
}

shapes_esp() {
	# esp_remove_trailer() wants at least one byte before the trailer
	shape_start
	send --raw-hex "" --next-header 17 --pad "$(pad_min 0)"
	shape_end "empty ESP payload, next header UDP" - "" "xfrm_proto=1"

	shape_start
	send --raw-hex 00 --next-header 17 --pad "$(pad_min 1)"
	shape_end "1-byte ESP payload, next header UDP" no "checked=1 malformed=1 dropped=1" \
		"udp_err=0"

	# __xfrm6_udp_encap_rcv() takes a UDP datagram shorter than an IPv6
	# and a UDP header (48 bytes) for a truncated packet and discards it
	# without a word: on IPv6 the smallest valid ESP packets (36 to 39
	# bytes with AES-GCM) never reach ESP.  IPv4's bound is 28 bytes.
	if [ "$FAMILY" = 6 ]; then
		shape_start
		send --raw-hex 00 --next-header 17
		send --trunc 2 --data "x"
		shape_end "ESP shorter than 40 bytes (dropped before ESP)" no "" \
			"xfrm_proto=0 xfrm_hdr=0 ?udp_err"
	fi

	# RFC 4303 dummy packets are dropped by ESP itself
	shape_start
	send --raw-hex 0000000000000000 --next-header 59
	shape_end "next header 59 (dummy packet)" - "" "xfrm_proto=1 unknown_proto=0"

	# xfrm_input() looks for another IPsec header behind the first
	shape_start
	send --raw-hex 0102030400000001 --next-header 50
	shape_end "next header ESP, no SA for it" - "" "xfrm_nostate=1"
	shape_start
	send --raw-hex 01 --next-header 50 --pad "$(pad_min 1)"
	shape_end "next header ESP, cut short" - "" "xfrm_hdr=1"

	shape_start
	send --corrupt-icv --data "icv"
	shape_end "ICV wrong" no "" "xfrm_proto=1"

	shape_start
	send -e none --data "no-encap"
	shape_end "plain ESP to the NAT-T SA" no "" "xfrm_mismatch=1"

	shape_start
	send --pad 1 --data "pad-1"
	send --pad 3 --data "pad-3-"
	send --pad 0 --data "pad-0-misaligned"
	send --pad 5 --data "pad-5"
	send --pad 255 --data "pad-255"
	send --pad 7 --pad-byte 255 --data "pad-not-monotonic"
	shape_end "odd padding lengths and bytes" yes "checked=6 verified=6"

	# a pad length smaller than the padding leaves bytes behind the
	# datagram (trimmed by UDP); a larger one eats into it
	shape_start
	send --pad 9 --pad-field 1 --data "pad-9-says-1"
	shape_end "pad length field short of the padding" yes "checked=1 verified=1"

	shape_start
	send --pad 0 --pad-field 3 --data "pad-0-says-3"
	shape_end "pad length field beyond the padding" no \
		"checked=1 malformed=1 dropped=1"

	shape_start
	send --pad 2 --pad-field 200 --data "pad-2-says-200"
	shape_end "pad length field beyond the ESP payload" no "" "xfrm_proto=1"
}

shapes_other() {
	local unreach want

	# ICMP: left to the stack, which checks the checksum again
	if [ "$FAMILY" = 4 ]; then
		shape_start
		send -p icmp --data "echo"
		shape_end "ICMP echo, checksum right" - "deferred=1" "icmp_echo=1 icmp_csum=0"
		shape_start
		send -p icmp --csum bad --data "echo"
		shape_end "ICMP echo, checksum wrong" - "deferred=1" "icmp_echo=0 icmp_csum=1"
		# ICMPv6 has no meaning over IPv4: nothing takes protocol 58
		shape_start
		send -p icmpv6 --data "echo"
		shape_end "next header ICMPv6 over IPv4" - "deferred=1" "unknown_proto=1"
	else
		shape_start
		send -p icmpv6 --data "echo"
		shape_end "ICMPv6 echo, checksum right" - "checked=1 verified=1" \
			"icmp_echo=1 icmp_csum=0"
		shape_start
		send -p icmpv6 --csum bad --data "echo"
		shape_end "ICMPv6 echo, checksum wrong" - "checked=1 mismatch=1 dropped=1" \
			"icmp_echo=0 icmp_csum=0"
		shape_start
		send -p icmpv6 --trunc 1 --pad "$(pad_min 1)"
		send -p icmpv6 --trunc 3
		shape_end "ICMPv6 header truncated to 1 and 3 bytes" - \
			"checked=2 malformed=2 dropped=2" "icmp_echo=0"
		shape_start
		send -p icmp --data "echo"
		shape_end "next header ICMP over IPv6" - "deferred=1" "unknown_proto=1"
	fi

	if have_mod sctp; then
		shape_start
		send -p sctp
		shape_end "SCTP INIT, CRC32c right" - "deferred=1" "sctp_in=1 sctp_csum=0"
		shape_start
		send -p sctp --csum bad
		shape_end "SCTP INIT, CRC32c wrong" - "deferred=1" "sctp_in=1 sctp_csum=1"
	else
		shape_start
		send -p sctp
		send -p sctp --csum bad
		shape_end "SCTP (no sctp module)" - "deferred=2" "unknown_proto=2"
	fi

	# GRE with a checksum and no tunnel: the stack answers port
	# unreachable if the checksum holds, and drops it silently if not
	if have_mod "$([ "$FAMILY" = 4 ] && echo ip_gre || echo ip6_gre)"; then
		unreach=1
	else
		unreach=0
	fi
	shape_start
	send -p gre --gre-csum --len 20
	want="unreach_out=$unreach"
	[ $unreach = 0 ] && want="unknown_proto=1"
	shape_end "GRE, checksum right" - "deferred=1" "$want"
	shape_start
	send -p gre --gre-csum --csum bad --len 20
	want="unreach_out=0"
	[ $unreach = 0 ] && want="unknown_proto=1"
	shape_end "GRE, checksum wrong" - "deferred=1" "$want"
}

# inner_fragments good|bad DELIVER STACK: a UDP datagram (checksum right or
# wrong) cut after 16 bytes into two IPv6 fragments, sent in two ESP
# packets (next header 44).
inner_fragments() {
	local dgram id=4553 sport=$SPORT

	dgram=$(esp --print --sport "$sport" --dport $PORT --csum "$1" \
		--data "inner-fragments-reassembled-after-decryption")
	SPORT=$((SPORT + 1))
	shape_start
	SHAPE_SPORTS=("$sport")
	esp --raw-hex "11000001$id$id${dgram:0:32}" --next-header 44
	esp --raw-hex "11000010$id$id${dgram:32}" --next-header 44
	shape_end "inner UDP datagram in two IPv6 fragments, checksum $1" "$2" \
		"deferred=2" "$3"
}

shapes_outer() {
	if [ "$FAMILY" = 4 ]; then
		shape_start
		send --ipopt 94040000 --data "router-alert"
		send --ipopt 01010100 --data "nop-nop-nop-eol"
		send --ipopt 440c0500000000000000000001 --data "timestamp"
		shape_end "IPv4 options" yes "checked=3 verified=3"
	else
		# in transport mode ESP (here UDP 4500) follows these
		shape_start
		send --outer-ext hbh --data "outer-hbh"
		send --outer-ext dst --data "outer-dst"
		send --outer-ext hbh,dst,rt --data "outer-hbh-dst-rt"
		send --outer-ext frag --data "outer-atomic-frag"
		shape_end "IPv6 extension headers before ESP-in-UDP" yes \
			"checked=4 verified=4"

		# inside ESP: the protocol behind them is judged as without
		shape_start
		send --inner-ext dst --data "inner-dst"
		send --inner-ext frag --data "inner-atomic-frag"
		send --inner-ext dst,rt --data "inner-dst-rt"
		shape_end "IPv6 extension headers inside ESP, checksum right" yes \
			"checked=3 verified=3" "udp_csum=0"
		shape_start
		send --inner-ext dst --csum bad --data "inner-dst-bad"
		shape_end "IPv6 extension headers inside ESP, checksum wrong" no \
			"checked=1 mismatch=1 dropped=1" "udp_csum=0"
		shape_start
		send --inner-ext dst --udp-len 3 --data "inner-dst-len-3"
		send --inner-ext dst,frag --trunc 5
		shape_end "IPv6 extension headers inside ESP, then UDP malformed" no \
			"checked=2 malformed=2 dropped=2"
		# a hop-by-hop header anywhere but first is no protocol to the
		# stack, whatever follows it
		shape_start
		send --inner-ext hbh --data "inner-hbh"
		shape_end "IPv6 hop-by-hop header inside ESP" no "checked=1 verified=1" \
			"unknown_proto=1"
		shape_start
		send --raw-hex 11000000 --next-header 60
		shape_end "IPv6 extension header inside ESP, cut short" - \
			"checked=1 malformed=1 dropped=1" "unknown_proto=0"

		# an inner datagram in two fragments, each in its own ESP
		# packet: the module leaves fragments to the stack, which
		# reassembles them and verifies the checksum itself
		inner_fragments good yes "udp_csum=0 reasm_ok=1"
		inner_fragments bad no "udp_csum=1 reasm_ok=1"
	fi

	shape_start
	send --len 300 --data "fragmented" --frag 64
	send --len 1000 --data "fragmented-reverse" --frag 128 --frag-reverse
	shape_end "ESP-in-UDP fragmented on the wire" yes "checked=2 verified=2" \
		"reasm_ok=2"

	# the sending kernel fragments an ESP-in-UDP datagram beyond the MTU
	shape_start
	send -u --len 3000 --data "fragmented-by-kernel"
	shape_end "ESP-in-UDP beyond the MTU, fragmented by the sender's stack" yes \
		"checked=1 verified=1" "reasm_ok=1"
}

# A burst of correct packets while the SA is deleted under it (after the
# first check, after 100, and by a flush after 400), then the SA is added
# again and carries traffic.  Every packet checked meanwhile is a correct
# one, so verified; the rest are dropped by xfrm for want of a state.
RACE_COUNT=5000

# shellcheck disable=SC2317  # called through busywait
checked_since() {
	snap "$(cur_spi)" &&
		[ $(( ${SNAP[m.checked]:-0} - ${BEFORE[m.checked]:-0} )) -ge "$1" ]
}

# shellcheck disable=SC2317  # called through busywait
sa_entry_gone() {
	snap "$(cur_spi)" && [ -z "${SNAP[sa.nat-state]+set}" ]
}

shape_race() {
	local round after pid rc chk ver nostate name gone

	for round in 1 2 3; do
		name="$ENCAP ipv$FAMILY: SA deleted under traffic (round $round)"
		after=$(( (round - 1) * (round - 1) * 100 + 1 ))	# 1, 101, 401
		shape_start
		ip netns exec "$NS_A" esp_send -"$FAMILY" -s "$ADDR_A" -d "$ADDR_B" \
			--spi "$SPI" --key "$KEY" --seq "$SEQ" -n $RACE_COUNT -i 100 \
			--sport 19999 --dport 9 --data "race" &
		pid=$!
		SEQ=$((SEQ + RACE_COUNT))
		busywait 10000 checked_since "$after"
		if [ $round = 3 ]; then
			ip -n "$NS_B" xfrm state flush
		else
			ip -n "$NS_B" xfrm state del src "$ADDR_A" dst "$ADDR_B" \
				proto esp spi "$SPI"
		fi
		wait $pid
		rc=$?
		# the SA's entry goes with it (the sweep runs on deletion)
		gone=yes
		busywait 15000 sa_entry_gone || gone=no
		ip -n "$NS_B" xfrm state add src "$ADDR_A" dst "$ADDR_B" proto esp \
			spi "$SPI" reqid 2 mode transport \
			encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" "$ANY" "${ALGO[@]}"
		snap "$(cur_spi)"
		chk=$(( ${SNAP[m.checked]:-0} - ${BEFORE[m.checked]:-0} ))
		ver=$(( ${SNAP[m.verified]:-0} - ${BEFORE[m.verified]:-0} ))
		nostate=$(( ${SNAP[xfrm_nostate]:-0} - ${BEFORE[xfrm_nostate]:-0} ))
		if [ "$rc" != 0 ] || [ "$chk" != "$ver" ] || [ $gone = no ] ||
		   [ $((chk + nostate)) -gt $RACE_COUNT ]; then
			ktap_fail "$name" "esp_send exit $rc, checked $chk, verified $ver, no state $nostate, SA entry gone: $gone"
			continue
		fi
		ktap_pass "$name"
		ktap_msg "  $chk of $RACE_COUNT checked (all verified), $nostate found no state, SA entry gone"
		shape_start
		shape_end "SA added again after deletion under traffic (round $round)" - ""
	done
}

# Every check is one verdict (docs/design.md, Counters), every drop one of
# the dropping verdicts.
totals_check() {
	local sum=0 drops=0 k

	snap "$(cur_spi)"
	for k in verified nat-adjusted no-csum mismatch malformed unconfirmed unverified; do
		sum=$((sum + ${SNAP[m.$k]:-0}))
	done
	for k in mismatch malformed unconfirmed; do
		drops=$((drops + ${SNAP[m.$k]:-0}))
	done
	xcsum_check "$ENCAP ipv$FAMILY: checked is the sum of the verdicts" \
		"[ ${SNAP[m.checked]:-0} = $sum ] && [ ${SNAP[m.dropped]:-0} = $drops ]" \
		"checked=${SNAP[m.checked]:-0} verdicts=$sum dropped=${SNAP[m.dropped]:-0} mismatch+malformed+unconfirmed=$drops"
}

# ESP-in-TCP: a second SA, and a listener that takes esp_send's connections.
setup_tcp() {
	local out

	out=$(mktemp)
	defer rm -f "$out"
	bg_start ip netns exec "$NS_B" encap_sock tcp-listen -"$FAMILY" -p "$ENCAP_PORT" \
		-P > "$out"
	wait_for_line "$out" ready 5000 || return 1
	ip -n "$NS_B" xfrm state add src "$ADDR_A" dst "$ADDR_B" proto esp \
		spi "$SPI_TCP" reqid 3 mode transport \
		encap espintcp "$ENCAP_PORT" "$ENCAP_PORT" "$ANY" "${ALGO[@]}" || return 1
	ENCAP=tcp
	# a new connection from an ephemeral port for every packet
	ENCAP_ARGS=(--encap-sport 0)
}

shapes_tcp_encap() {
	shape_start
	send --data "tcp-encap-first"
	send --pad 3 --data "tcp-encap-pad-3"
	shape_end "correct UDP datagrams" yes "checked=2 verified=2"

	shape_start
	send --csum bad --data "tcp-encap-bad"
	send -p tcp --csum bad
	shape_end "UDP and TCP checksums wrong" no "checked=2 mismatch=2 dropped=2" \
		"tcp_in=0"

	shape_start
	send --udp-len 0 --data "tcp-encap-len-0"
	send --udp-len 4 --data "tcp-encap-len-4"
	send -p tcp --doff 3
	send -p tcp --trunc 10
	send --raw-hex 00 --next-header 17 --pad "$(pad_min 1)"
	shape_end "UDP length 0 and 4, TCP data offset 3, truncated TCP and UDP" no \
		"checked=5 malformed=5 dropped=5" "tcp_in=0"

	shape_start
	send --csum zero --data "tcp-encap-zero" --dport $PORT_NOCHECK
	shape_end "UDP checksum 0" yes "checked=1 no-csum=1"

	shape_start
	if [ "$FAMILY" = 4 ]; then
		send -p icmp --csum bad
		shape_end "ICMP checksum wrong" - "deferred=1" "icmp_csum=1"
	else
		send -p icmpv6 --csum bad
		shape_end "ICMPv6 checksum wrong" - "checked=1 mismatch=1 dropped=1" \
			"icmp_csum=0"
	fi
}

run_family() {
	local fam=$1

	if ! setup "$fam"; then
		case_abort "ipv$fam: set-up" "setup failed"
		return
	fi
	shapes_udp
	shapes_udplite
	shapes_tcp
	shapes_esp
	shapes_other
	shapes_outer
	shape_race
	totals_check

	# esp_send exits 4 where the kernel has no ESP-in-TCP
	ip netns exec "$NS_A" esp_send -"$FAMILY" -s "$ADDR_A" -d "$ADDR_B" \
		--spi "$SPI_TCP" --key "$KEY" -e tcp --encap-dport 1 --data probe \
		2>/dev/null
	if [ $? = 4 ]; then
		ktap_skip "tcp ipv$fam: ESP-in-TCP shapes" "no ESP-in-TCP in this kernel"
	elif ! setup_tcp; then
		ktap_fail "tcp ipv$fam: set-up" "setup failed"
	else
		shapes_tcp_encap
		totals_check
	fi
	cleanup_all
}

ktap_header
run_family 4
run_family 6
# how many shapes ran depends on the kernel (ESP-in-TCP, SCTP, GRE): the
# plan comes last, as TAP allows
ktap_plan "$KTAP_TESTNO"
ktap_finish
