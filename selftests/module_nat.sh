#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm_csum.ko behind a real NAT (nft masquerade between A and B), drop
# mode, AES-GCM with the corrupting AEAD wrapper on A's traffic:
# - with the original address on the SA (encap_oa, RFC 3948 option 1): the
#   NAT state is static from the first packet, nothing is unconfirmed;
# - without it (what IKE daemons install): the SA confirms the NAT
#   difference from agreeing packets, dropping the first ones meanwhile;
# - with the original address set through netlink (sa-set) before traffic;
# in every case correct packets pass (NAT-adjusted), every corrupted one is
# counted and dropped, the zero stream stays clean, and the SA entry names
# the peer as seen behind the NAT.  An SA update (XFRM_MSG_UPDSA) keeps a
# confirmed difference (a NAT rebinding changes no original address);
# relearn over netlink forgets it.  A rekeyed SA inherits the difference.
# XFRM_CSUM_TIER=core runs three of the cases.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_cmd ip nft socat xxd encap_sock udp_stream
xcsum_require mode=drop

POISON_UDP_COUNT=150
POISON_TCP_BYTES=400000
NAT_LEARNING=learning
NAT_CONFIRMED=confirmed
NAT_STATIC=static

# Tell the module A's original address for B's inbound SA.
nl_set_orig() {
	xcsum_nl "$NS_B" --do sa-set --json "{\"family\": $( [ "$FAMILY" = 4 ] && echo 2 || echo 10 ),
		\"daddr\": \"$(xcsum_addr_hex "$ADDR_B")\", \"spi\": $((SPI_AB)),
		\"orig-saddr\": \"$(xcsum_addr_hex "$ADDR_A")\"}" >/dev/null
}

# Re-install B's inbound SA with the same parameters (XFRM_MSG_UPDSA).
sa_update_b() {
	sa_algo gcm "$KEY_AB"
	ip -n "$NS_B" xfrm state update src "$SEEN_A" dst "$ADDR_B" proto esp \
		spi "$SPI_AB" reqid 2 mode transport \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" "$ANY" "${ALGO[@]}"
}

# run_case FAMILY PROTO oa|learn|netlink
run_case() {
	local fam=$1 proto=$2 how=$3 name detail ok=0 opts=() want_state
	local mism drop adj unc state seen orig upd= rel=

	name="nat ipv$fam $proto k=$how"
	[ "$how" = oa ] && opts=(-o)
	if ! topo_create nat || ! use_family "$fam" ||
	   ! poison_setup aead -e udp "${opts[@]}"; then
		case_abort "$name" "setup failed"
		return
	fi
	if [ "$how" = netlink ] && ! nl_set_orig; then
		case_abort "$name" "sa-set orig-saddr failed"
		return
	fi
	if ! poison_transfer "$proto"; then
		case_abort "$name" "transfer failed"
		return
	fi
	unset "${!NS0_@}"
	eval "$(xcsum_query "$NS_B")"
	local spi=$((SPI_AB))
	mism=$NS0_mismatch drop=$NS0_dropped adj=$NS0_nat_adjusted
	unc=$NS0_unconfirmed
	eval "state=\${NS0_SA${spi}_nat_state:-none}"
	eval "seen=\${NS0_SA${spi}_seen_saddr:-none}"
	eval "orig=\${NS0_SA${spi}_orig_saddr:-none}"
	detail="injected=$INJECTED delivered_bad=$BAD missing=$SHORT mismatch=$mism"
	detail="$detail dropped=$drop verified=$NS0_verified nat_adjusted=$adj unconfirmed=$unc state=$state"
	detail="$detail peer_seen=$seen orig=$orig"

	[ "${INJECTED:-0}" -gt 0 ] && [ "$BAD" -eq 0 ] || ok=1
	if [ "$proto" = tcp ]; then
		[ "$SHORT" -eq 0 ] || ok=1
	else
		[ "$SHORT" -eq "$INJECTED" ] || ok=1
	fi
	[ "$mism" -eq "$INJECTED" ] && [ "$drop" -eq $((INJECTED + unc)) ] || ok=1
	# the NAT changes the checksum: correct packets need the difference
	[ "$adj" -gt 0 ] || ok=1
	[ "$seen" = "$(xcsum_addr_hex "$SEEN_A")" ] || ok=1
	if [ "$how" = learn ]; then
		want_state=$NAT_CONFIRMED
		# the first correct packets, before K is confirmed, are the
		# only unconfirmed ones (a SYN, or a datagram)
		[ "$unc" -ge 1 ] && [ "$unc" -lt 4 ] || ok=1
		sa_update_b
		upd=$(xcsum_sa_field "$NS_B" "$SPI_AB" nat-state)
		xcsum_nl "$NS_B" --do sa-set --json "{\"family\": $( [ "$FAMILY" = 4 ] && echo 2 || echo 10 ),
			\"daddr\": \"$(xcsum_addr_hex "$ADDR_B")\", \"spi\": $((SPI_AB)),
			\"relearn\": true}" >/dev/null || ok=1
		rel=$(xcsum_sa_field "$NS_B" "$SPI_AB" nat-state)
		detail="$detail after_update=$upd after_relearn=$rel"
		[ "$upd" = "$NAT_CONFIRMED" ] && [ "$rel" = "$NAT_LEARNING" ] || ok=1
	else
		want_state=$NAT_STATIC
		[ "$unc" -eq 0 ] || ok=1
		[ "$orig" = "$(xcsum_addr_hex "$ADDR_A")" ] || ok=1
	fi
	[ "$state" = "$want_state" ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	cleanup_all
}

# Rekey: a new SA of the same NAT mapping inherits the K the old one
# confirmed, so a packet corrupted among its first packets is dropped as a
# mismatch and correct ones pass from the first: nothing is unconfirmed.
run_rekey() {
	local name="nat ipv4 udp rekey inherits K" ok=0 detail spi2=0x0a0b0002
	local st1 st2 unc2 mism2 adj2

	if ! topo_create nat || ! use_family 4 || ! poison_setup aead -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	inject_aead_stop
	udp_zero_stream 20 1000 || ok=1
	# the new SA on both ends; A stops using the old one
	sa_algo gcm "$KEY_AB"
	ip -n "$NS_B" xfrm state add src "$SEEN_A" dst "$ADDR_B" proto esp \
		spi $spi2 reqid 2 mode transport \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" "$ANY" "${ALGO[@]}" || ok=1
	ip -n "$NS_A" xfrm state del src "$ADDR_A" dst "$ADDR_B" proto esp \
		spi "$SPI_AB" || ok=1
	ip -n "$NS_A" xfrm state add src "$ADDR_A" dst "$ADDR_B" proto esp \
		spi $spi2 reqid 1 mode transport \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" "$ANY" "${ALGO[@]}" || ok=1
	# corrupt every 3rd packet of the new SA, from its first
	INJECT_FIRST=1 inject_aead_start 3 $spi2
	POISON_UDP_COUNT=60
	poison_transfer udp || ok=1
	unset "${!NS0_@}"
	eval "$(xcsum_query "$NS_B")"
	eval "st1=\${NS0_SA$((SPI_AB))_nat_state:-none}"
	eval "st2=\${NS0_SA$((spi2))_nat_state:-none}"
	eval "unc2=\${NS0_SA$((spi2))_stats_unconfirmed:-none}"
	eval "mism2=\${NS0_SA$((spi2))_stats_mismatch:-none}"
	eval "adj2=\${NS0_SA$((spi2))_stats_nat_adjusted:-none}"
	detail="old=$st1 new=$st2 new.unconfirmed=$unc2 new.mismatch=$mism2"
	detail="$detail new.nat_adjusted=$adj2 injected=$INJECTED delivered_bad=$BAD"
	[ "$st1" = confirmed ] && [ "$unc2" = 0 ] && [ "$BAD" = 0 ] || ok=1
	[ "${INJECTED:-0}" -gt 0 ] && [ "$mism2" = "$INJECTED" ] || ok=1
	[ "$st2" = inherited ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	cleanup_all
}

ktap_header
if [ "${XFRM_CSUM_TIER:-full}" = core ]; then
	ktap_plan 3
	run_case 4 udp oa
	run_case 4 tcp learn
	run_rekey
else
	ktap_plan 5
	run_case 4 udp oa
	run_case 4 tcp learn
	run_case 4 udp netlink
	run_case 6 tcp learn
	run_rekey
fi
ktap_finish
