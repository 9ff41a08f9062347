#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side: throughput through an AES-GCM NAT-T (ESP-in-UDP) transport
# mode SA on the patched kernel, net.core.xfrm_encap_csum=2 (the default:
# verify, K confirmed from the traffic behind a NAT; 1, strict, would drop
# a NATed SA's packets without original addresses) against =0 (the old
# behaviour), and with -p against plain ESP (no encapsulation:
# what the stack pays when it verifies today), in the same boot.  Runs are
# interleaved, the settings' order rotating from round to round.
#
# usage (host): scripts/vm-run.sh -k build/kernels/7.2-xfrm-csum -m 2048 \
#                   -- scripts/bench-patch.sh [-r ROUNDS] [-t SECONDS] [-T TOPO] [-p]
#   -r ROUNDS   runs per protocol and setting [15]
#   -t SECONDS  length of one iperf3 run [2]
#   -T TOPO     direct or nat [nat]
#   -p          plain ESP too (direct only: a NAT breaks the inner
#               checksums of plain transport mode ESP)
#
# Prints one "bench-patch: PROTO ratio=R paired=P new=N old=O Mbit/s ..."
# line per protocol: R is the ratio of the medians of the received
# throughput, P the median of the per-round ratios; with -p a second
# "bench-patch: PROTO vs-plain ratio=R paired=P new=N plain=M" line; raw
# runs as comments.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../selftests/ipsec_lib.sh
. "$top/selftests/ipsec_lib.sh"
PATH=$top/selftests:$PATH

rounds=15 secs=2 topo=nat plain=0
while getopts r:t:T:ph opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	t) secs=$OPTARG ;;
	T) topo=$OPTARG ;;
	p) plain=1 ;;
	*) sed -n '4,24s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
[ $plain = 0 ] || [ "$topo" = direct ] ||
	{ echo "bench-patch: -p needs -T direct" >&2; exit 2; }

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

# set_mode 2|0|plain: the sysctl on both sides, and the SAs with UDP
# encapsulation (2, 0) or without (plain)
set_mode() {
	local ns encap=udp val=$1

	[ "$1" = plain ] && encap=none val=2
	if [ "$SA_ENCAP" != "$encap" ]; then
		SA_ENCAP=$encap
		sa_reinstall "$SPI_AB" "$SPI_BA" || return 1
	fi
	for ns in "$NS_A" "$NS_B"; do
		ip netns exec "$ns" sysctl -qw net.core.xfrm_encap_csum="$val"
	done
}

# ratio_line PROTO LABEL NAME_A NAME_B A... -- B...: medians and the
# median of the per-round ratios
ratio_line() {
	local proto=$1 label=$2 na=$3 nb=$4 a=() b=() ma mb mp i

	shift 4
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	[ ${#a[@]} -gt 0 ] && [ ${#a[@]} = ${#b[@]} ] || return 0
	ma=$(printf '%s\n' "${a[@]}" | median)
	mb=$(printf '%s\n' "${b[@]}" | median)
	# Back-to-back runs see the same host load: the median of the
	# per-round ratios is less noisy than the ratio of the medians.
	mp=$(for ((i = 0; i < ${#a[@]}; i++)); do
		awk -v a="${a[i]}" -v b="${b[i]}" \
			'BEGIN { if (b > 0) printf "%.4f\n", a / b }'
	     done | median)
	echo "bench-patch: $proto${label:+ $label} ratio=$(awk -v a="$ma" -v b="$mb" \
		'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')" \
		"paired=$(printf %.3f "$mp")" \
		"$na=$ma $nb=$mb Mbit/s (medians; $topo, IPv4, $rounds x ${secs} s)"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

modes=(2 0)
[ $plain = 1 ] && modes+=(plain)
rc=0
for proto in tcp udp; do
	new=() old=() pln=()
	for ((i = 0; i < rounds; i++)); do
		# rotate which setting goes first
		order=("${modes[@]:i % ${#modes[@]}}" "${modes[@]:0:i % ${#modes[@]}}")
		for mode in "${order[@]}"; do
			set_mode "$mode" || { echo "# $proto mode $mode: SAs failed"; rc=1; continue; }
			v=$(one_run "$proto")
			[ -n "$v" ] || { echo "# $proto mode $mode: run failed"; rc=1; continue; }
			case $mode in
			2) new+=("$v") ;;
			0) old+=("$v") ;;
			plain) pln+=("$v") ;;
			esac
		done
	done
	echo "# $proto new: ${new[*]}"
	echo "# $proto old: ${old[*]}"
	[ $plain = 0 ] || echo "# $proto plain: ${pln[*]}"
	ratio_line "$proto" "" new old "${new[@]}" -- "${old[@]}"
	[ $plain = 0 ] ||
		ratio_line "$proto" vs-plain new plain "${new[@]}" -- "${pln[@]}"
done
echo "# XfrmInCsumError on the receiver: $(xfrm_stat "$NS_B" XfrmInCsumError)"
exit $rc
