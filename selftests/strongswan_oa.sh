#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Original addresses from IKE: strongSwan's charon with the kernel-netlink
# plugin of patches/strongswan/ (scripts/build-strongswan.sh) passes the
# addresses IKEv2 negotiated for a transport-mode SA behind a NAT (the
# traffic selectors before charon substitutes them, RFC 7296 2.23.1) to
# the kernel (encap_oa: the peer's original address) and to xfrm_csum.ko
# (peer-set before the SA is installed, sa-set after: both addresses), so
# that the module knows the NAT difference from the SA's first packet
# (docs/ike.md, docs/design.md "Original addresses from IKE").
#
#   nat-i:  the initiator A behind a masquerading router R
#             A 198.51.100.2 --- R 203.0.113.1 --- B 203.0.113.2
#   nat-r:  the responder B behind R, which forwards UDP 500 and 4500
#             A 203.0.113.2 --- R 203.0.113.1 --- B 198.51.100.2
#   (IPv6: 2001:db8:a::20 behind R 2001:db8:b::1, 2001:db8:b::2 outside)
#
# Per scenario, with the corrupting AES-GCM wrapper armed before the
# CHILD_SA exists:
#   - IKE and the CHILD_SA come up, ESP-in-UDP, the NAT seen on the right side;
#   - charon finds both original addresses of each side's inbound SA, and
#     installs the peer's as encap_oa where our own address is untranslated
#     (zero on the side behind R: one address cannot describe that NAT);
#   - the module's entries of both inbound SAs exist before any packet,
#     static (sa-set);
#   - the first packet of each direction's SA is corrupted: it is not
#     delivered, and every correct one after it is (A->B and B->A);
#   - every 2nd packet corrupted, UDP and TCP both ways: nothing corrupt
#     delivered, nothing correct dropped;
#   - the module's entries of both inbound SAs are static, with the right
#     orig-saddr/orig-daddr, and judged nothing "unconfirmed";
#   - a CHILD_SA that rekeys every few seconds, under the same corruption:
#     nothing corrupt delivered, nothing correct dropped, and every SA the
#     rekeys created is static with the right addresses;
# and at the end, no charon is left running.
#
# Without the module the delivery checks are XFAIL (stock behaviour) and
# the module checks skip; without the patched plugin everything skips.
#
# Environment: SWAN_SCENARIOS (default "nat-i:4 nat-r:4 nat-i:6 nat-r:6"),
# SWAN_PLUGIN (the patched plugin; default build/strongswan/ of this tree),
# SWAN_REKEY (rekey time of the rekeying child, 4 s), SWAN_REKEYS (2).

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"
source "$(dirname "$0")/strongswan_lib.sh"

SCENARIOS=${SWAN_SCENARIOS:-"nat-i:4 nat-r:4 nat-i:6 nat-r:6"}
REKEY=${SWAN_REKEY:-4}
REKEYS=${SWAN_REKEYS:-2}
CHECKS_PER_SCENARIO=10
UDP_COUNT=100
TCP_BYTES=500000
: "${SWAN_PLUGIN:=$XCSUM_TOP/build/strongswan/libstrongswan-kernel-netlink.so}"
SWAN_LOGLEVELS="default = 1
				knl = 2"

require_root
require_cmd ip nft socat xxd swanctl udp_stream python3
[ -x "$SWAN_CHARON" ] || ksft_skip_all "strongSwan charon not found at $SWAN_CHARON"
[ -f "$SWAN_PLUGIN" ] ||
	ksft_skip_all "no patched kernel-netlink plugin at $SWAN_PLUGIN (scripts/build-strongswan.sh)"

# --- topology -------------------------------------------------------------------

# topo_nat_r: B behind R, R forwards IKE and NAT-T to B and masquerades
# B's other traffic.  The same addresses as topo_nat, sides swapped.
topo_nat_r() {
	setup_ns NS_A NS_R NS_B || return 1
	veth_pair "$NS_A" a0 "$NS_R" rb || return 1
	veth_pair "$NS_R" ra "$NS_B" b0 || return 1
	ip -n "$NS_A" addr add 203.0.113.2/24 dev a0
	ip -n "$NS_A" addr add 2001:db8:b::2/64 dev a0 nodad
	ip -n "$NS_R" addr add 203.0.113.1/24 dev rb
	ip -n "$NS_R" addr add 2001:db8:b::1/64 dev rb nodad
	ip -n "$NS_R" addr add 198.51.100.1/24 dev ra
	ip -n "$NS_R" addr add 2001:db8:a::1/64 dev ra nodad
	ip -n "$NS_B" addr add 198.51.100.2/24 dev b0
	ip -n "$NS_B" addr add 2001:db8:a::20/64 dev b0 nodad
	ip -n "$NS_B" route add default via 198.51.100.1
	ip -n "$NS_B" -6 route add default via 2001:db8:a::1
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	ip netns exec "$NS_R" nft -f - <<-EOF || return 1
	table inet natt {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			iifname "rb" meta nfproto ipv4 udp dport { 500, 4500 } dnat ip to 198.51.100.2
			iifname "rb" meta nfproto ipv6 udp dport { 500, 4500 } dnat ip6 to 2001:db8:a::20
		}
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "rb" masquerade
		}
	}
	EOF
}

# scenario_addrs nat-i|nat-r 4|6: PRIV (the NATed host's own address), PUB
# (R's public address), HOST (the host outside), and who is which.
scenario_addrs() {
	if [ "$2" = 4 ]; then
		PRIV=198.51.100.2 PUB=203.0.113.1 HOST=203.0.113.2 ANY_ADDR=0.0.0.0
	else
		PRIV=2001:db8:a::20 PUB=2001:db8:b::1 HOST=2001:db8:b::2 ANY_ADDR=::
	fi
	# shellcheck disable=SC2034 # read by ipsec_lib.sh
	FAMILY=$2
	if [ "$1" = nat-i ]; then
		# A (initiator) is behind R
		OWN_A=$PRIV OWN_B=$HOST A_TO_B=$HOST B_TO_A=$PUB
		NAT_A=nat-local
	else
		# B (responder) is behind R
		OWN_A=$HOST OWN_B=$PRIV A_TO_B=$PUB B_TO_A=$HOST
		NAT_A=nat-remote
	fi
	ADDR_B=$A_TO_B TARGET_B=$A_TO_B
	# Each side's inbound SA: the peer's original source address and our
	# own address as the peer addressed it.
	# encap_oa holds the peer's original address where our own is not
	# translated, and stays zero on the side behind R (one address cannot
	# describe that NAT).
	if [ "$1" = nat-i ]; then
		ORIG_S_B=$PRIV ORIG_D_B=$HOST OA_B=$PRIV	# B receives from A (behind R)
		ORIG_S_A=$HOST ORIG_D_A=$PUB OA_A=$ANY_ADDR	# A receives, itself behind R
	else
		ORIG_S_A=$PRIV ORIG_D_A=$HOST OA_A=$PRIV	# A receives from B (behind R)
		ORIG_S_B=$HOST ORIG_D_B=$PUB OA_B=$ANY_ADDR	# B receives, itself behind R
	fi
}

# --- module, injector -------------------------------------------------------------

setup_module() {
	daemon_module_setup
	# the per-SA checks here use the YNL client
	[ -f "$XCSUM_YNL" ] || HAVE_MODULE=0
}

# inject_first: corrupt the next eligible packet of any SA, and only that.
inject_first() {
	INJECT_FIRST=1 INJECT_MAX=1 inject_aead_start 1
}

# inject_every N: corrupt every Nth eligible packet of any SA, from the
# next one on.
inject_every() {
	INJECT_FIRST=1 inject_aead_start "$1"
}

inject_off() {
	[ $HAVE_INJECTOR = 1 ] || return 0
	inject_aead_stop
}

# --- traffic ----------------------------------------------------------------------

# swap_sides: A's namespace becomes B's and the other way round, and
# ADDR_B and TARGET_B the address the new A sends to (for ipsec_lib.sh's
# streams).
swap_sides() {
	local ns=$NS_A

	NS_A=$NS_B NS_B=$ns
	if [ "$ADDR_B" = "$A_TO_B" ]; then
		ADDR_B=$B_TO_A
	else
		ADDR_B=$A_TO_B
	fi
	TARGET_B=$ADDR_B
}

# udp_dir A|B COUNT: zero datagrams from that side to the other.  Sets
# UDP_RECEIVED, UDP_CORRUPTED and INJ (packets the injector corrupted).
udp_dir() {
	local from=$1 count=$2

	UDP_RECEIVED=0 UDP_CORRUPTED=
	if [ "$from" = B ]; then swap_sides; fi
	udp_zero_stream "$count" 1000
	if [ "$from" = B ]; then swap_sides; fi
	INJ=0
	[ $HAVE_INJECTOR = 1 ] && INJ=$(inject_aead_count)
}

# tcp_dir A|B BYTES: zeros over TCP from that side.  Sets TCP_RECEIVED,
# TCP_NONZERO.
tcp_dir() {
	local from=$1 bytes=$2

	TCP_RECEIVED=0 TCP_NONZERO=
	if [ "$from" = B ]; then swap_sides; fi
	tcp_zero_stream "$bytes"
	if [ "$from" = B ]; then swap_sides; fi
}

# --- checks -------------------------------------------------------------------------

# oa_of NS SPI: encap_oa of NS's SA with SPI, as "ip xfrm state" prints it.
oa_of() {
	ip -n "$1" xfrm state list spi "0x$2" |
		sed -n 's/.*encap type espinudp sport [0-9]* dport [0-9]* addr \([^ ]*\).*/\1/p' |
		head -n1
}

# entries NS: the module's SA entries of NS, one per line:
# SPI STATE ORIG_SADDR ORIG_DADDR CHECKED MISMATCH UNCONFIRMED DROPPED
entries() {
	xcsum_nl "$1" --dump sa-get 2>/dev/null | python3 -c '
import ipaddress, json, sys
try:
    sas = json.load(sys.stdin)
except ValueError:
    sas = []
def addr(h):
    return str(ipaddress.ip_address(bytes.fromhex(h))) if h else "-"
for e in sas:
    st = e.get("stats", {})
    print("%08x %s %s %s %d %d %d %d" % (e["spi"], e.get("nat-state", "?"),
          addr(e.get("orig-saddr")), addr(e.get("orig-daddr")),
          st.get("checked", 0), st.get("mismatch", 0),
          st.get("unconfirmed", 0), st.get("dropped", 0)))'
}

# entries_ok NS ORIG_S ORIG_D [SPI...]: every listed entry (all if none
# listed) is static with these original addresses and judged nothing
# unconfirmed; sets ENTRIES (for the message), ENTRY_MIS (mismatches) and
# ENTRY_CHECKED (packets judged).
entries_ok() {
	local ns=$1 os=$2 od=$3 ok=0 spi st s d chk mis unc drop want

	shift 3
	want=" $* "
	ENTRIES="" ENTRY_MIS=0 ENTRY_CHECKED=0
	while read -r spi st s d chk mis unc drop; do
		[ -n "$spi" ] || continue
		[ $# -gt 0 ] && [[ $want != *" $spi "* ]] && continue
		ENTRIES+="[$spi $st orig $s>$d checked=$chk mismatch=$mis unconfirmed=$unc dropped=$drop] "
		ENTRY_MIS=$((ENTRY_MIS + mis))
		ENTRY_CHECKED=$((ENTRY_CHECKED + chk))
		[ "$st" = static ] && [ "$s" = "$os" ] && [ "$d" = "$od" ] &&
			[ "$unc" = 0 ] || ok=1
	done < <(entries "$ns")
	[ -n "$ENTRIES" ] || ok=1
	return $ok
}

# --- one scenario -----------------------------------------------------------------

scenario() {
	local topo=${1%%:*} fam=${1##*:} name ok detail i
	local in_a in_b oa_a oa_b injected bad lost

	name="$topo ipv$fam"
	CHARON_PIDS=()
	scenario_addrs "$topo" "$fam"
	if [ "$topo" = nat-i ]; then
		topo_nat
	else
		topo_nat_r
	fi || {
		for ((i = 0; i < CHECKS_PER_SCENARIO; i++)); do
			ktap_fail "$name: setup" "topology failed"
		done
		cleanup_all
		return
	}
	# One NAT must change the pseudo-header sum, or nothing is tested.
	if csum_neutral "$PRIV" "$PUB"; then
		ktap_fail "$name: setup" "checksum-neutral translation"
		cleanup_all
		return
	fi
	charon_start A "$NS_A" "$OWN_A" "$A_TO_B" a.example.org b.example.org no "$REKEY"
	charon_start B "$NS_B" "$OWN_B" %any b.example.org a.example.org no $((REKEY * 20))
	defer charon_stop

	# 1. The CHILD_SA comes up with the injector armed for its first packet.
	[ $HAVE_INJECTOR = 1 ] && inject_first
	local t0=$SECONDS
	ok=1
	if swan_ready A && swan_ready B &&
	   swan A --initiate --child t --timeout 60 > "$SWAN_A/init.log" 2>&1; then
		ok=0
	fi
	in_a=$(swan_spi A in t) in_b=$(swan_spi B in t)
	detail="IKE up in $((SECONDS - t0)) s, inbound SPIs A $in_a, B $in_b"
	if [ $ok = 0 ]; then
		if [ -z "$in_a" ] || [ -z "$in_b" ]; then
			ok=1 detail+=": no CHILD_SA installed"
		elif ! ip -n "$NS_B" xfrm state list spi "0x$in_b" | grep -q 'encap type espinudp'; then
			ok=1 detail+=": B's inbound SA is not ESP-in-UDP"
		elif ! swan A --list-sas --raw > "$SWAN_A/raw" ||
		     ! grep -q "$NAT_A=yes" "$SWAN_A/raw"; then
			ok=1 detail+=": A's IKE SA without $NAT_A"
		fi
	fi
	if [ $ok != 0 ]; then
		ktap_fail "$name: IKEv$SWAN_IKE_VERSION transport ESP-in-UDP up, $NAT_A on A" "$detail"
		swan_log A; swan_log B
		for ((i = 1; i < CHECKS_PER_SCENARIO; i++)); do
			ktap_skip "$name: check $((i + 1))" "no SA"
		done
		inject_off
		charon_stop
		cleanup_all
		return
	fi
	ktap_pass "$name: IKEv$SWAN_IKE_VERSION transport ESP-in-UDP up, $NAT_A on A"
	ktap_msg "  $detail"

	# 2. charon found both original addresses of each inbound SA, and
	# installed the peer's as encap_oa where that is enough.
	oa_a=$(oa_of "$NS_A" "$in_a") oa_b=$(oa_of "$NS_B" "$in_b")
	detail="A's inbound SA $in_a: encap_oa $oa_a (want $OA_A); B's inbound SA $in_b: encap_oa $oa_b (want $OA_B)"
	ok=0
	[ "$oa_a" = "$OA_A" ] && [ "$oa_b" = "$OA_B" ] || ok=1
	grep -q "using original addresses $ORIG_S_A === $ORIG_D_A" "$SWAN_A/charon.log" || ok=1
	grep -q "using original addresses $ORIG_S_B === $ORIG_D_B" "$SWAN_B/charon.log" || ok=1
	if [ $ok = 0 ]; then
		ktap_pass "$name: charon installs the original addresses"
		ktap_msg "  $detail"
	else
		ktap_fail "$name: charon installs the original addresses" "$detail"
		grep -h 'original addresses\|xfrm-csum' "$SWAN_A/charon.log" "$SWAN_B/charon.log" | sed 's/^/# /'
	fi

	# 3. Before any packet: sa-set made both entries, static.
	if [ $HAVE_MODULE = 1 ]; then
		ok=0
		entries_ok "$NS_A" "$ORIG_S_A" "$ORIG_D_A" "$in_a" || ok=1
		detail="A: $ENTRIES; "
		[ "$ENTRY_CHECKED" = 0 ] || ok=1
		entries_ok "$NS_B" "$ORIG_S_B" "$ORIG_D_B" "$in_b" || ok=1
		detail+="B: $ENTRIES"
		[ "$ENTRY_CHECKED" = 0 ] || ok=1
		if [ $ok = 0 ]; then
			ktap_pass "$name: both inbound SAs static before their first packet"
			ktap_msg "  $detail"
		else
			ktap_fail "$name: both inbound SAs static before their first packet" "$detail"
		fi
	else
		ktap_skip "$name: both inbound SAs static before their first packet" "module not available"
	fi

	# 4, 5. The first packet of each direction corrupted.
	if [ $HAVE_INJECTOR = 1 ]; then
		udp_dir A 50
		injected=$INJ
		detail="A->B: injected $injected, received ${UDP_RECEIVED:-0}/50, corrupted delivered ${UDP_CORRUPTED:-?}"
		ok=0
		[ "$injected" = 1 ] && [ "${UDP_CORRUPTED:-1}" = 0 ] && [ "$UDP_RECEIVED" = 49 ] || ok=1
		property "$name: A->B SA's corrupted first packet dropped, the rest delivered" $ok "$detail" 1
		inject_first
		udp_dir B 50
		injected=$INJ
		detail="B->A: injected $injected, received ${UDP_RECEIVED:-0}/50, corrupted delivered ${UDP_CORRUPTED:-?}"
		ok=0
		[ "$injected" = 1 ] && [ "${UDP_CORRUPTED:-1}" = 0 ] && [ "$UDP_RECEIVED" = 49 ] || ok=1
		property "$name: B->A SA's corrupted first packet dropped, the rest delivered" $ok "$detail" 1
	else
		ktap_skip "$name: A->B SA's corrupted first packet dropped, the rest delivered" "no injector"
		ktap_skip "$name: B->A SA's corrupted first packet dropped, the rest delivered" "no injector"
	fi

	# 6. Every 2nd packet corrupted, UDP and TCP, both ways.
	if [ $HAVE_INJECTOR = 1 ]; then
		bad=0 lost=0 injected=0 detail=
		for i in A B; do
			inject_every 2
			udp_dir $i $UDP_COUNT
			injected=$((injected + INJ))
			bad=$((bad + ${UDP_CORRUPTED:-1}))
			lost=$((lost + UDP_COUNT - UDP_RECEIVED - INJ))
			detail+="udp from $i: injected $INJ received $UDP_RECEIVED/$UDP_COUNT corrupted ${UDP_CORRUPTED:-?}; "
			inject_every 2
			tcp_dir $i $TCP_BYTES
			injected=$((injected + $(inject_aead_count)))
			bad=$((bad + ${TCP_NONZERO:-1}))
			lost=$((lost + TCP_BYTES - TCP_RECEIVED))
			detail+="tcp from $i: injected $(inject_aead_count) received $TCP_RECEIVED/$TCP_BYTES nonzero ${TCP_NONZERO:-?}; "
		done
		inject_off
		ok=0
		[ "$injected" -gt 0 ] && [ "$bad" = 0 ] && [ "$lost" = 0 ] || ok=1
		property "$name: 1/2 corrupted both ways: nothing corrupt delivered, nothing correct lost" $ok "$detail" 1
	else
		ktap_skip "$name: 1/2 corrupted both ways: nothing corrupt delivered, nothing correct lost" "no injector"
	fi

	# 7. The module's entries: static from IKE, right addresses, nothing
	# judged without a NAT difference.
	if [ $HAVE_MODULE = 1 ]; then
		ok=0
		entries_ok "$NS_A" "$ORIG_S_A" "$ORIG_D_A" "$in_a" || ok=1
		detail="A: $ENTRIES; "
		entries_ok "$NS_B" "$ORIG_S_B" "$ORIG_D_B" "$in_b" || ok=1
		detail+="B: $ENTRIES"
		if [ $ok = 0 ]; then
			ktap_pass "$name: both inbound SAs static with IKE's original addresses"
			ktap_msg "  $detail"
		else
			ktap_fail "$name: both inbound SAs static with IKE's original addresses" "$detail"
			ktap_msg "peers A: $(xcsum_nl "$NS_A" --dump peer-get 2>&1 | tr -d '\n')"
			ktap_msg "peers B: $(xcsum_nl "$NS_B" --dump peer-get 2>&1 | tr -d '\n')"
		fi
	else
		ktap_skip "$name: both inbound SAs static with IKE's original addresses" "module not available"
	fi

	# 8, 9. A CHILD_SA rekeying every REKEY seconds under 1/2 corruption.
	rekey_phase
	if [ "$REKEY_OK" = 2 ]; then
		ktap_fail "$name: 1/2 corrupted across rekeys: nothing corrupt delivered, nothing correct lost" "$REKEY_DETAIL"
	elif [ $HAVE_INJECTOR = 1 ]; then
		property "$name: 1/2 corrupted across $REKEY_SEEN rekeys: nothing corrupt delivered, nothing correct lost" "$REKEY_OK" "$REKEY_DETAIL" 1
	else
		ktap_skip "$name: 1/2 corrupted across rekeys: nothing corrupt delivered, nothing correct lost" "no injector"
	fi
	if [ $HAVE_MODULE = 1 ] && [ "$REKEY_OK" != 2 ]; then
		local na nb
		na=$(printf '%s\n' "${REKEY_STATIC[@]}" | grep -c '^A:')
		nb=$(printf '%s\n' "${REKEY_STATIC[@]}" | grep -c '^B:')
		detail="seen static with the right addresses: ${REKEY_STATIC[*]}; other entries: ${REKEY_BAD:-none}"
		ok=0
		[ -z "$REKEY_BAD" ] && [ "$na" -gt "$REKEYS" ] && [ "$nb" -gt "$REKEYS" ] || ok=1
		if [ $ok = 0 ]; then
			ktap_pass "$name: every rekeyed SA static with IKE's original addresses"
			ktap_msg "  $detail"
		else
			ktap_fail "$name: every rekeyed SA static with IKE's original addresses" "inbound SPIs A: ${REKEY_SPIS_A[*]}, B: ${REKEY_SPIS_B[*]}; $detail"
		fi
	else
		ktap_skip "$name: every rekeyed SA static with IKE's original addresses" "module not available or no rekeys"
	fi

	# 10. Teardown: the module lets go of the SAs.
	swan A --terminate --ike t --timeout 30 > /dev/null 2>&1
	if [ $HAVE_MODULE = 1 ]; then
		ok=0
		busywait 15000 eval '[ -z "$(entries "$NS_A")$(entries "$NS_B")" ]' || ok=1
		detail="left: A [$(entries "$NS_A" | tr '\n' ' ')] B [$(entries "$NS_B" | tr '\n' ' ')]"
		if [ $ok = 0 ]; then
			ktap_pass "$name: per-SA entries freed after the IKE_SA is deleted"
		else
			ktap_fail "$name: per-SA entries freed after the IKE_SA is deleted" "$detail"
		fi
	else
		ktap_skip "$name: per-SA entries freed after the IKE_SA is deleted" "module not available"
	fi

	inject_off
	charon_stop
	cleanup_all
}

# Child "r", rekeyed by A every REKEY seconds: UDP bursts both ways with
# every 2nd packet corrupted, until REKEYS rekeys were seen, then TCP both
# ways.  Sets REKEY_OK (0 good, 1 protection failed, 2 the rekeying itself
# failed), REKEY_SEEN, REKEY_DETAIL and the inbound SPIs seen on each side
# (REKEY_SPIS_A, REKEY_SPIS_B).  With the module, after every round the
# entries of both sides are checked (rekey_entries): REKEY_STATIC lists the
# SPIs seen static with the right addresses, REKEY_BAD the other entries.
rekey_phase() {
	local deadline bad=0 lost=0 injected=0 rounds=0 i

	REKEY_OK=1 REKEY_SEEN=0 REKEY_SPIS_A=() REKEY_SPIS_B=()
	REKEY_STATIC=() REKEY_BAD=""
	swan A --terminate --child t --timeout 30 > /dev/null 2>&1
	[ $HAVE_INJECTOR = 1 ] && inject_every 2
	if ! swan A --initiate --child r --timeout 60 > "$SWAN_A/init-r.log" 2>&1; then
		REKEY_OK=2 REKEY_DETAIL="CHILD_SA r did not come up"
		swan_log A
		return
	fi
	# note_spis: the inbound SPI each side uses now (the caller's arrays)
	note_spis() {
		local side s

		for side in A B; do
			# B's charon files A's "r" under its first child config
			# with the same selectors ("t"): take any child (t is gone)
			s=$(swan_spi $side in | tail -n1)
			[ -n "$s" ] || continue
			if [ $side = A ]; then
				[[ " ${REKEY_SPIS_A[*]} " == *" $s "* ]] || REKEY_SPIS_A+=("$s")
			else
				[[ " ${REKEY_SPIS_B[*]} " == *" $s "* ]] || REKEY_SPIS_B+=("$s")
			fi
		done
	}
	# Rekeys follow charon's clock, rounds the guest's speed: on a loaded
	# host a round takes tens of seconds, so the deadline is generous
	# (the loop ends as soon as the rekeys were seen).
	deadline=$((SECONDS + 4 * REKEY * (REKEYS + 3) + 120))
	while [ $SECONDS -lt $deadline ]; do
		note_spis
		[ ${#REKEY_SPIS_A[@]} -gt "$REKEYS" ] && [ ${#REKEY_SPIS_B[@]} -gt "$REKEYS" ] && break
		for i in A B; do
			[ $HAVE_INJECTOR = 1 ] && inject_every 2
			udp_dir $i 20
			injected=$((injected + INJ))
			bad=$((bad + ${UDP_CORRUPTED:-1}))
			lost=$((lost + 20 - UDP_RECEIVED - INJ))
		done
		rekey_entries
		rounds=$((rounds + 1))
	done
	note_spis
	REKEY_SEEN=$((${#REKEY_SPIS_A[@]} - 1))
	for i in A B; do
		[ $HAVE_INJECTOR = 1 ] && inject_every 2
		tcp_dir $i $TCP_BYTES
		[ $HAVE_INJECTOR = 1 ] && injected=$((injected + $(inject_aead_count)))
		bad=$((bad + ${TCP_NONZERO:-1}))
		lost=$((lost + TCP_BYTES - TCP_RECEIVED))
	done
	inject_off
	rekey_entries
	REKEY_DETAIL="inbound SPIs A: ${REKEY_SPIS_A[*]}, B: ${REKEY_SPIS_B[*]}; $rounds UDP rounds; injected=$injected delivered corrupt=$bad correct lost=$lost"
	if [ "$REKEY_SEEN" -lt "$REKEYS" ]; then
		swan_log A
		REKEY_OK=2 REKEY_DETAIL="only $REKEY_SEEN of $REKEYS rekeys happened; $REKEY_DETAIL"
		return
	fi
	if [ $HAVE_INJECTOR = 1 ] && [ "$injected" = 0 ]; then
		REKEY_OK=2 REKEY_DETAIL="injector corrupted nothing; $REKEY_DETAIL"
		return
	fi
	[ "$bad" = 0 ] && [ "$lost" = 0 ] && REKEY_OK=0
}

# rekey_entries: check the module's entries of both sides now (all are
# children of "r": "t" was deleted before).
rekey_entries() {
	local side ns os od spi st s d rest

	[ $HAVE_MODULE = 1 ] || return 0
	for side in A B; do
		if [ $side = A ]; then
			ns=$NS_A os=$ORIG_S_A od=$ORIG_D_A
		else
			ns=$NS_B os=$ORIG_S_B od=$ORIG_D_B
		fi
		while read -r spi st s d rest; do
			[ -n "$spi" ] || continue
			if [ "$st" = static ] && [ "$s" = "$os" ] && [ "$d" = "$od" ] &&
			   [ "$(echo "$rest" | awk '{ print $3 }')" = 0 ]; then
				[[ " ${REKEY_STATIC[*]} " == *" $side:$spi "* ]] ||
					REKEY_STATIC+=("$side:$spi")
			else
				REKEY_BAD+="[$side $spi $st $s>$d $rest] "
			fi
		done < <(entries "$ns")
	done
}

# --- main -----------------------------------------------------------------------

final_cleanup() {
	cleanup_all
	inject_off
	daemon_module_restore
}
trap final_cleanup EXIT

modprobe -q xfrm_user
modprobe -q esp4
modprobe -q esp6
setup_module
# the injector must be registered before charon installs the SAs
inject_aead_load 2>/dev/null && HAVE_INJECTOR=1

read -r -a scen <<< "$SCENARIOS"
ktap_header
ktap_plan $(( ${#scen[@]} * CHECKS_PER_SCENARIO + 1 ))
ktap_msg "$("$SWAN_CHARON" --version 2>/dev/null | sed "s/^Linux //"), plugin $SWAN_PLUGIN"
ktap_msg "module: $([ $HAVE_MODULE = 1 ] && echo "loaded, mode $(cat $MODE_PARAM 2>/dev/null)" || echo absent), injector: $([ $HAVE_INJECTOR = 1 ] && echo loaded || echo absent)"
for s in "${scen[@]}"; do
	scenario "$s"
done

left=$(charon_left)
if [ -z "${left// /}" ]; then
	ktap_pass "no charon left running"
else
	ktap_fail "no charon left running" "still running:$left"
fi
ktap_finish
