#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm-csum, the command-line client, in a guest.
#
# Without the module: bad input exits 2 with a message naming the problem,
# a missing module exits 1 with "xfrm_csum module not loaded"
# (tools/xfrm-csum/tests/cli.sh, run against the built binary).
#
# With the module ($XFRM_CSUM_MODDIR/xfrm_csum.ko, else skipped): stats,
# sa, peer, set, sa-set, peer-set and monitor talk to it; settings are per
# network namespace; -n enters a namespace; the JSON output validates
# against tools/xfrm-csum/xfrm-csum.schema.json; the Prometheus output
# follows the conventions; a request the kernel refuses exits 1 and shows
# the kernel's extack; what needs CAP_NET_ADMIN in the namespace's user
# namespace says so when refused, and works for root of a user namespace
# that owns the network namespace.

source "$(dirname "$0")/lib.sh"

XC=${XFRM_CSUM_CLI:-$SELFTEST_DIR/../tools/xfrm-csum/xfrm-csum}
TOOLTESTS=$SELFTEST_DIR/../tools/xfrm-csum/tests

require_root
require_cmd ip python3
SCHEMA=$TOOLTESTS/../xfrm-csum.schema.json

ktap_header

if [ ! -x "$XC" ]; then
	ktap_fail "xfrm-csum binary" "$XC not built (make -C tools/xfrm-csum)"
	ktap_finish
fi

# check NAME CMD...: one result from a command's status.
check() {
	local name=$1

	shift
	if "$@"; then
		ktap_pass "$name"
	else
		ktap_fail "$name"
	fi
}

# expect RC PATTERN ARGS...: xfrm-csum exits RC and prints PATTERN (ERE).
expect() {
	local rc=$1 pattern=$2 out got

	shift 2
	out=$("$XC" "$@" 2>&1)
	got=$?
	if [ "$got" = "$rc" ] && grep -qE -- "$pattern" <<< "$out"; then
		ktap_pass "xfrm-csum $* -> exit $rc"
	else
		ktap_fail "xfrm-csum $* -> exit $got" "expected $rc and /$pattern/"
		echo "$out" | sed 's/^/#   /'
	fi
}

json() {
	python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

# refused RC OUTPUT PATTERN: exit status 1 and PATTERN (ERE) in OUTPUT.
refused() {
	[ "$1" = 1 ] && grep -qE -- "$3" <<< "$2"
}

# schema DEF NAME < JSON: the output validates against the schema.
schema() {
	local out rc

	out=$(python3 "$TOOLTESTS/json-check.py" "$SCHEMA" "$1" - 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out" | sed 's/^/#   /'
	ktap_result $rc "$2 matches the schema"
}

# --- without the module -----------------------------------------------------

module_was_loaded=0
if [ -d /sys/module/xfrm_csum ]; then
	module_was_loaded=1
	unload_module xfrm_csum
fi

out=$("$TOOLTESTS/cli.sh" "$XC" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
if [ -d /sys/module/xfrm_csum ]; then
	ktap_skip "bad input and missing module" "xfrm_csum could not be unloaded"
elif modprobe -nq xfrm_csum 2>/dev/null; then
	# Installed (DKMS): the genl lookup autoloads it, nothing is missing.
	ktap_result $rc "bad input exits 2, missing netns exits 1"
	ktap_skip "missing module message" "xfrm_csum is installed and autoloads"
	[ -d /sys/module/xfrm_csum ] && unload_module xfrm_csum
else
	ktap_result $rc "bad input exits 2, missing module and netns exit 1"
fi

# --- with the module -------------------------------------------------------

if ! { [ -n "${XFRM_CSUM_MODDIR:-}" ] && [ -f "$XFRM_CSUM_MODDIR/xfrm_csum.ko" ]; } &&
   ! modprobe -nq xfrm_csum 2>/dev/null; then
	ktap_skip "commands against the module" "xfrm_csum.ko not built (XFRM_CSUM_MODDIR)"
	ktap_finish
fi
if ! load_module xfrm_csum; then
	ktap_fail "load xfrm_csum"
	ktap_finish
fi
[ $module_was_loaded = 1 ] || defer unload_module xfrm_csum

setup_ns NS1 NS2 || { ktap_fail "namespaces"; ktap_finish; }
defmode=$(cat /sys/module/xfrm_csum/parameters/mode 2>/dev/null || echo drop)
defmode=${defmode//[^a-z]/}

expect 0 "^mode $defmode  learn [a-z]+  confirm-packets [0-9]+ " -n "$NS1" stats
expect 0 "^checked +0( |$)" -n "$NS1" stats
expect 0 "^unconfirmed +0( |$)" -n "$NS1" stats
out=$("$XC" -n "$NS1" -j stats)
check "stats -j: JSON with config, netns and global counters" \
	test "$(json 'd["config"]["mode"], d["netns"]["checked"], "checked" in d["global"]' <<< "$out")" = \
		"$defmode 0 True"
schema stats "stats -j" <<< "$out"
out2=$(ip netns exec "$NS1" "$XC" stats -j)
check "-n NETNS is the same as ip netns exec" test "$out" = "$out2"
out=$("$XC" -n "$NS1" -j -p stats)
check "stats -j -p: indented JSON" eval 'json "d[\"config\"][\"mode\"]" <<< "$out" >/dev/null && grep -q "^    \"config\": {" <<< "$out"'

expect 0 "" -n "$NS1" set mode audit learn strict confirm-packets 8 event-rate 5 event-snaplen 200
out=$("$XC" -n "$NS1" -j stats)
check "set: settings changed" \
	test "$(json '*[d["config"][k] for k in ("mode", "learn", "confirm_packets", "event_rate", "event_snaplen")]' <<< "$out")" = \
		"audit strict 8 5 200"
out=$("$XC" -n "$NS2" -j stats)
check "set: other namespaces keep their settings" \
	test "$(json 'd["config"]["mode"], d["config"]["confirm_packets"] != 8' <<< "$out")" = "$defmode True"
for m in off drop audit; do
	"$XC" -n "$NS1" set mode $m
	out=$("$XC" -n "$NS1" -j stats)
	check "set mode $m" test "$(json 'd["config"]["mode"]' <<< "$out")" = $m
done
for l in permissive confirm strict; do
	"$XC" -n "$NS1" set learn $l
	out=$("$XC" -n "$NS1" -j stats)
	check "set learn $l" test "$(json 'd["config"]["learn"]' <<< "$out")" = $l
done
expect 0 "" -n "$NS1" set confirm-packets 2

expect 0 "^\[\]$" -n "$NS1" -j sa
expect 0 "^\[\]$" -n "$NS1" -j peer
out=$("$XC" -n "$NS1" sa 2>&1)
check "sa: an empty table prints nothing" test -z "$out"
out=$("$XC" -n "$NS1" peer 2>&1)
check "peer: an empty table prints nothing" test -z "$out"
expect 1 "^xfrm-csum: SA spi 0x00001234 dst 192\.0\.2\.2: [^:]+: .+" \
	-n "$NS1" sa-set spi 0x1234 dst 192.0.2.2 --relearn
expect 1 "^xfrm-csum: SA spi 0x00001234 dst 2001:db8::2 mark 0x7: [^:]+: .+" \
	-n "$NS1" sa-set spi 0x1234 dst 2001:db8::2 mark 7 --orig-saddr 2001:db8::1

# A peer mapping given its original addresses before it has an SA.
expect 0 "" -n "$NS2" peer-set src 203.0.113.1 dst 203.0.113.2 encap udp sport 40001 \
	dport 4500 --orig-saddr 198.51.100.2
out=$("$XC" -n "$NS2" -j peer)
schema peer_list "peer -j" <<< "$out"
check "peer-set: the mapping is in the peer table, static" \
	test "$(json 'len(d), d[0]["peer"], d[0]["local"], d[0]["encap"], d[0]["encap_sport"], d[0]["encap_dport"], d[0]["nat_state"]' <<< "$out")" = \
		"1 203.0.113.1 203.0.113.2 espinudp 40001 4500 static"
# K = 198.51.100.2 + 203.0.113.2 (the destination taken as seen), folded
k=$(python3 -c 'v = 0xc633 + 0x6402 + 0xcb00 + 0x7102
while v > 0xffff: v = (v & 0xffff) + (v >> 16)
print("0x%04x" % v)')
check "peer-set: K is the sum of the original address pair ($k)" \
	test "$(json 'd[0]["nat_k"]' <<< "$out")" = "$k"
expect 0 "^ipv4 +203\.0\.113\.1 +203\.0\.113\.2 +udp:40001>4500 +static +$k$" -n "$NS2" peer
expect 0 "^\[\]$" -n "$NS1" -j peer

# Privileges: reading the counters and settings is open; changing them,
# the SA and peer tables and the events need CAP_NET_ADMIN in the user
# namespace that owns the network namespace.
CAPMSG="needs CAP_NET_ADMIN in the network namespace's user namespace"
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	nobody=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
	initmode=$("$XC" -j stats | json 'd["config"]["mode"]')
	defer "$XC" set mode "$initmode"
	out=$("${nobody[@]}" "$XC" stats 2>&1)
	check "stats works without privileges" test $? = 0
	out=$("${nobody[@]}" "$XC" set mode off 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check "set without CAP_NET_ADMIN: exit 1, Operation not permitted, what is needed" \
		refused "$rc" "$out" "^xfrm-csum: changing the settings: Operation not permitted.*\($CAPMSG\)"
	check "set without CAP_NET_ADMIN changed nothing" \
		test "$("$XC" -j stats | json 'd["config"]["mode"]')" = "$initmode"
	out=$("${nobody[@]}" "$XC" sa 2>&1)
	rc=$?
	check "sa without CAP_NET_ADMIN: exit 1, what is needed" \
		refused "$rc" "$out" "^xfrm-csum: listing the SAs: Operation not permitted.*\($CAPMSG\)"
	out=$(timeout 20 "${nobody[@]}" "$XC" monitor 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check "monitor without CAP_NET_ADMIN: exit 1, joining the events group needs CAP_NET_ADMIN" \
		refused "$rc" "$out" "^xfrm-csum: joining the events group $CAPMSG"
fi
if unshare -U -r true 2>/dev/null; then
	# root of a user namespace that does not own the network namespace
	out=$(unshare -U -r "$XC" set mode off 2>&1)
	rc=$?
	check "set as root of another user namespace: refused, what is needed" \
		refused "$rc" "$out" "Operation not permitted.*\($CAPMSG\)"
	out=$(timeout 20 unshare -U -r "$XC" monitor 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check "monitor as root of another user namespace: refused, what is needed" \
		refused "$rc" "$out" "^xfrm-csum: joining the events group $CAPMSG"
	# root of the user namespace that owns a new network namespace
	out=$(unshare -U -r -n sh -c '"$0" set mode audit learn permissive && "$0" -j stats &&
		timeout --preserve-status -s TERM 2 "$0" monitor' "$XC" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check "root of the owning user namespace: set and monitor work" \
		eval '[ $rc = 0 ] && grep -q "\"mode\":\"audit\",\"learn\":\"permissive\"" <<< "$out"'
fi

prom=$(mktemp)
defer rm -f "$prom"
ip netns exec "$NS1" "$XC" stats --format prometheus > "$prom"
check "stats --format prometheus: well-formed" python3 "$TOOLTESTS/prom-lint.py" "$prom"
check "prometheus: namespace counters" \
	grep -qx 'xfrm_csum_packets_checked_total 0' "$prom"
check "prometheus: new namespace counters" \
	grep -qx 'xfrm_csum_packets_unconfirmed_total 0' "$prom"
check "prometheus: active mode" grep -qx 'xfrm_csum_mode{mode="audit"} 1' "$prom"
check "prometheus: active learn setting" grep -qx 'xfrm_csum_learn{learn="strict"} 1' "$prom"
check "prometheus: module-wide totals from sysfs" \
	grep -qE '^xfrm_csum_global_packets_checked_total [0-9]+$' "$prom"
check "prometheus: SA and peer counts" \
	eval "grep -qx 'xfrm_csum_sa_entries 0' '$prom' && grep -qx 'xfrm_csum_peer_entries 0' '$prom'"
if command -v promtool >/dev/null; then
	check "prometheus: promtool check metrics" eval 'promtool check metrics < "$prom"'
fi
# -n NETNS labels the namespace's series; --no-global leaves sysfs out.
"$XC" -n "$NS2" stats --format prometheus > "$prom"
check "prometheus -n NETNS: well-formed, every per-namespace series labelled" \
	python3 "$TOOLTESTS/prom-lint.py" --netns "$NS2" "$prom"
check "prometheus -n NETNS: the peer mapping counted" \
	grep -qx "xfrm_csum_peer_entries{netns=\"$NS2\"} 1" "$prom"
"$XC" -n "$NS1" stats --format prometheus --no-global > "$prom"
check "prometheus -n NETNS --no-global: well-formed" \
	python3 "$TOOLTESTS/prom-lint.py" --netns "$NS1" "$prom"
check "prometheus -n NETNS: netns label" \
	grep -qx "xfrm_csum_mode{netns=\"$NS1\",mode=\"audit\"} 1" "$prom"
check "prometheus --no-global: no module-wide totals" \
	test "$(grep -c xfrm_csum_global_ "$prom")" = 0

pcap=$(mktemp)
defer rm -f "$pcap"
timeout --preserve-status -s TERM 2 "$XC" -n "$NS1" monitor --pcap "$pcap" 2>/dev/null
rc=$?
check "monitor: SIGTERM ends it cleanly (exit $rc)" test $rc = 0
check "monitor --pcap: file header written" test "$(stat -c %s "$pcap")" = 24
if command -v tcpdump >/dev/null; then
	check "monitor --pcap: tcpdump -r reads the empty capture" \
		eval 'tcpdump -nr "$pcap" 2>&1 | grep -q "link-type RAW"'
fi

ktap_finish
