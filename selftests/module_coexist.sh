#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm_csum.ko on a kernel with the series (net.core.xfrm_encap_csum),
# through an SA whose plaintext the AEAD injector corrupts before
# encryption, IPv4 and IPv6:
# - sysctl on (2, the default): the kernel judges the packet and the
#   module leaves it alone: counted skipped, not checked, no mismatch of
#   its own; the stack drops the corrupted datagrams (UDP InCsumErrors);
# - sysctl 0 (the kernel's old shortcut): the module checks every packet
#   and drops each corrupted one, the stack sees none of them.
# Either way no corrupted datagram reaches the application.  Skipped on a
# kernel without the series.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

SYSCTL=/proc/sys/net/core/xfrm_encap_csum

require_cmd ip sysctl encap_sock udp_stream
[ -f $SYSCTL ] || ksft_skip_all "no $SYSCTL: a kernel without the series"
xcsum_require mode=drop

POISON_EVERY=5 POISON_UDP_COUNT=100

# run_case FAMILY SYSCTL
run_case() {
	local fam=$1 val=$2 name detail ok=0

	name="ipv$fam udp, net.core.xfrm_encap_csum=$val"
	if ! topo_create direct || ! use_family "$fam" ||
	   ! ip netns exec "$NS_B" sysctl -qw net.core.xfrm_encap_csum="$val" ||
	   ! poison_setup aead -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	if ! poison_transfer udp; then
		case_abort "$name" "transfer failed"
		return
	fi
	unset "${!NS0_@}"
	eval "$(xcsum_query "$NS_B")"
	detail="injected=$INJECTED delivered_bad=$BAD missing=$SHORT stack_csum_errors=$CSUM_DELTA"
	detail="$detail checked=$NS0_checked skipped=$NS0_skipped mismatch=$NS0_mismatch dropped=$NS0_dropped"
	[ "${INJECTED:-0}" -gt 0 ] && [ "$BAD" -eq 0 ] && [ "$SHORT" -eq "$INJECTED" ] || ok=1
	if [ "$val" = 0 ]; then
		[ "$NS0_checked" -ge "$((POISON_UDP_COUNT - INJECTED))" ] &&
			[ "$NS0_skipped" -eq 0 ] && [ "$CSUM_DELTA" -eq 0 ] &&
			[ "$NS0_mismatch" -eq "$INJECTED" ] &&
			[ "$NS0_dropped" -eq "$INJECTED" ] || ok=1
	else
		[ "$NS0_checked" -eq 0 ] && [ "$NS0_mismatch" -eq 0 ] &&
			[ "$NS0_skipped" -ge "$POISON_UDP_COUNT" ] &&
			[ "$CSUM_DELTA" -eq "$INJECTED" ] || ok=1
	fi
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	cleanup_all
}

ktap_header
ktap_plan 4
for fam in 4 6; do
	run_case "$fam" 2
	run_case "$fam" 0
done
ktap_finish
