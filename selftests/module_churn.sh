#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm_csum.ko under churn, with the module's memory read back after each
# part (its entry counts in /sys/kernel/xfrm_csum, per-CPU memory):
# - CHURN_RELOADS (100) unload/load cycles while TCP and UDP streams run
#   both ways through a checked SA: the TCP streams arrive complete and
#   clean, no splat (the runner fails on any);
# - CHURN_SAS (10000) inbound NAT-T SAs added in one namespace with
#   max_sas 1024, an entry made for each with sa-set while traffic flows
#   on another SA: the table stops at max_sas (sa-set says so), then all
#   SAs are deleted and every entry is freed;
# - CHURN_NETNS (100) namespaces, each with SAs holding entries and a hard
#   expiry pending, destroyed: no entry outlives them;
# and at the end no entry is left, and unloading leaves no cache behind
# (kmem_cache_destroy() warns about objects left: the runner fails on it).  On a kernel with
# kmemleak, a scan after unload must report nothing.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_cmd ip socat encap_sock udp_stream python3
xcsum_require mode=drop max_sas=1024

RELOADS=${CHURN_RELOADS:-100}
NSAS=${CHURN_SAS:-10000}
NNETNS=${CHURN_NETNS:-100}

# entries NAME: sa or peer entries allocated in all namespaces
entries() {
	cat "$XCSUM_SYSFS/${1}_entries"
}

slab_size() {
	awk -v c="$1" '$1 == c { print $4 }' /proc/slabinfo
}

percpu_kb() {
	awk '$1 == "Percpu:" { print $2 }' /proc/meminfo
}

# Entries are freed after an RCU grace period: wait for the count.
entries_back() {
	busywait 20000 sh -c "[ \$(cat $XCSUM_SYSFS/${1}_entries) -le $2 ]"
}

run_reloads() {
	local name="$RELOADS reloads under TCP and UDP both ways" d ok=0 i
	local pa pb seen=0 detail

	if ! topo_create direct || ! use_family 4 || ! sa_setup -c gcm -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	d=$(mktemp -d)
	defer rm -rf "$d"
	# TCP A->B on TCP_PORT and B->A on TCP_PORT+1, each counted at the
	# receiver; the senders stop when told to
	ip netns exec "$NS_B" timeout 900 socat -u TCP4-LISTEN:$TCP_PORT,reuseaddr - |
		tr -d '\0' | wc -c > "$d/nz.b" &
	ip netns exec "$NS_A" timeout 900 socat -u TCP4-LISTEN:$((TCP_PORT + 1)),reuseaddr - |
		tr -d '\0' | wc -c > "$d/nz.a" &
	busywait 5000 tcp_listening "$NS_B" $TCP_PORT &&
		busywait 5000 tcp_listening "$NS_A" $((TCP_PORT + 1)) || ok=1
	ip netns exec "$NS_A" timeout 900 socat -u /dev/zero TCP4:$ADDR_B:$TCP_PORT &
	pa=$!
	ip netns exec "$NS_B" timeout 900 socat -u /dev/zero TCP4:$ADDR_A:$((TCP_PORT + 1)) &
	pb=$!
	ip netns exec "$NS_A" udp_stream send -4 -a "$ADDR_B" -p $UDP_PORT \
		-n 100000000 -s 500 -i 2000 >/dev/null 2>&1 &
	BG_PIDS+=($!)
	ip netns exec "$NS_B" udp_stream send -4 -a "$ADDR_A" -p $UDP_PORT \
		-n 100000000 -s 500 -i 2000 >/dev/null 2>&1 &
	BG_PIDS+=($!)
	for ((i = 0; i < RELOADS; i++)); do
		busywait 2000 sh -c "[ \$(cat $XCSUM_SYSFS/checked 2>/dev/null || echo 0) -gt 0 ]" &&
			seen=$((seen + 1))
		unload_module xfrm_csum || { ok=1; break; }
		load_module xfrm_csum mode=drop max_sas=1024 || { ok=1; break; }
	done
	kill "$pa" "$pb" 2>/dev/null
	wait "$pa" "$pb" 2>/dev/null
	busywait 10000 sh -c "[ -s $d/nz.a ] && [ -s $d/nz.b ]" || ok=1
	detail="reloads=$i traffic_seen=$seen nonzero_bytes A->B=$(cat "$d/nz.b") B->A=$(cat "$d/nz.a")"
	[ "$i" = "$RELOADS" ] && [ "$(cat "$d/nz.b")" = 0 ] &&
		[ "$(cat "$d/nz.a")" = 0 ] && [ "$seen" -ge $((RELOADS / 2)) ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	cleanup_all
}

run_sas() {
	local name="$NSAS SAs: table bounded by max_sas, all freed" ok=0
	local base made full left size detail

	base=$(entries sa)
	if ! topo_create direct || ! use_family 4 || ! sa_setup -c gcm -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	TMP_BATCH=$(mktemp)
	defer rm -f "$TMP_BATCH"
	# SAs from 192.0.2.1 with SPIs 0x10000.. to B, installed in one go
	sa_algo gcm "$KEY_AB"
	python3 - "$NSAS" "$ADDR_A" "$ADDR_B" "${ALGO[@]}" > "$TMP_BATCH" <<'PY'
import sys
n, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3]
algo = " ".join(f"'{x}'" if "(" in x else x for x in sys.argv[4:])
for i in range(n):
    print(f"xfrm state add src {a} dst {b} proto esp spi {0x10000 + i} "
          f"reqid 9 mode transport encap espinudp 4500 4500 0.0.0.0 {algo}")
PY
	ip -n "$NS_B" -batch "$TMP_BATCH" || ok=1
	# traffic on the test SA meanwhile
	ip netns exec "$NS_A" udp_stream send -4 -a "$ADDR_B" -p $UDP_PORT \
		-n 100000000 -s 500 -i 5000 >/dev/null 2>&1 &
	BG_PIDS+=($!)
	# an entry for every SA, as sa-set creates it: up to max_sas
	read -r made full < <(ip netns exec "$NS_B" python3 - "$XCSUM_YNL" "$XCSUM_SPEC" \
		"$NSAS" "$(xcsum_addr_hex "$ADDR_A")" "$(xcsum_addr_hex "$ADDR_B")" <<'PY'
import os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
from lib import YnlFamily, NlError
ynl = YnlFamily(sys.argv[2], "")
made = full = 0
for i in range(int(sys.argv[3])):
    try:
        ynl.do("sa-set", {"family": 2, "daddr": sys.argv[5], "spi": 0x10000 + i,
                          "orig-saddr": sys.argv[4]})
        made += 1
    except NlError as e:
        if e.nl_msg.error == -28:
            full += 1
        else:
            raise
print(made, full)
PY
)
	size=$(slab_size xfrm_csum_sa)
	detail="sa-set made=$made refused_full=$full entries=$(( $(entries sa) - base )) object_size=${size}B"
	# the test SA's own entry may have taken a slot first
	[ "$made" -ge 1023 ] && [ "$made" -le 1024 ] &&
		[ $((made + full)) = "$NSAS" ] || ok=1
	ip -n "$NS_B" xfrm state flush
	entries_back sa "$base" || ok=1
	left=$(( $(entries sa) - base ))
	detail="$detail; after flush: entries=$left"
	[ "$left" -le 0 ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	cleanup_all
}

run_netns() {
	local name="$NNETNS namespaces with entries and pending expiries destroyed"
	local base i ns ok=0 peak=0 now made=0

	base=$(entries sa)
	sa_algo gcm "$KEY_AB"
	for ((i = 0; i < NNETNS; i++)); do
		ns=churn-$(mktemp -u XXXXXX)
		ip netns add "$ns" || { ok=1; break; }
		ip -n "$ns" link set lo up
		ip -n "$ns" addr add 192.0.2.2/24 dev lo
		# a hard expiry seconds out: pending when the namespace goes
		# (sa-set starts a python3 first: 3 s expired most SAs before
		# it in a loaded TCG guest)
		ip -n "$ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp \
			spi 0x100 reqid 1 mode transport \
			encap espinudp 4500 4500 0.0.0.0 "${ALGO[@]}" \
			limit time-hard 10 || { ok=1; break; }
		ip netns exec "$ns" python3 "$XCSUM_YNL" --spec "$XCSUM_SPEC" \
			--no-schema --do sa-set --json \
			'{"family": 2, "daddr": "c0000202", "spi": 256, "orig-saddr": "c6336402"}' \
			>/dev/null 2>&1 && made=$((made + 1))
		now=$(( $(entries sa) - base ))
		[ "$now" -gt "$peak" ] && peak=$now
		# every other one goes at once, the rest a little later
		[ $((i % 2)) = 0 ] || sleep 0.2
		ip netns del "$ns"
	done
	entries_back sa "$base" || ok=1
	now=$(( $(entries sa) - base ))
	xcsum_check "$name" \
		"[ $ok = 0 ] && [ $now -le 0 ] && [ $peak -ge 1 ] && [ $made -ge $((NNETNS / 2)) ]" \
		"namespaces=$i with_entry=$made peak_entries=$peak entries_left=$now"
}

run_baseline() {
	local name="memory back to baseline after unload" ok=0 pcpu1 detail leak=

	pcpu1=$(percpu_kb)
	detail="entries sa=$(entries sa) peer=$(entries peer)"
	[ "$(entries sa)" = 0 ] || ok=1
	# kmem_cache_destroy() complains (a splat) if objects are left
	xcsum_unload || ok=1
	grep -q '^xfrm_csum_sa ' /proc/slabinfo && ok=1
	detail="$detail percpu: baseline=${PCPU0}kB before unload=${pcpu1}kB after=$(percpu_kb)kB caches_left=$(grep -c '^xfrm_csum_' /proc/slabinfo)"
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan > /sys/kernel/debug/kmemleak
		sleep 1
		echo scan > /sys/kernel/debug/kmemleak
		leak=$(grep -c 'unreferenced object' /sys/kernel/debug/kmemleak || true)
		detail="$detail kmemleak_unreferenced=$leak"
		[ "$leak" = 0 ] || { ok=1; cat /sys/kernel/debug/kmemleak; }
	fi
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
}

PCPU0=$(percpu_kb)
[ -w /sys/kernel/debug/kmemleak ] && echo clear > /sys/kernel/debug/kmemleak
ktap_header
ktap_plan 4
run_reloads
run_sas
run_netns
run_baseline
ktap_finish
