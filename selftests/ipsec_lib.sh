# SPDX-License-Identifier: GPL-2.0
#
# IPsec test topologies, hand-made ESP transport SAs (plain, ESP-in-UDP,
# ESP-in-TCP), the two corruption injectors, zero-stream traffic and the
# kernel counters the tests read.  Sourced after lib.sh.
#
# Topologies (only documentation address ranges):
#
#   direct:  A a0 ---- b0 B          192.0.2.1/.2, 2001:db8:1::1/::2
#
#   nat:     A a0 ---- ra R rb ---- b0 B
#            A 198.51.100.2, 2001:db8:a::20 (private side)
#            R masquerades towards B as 203.0.113.1, 2001:db8:b::1
#            B 203.0.113.2, 2001:db8:b::2; B never learns A's address, so
#            the inner checksum A computed does not match what B sees.
#            (A's addresses are chosen so that their one's-complement sums
#            differ from R's: 2001:db8:a::2 -> 2001:db8:b::1 would be a
#            checksum-neutral translation, and hide the problem.)
#
#   rnat:    A a0 ---- rb R ra ---- b0 B       (IPv4 only)
#            the receiver behind the NAT: B 198.51.100.2 is reached at
#            R's public 203.0.113.1 (DNAT of UDP 4500, masquerade out);
#            A 203.0.113.2 addresses B as 203.0.113.1 (TARGET_B), so the
#            checksums A computes are wrong for the address B sees as
#            its own.  rnat_move ADDR gives R another public address.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEY_AB=0x0102030405060708090a0b0c0d0e0f1011121314
KEY_BA=0x1112131415161718191a1b1c1d1e1f2021222324
SPI_AB=0x0a0b0001
SPI_BA=0x0b0a0001
UDP_PORT=5001
TCP_PORT=5002
ENCAP_PORT=4500

TOPO=
FAMILY=

veth_pair() {
	local ns1=$1 dev1=$2 ns2=$3 dev2=$4

	ip link add "$dev1" netns "$ns1" type veth peer name "$dev2" netns "$ns2" &&
	ip -n "$ns1" link set "$dev1" up &&
	ip -n "$ns2" link set "$dev2" up
}

topo_direct() {
	setup_ns NS_A NS_B || return 1
	NS_R=
	veth_pair "$NS_A" a0 "$NS_B" b0 || return 1
	ip -n "$NS_A" addr add 192.0.2.1/24 dev a0
	ip -n "$NS_B" addr add 192.0.2.2/24 dev b0
	ip -n "$NS_A" addr add 2001:db8:1::1/64 dev a0 nodad
	ip -n "$NS_B" addr add 2001:db8:1::2/64 dev b0 nodad
	ADDR4_A=192.0.2.1 ADDR4_B=192.0.2.2 SEEN4_A=192.0.2.1
	ADDR6_A=2001:db8:1::1 ADDR6_B=2001:db8:1::2 SEEN6_A=2001:db8:1::1
	TARGET4_B=$ADDR4_B TARGET6_B=$ADDR6_B
	DEV_A=a0 DEV_B=b0
	TOPO=direct
}

topo_nat() {
	setup_ns NS_A NS_R NS_B || return 1
	veth_pair "$NS_A" a0 "$NS_R" ra || return 1
	veth_pair "$NS_R" rb "$NS_B" b0 || return 1
	ip -n "$NS_A" addr add 198.51.100.2/24 dev a0
	ip -n "$NS_A" addr add 2001:db8:a::20/64 dev a0 nodad
	ip -n "$NS_A" route add default via 198.51.100.1
	ip -n "$NS_A" -6 route add default via 2001:db8:a::1
	ip -n "$NS_R" addr add 198.51.100.1/24 dev ra
	ip -n "$NS_R" addr add 2001:db8:a::1/64 dev ra nodad
	ip -n "$NS_R" addr add 203.0.113.1/24 dev rb
	ip -n "$NS_R" addr add 2001:db8:b::1/64 dev rb nodad
	ip -n "$NS_B" addr add 203.0.113.2/24 dev b0
	ip -n "$NS_B" addr add 2001:db8:b::2/64 dev b0 nodad
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	ip netns exec "$NS_R" nft -f - <<-EOF || return 1
	table inet natt {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "rb" masquerade
		}
	}
	EOF
	ADDR4_A=198.51.100.2 ADDR4_B=203.0.113.2 SEEN4_A=203.0.113.1
	ADDR6_A=2001:db8:a::20 ADDR6_B=2001:db8:b::2 SEEN6_A=2001:db8:b::1
	TARGET4_B=$ADDR4_B TARGET6_B=$ADDR6_B
	DEV_A=a0 DEV_B=b0
	TOPO=nat
	# A NAT that leaves the pseudo-header sum alone tests nothing.
	! csum_neutral "$ADDR4_A" "$SEEN4_A" && ! csum_neutral "$ADDR6_A" "$SEEN6_A" ||
		{ echo "topo_nat: translation is checksum-neutral" >&2; return 1; }
}

topo_rnat() {
	setup_ns NS_A NS_R NS_B || return 1
	veth_pair "$NS_A" a0 "$NS_R" rb || return 1
	veth_pair "$NS_R" ra "$NS_B" b0 || return 1
	ip -n "$NS_A" addr add 203.0.113.2/24 dev a0
	ip -n "$NS_R" addr add 203.0.113.1/24 dev rb
	ip -n "$NS_R" addr add 198.51.100.1/24 dev ra
	ip -n "$NS_B" addr add 198.51.100.2/24 dev b0
	ip -n "$NS_B" route add default via 198.51.100.1
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	RNAT_PUB=203.0.113.1
	rnat_rules || return 1
	ADDR4_A=203.0.113.2 ADDR4_B=198.51.100.2 SEEN4_A=203.0.113.2
	TARGET4_B=$RNAT_PUB
	ADDR6_A='' ADDR6_B='' SEEN6_A='' TARGET6_B=''
	DEV_A=a0 DEV_B=b0
	TOPO=rnat
	! csum_neutral "$ADDR4_B" "$TARGET4_B" ||
		{ echo "topo_rnat: translation is checksum-neutral" >&2; return 1; }
}

# R's NAT for B, from RNAT_PUB: UDP 4500 (and the test ports) in, all out.
rnat_rules() {
	ip netns exec "$NS_R" nft -f - <<-EOF
	flush ruleset
	table ip rnat {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			iifname "rb" ip daddr $RNAT_PUB udp dport 4500 dnat to 198.51.100.2
		}
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "rb" snat to $RNAT_PUB
		}
	}
	EOF
}

# rnat_move ADDR: R's public address becomes ADDR (a carrier-grade NAT
# giving B another address); conntrack forgets the old mappings.
rnat_move() {
	# (deleting a subnet's primary address takes its secondaries along)
	ip -n "$NS_R" addr del "$RNAT_PUB/24" dev rb &&
	ip -n "$NS_R" addr add "$1/24" dev rb || return 1
	RNAT_PUB=$1
	TARGET4_B=$1 TARGET_B=$1
	rnat_rules || return 1
	ip netns exec "$NS_R" conntrack -F >/dev/null 2>&1
}

# csum_neutral ADDR1 ADDR2: do both addresses have the same one's-complement
# sum, so that translating one into the other changes no L4 checksum?
csum_neutral() {
	python3 -c '
import ipaddress, sys
def s(a):
    b = ipaddress.ip_address(a).packed
    v = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    while v > 0xffff:
        v = (v & 0xffff) + (v >> 16)
    return v % 0xffff
sys.exit(0 if s(sys.argv[1]) == s(sys.argv[2]) else 1)' "$1" "$2"
}

# topo_create direct|nat|rnat
topo_create() {
	case $1 in
	direct) topo_direct ;;
	nat)	topo_nat ;;
	rnat)	topo_rnat ;;
	*)	echo "unknown topology $1" >&2; return 1 ;;
	esac
}

# use_family 4|6: point ADDR_A/ADDR_B/SEEN_A (the address B sees for A)
# and TARGET_B (the address A uses for B) at one family.
use_family() {
	FAMILY=$1
	if [ "$FAMILY" = 4 ]; then
		ADDR_A=$ADDR4_A ADDR_B=$ADDR4_B SEEN_A=$SEEN4_A ANY=0.0.0.0
		TARGET_B=$TARGET4_B
	else
		ADDR_A=$ADDR6_A ADDR_B=$ADDR6_B SEEN_A=$SEEN6_A ANY=::
		TARGET_B=$TARGET6_B
	fi
	[ -n "$ADDR_A" ]
}

# Address as socat wants it.
sockaddr() {
	if [ "$FAMILY" = 4 ]; then echo "$1"; else echo "[$1]"; fi
}

# --- SAs ----------------------------------------------------------------------

# sa_setup [-e udp|tcp|none] [-c gcm|null] [-o]
#   -e  encapsulation (default udp)
#   -c  gcm: AES-GCM (rfc4106), null: cipher_null + digest_null, so bytes
#       changed on the wire are still "authentic"
#   -o  install the original address (encap_oa) on the encapsulated SAs
# Transport-mode SAs and policies for TCP and UDP between A and B.  Each side
# uses the addresses it sees, as an IKE daemon would install them.
sa_setup() {
	local encap=udp cipher=gcm oa=0 opt

	OPTIND=1
	while getopts e:c:o opt; do
		case $opt in
		e) encap=$OPTARG ;;
		c) cipher=$OPTARG ;;
		o) oa=1 ;;
		*) return 1 ;;
		esac
	done
	SA_ENCAP=$encap
	SA_CIPHER=$cipher

	# The sockets' bypass policies are compiled by xfrm_user.
	modprobe -q xfrm_user
	if [ "$encap" != none ]; then
		encap_sockets "$encap" || return 1
	fi
	SA_OA=$oa
	sa_pairs
}

# The SAs and policies of both sides (sa_setup's options).
# A: local ADDR_A, peer TARGET_B.  B: local ADDR_B, peer SEEN_A.
sa_pairs() {
	sa_pair "$NS_A" "$ADDR_A" "$TARGET_B" "$SPI_AB" "$KEY_AB" "$SPI_BA" "$KEY_BA" \
		"$SA_ENCAP" "$SA_CIPHER" "$([ "$SA_OA" = 1 ] && echo "$ADDR_B")" || return 1
	sa_pair "$NS_B" "$ADDR_B" "$SEEN_A" "$SPI_BA" "$KEY_BA" "$SPI_AB" "$KEY_AB" \
		"$SA_ENCAP" "$SA_CIPHER" "$([ "$SA_OA" = 1 ] && echo "$ADDR_A")" || return 1
}

# sa_reinstall SPI_AB SPI_BA: new SAs and policies on both sides with
# these SPIs (a rekey, or new addresses), the sockets kept.
sa_reinstall() {
	local ns

	for ns in "$NS_A" "$NS_B"; do
		ip -n "$ns" xfrm policy flush
		ip -n "$ns" xfrm state flush
	done
	SPI_AB=$1 SPI_BA=$2
	sa_pairs
}

# sa_pair NS LOCAL PEER OUT_SPI OUT_KEY IN_SPI IN_KEY ENCAP CIPHER [PEER_OA]
sa_pair() {
	local ns=$1 local=$2 peer=$3 ospi=$4 okey=$5 ispi=$6 ikey=$7
	local encap=$8 cipher=$9 oa=${10:-} enc=() ienc=() p

	case $encap in
	udp)	enc=(encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" "$ANY")
		ienc=(encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" "${oa:-$ANY}") ;;
	tcp)	enc=(encap espintcp "$ENCAP_PORT" "$ENCAP_PORT" "$ANY")
		ienc=(encap espintcp "$ENCAP_PORT" "$ENCAP_PORT" "${oa:-$ANY}") ;;
	none)	;;
	*)	echo "unknown encapsulation $encap" >&2; return 1 ;;
	esac

	sa_algo "$cipher" "$okey"
	ip -n "$ns" xfrm state add src "$local" dst "$peer" proto esp spi "$ospi" \
		reqid 1 mode transport "${enc[@]}" "${ALGO[@]}" || return 1
	sa_algo "$cipher" "$ikey"
	ip -n "$ns" xfrm state add src "$peer" dst "$local" proto esp spi "$ispi" \
		reqid 2 mode transport "${ienc[@]}" "${ALGO[@]}" || return 1
	for p in tcp udp; do
		ip -n "$ns" xfrm policy add src "$local" dst "$peer" proto $p dir out \
			tmpl proto esp reqid 1 mode transport || return 1
		ip -n "$ns" xfrm policy add src "$peer" dst "$local" proto $p dir in \
			tmpl proto esp reqid 2 mode transport || return 1
	done
}

# sa_algo gcm|null KEY: set ALGO to the algorithm arguments of "ip xfrm".
sa_algo() {
	case $1 in
	gcm)	ALGO=(aead 'rfc4106(gcm(aes))' "$2" 128) ;;
	null)	ALGO=(enc 'ecb(cipher_null)' '' auth digest_null '') ;;
	esac
}

# The sockets an IKE daemon would hold: UDP 4500 with UDP_ENCAP, or a TCP
# connection A -> B with the espintcp ULP on both ends.
encap_sockets() {
	local out

	case $1 in
	udp)
		for ns in "$NS_A" "$NS_B"; do
			out=$(mktemp)
			defer rm -f "$out"
			bg_start ip netns exec "$ns" encap_sock udp -"$FAMILY" \
				-p "$ENCAP_PORT" > "$out"
			wait_for_line "$out" ready 5000 || return 1
		done
		;;
	tcp)
		out=$(mktemp)
		defer rm -f "$out" "$out.c"
		bg_start ip netns exec "$NS_B" encap_sock tcp-listen -"$FAMILY" \
			-p "$ENCAP_PORT" > "$out"
		wait_for_line "$out" listening 5000 || return 1
		bg_start ip netns exec "$NS_A" encap_sock tcp-connect -"$FAMILY" \
			-a "$TARGET_B" -p "$ENCAP_PORT" -l "$ENCAP_PORT" > "$out.c"
		wait_for_line "$out" ready 5000 && wait_for_line "$out.c" ready 5000
		;;
	esac
}

# Does this kernel have ESP-in-TCP?
have_espintcp() {
	[ -d /sys/module/espintcp ] || modprobe -q espintcp 2>/dev/null ||
		grep -qs 'CONFIG_INET_ESPINTCP=y' "/boot/config-$(uname -r)" \
			"/lib/modules/$(uname -r)/build/.config"
}

# --- injectors ----------------------------------------------------------------

INJECT_PARAMS=/sys/module/xfrm_csum_inject/parameters

# inject_aead_load: the rfc4106 wrapper; must be loaded before sa_setup.
inject_aead_load() {
	modprobe -q esp4 && modprobe -q esp6 || return 1
	[ -d $INJECT_PARAMS ] || load_module xfrm_csum_inject || return 1
	echo 0 > $INJECT_PARAMS/every
}

# inject_aead_start EVERY [SPI] [OFFSET]: corrupt every EVERY-th packet
# (of one SA if SPI is given) before encryption.  INJECT_FIRST=N starts at
# the N-th packet (1 = the first), INJECT_VARY=1 makes every corruption
# change the checksum by another amount, INJECT_MAX=N stops after N.
inject_aead_start() {
	echo 0 > $INJECT_PARAMS/every
	echo 0 > $INJECT_PARAMS/corrupted
	echo "$(( ${2:-0} ))" > $INJECT_PARAMS/spi
	echo "${3:-64}" > $INJECT_PARAMS/offset
	echo "${INJECT_FIRST:-0}" > $INJECT_PARAMS/first
	echo "${INJECT_VARY:-0}" > $INJECT_PARAMS/vary
	echo "${INJECT_MAX:-0}" > $INJECT_PARAMS/max
	echo enc > $INJECT_PARAMS/dir
	echo "$1" > $INJECT_PARAMS/every
}

inject_aead_stop() {
	[ -d $INJECT_PARAMS ] && echo 0 > $INJECT_PARAMS/every
}

inject_aead_count() {
	cat $INJECT_PARAMS/corrupted
}

# inject_pedit_start NS DEV EVERY: on a cipher_null SA, overwrite 16 bytes
# at offset 64 of the ESP payload of every EVERY-th large packet leaving DEV.
# The inner checksum was computed before, so the damage is invisible to
# ESP; csum udp refreshes the outer UDP checksum IPv6 requires.
inject_pedit_start() {
	local ns=$1 dev=$2 every=$3 l4 proto

	l4=$(( (FAMILY == 4 ? 20 : 40) + 8 ))		# IP + ESP header
	[ "$SA_ENCAP" = udp ] && l4=$((l4 + 8))		# + UDP encapsulation
	proto=$([ "$FAMILY" = 4 ] && echo ip || echo ipv6)
	PEDIT_NS=$ns PEDIT_DEV=$dev
	ip netns exec "$ns" ethtool -K "$dev" tx off >/dev/null 2>&1
	tc -n "$ns" qdisc add dev "$dev" clsact 2>/dev/null
	tc -n "$ns" filter add dev "$dev" egress protocol "$proto" prio 1 \
		basic match 'meta(pkt_len gt 300)' \
		action gact ok random determ pipe "$every" \
		action pedit munge offset $((l4 + 64)) u32 set 0x6edd0b51 \
			munge offset $((l4 + 68)) u32 set 0x6edd0b51 \
			munge offset $((l4 + 72)) u32 set 0x6edd0b51 \
			munge offset $((l4 + 76)) u32 set 0x6edd0b51 pipe \
		action csum udp
}

inject_pedit_stop() {
	tc -n "$PEDIT_NS" filter del dev "$PEDIT_DEV" egress 2>/dev/null
}

# Packets the pedit action rewrote.
inject_pedit_count() {
	tc -n "$PEDIT_NS" -s filter show dev "$PEDIT_DEV" egress |
		awk '/action order [0-9]+: +pedit/ { p = 1 }
		     p && /Sent/ { print $4; exit }'
}

# --- traffic ------------------------------------------------------------------

# udp_zero_stream COUNT SIZE: zero datagrams A -> B.  Sets UDP_RECEIVED,
# UDP_CORRUPTED (datagrams with a non-zero byte), UDP_NONZERO (bytes).
udp_zero_stream() {
	local count=$1 size=$2 out res

	out=$(mktemp)
	ip netns exec "$NS_B" udp_stream recv -"$FAMILY" -p $UDP_PORT -n "$count" \
		-t 2000 > "$out" &
	local rpid=$!
	wait_for_line "$out" ready 5000 || { kill $rpid; rm -f "$out"; return 1; }
	ip netns exec "$NS_A" udp_stream send -"$FAMILY" -a "$TARGET_B" -p $UDP_PORT \
		-n "$count" -s "$size"
	wait $rpid
	res=$(grep received= "$out")
	rm -f "$out"
	eval "$(echo "$res" | sed 's/received=/UDP_RECEIVED=/; s/corrupted=/UDP_CORRUPTED=/;
		s/nonzero_bytes=/UDP_NONZERO=/; s/bytes=/UDP_BYTES=/')"
}

# tcp_zero_stream BYTES: the incident's detector.  Zeros over TCP A -> B
# into "xxd -a"; sets TCP_RECEIVED (bytes) and TCP_NONZERO (non-zero bytes in
# the dump), and keeps the dump in TCP_DUMP.
tcp_zero_stream() {
	local bytes=$1 listen connect

	TCP_DUMP=$(mktemp)
	defer rm -f "$TCP_DUMP"
	if [ "$FAMILY" = 4 ]; then
		listen=TCP4-LISTEN:$TCP_PORT,reuseaddr connect=TCP4:$TARGET_B:$TCP_PORT
	else
		listen=TCP6-LISTEN:$TCP_PORT,reuseaddr connect=TCP6:[$TARGET_B]:$TCP_PORT
	fi
	ip netns exec "$NS_B" timeout 120 socat -u "$listen" - | xxd -a > "$TCP_DUMP" &
	local rpid=$!
	busywait 5000 tcp_listening "$NS_B" $TCP_PORT
	head -c "$bytes" /dev/zero |
		ip netns exec "$NS_A" timeout 120 socat -u - "$connect"
	wait $rpid
	eval "$(xxd_dump_count < "$TCP_DUMP")"
}

tcp_listening() {
	ip netns exec "$1" ss -Htln "sport = :$2" | grep -q .
}

# Read an "xxd -a" dump; print TCP_RECEIVED=N TCP_NONZERO=M.
xxd_dump_count() {
	awk '
	function hex(s,    i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	$1 == "*" { next }
	{
		off = hex(substr($1, 1, length($1) - 1))
		n = 0
		for (i = 2; i <= 9 && $i ~ /^[0-9a-f]+$/; i++) {
			for (j = 1; j < length($i); j += 2) {
				n++
				if (substr($i, j, 2) != "00")
					bad++
			}
		}
		total = off + n
	}
	END { printf "TCP_RECEIVED=%d TCP_NONZERO=%d\n", total, bad }'
}

# --- counters -----------------------------------------------------------------

# snmp NS TABLE FIELD: a /proc/net/snmp counter (TABLE "Udp", "Tcp", ...)
# or, with TABLE "6", a /proc/net/snmp6 counter (FIELD "Udp6InCsumErrors").
snmp() {
	local ns=$1 table=$2 field=$3

	if [ "$table" = 6 ]; then
		ip netns exec "$ns" awk -v f="$field" '$1 == f { print $2 }' /proc/net/snmp6
	else
		ip netns exec "$ns" awk -v t="$table:" -v f="$field" '
			$1 == t && !h { for (i = 2; i <= NF; i++) idx[$i] = i; h = 1; next }
			$1 == t && h { print $idx[f]; exit }' /proc/net/snmp
	fi
}

# Inner checksum errors counted by the stack in B for the current family.
csum_errors_b() {
	local proto=$1

	if [ "$proto" = udp ] && [ "$FAMILY" = 6 ]; then
		# udpv6_recvmsg() picks the MIB from skb->protocol, and decrypted
		# IPv6 datagrams have been seen counted under Udp: read both.
		echo $(( $(snmp "$NS_B" 6 Udp6InCsumErrors) + $(snmp "$NS_B" Udp InCsumErrors) ))
	elif [ "$proto" = udp ]; then
		snmp "$NS_B" Udp InCsumErrors
	else
		snmp "$NS_B" Tcp InCsumErrors
	fi
}

# /proc/net/xfrm_stat counter in NS.
xfrm_stat() {
	ip netns exec "$1" awk -v f="$2" '$1 == f { print $2 }' /proc/net/xfrm_stat
}

# --- expectations -------------------------------------------------------------

# Is a fix for the NAT-T checksum hole expected to be active?  Set by the
# runner through XFRM_CSUM_EXPECT=bug|fixed; when unset, it is guessed from
# the running system (module loaded in drop mode, or a patched kernel).
fix_expected() {
	case ${XFRM_CSUM_EXPECT:-} in
	fixed)	return 0 ;;
	bug)	return 1 ;;
	esac
	[ -d /sys/kernel/xfrm_csum ] && return 0
	[ "$(sysctl -n net.core.xfrm_encap_csum 2>/dev/null || echo 0)" != 0 ]
}

# property NAME OK DETAIL AFFECTED: report a property check.  OK is 0 when
# the property held.  AFFECTED=1 marks a case the known bug breaks: on an
# unfixed system its failure is an XFAIL, and its success an error (the
# reproduction did not reproduce).
property() {
	local name=$1 ok=$2 detail=$3 affected=${4:-0}

	if [ "$affected" = 1 ] && ! fix_expected; then
		if [ "$ok" = 0 ]; then
			ktap_fail "$name" "bug not reproduced: $detail"
		else
			ktap_xfail "$name" "known bug: $detail"
		fi
	elif [ "$ok" = 0 ]; then
		ktap_pass "$name"
		ktap_msg "  $detail"
	else
		ktap_fail "$name" "$detail"
	fi
}

# --- one poisoned transfer ----------------------------------------------------

POISON_EVERY=${POISON_EVERY:-10}
POISON_UDP_COUNT=${POISON_UDP_COUNT:-300}
POISON_TCP_BYTES=${POISON_TCP_BYTES:-1000000}

# poison_setup INJECTOR [sa_setup options]: SAs for A <-> B with the
# injector armed on A's outbound traffic.  INJECTOR is aead (AES-GCM SA,
# corruption inside the cipher) or pedit (cipher_null SA, corruption on the
# wire after ESP).
poison_setup() {
	local injector=$1

	shift
	POISON_INJECTOR=$injector
	case $injector in
	aead)
		inject_aead_load || return $ksft_skip
		sa_setup -c gcm "$@" || return 1
		inject_aead_start "$POISON_EVERY" "$SPI_AB"
		;;
	pedit)
		sa_setup -c null "$@" || return 1
		inject_pedit_start "$NS_A" "$DEV_A" "$POISON_EVERY" || return 1
		;;
	esac
}

# poison_transfer udp|tcp: zero stream A -> B through the poisoned SA.  Sets
# INJECTED (packets corrupted), BAD (corrupted datagrams / non-zero bytes the
# application got), SHORT (bytes or datagrams that never arrived) and
# CSUM_DELTA (the stack's InCsumErrors increase in B).
poison_transfer() {
	local proto=$1 before

	before=$(csum_errors_b "$proto")
	if [ "$proto" = udp ]; then
		udp_zero_stream "$POISON_UDP_COUNT" 1000 || return 1
		BAD=$UDP_CORRUPTED
		SHORT=$((POISON_UDP_COUNT - UDP_RECEIVED))
	else
		tcp_zero_stream "$POISON_TCP_BYTES" || return 1
		BAD=$TCP_NONZERO
		SHORT=$((POISON_TCP_BYTES - TCP_RECEIVED))
	fi
	CSUM_DELTA=$(( $(csum_errors_b "$proto") - before ))
	if [ "$POISON_INJECTOR" = aead ]; then
		INJECTED=$(inject_aead_count)
		inject_aead_stop
	else
		INJECTED=$(inject_pedit_count)
		inject_pedit_stop
	fi
}

# cli_module_setup: for tests of the CLI ($XC) against traffic, after
# ktap_header: the binary built, xfrm_csum.ko and the injector loaded (the
# module unloaded at exit if loaded here); fails or skips the test if not.
cli_module_setup() {
	[ -x "$XC" ] || { ktap_fail "xfrm-csum binary" "$XC not built (make -C tools/xfrm-csum)"; ktap_finish; }
	if ! { [ -n "${XFRM_CSUM_MODDIR:-}" ] && [ -f "$XFRM_CSUM_MODDIR/xfrm_csum.ko" ]; } &&
	   ! modprobe -nq xfrm_csum 2>/dev/null; then
		ksft_skip_all "xfrm_csum.ko not built (XFRM_CSUM_MODDIR)"
	fi
	inject_aead_load || ksft_skip_all "injector xfrm_csum_inject not available"
	if [ ! -d /sys/module/xfrm_csum ]; then
		load_module xfrm_csum || { ktap_fail "load xfrm_csum"; ktap_finish; }
		trap 'cleanup_all; unload_module xfrm_csum' EXIT
	fi
}

# --- xfrm_csum.ko under the IKE daemon tests ----------------------------------

MODE_PARAM=/sys/module/xfrm_csum/parameters/mode
HAVE_MODULE=0
LOADED_MODULE=0
SAVED_MODE=''
XC=''
# shellcheck disable=SC2034 # set by the tests that load the injector
HAVE_INJECTOR=0

# daemon_module_setup: the module in drop mode for the daemons' namespaces
# (they take its defaults), if it was built: otherwise a stock kernel run.
# XC is the xfrm-csum client, if there is one.  daemon_module_restore
# undoes it at exit.
daemon_module_setup() {
	local c

	if [ ! -d /sys/module/xfrm_csum ] && load_module xfrm_csum; then
		LOADED_MODULE=1
	fi
	if [ -d /sys/module/xfrm_csum ]; then
		HAVE_MODULE=1
		SAVED_MODE=$(cat "$MODE_PARAM" 2>/dev/null)
		echo drop > "$MODE_PARAM" 2>/dev/null
	fi
	for c in "${XFRM_CSUM_CLI:-}" "$SELFTEST_DIR/../tools/xfrm-csum/xfrm-csum" \
		 "$(command -v xfrm-csum)"; do
		[ -n "$c" ] && [ -x "$c" ] && { XC=$c; break; }
	done
	if [ $HAVE_MODULE = 1 ] && [ -z "$XC" ]; then
		ktap_msg "module loaded but no xfrm-csum client: per-SA checks skipped"
	fi
}

daemon_module_restore() {
	[ -n "$SAVED_MODE" ] && echo "$SAVED_MODE" > "$MODE_PARAM" 2>/dev/null
	[ "$LOADED_MODULE" = 1 ] && unload_module xfrm_csum
}

# sa_field NS SPI KEY: one field of the module's entry for SPI in NS
# ("nat_state", "stats.mismatch"), from "xfrm-csum -j sa".
sa_field() {
	ip netns exec "$1" "$XC" -j sa | python3 -c '
import json, sys
spi, key = int(sys.argv[1], 16), sys.argv[2].split(".")
try:
    sas = json.load(sys.stdin)
except ValueError:
    sas = []
for e in sas:
    if int(e["spi"], 16) == spi:
        for k in key:
            e = e.get(k, "") if isinstance(e, dict) else ""
        print(e)
        break' "$2" "$3"
}
