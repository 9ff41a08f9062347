#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xfrm-csum, the command-line client, in a guest.
#
# Without the module: bad input exits 2 with a message naming the problem,
# a missing module exits 1 with the "is the xfrm_csum module loaded?"
# message (tools/xfrm-csum/tests/cli.sh, run against the built binary).
#
# With the module ($XFRM_CSUM_MODDIR/xfrm_csum.ko, else skipped): stats,
# sa, set and monitor talk to it; settings are per network namespace; -n
# enters a namespace; JSON parses; the Prometheus output is well-formed;
# a request the kernel refuses exits 1 and shows the kernel's extack.

source "$(dirname "$0")/lib.sh"

XC=${XFRM_CSUM_CLI:-$SELFTEST_DIR/../tools/xfrm-csum/xfrm-csum}
TOOLTESTS=$SELFTEST_DIR/../tools/xfrm-csum/tests

require_root
require_cmd ip python3

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

expect 0 "^mode $defmode " -n "$NS1" stats
expect 0 "^checked +0( |$)" -n "$NS1" stats
out=$("$XC" -n "$NS1" -j stats)
check "stats -j: JSON with config, netns and global counters" \
	test "$(json 'd["config"]["mode"], d["netns"]["checked"], "checked" in d["global"]' <<< "$out")" = \
		"$defmode 0 True"
out2=$(ip netns exec "$NS1" "$XC" stats -j)
check "-n NETNS is the same as ip netns exec" test "$out" = "$out2"
out=$("$XC" -n "$NS1" -j -p stats)
check "stats -j -p: indented JSON" eval 'json "d[\"config\"][\"mode\"]" <<< "$out" >/dev/null && grep -q "^    \"config\": {" <<< "$out"'

expect 0 "" -n "$NS1" set mode audit learn-packets 8 event-rate 5 event-snaplen 200
out=$("$XC" -n "$NS1" -j stats)
check "set: settings changed" \
	test "$(json '*[d["config"][k] for k in ("mode", "learn_packets", "event_rate", "event_snaplen")]' <<< "$out")" = \
		"audit 8 5 200"
out=$("$XC" -n "$NS2" -j stats)
check "set: other namespaces keep their settings" \
	test "$(json 'd["config"]["mode"], d["config"]["learn_packets"] != 8' <<< "$out")" = "$defmode True"
for m in off drop audit; do
	"$XC" -n "$NS1" set mode $m
	out=$("$XC" -n "$NS1" -j stats)
	check "set mode $m" test "$(json 'd["config"]["mode"]' <<< "$out")" = $m
done

expect 0 "^\[\]$" -n "$NS1" -j sa
out=$("$XC" -n "$NS1" sa 2>&1)
check "sa: an empty table prints nothing" test -z "$out"
expect 1 "^xfrm-csum: SA spi 0x00001234 dst 192\.0\.2\.2: [^:]+: .+" \
	-n "$NS1" set sa spi 0x1234 dst 192.0.2.2 relearn
expect 1 "^xfrm-csum: SA spi 0x00001234 dst 2001:db8::2: [^:]+: .+" \
	-n "$NS1" set sa spi 0x1234 dst 2001:db8::2 orig 2001:db8::1

# Privileges: reading is open, changing needs CAP_NET_ADMIN.
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	initmode=$("$XC" -j stats | json 'd["config"]["mode"]')
	defer "$XC" set mode "$initmode"
	out=$(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$XC" stats 2>&1)
	check "stats works without privileges" test $? = 0
	out=$(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$XC" set mode off 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check "set without CAP_NET_ADMIN: exit 1, Operation not permitted" \
		eval '[ $rc = 1 ] && grep -q "^xfrm-csum: changing the settings: Operation not permitted" <<< "$out"'
	check "set without CAP_NET_ADMIN changed nothing" \
		test "$("$XC" -j stats | json 'd["config"]["mode"]')" = "$initmode"
fi

prom=$(mktemp)
defer rm -f "$prom"
ip netns exec "$NS1" "$XC" stats --format prometheus > "$prom"
check "stats --format prometheus: well-formed" python3 "$TOOLTESTS/prom-lint.py" "$prom"
check "prometheus: namespace counters" \
	grep -qx 'xfrm_csum_packets_checked_total 0' "$prom"
check "prometheus: active mode" grep -qx 'xfrm_csum_mode{mode="audit"} 1' "$prom"
check "prometheus: module-wide totals from sysfs" \
	grep -qE '^xfrm_csum_global_packets_checked_total [0-9]+$' "$prom"
check "prometheus: SA count" grep -qx 'xfrm_csum_sa_entries 0' "$prom"
# -n NETNS labels the namespace's series; --no-global leaves sysfs out.
"$XC" -n "$NS1" stats --format prometheus --no-global > "$prom"
check "prometheus -n NETNS: well-formed" python3 "$TOOLTESTS/prom-lint.py" "$prom"
check "prometheus -n NETNS: netns label" \
	grep -qx "xfrm_csum_mode{netns=\"$NS1\",mode=\"audit\"} 1" "$prom"
check "prometheus -n NETNS: every sample labelled" \
	test "$(grep -v '^#' "$prom" | grep -cv "netns=\"$NS1\"")" = 0
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
