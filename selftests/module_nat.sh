#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm_csum.ko behind a real NAT (nft masquerade between A and B), drop
# mode, AES-GCM with the corrupting AEAD wrapper on A's traffic:
# - with the original address on the SA (encap_oa, RFC 3948 option 1): the
#   NAT state is static from the first packet, nothing goes unverified;
# - without it (what IKE daemons install): the SA learns the NAT
#   difference from the first learn_packets packets, then locks it;
# - with the original address set through netlink (sa-set) before traffic;
# in every case correct packets pass (NAT-adjusted), every corrupted one is
# counted and dropped, the zero stream stays clean, and the SA entry names
# the peer as seen behind the NAT.  An SA update (XFRM_MSG_UPDSA) makes a
# learned SA learn again.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_cmd ip nft socat xxd encap_sock udp_stream
xcsum_require mode=drop

POISON_UDP_COUNT=150
POISON_TCP_BYTES=400000
NAT_LEARNING=learning
NAT_LOCKED=locked
NAT_STATIC=static

# Tell the module A's original address for B's inbound SA.
nl_set_orig() {
	xcsum_nl "$NS_B" --do sa-set --json "{\"family\": $( [ "$FAMILY" = 4 ] && echo 2 || echo 10 ),
		\"daddr\": \"$(xcsum_addr_hex "$ADDR_B")\", \"spi\": $((SPI_AB)),
		\"orig-addr\": \"$(xcsum_addr_hex "$ADDR_A")\"}" >/dev/null
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
	local mism drop adj unv state seen orig upd=

	name="nat ipv$fam $proto k=$how"
	[ "$how" = oa ] && opts=(-o)
	if ! topo_create nat || ! use_family "$fam" ||
	   ! poison_setup aead -e udp "${opts[@]}"; then
		ktap_fail "$name" "setup failed"
		cleanup_all
		return
	fi
	if [ "$how" = netlink ] && ! nl_set_orig; then
		ktap_fail "$name" "sa-set orig-addr failed"
		cleanup_all
		return
	fi
	if ! poison_transfer "$proto"; then
		ktap_fail "$name" "transfer failed"
		cleanup_all
		return
	fi
	unset "${!NS0_@}"
	eval "$(xcsum_query "$NS_B")"
	local spi=$((SPI_AB))
	mism=$NS0_mismatch drop=$NS0_dropped adj=$NS0_nat_adjusted
	unv=$NS0_unverified
	eval "state=\${NS0_SA${spi}_nat_state:-none}"
	eval "seen=\${NS0_SA${spi}_seen_saddr:-none}"
	eval "orig=\${NS0_SA${spi}_orig_addr:-none}"
	detail="injected=$INJECTED delivered_bad=$BAD missing=$SHORT mismatch=$mism"
	detail="$detail dropped=$drop verified=$NS0_verified nat_adjusted=$adj unverified=$unv state=$state"
	detail="$detail peer_seen=$seen orig=$orig"

	[ "${INJECTED:-0}" -gt 0 ] && [ "$BAD" -eq 0 ] || ok=1
	if [ "$proto" = tcp ]; then
		[ "$SHORT" -eq 0 ] || ok=1
	else
		[ "$SHORT" -eq "$INJECTED" ] || ok=1
	fi
	[ "$mism" -eq "$INJECTED" ] && [ "$drop" -eq "$INJECTED" ] || ok=1
	# The IPv6 NAT of the nat topology is checksum-neutral (2001:db8:a::2
	# and 2001:db8:b::1 have the same one's-complement sum): there correct
	# packets verify as received and nothing needs adjusting.
	if [ "$fam" = 4 ]; then
		[ "$adj" -gt 0 ] || ok=1
	else
		[ "$NS0_verified" -gt 0 ] || ok=1
	fi
	[ "$seen" = "$(xcsum_addr_hex "$SEEN_A")" ] || ok=1
	if [ "$how" = learn ]; then
		want_state=$NAT_LOCKED
		# the packets before the lock are the only unverified ones
		[ "$unv" -lt 4 ] || ok=1
		[ "$fam" = 6 ] || [ "$unv" -ge 1 ] || ok=1
		sa_update_b
		upd=$(xcsum_sa_field "$NS_B" "$SPI_AB" nat-state)
		detail="$detail after_update=$upd"
		[ "$upd" = "$NAT_LEARNING" ] || ok=1
	else
		want_state=$NAT_STATIC
		[ "$unv" -eq 0 ] || ok=1
		[ "$orig" = "$(xcsum_addr_hex "$ADDR_A")" ] || ok=1
	fi
	[ "$state" = "$want_state" ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	cleanup_all
}

ktap_header
ktap_plan 4
run_case 4 udp oa
run_case 4 tcp learn
run_case 4 udp netlink
# checksum-neutral NAT (see above): still learned, locked and verified
run_case 6 tcp learn
ktap_finish
