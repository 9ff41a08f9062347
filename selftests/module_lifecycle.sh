#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm_csum.ko at the edges of its objects' lifetimes, where the kernel's
# checkers (debug kernel: KASAN, debugobjects, lockdep, KCSAN) see what a
# plain kernel would only show later, as a crash.  Each case fails on a
# splat in the kernel log during the case, whatever the runner does:
# - namespaces torn down while hard expiries of their SAs fire: the key
#   manager's expiry notification arrives between the module's pernet
#   exit and the xfrm layer's, and must not re-arm the SA sweep on
#   per-namespace memory about to be freed;
# - the module unloaded and reloaded while UDP runs through a checked SA
#   and, meanwhile, namespaces with SAs expiring within a second or two
#   come and go;
# - the SAs flushed and installed again, round after round, while UDP
#   runs through them both ways: the entries of flushed SAs are freed;
# - rekey churn: new SAs installed beside the old ones, the inbound one
#   updated (XFRM_MSG_UPDSA), the old ones deleted, round after round,
#   behind a NAT while UDP runs: traffic moves to each new SA and is
#   checked there, the entries of deleted SAs are freed.
# Rounds of the flush and rekey cases: XFRM_CSUM_LIFECYCLE_ROUNDS (10);
# reloads: XFRM_CSUM_LIFECYCLE_RELOADS (5); namespaces of the teardown
# case: XFRM_CSUM_LIFECYCLE_NETNS (8).

# shellcheck source=ipsec_lib.sh
source "$(dirname "$0")/ipsec_lib.sh"
# shellcheck source=debug_lib.sh
source "$(dirname "$0")/debug_lib.sh"
# shellcheck source=module_lib.sh
source "$(dirname "$0")/module_lib.sh"

require_cmd ip python3 encap_sock udp_stream
xcsum_require mode=drop

ROUNDS=${XFRM_CSUM_LIFECYCLE_ROUNDS:-10}
RELOADS=${XFRM_CSUM_LIFECYCLE_RELOADS:-5}
NETNS=${XFRM_CSUM_LIFECYCLE_NETNS:-8}
# The module's sweep interval (XFRM_CSUM_GC_INTERVAL) and a margin: a
# sweep re-armed on freed memory fires within this.
GC_WAIT=12

# expiring_sas NS COUNT MIN SPREAD: COUNT ESP-in-UDP transport SAs in NS;
# SA i expires (hard) MIN + i % SPREAD seconds after it is added.
expiring_sas() {
	local ns=$1 count=$2 min=$3 spread=$4 i

	for ((i = 0; i < count; i++)); do
		printf 'xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x%x reqid 1 mode transport encap espinudp 4500 4500 0.0.0.0 aead rfc4106(gcm(aes)) %s 128 limit time-hard %d\n' \
			$((0x10000 + i)) "$KEY_AB" $((min + i % spread))
	done | ip -n "$ns" -batch -
}

now_ms() {
	date +%s%3N
}

checked() {
	cat "$XCSUM_SYSFS/checked" 2>/dev/null || echo 0
}

entries() {
	cat "$XCSUM_SYSFS/sa_entries" 2>/dev/null || echo 0
}

# checked_past N: the module checked more than N packets (in total).
# shellcheck disable=SC2317 # called through busywait
checked_past() {
	[ "$(checked)" -gt "$1" ]
}

# entries_at_most N: entries are freed after a grace period: wait for it.
entries_at_most() {
	busywait 20000 sh -c "[ \$(cat $XCSUM_SYSFS/sa_entries) -le $1 ]"
}

# udp_flow FAMILY_ADDR...: endless UDP A -> B (and B -> A with a second
# address), stopped by cleanup.
udp_flow() {
	ip netns exec "$NS_A" udp_stream send -"$FAMILY" -a "$TARGET_B" \
		-p $UDP_PORT -n 100000000 -s 500 -i 2000 >/dev/null 2>&1 &
	BG_PIDS+=($!)
	[ "${1:-}" = both ] || return 0
	ip netns exec "$NS_B" udp_stream send -"$FAMILY" -a "$SEEN_A" \
		-p $UDP_PORT -n 100000000 -s 500 -i 2000 >/dev/null 2>&1 &
	BG_PIDS+=($!)
}

# Namespace exit runs the pernet exits in reverse order of registration:
# the module's (registered last) first, the xfrm layer's (which deletes
# the remaining SAs) much later.  An SA that expires in between notifies
# every key manager, the module included.  To have expiries land there,
# namespaces full of SAs expiring over the next seconds lose their last
# reference together (their names are deleted first, a process in each
# holds them until it is killed): they are dismantled in one batch, each
# pernet exit for all of them before the next, which makes the gap
# between the module's exit and the xfrm layer's long, while the SAs
# keep expiring through it.  Setting a namespace up takes from a tenth
# of a second to many seconds (a debug kernel under TCG): each one's SAs
# get lifetimes that end around the teardown, at the pace of the
# namespaces set up so far, spread over the next seconds.  Nothing shows
# from outside whether an expiry did land in the gap; the spread makes
# it likely.
run_teardown_expiry() {
	local name="namespaces torn down while hard expiries fire"
	local nns=$NETNS sas=25 spread=15 mark i ns holders=()
	local ok=0 detail="" t0 span per=0 life

	mark=$(klog_mark)
	t0=$(now_ms)
	for ((i = 0; i < nns; i++)); do
		ns=expiry-$(mktemp -u XXXXXX)
		ip netns add "$ns" || { ok=1; break; }
		ip netns exec "$ns" sleep 1000 &
		holders+=("$!")
		[ "$i" = 0 ] || per=$(( ($(now_ms) - t0) / i ))
		life=$(( (nns - i) * per / 1000 + 1 ))
		expiring_sas "$ns" "$sas" "$life" "$spread" || ok=1
		ip netns del "$ns"
	done
	span=$(($(now_ms) - t0))
	kill "${holders[@]}"
	wait "${holders[@]}" 2>/dev/null
	# SAs expire for $spread s more; a sweep re-armed on freed memory
	# would fire within GC_WAIT after that
	sleep $((spread + GC_WAIT))
	klog_clean "$mark" || { ok=1; detail="; kernel splat: $KLOG_FIRST"; }
	[ -d /sys/module/xfrm_csum ] || { ok=1; detail="$detail; module gone"; }
	xcsum_check "$name" "[ $ok = 0 ]" \
		"$nns namespaces x $sas SAs added over $span ms, hard expiries over ${spread} s, torn down in a batch$detail"
}

# Unload and reload the module while UDP runs through a checked SA and,
# in the background, namespaces are created with SAs that expire after
# one or two seconds and deleted around then.
run_reload_churn() {
	local name="reload under traffic while namespaces with expiring SAs churn"
	local mark stop churn i ok=0 detail="" loops seen=0 reloads=$RELOADS c

	mark=$(klog_mark)
	if ! topo_create direct || ! use_family 4 || ! sa_setup -c gcm -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	udp_flow both
	stop=$(mktemp)
	defer rm -f "$stop" "$stop.loops"
	(
		n=0
		while [ -e "$stop" ]; do
			ns=churn-$(mktemp -u XXXXXX)
			ip netns add "$ns" || break
			expiring_sas "$ns" 20 1 2
			sleep 0.$((RANDOM % 10))
			ip netns del "$ns"
			n=$((n + 1))
		done
		echo "$n" > "$stop.loops"
	) &
	churn=$!
	for ((i = 0; i < reloads; i++)); do
		# the module saw traffic since it was (re)loaded
		c=$(checked)
		busywait 5000 checked_past "$c" && seen=$((seen + 1))
		unload_module xfrm_csum || { ok=1; detail="; unload $i failed"; break; }
		load_module xfrm_csum mode=drop || { ok=1; detail="; reload $i failed"; break; }
	done
	c=$(checked)
	busywait 5000 checked_past "$c" && seen=$((seen + 1))
	rm -f "$stop"
	wait "$churn"
	loops=$(cat "$stop.loops" 2>/dev/null || echo 0)
	cleanup_all
	sleep "$GC_WAIT"
	klog_clean "$mark" || { ok=1; detail="$detail; kernel splat: $KLOG_FIRST"; }
	[ "$loops" -gt 0 ] || { ok=1; detail="$detail; no namespace churned"; }
	[ "$seen" = $((reloads + 1)) ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" \
		"$i reloads, traffic checked after $seen of $((reloads + 1)) loads, $loops namespaces churned$detail"
}

# Flush every SA and policy on both sides and install them again, while
# UDP runs both ways; each round the module must check packets on the
# new SAs.
run_flush_traffic() {
	local name="SA flush under traffic, entries freed"
	local mark base r rounds=$ROUNDS ok=0 detail="" c seen=0 peak=0 e

	mark=$(klog_mark)
	base=$(entries)
	if ! topo_create direct || ! use_family 4 || ! sa_setup -c gcm -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	udp_flow both
	for ((r = 1; r <= rounds; r++)); do
		c=$(checked)
		busywait 5000 checked_past "$c" && seen=$((seen + 1))
		e=$(($(entries) - base))
		[ "$e" -gt "$peak" ] && peak=$e
		sa_reinstall $((0x0a0b0001 + r)) $((0x0b0a0001 + r)) ||
			{ ok=1; detail="; reinstall $r failed"; break; }
	done
	c=$(checked)
	busywait 5000 checked_past "$c" && seen=$((seen + 1))
	# entries only for the live SAs: the two inbound ones
	entries_at_most $((base + 2)) || { ok=1; detail="$detail; entries of flushed SAs left"; }
	e=$(($(entries) - base))
	for ns in "$NS_A" "$NS_B"; do
		ip -n "$ns" xfrm state flush
	done
	entries_at_most "$base" || { ok=1; detail="$detail; entries left after the last flush"; }
	cleanup_all
	klog_clean "$mark" || { ok=1; detail="$detail; kernel splat: $KLOG_FIRST"; }
	[ "$seen" = $((rounds + 1)) ] && [ "$peak" -ge 1 ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" \
		"$rounds flushes, traffic checked in $seen of $((rounds + 1)) SA generations, peak entries $peak, $e before the last flush$detail"
}

# rekey_states NS LOCAL PEER OUT_SPI OUT_KEY IN_SPI IN_KEY [update]: the
# ESP-in-UDP SA pair of one side (sa_pair without the policies, which
# stay); "update" rewrites the inbound SA in place instead.
rekey_states() {
	local ns=$1 local=$2 peer=$3 ospi=$4 okey=$5 ispi=$6 ikey=$7 op=add

	[ "${8:-}" = update ] && op=update
	if [ $op = add ]; then
		sa_algo gcm "$okey"
		ip -n "$ns" xfrm state add src "$local" dst "$peer" proto esp \
			spi "$ospi" reqid 1 mode transport \
			encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" "$ANY" \
			"${ALGO[@]}" || return 1
	fi
	sa_algo gcm "$ikey"
	ip -n "$ns" xfrm state $op src "$peer" dst "$local" proto esp \
		spi "$ispi" reqid 2 mode transport \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" "$ANY" "${ALGO[@]}"
}

# Make before break, as an IKE daemon rekeys: the new SAs first, then
# the old ones deleted; the inbound SA on B updated once (its mapping
# copied again, XFRM_MSG_UPDSA) before traffic moves to it.
run_rekey() {
	local name="rekey churn behind a NAT under traffic"
	local mark base r rounds=$ROUNDS ok=0 detail="" c seen=0
	local oab oba nab nba e peak=0

	mark=$(klog_mark)
	base=$(entries)
	if ! topo_create nat || ! use_family 4 || ! sa_setup -c gcm -e udp; then
		case_abort "$name" "setup failed"
		return
	fi
	udp_flow both
	oab=$SPI_AB oba=$SPI_BA
	for ((r = 1; r <= rounds; r++)); do
		c=$(checked)
		busywait 5000 checked_past "$c" && seen=$((seen + 1))
		e=$(($(entries) - base))
		[ "$e" -gt "$peak" ] && peak=$e
		nab=$((0x0a0b0001 + r)) nba=$((0x0b0a0001 + r))
		if ! rekey_states "$NS_B" "$ADDR_B" "$SEEN_A" "$nba" "$KEY_BA" "$nab" "$KEY_AB" ||
		   ! rekey_states "$NS_A" "$ADDR_A" "$TARGET_B" "$nab" "$KEY_AB" "$nba" "$KEY_BA" ||
		   ! rekey_states "$NS_B" "$ADDR_B" "$SEEN_A" "$nba" "$KEY_BA" "$nab" "$KEY_AB" update; then
			ok=1 detail="; rekey $r failed"
			break
		fi
		if ! ip -n "$NS_A" xfrm state del src "$ADDR_A" dst "$TARGET_B" proto esp spi "$oab" ||
		   ! ip -n "$NS_A" xfrm state del src "$TARGET_B" dst "$ADDR_A" proto esp spi "$oba" ||
		   ! ip -n "$NS_B" xfrm state del src "$ADDR_B" dst "$SEEN_A" proto esp spi "$oba" ||
		   ! ip -n "$NS_B" xfrm state del src "$SEEN_A" dst "$ADDR_B" proto esp spi "$oab"; then
			ok=1 detail="; deleting the SAs of round $((r - 1)) failed"
			break
		fi
		oab=$nab oba=$nba
	done
	c=$(checked)
	busywait 5000 checked_past "$c" && seen=$((seen + 1))
	entries_at_most $((base + 2)) || { ok=1; detail="$detail; entries of deleted SAs left"; }
	e=$(($(entries) - base))
	cleanup_all
	entries_at_most "$base" || { ok=1; detail="$detail; entries left after namespace exit"; }
	klog_clean "$mark" || { ok=1; detail="$detail; kernel splat: $KLOG_FIRST"; }
	[ "$seen" = $((rounds + 1)) ] && [ "$peak" -ge 1 ] || ok=1
	xcsum_check "$name" "[ $ok = 0 ]" \
		"$rounds rekeys, traffic checked in $seen of $((rounds + 1)) SA generations, peak entries $peak, $e at the end$detail"
}

ktap_header
ktap_plan 4
# case times, to size the counts above for a debug guest
t0=$SECONDS
run_teardown_expiry
ktap_msg "  $((SECONDS - t0)) s"; t0=$SECONDS
run_reload_churn
ktap_msg "  $((SECONDS - t0)) s"; t0=$SECONDS
run_flush_traffic
ktap_msg "  $((SECONDS - t0)) s"; t0=$SECONDS
run_rekey
ktap_msg "  $((SECONDS - t0)) s"
ktap_finish
