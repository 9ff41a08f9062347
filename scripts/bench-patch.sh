#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side: throughput through an AES-GCM NAT-T (ESP-in-UDP) transport
# mode SA on the patched kernel, net.core.xfrm_encap_csum=1 (verify) against
# =0 (the old behaviour), in the same boot.  Runs are interleaved, the
# ratio is of the medians.
#
# usage (host): scripts/vm-run.sh -k build/kernels/6.12-xfrm-csum -m 2048 \
#                   -- scripts/bench-patch.sh [-r ROUNDS] [-t SECONDS] [-T TOPO]
#   -r ROUNDS   runs per protocol and setting [15]
#   -t SECONDS  length of one iperf3 run [2]
#   -T TOPO     direct or nat [nat]
#
# Prints one "bench-patch: PROTO ratio=R paired=P new=N old=O Mbit/s ..."
# line per protocol: R is the ratio of the medians of the received
# throughput, P the median of the per-round ratios; raw runs as comments.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../selftests/ipsec_lib.sh
. "$top/selftests/ipsec_lib.sh"
PATH=$top/selftests:$PATH

rounds=15 secs=2 topo=nat
while getopts r:t:T:h opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	t) secs=$OPTARG ;;
	T) topo=$OPTARG ;;
	*) sed -n '4,16s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done

require_root
require_cmd iperf3
if ! sysctl -q net.core.xfrm_encap_csum >/dev/null 2>&1; then
	echo "bench-patch: net.core.xfrm_encap_csum missing: not a patched kernel" >&2
	exit "$ksft_skip"
fi
modprobe -q esp4
modprobe -q esp6
topo_create "$topo" || exit 1
use_family 4
sa_setup -c gcm -e udp || exit 1

bg_start ip netns exec "$NS_B" iperf3 -s --logfile /dev/null
busywait 5000 tcp_listening "$NS_B" 5201 || exit 1

# one_run PROTO: received Mbit/s
one_run() {
	local args=(-c "$ADDR_B" -t "$secs" -J)

	[ "$1" = udp ] && args+=(-u -b 0 -l 1400)
	ip netns exec "$NS_A" iperf3 "${args[@]}" 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)["end"]
if "sum_received" in r:
    print("%.1f" % (r["sum_received"]["bits_per_second"] / 1e6))
else:
    s = r["sum"]
    print("%.1f" % (s["bits_per_second"] * (1 - s["lost_percent"] / 100) / 1e6))
'
}

set_mode() {
	local ns

	for ns in "$NS_A" "$NS_B"; do
		ip netns exec "$ns" sysctl -qw net.core.xfrm_encap_csum="$1"
	done
}

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

rc=0
for proto in tcp udp; do
	new=() old=()
	for ((i = 0; i < rounds; i++)); do
		# alternate which setting goes first
		for mode in $([ $((i % 2)) = 0 ] && echo "1 0" || echo "0 1"); do
			set_mode "$mode"
			v=$(one_run "$proto")
			[ -n "$v" ] || { echo "# $proto mode $mode: run failed"; rc=1; continue; }
			if [ "$mode" = 1 ]; then new+=("$v"); else old+=("$v"); fi
		done
	done
	echo "# $proto new: ${new[*]}"
	echo "# $proto old: ${old[*]}"
	[ ${#new[@]} -gt 0 ] && [ ${#old[@]} = ${#new[@]} ] || continue
	mn=$(printf '%s\n' "${new[@]}" | median)
	mo=$(printf '%s\n' "${old[@]}" | median)
	# Back-to-back runs see the same host load: the median of the
	# per-round ratios is less noisy than the ratio of the medians.
	mp=$(for ((i = 0; i < ${#new[@]}; i++)); do
		awk -v a="${new[i]}" -v b="${old[i]}" \
			'BEGIN { if (b > 0) printf "%.4f\n", a / b }'
	     done | median)
	echo "bench-patch: $proto ratio=$(awk -v a="$mn" -v b="$mo" \
		'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')" \
		"paired=$(printf %.3f "$mp")" \
		"new=$mn old=$mo Mbit/s (medians; $topo, IPv4, $rounds x ${secs} s)"
done
echo "# XfrmInCsumError on the receiver: $(xfrm_stat "$NS_B" XfrmInCsumError)"
exit $rc
