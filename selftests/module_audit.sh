#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm_csum.ko modes and settings, per network namespace:
# - audit: corrupted packets are counted as mismatches but delivered (the
#   zero-stream detector sees them), nothing is dropped;
# - off: nothing is checked;
# - config-set rejects bad input with an extended ack message, and needs
#   CAP_NET_ADMIN;
# - the module parameter sets the mode of new namespaces.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_cmd ip socat xxd encap_sock udp_stream
xcsum_require mode=audit

POISON_UDP_COUNT=150
POISON_TCP_BYTES=400000

# run_case FAMILY PROTO MODE
run_case() {
	local fam=$1 proto=$2 mode=$3 name detail ok=0 mism drop chk

	name="$mode ipv$fam $proto"
	if ! topo_create direct || ! use_family "$fam" ||
	   ! xcsum_mode "$NS_B" "$mode" || ! poison_setup aead -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	if ! poison_transfer "$proto"; then
		case_abort "$name" "transfer failed"
		return
	fi
	unset "${!NS0_@}"
	eval "$(xcsum_query "$NS_B")"
	mism=$NS0_mismatch drop=$NS0_dropped chk=$NS0_checked
	detail="injected=$INJECTED delivered_bad=$BAD missing=$SHORT checked=$chk"
	detail="$detail mismatch=$mism dropped=$drop"
	[ "${INJECTED:-0}" -gt 0 ] && [ "$drop" -eq 0 ] || ok=1
	# corrupted data reaches the application in both modes
	[ "$BAD" -gt 0 ] || ok=1
	if [ "$mode" = audit ]; then
		[ "$mism" -eq "$INJECTED" ] && [ "$chk" -gt 0 ] || ok=1
		[ "$proto" = tcp ] || [ "$SHORT" -eq 0 ] || ok=1
	else
		[ "$chk" -eq 0 ] && [ "$mism" -eq 0 ] || ok=1
	fi
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	cleanup_all
}

# config-set must refuse what it cannot do, saying why.
run_config() {
	local name="config-set rejects bad input" out ok=0 detail=

	setup_ns NS_C || { ktap_fail "$name" "setup failed"; return; }
	out=$(xcsum_nl "$NS_C" --do config-set --json '{"mode": 7}' 2>&1) && ok=1
	detail="mode=7: ${out//$'\n'/ }"
	# max-sas is not part of config-set's request: refused by the policy
	out=$(xcsum_nl "$NS_C" --do config-set --json '{"max-sas": 10}' 2>&1) && ok=1
	echo "$out" | grep -q "attribute" || ok=1
	detail="$detail; max-sas: ${out//$'\n'/ }"
	out=$(xcsum_nl "$NS_C" --do config-set --json '{"confirm-packets": 1}' 2>&1) && ok=1
	detail="$detail; confirm-packets=1: ${out//$'\n'/ }"
	out=$(xcsum_nl "$NS_C" --do config-set --json '{}' 2>&1) && ok=1
	echo "$out" | grep -q "nothing to set" || ok=1
	out=$(xcsum_nl "$NS_C" --do sa-set --json \
		'{"family": 2, "daddr": "c0000202", "spi": 1, "relearn": true}' 2>&1) && ok=1
	echo "$out" | grep -q "no ESP SA" || ok=1
	detail="$detail; sa-set: ${out//$'\n'/ }"
	# CAP_NET_ADMIN is required to change anything
	if command -v capsh >/dev/null; then
		out=$(ip netns exec "$NS_C" capsh --drop=cap_net_admin -- -c \
			"python3 $XCSUM_YNL --spec $XCSUM_SPEC --no-schema --do config-set --json '{\"mode\": 0}'" 2>&1) && ok=1
		detail="$detail; without CAP_NET_ADMIN: ${out//$'\n'/ }"
	fi
	# the parameter gave this new namespace audit mode
	out=$(xcsum_nl "$NS_C" --do config-get)
	echo "$out" | grep -q '"mode": "audit"' || ok=1
	detail="$detail; config: $out"
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	cleanup_all
}

ktap_header
ktap_plan 4
run_case 4 udp audit
run_case 6 tcp audit
run_case 4 udp off
run_config
ktap_finish
