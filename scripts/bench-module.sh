#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Throughput cost of xfrm_csum.ko, inside one test guest:
#   scripts/vm-run.sh -k 6.12 -m 2048 -c 2 -- scripts/bench-module.sh
# iperf3 TCP and UDP from A to B through an AES-GCM ESP-in-UDP transport SA
# (the NAT-T case the module checks), and TCP over IPv6 between the same
# namespaces without IPsec (traffic the module must not cost anything).
# Each repetition measures every test with the module unloaded and loaded
# (drop mode) back to back, in alternating order; the summary gives the
# medians and the median of the per-pair ratios (loaded / unloaded).
# Under QEMU TCG on a shared host the spread between runs is large (tens
# of percent): read the ratio with the min/max columns next to it.
#
# BENCH_REPS (default 8) repetitions of BENCH_TIME (default 5) seconds.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../selftests/ipsec_lib.sh
source "$top/selftests/ipsec_lib.sh"
# shellcheck source=../selftests/module_lib.sh
source "$top/selftests/module_lib.sh"

REPS=${BENCH_REPS:-8}
TIME=${BENCH_TIME:-5}
TESTS=(esp-tcp esp-udp plain-tcp)
export PATH=$top/selftests:$PATH

require_root
require_cmd iperf3 ip python3 encap_sock
modprobe -q esp4 && modprobe -q esp6 || { echo "no ESP" >&2; exit 1; }
xcsum_unload
[ -f "$XFRM_CSUM_MODDIR/xfrm_csum.ko" ] ||
	{ echo "no xfrm_csum.ko in $XFRM_CSUM_MODDIR" >&2; exit 1; }

topo_create direct || exit 1
use_family 4
sa_setup -c gcm -e udp || exit 1
# offloads as a real NIC would have them; TSO/GSO through ESP stays on
ip netns exec "$NS_B" ethtool -K b0 gro on >/dev/null 2>&1
pkill_iperf() { ip netns pids "$NS_B" | xargs -r kill 2>/dev/null; }

# run_test NAME: print receiver throughput in Mbit/s
run_test() {
	local args=() json

	case $1 in
	esp-tcp)	args=(-c "$ADDR4_B") ;;
	esp-udp)	args=(-c "$ADDR4_B" -u -b 0 -l 1400) ;;
	plain-tcp)	args=(-c "$ADDR6_B") ;;
	esac
	ip netns exec "$NS_B" iperf3 -s -1 -D >/dev/null 2>&1
	busywait 3000 tcp_listening "$NS_B" 5201
	json=$(ip netns exec "$NS_A" iperf3 "${args[@]}" -t "$TIME" -J 2>/dev/null)
	python3 -c '
import json, sys
try:
    e = json.loads(sys.argv[1])["end"]
except Exception:
    print("0"); sys.exit()
if "sum_received" in e:
    bps = e["sum_received"]["bits_per_second"]
else:
    s = e["sum"]
    bps = s["bits_per_second"] * (1 - s.get("lost_percent", 0) / 100)
print("%.1f" % (bps / 1e6))' "$json"
}

module_state() {
	if [ "$1" = on ]; then
		[ -d /sys/module/xfrm_csum ] || load_module xfrm_csum mode=drop
	else
		xcsum_unload
	fi
}

# Each measurement with the module is paired with one without, taken right
# before or after it (alternating), so slow drifts of the host cancel out
# in the per-pair ratio.
declare -A RES
n=0
for ((r = 1; r <= REPS; r++)); do
	for t in "${TESTS[@]}"; do
		n=$((n + 1))
		if ((n % 2)); then order=(off on); else order=(on off); fi
		for cond in "${order[@]}"; do
			module_state "$cond" || exit 1
			v=$(run_test "$t")
			RES[$t,$cond]="${RES[$t,$cond]:-} $v"
			printf '# rep %d %-9s module=%-3s %10s Mbit/s' "$r" "$t" "$cond" "$v"
			# the module saw the traffic (counters restart at each load)
			[ "$cond" = on ] && printf ' (checked=%s verified=%s mismatches=%s)' \
				"$(xcsum_sysfs checked)" "$(xcsum_sysfs verified)" \
				"$(xcsum_sysfs mismatch)"
			echo
		done
	done
done
xcsum_unload
pkill_iperf

echo
echo "xfrm_csum.ko throughput, $(uname -r), $(nproc) CPU, $REPS x ${TIME}s, median"
printf '%-10s %14s %14s %8s %17s  %s\n' test "without Mbit/s" "with Mbit/s" ratio "95% interval" verdict
for t in "${TESTS[@]}"; do
	python3 -c '
import math, statistics, sys
off = [float(v) for v in sys.argv[2].split()]
on = [float(v) for v in sys.argv[3].split()]
ratios = sorted(b / a for a, b in zip(off, on) if a > 0)
n = len(ratios)
# Distribution-free interval for the median: the order statistics k and
# n+1-k with P(Binomial(n, 1/2) < k) <= 0.025.
k, cum = 0, 0.0
while k < n and cum + math.comb(n, k) / 2 ** n <= 0.025:
    cum += math.comb(n, k) / 2 ** n
    k += 1
if n and k >= 1:
    lo, hi = ratios[k - 1], ratios[n - k]
    ci = "%.3f..%.3f" % (lo, hi)
    verdict = ("PASS >= 0.98" if lo >= 0.98 else "FAIL < 0.98" if hi < 0.98
               else "too wide to decide")
else:
    ci, verdict = "-", "too few rounds for a 95% interval (6 or more)"
print("%-10s %14.1f %14.1f %8.3f %17s  %s" % (sys.argv[1],
      statistics.median(off) if off else 0, statistics.median(on) if on else 0,
      statistics.median(ratios) if ratios else 0, ci, verdict))' \
		"$t" "${RES[$t,off]}" "${RES[$t,on]}"
done
echo "(esp-*: AES-GCM ESP-in-UDP transport SA; plain-tcp: IPv6 without IPsec;"
echo " ratio: median of per-pair with/without, target >= 0.98)"
