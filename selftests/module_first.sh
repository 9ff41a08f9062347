#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The promise of docs/design.md from the first packet of a fresh SA:
# xfrm_csum.ko in drop mode, ESP-in-UDP transport SAs made for each case,
# AES-GCM with the corrupting AEAD wrapper on A's traffic to B, and
#
#   direct  A and B on one link, encapsulation forced (no NAT)
#   nat     A behind a masquerading router; without original addresses
#           (what IKE daemons install), with encap_oa, or with both
#           original addresses given over netlink (sa-set)
#   rnat    the receiver B behind the NAT: A addresses B's public address,
#           so the translation is in the address B sees as its own;
#           without original addresses, or with both given (sa-set);
#           and B's public address changing under an established peer
#           (a carrier-grade NAT), so the K its next SA inherits is wrong
#
# corruption from the first eligible packet on: that packet only, every
# 2nd, 3rd or 10th, or all of them (with one pattern, or varied so every
# corruption changes the checksum differently).  For each case:
# - no corrupted byte reaches the application (zero-stream detector);
# - every missing datagram was dropped by the module, no other loss;
# - what the design says of correct packets: with original addresses or
#   no NAT only corrupted packets are dropped; behind a NAT without them,
#   one correct datagram before K is confirmed; two recurring candidates
#   are a conflict where nothing is delivered;
# - the SA's state and K (computed here from the addresses).
# The one undecidable case (every packet corrupted with one pattern, no
# original addresses) is reported as XFAIL after checking that it behaves
# as documented; with original addresses the same case passes.
#
# XFRM_CSUM_TIER=core runs a subset (the other kernels in make check).

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_cmd ip nft socat xxd ethtool encap_sock udp_stream python3
xcsum_require mode=drop

UDP_COUNT=60
TCP_BYTES=300000

# Original addresses for B's inbound SA over netlink.
set_orig_nl() {
	local out

	out=$(xcsum_nl "$NS_B" --do sa-set --json "{\"family\": $( [ "$FAMILY" = 4 ] && echo 2 || echo 10 ),
		\"daddr\": \"$(xcsum_addr_hex "$ADDR_B")\", \"spi\": $((SPI_AB)),
		\"orig-saddr\": \"$(xcsum_addr_hex "$ADDR_A")\",
		\"orig-daddr\": \"$(xcsum_addr_hex "$TARGET_B")\"}" 2>&1) ||
		{ echo "# sa-set: $out"; return 1; }
}

# arm RATE VARY: corrupt from A's first packet on; RATE 1 = that one only.
arm() {
	local rate=$1 vary=$2

	case $rate in
	0)	inject_aead_stop
		echo 0 > "$INJECT_PARAMS/corrupted"
		return ;;
	1)	INJECT_FIRST=1 INJECT_MAX=1 INJECT_VARY=$vary \
			inject_aead_start 1 "$SPI_AB" ;;
	100)	INJECT_FIRST=1 INJECT_VARY=$vary inject_aead_start 1 "$SPI_AB" ;;
	*)	INJECT_FIRST=1 INJECT_VARY=$vary inject_aead_start "$rate" "$SPI_AB" ;;
	esac
}

# run_case TOPO FAM PROTO OA RATE VARY [GRO]
#   OA: none | encap (encap_oa on the SA) | nl (sa-set, both sides)
run_case() {
	local topo=$1 fam=$2 proto=$3 oa=$4 rate=$5 vary=$6 gro=${7:-off}
	local name detail ok=0 opts=() state k want_k undecidable=0 spi
	local drop mism unc adj ver

	name="$topo ipv$fam $proto oa=$oa rate=$rate${vary:+ vary=$vary} gro=$gro"
	[ "$vary" = 0 ] && name=${name/ vary=0/}
	[ "$oa" = encap ] && opts=(-o)
	if ! topo_create "$topo" || ! use_family "$fam" ||
	   ! ip netns exec "$NS_B" ethtool -K "$DEV_B" gro "$gro" >/dev/null 2>&1 ||
	   ! inject_aead_load || ! sa_setup -c gcm -e udp "${opts[@]}"; then
		case_abort "$name" "setup failed"
		return
	fi
	if [ "$oa" = nl ] && ! set_orig_nl; then
		case_abort "$name" "sa-set failed"
		return
	fi
	arm "$rate" "$vary"
	POISON_INJECTOR=aead
	if [ "$proto" = udp ]; then
		POISON_UDP_COUNT=$UDP_COUNT
	else
		POISON_TCP_BYTES=$TCP_BYTES
	fi
	if ! poison_transfer "$proto"; then
		case_abort "$name" "transfer failed"
		return
	fi

	spi=$((SPI_AB))
	unset "${!NS0_@}"
	eval "$(xcsum_query "$NS_B")"
	eval "state=\${NS0_SA${spi}_nat_state:-none} k=\${NS0_SA${spi}_nat_k:-none}"
	eval "drop=\${NS0_SA${spi}_stats_dropped:-0} mism=\${NS0_SA${spi}_stats_mismatch:-0}"
	eval "unc=\${NS0_SA${spi}_stats_unconfirmed:-0} adj=\${NS0_SA${spi}_stats_nat_adjusted:-0}"
	eval "ver=\${NS0_SA${spi}_stats_verified:-0}"
	want_k=$(xcsum_expected_k "$ADDR_A" "$TARGET_B")
	detail="corrupted=$INJECTED delivered_bad=$BAD missing=$SHORT state=$state"
	detail="$detail k=$k want_k=$want_k dropped=$drop mismatch=$mism"
	detail="$detail unconfirmed=$unc nat_adjusted=$adj verified=$ver"

	[ "${INJECTED:-0}" -gt 0 ] || [ "$rate" = 0 ] || ok=1
	[ "$drop" -eq $((mism + unc)) ] || ok=1
	[ "$proto" = tcp ] || [ "$SHORT" -eq "$drop" ] || ok=1
	[ "$NS0_malformed" -eq 0 ] || ok=1

	if [ "$oa" = none ] && [ "$rate" = 100 ] && [ "$vary" = 0 ]; then
		# docs/design.md "The undecidable case": the first two votes
		# agree on K - E, which is confirmed
		undecidable=1
		[ "$state" = confirmed ] && [ "$k" != "$want_k" ] &&
			[ "$BAD" -gt 0 ] || ok=1
	else
		[ "$BAD" -eq 0 ] || ok=1
	fi

	case $oa:$topo:$rate in
	nl:*|encap:*)
		[ "$state" = static ] && [ "$k" = "$want_k" ] || ok=1
		[ "$drop" -eq "$INJECTED" ] && [ "$unc" -eq 0 ] || ok=1 ;;
	none:direct:100)
		# nothing ever verifies: all of it corrupted, none of it delivered
		[ "$undecidable" = 1 ] ||
			{ [ "$drop" -eq "$INJECTED" ] && [ "$state" = learning ]; } ||
			ok=1 ;;
	none:direct:*)
		[ "$state" = none ] && [ "$k" = "$want_k" ] || ok=1
		[ "$drop" -eq "$INJECTED" ] || ok=1 ;;
	none:*nat:2)
		[ "$state" = conflict ] || ok=1 ;;
	none:*nat:100)
		[ "$undecidable" = 1 ] || [ "$state" = learning ] || ok=1 ;;
	none:*nat:*)
		[ "$state" = confirmed ] && [ "$k" = "$want_k" ] || ok=1
		# UDP: one correct datagram went before K was confirmed
		[ "$proto" = tcp ] || [ "$drop" -eq $((INJECTED + 1)) ] || ok=1 ;;
	esac
	# TCP recovers what was dropped, when anything gets through at all
	[ "$proto" = udp ] || [ "$SHORT" -eq 0 ] || ok=1

	if [ "$undecidable" = 1 ] && [ "$ok" = 0 ]; then
		ktap_xfail "$name" "undecidable without original addresses, as documented: $detail"
	else
		xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	fi
	inject_aead_stop
	cleanup_all
}

# B's public address moves (carrier-grade NAT) between two SAs of one
# mapping: the new SA inherits a K that is now wrong.  Correct packets
# disagree with it in a row, the SA learns anew, and what is corrupted
# (every 10th packet from the first) is never delivered.
run_move() {
	local name="rnat ipv4 udp public address moves, rekey inherits a wrong K"
	local ok=0 spi=0x0a0b0002 state k k1 want_k drop detail

	if ! topo_create rnat || ! use_family 4 || ! inject_aead_load ||
	   ! sa_setup -c gcm -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	inject_aead_stop
	udp_zero_stream 20 1000 || ok=1
	k1=$(xcsum_sa_field "$NS_B" "$SPI_AB" nat-k)
	if ! rnat_move 203.0.113.3 || ! sa_reinstall $spi 0x0b0a0002; then
		case_abort "$name" "move failed"
		return
	fi
	arm 10 0
	POISON_INJECTOR=aead POISON_UDP_COUNT=$UDP_COUNT
	poison_transfer udp || ok=1
	state=$(xcsum_sa_field "$NS_B" $spi nat-state)
	k=$(xcsum_sa_field "$NS_B" $spi nat-k)
	drop=$(xcsum_sa_field "$NS_B" $spi stats.dropped)
	want_k=$(xcsum_expected_k "$ADDR_A" 203.0.113.3)
	detail="k_before=$k1 corrupted=$INJECTED delivered_bad=$BAD missing=$SHORT"
	detail="$detail state=$state k=$k want_k=$want_k dropped=$drop"
	[ "$BAD" -eq 0 ] && [ "${INJECTED:-0}" -gt 0 ] || ok=1
	[ "$state" = confirmed ] && [ "$k" = "$want_k" ] && [ "$k1" != "$k" ] || ok=1
	[ "$SHORT" -eq "$drop" ] && [ "$drop" -le $((INJECTED + 4)) ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	inject_aead_stop
	cleanup_all
}

core_cases() {
	run_case nat 4 udp none 1 0
	run_case nat 4 udp nl 1 0
	run_case direct 4 udp none 1 0
	run_case nat 4 udp none 2 0
	run_case nat 4 udp none 100 1
	run_case nat 4 tcp none 1 0 on
	run_case nat 6 udp none 3 0
	run_case nat 4 udp none 0 0
}

full_cases() {
	run_case nat 4 udp encap 1 0
	run_case direct 6 udp none 1 0
	run_case nat 6 udp nl 1 0
	run_case nat 4 udp none 3 0
	run_case nat 4 udp none 10 0
	run_case nat 4 udp none 100 0
	run_case nat 4 udp nl 100 0
	run_case nat 4 udp nl 2 0
	run_case direct 4 udp none 2 0
	run_case direct 4 udp none 100 1
	run_case nat 4 tcp none 1 0 off
	run_case direct 4 tcp none 1 0
	run_case nat 4 tcp none 3 0
	run_case nat 4 tcp nl 1 0
	run_case nat 6 tcp none 1 0 on
	run_case nat 4 tcp none 0 0
	run_case rnat 4 udp none 1 0
	run_case rnat 4 udp nl 1 0
	run_case rnat 4 tcp none 3 0
	run_move
}

ktap_header
if [ "${XFRM_CSUM_TIER:-full}" = core ]; then
	ktap_plan 8
	core_cases
else
	ktap_plan 28
	core_cases
	full_cases
fi
ktap_finish
