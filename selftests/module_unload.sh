#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm_csum.ko lifetime:
# - unload and reload while a TCP stream and a UDP stream run through a
#   checked NAT-T SA: no splat (the runner fails on any), the stream is
#   complete and clean, the module saw the traffic before each unload;
# - SA entries are freed when the SA goes away (ip xfrm state flush / del);
# - namespaces with entries are torn down while the module stays loaded.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_cmd ip socat encap_sock udp_stream
xcsum_require mode=drop


# bytes dd copied, from its stderr
dd_bytes() {
	sed -n 's/^\([0-9]*\) bytes.*/\1/p' "$1"
}

run_unload() {
	local name="unload under traffic" d rpid spid i ok=0 detail seen=0
	local sent got nonzero

	if ! topo_create direct || ! use_family 4 || ! sa_setup -c gcm -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	d=$(mktemp -d)
	defer rm -rf "$d"
	mkfifo "$d/fifo"
	tr -d '\0' < "$d/fifo" | wc -c > "$d/nonzero" &
	ip netns exec "$NS_B" timeout 300 socat -u TCP4-LISTEN:$TCP_PORT,reuseaddr - |
		dd bs=64k 2> "$d/recv" | cat > "$d/fifo" &
	rpid=$!
	busywait 5000 tcp_listening "$NS_B" $TCP_PORT
	# The stream runs until all reloads are done, however slow the guest:
	# a fixed duration could end it before the last one.
	{ echo $BASHPID > "$d/src"; exec timeout 240 cat /dev/zero; } |
		dd bs=64k 2> "$d/sent" |
		ip netns exec "$NS_A" timeout 300 socat -u - TCP4:$ADDR_B:$TCP_PORT &
	spid=$!
	ip netns exec "$NS_B" udp_stream recv -4 -p $UDP_PORT -n 1000000 -t 2000 \
		>/dev/null 2>&1 &
	ip netns exec "$NS_A" udp_stream send -4 -a "$ADDR_B" -p $UDP_PORT \
		-n 5000 -s 1000 >/dev/null 2>&1 &
	for i in 1 2 3; do
		busywait 3000 sh -c "[ \$(cat $XCSUM_SYSFS/checked 2>/dev/null || echo 0) -gt 50 ]" &&
			seen=$((seen + 1))
		unload_module xfrm_csum || ok=1
		sleep 0.3
		load_module xfrm_csum mode=drop || ok=1
	done
	# ... and goes through the module once more after the last reload.
	busywait 3000 sh -c "[ \$(cat $XCSUM_SYSFS/checked 2>/dev/null || echo 0) -gt 50 ]" &&
		seen=$((seen + 1))
	kill "$(cat "$d/src")"
	wait $spid || ok=1
	wait $rpid
	sleep 0.5
	sent=$(dd_bytes "$d/sent")
	got=$(dd_bytes "$d/recv")
	nonzero=$(cat "$d/nonzero")
	detail="reloads=3 traffic_seen=$seen/4 sent=$sent received=$got nonzero=$nonzero"
	[ "$seen" -eq 4 ] && [ -n "$sent" ] && [ "$sent" -gt 0 ] &&
		[ "$got" = "$sent" ] && [ "$nonzero" = 0 ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" "$detail"
	cleanup_all
}

run_gc() {
	local name="SA entries freed with their SA" ok=0 before after n1 n2

	if ! topo_create direct || ! use_family 6 || ! sa_setup -c gcm -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	udp_zero_stream 20 200 || ok=1
	n1=$(xcsum_nl "$NS_B" --dump sa-get | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	ip -n "$NS_B" xfrm state deleteall
	busywait 5000 sh -c "[ \$(ip netns exec $NS_B python3 $XCSUM_YNL --spec $XCSUM_SPEC --no-schema --output-json --dump sa-get | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') = 0 ]" || ok=1
	n2=$(xcsum_nl "$NS_B" --dump sa-get | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$n1" -ge 1 ] || ok=1
	# a namespace holding entries goes away with the module loaded
	before=$n2
	if topo_create direct && use_family 4 && sa_setup -c gcm -e udp; then
		udp_zero_stream 20 200 || ok=1
		after=$(xcsum_nl "$NS_B" --dump sa-get | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
		[ "$after" -ge 1 ] || ok=1
	else
		ok=1
	fi
	cleanup_all
	xcsum_check "$name" "[ $ok = 0 ]" "entries before delete=$n1 after=$before; second netns entries=${after:-?} torn down"
}

# After all the loading, unloading and traffic, the only taint allowed is
# the one any out-of-tree module brings: O (bit 12) and, where modules are
# signed, E (bit 13) for an unsigned one.
run_taint() {
	local t

	t=$(cat /proc/sys/kernel/tainted)
	xcsum_check "taints nothing beyond out-of-tree" \
		"[ $(( t & ~(1 << 12 | 1 << 13) )) = 0 ]" "tainted=$t"
}

ktap_header
ktap_plan 3
run_gc
run_unload
run_taint
ktap_finish
