#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No memory leaked by the project's modules, judged by the kernel's
# kmemleak (debug kernels: scripts/kconfig/debug.config):
#  1. scan and forget every current suspect (boot, earlier tests);
#  2. churn: the tests named on the command line (in selftests/, or
#     absolute paths), each reported as one result like run.sh does, or
#     by default a churn of its own: SA entries made by NAT-T traffic
#     (IPv4 and IPv6) and by sa-set, read over netlink, an SA flush with
#     entries live, the module reloaded with entries live, namespaces
#     destroyed with the module loaded;
#  3. with the module loaded, scan: fail on a suspect whose allocation
#     backtrace names one of the modules ("func+0x../0x.. [xfrm_csum]");
#  4. unload the modules, scan again: fail on a suspect whose backtrace
#     has a frame in the code of a module unloaded here or by the default
#     churn (their .text* sections, noted before each unload: kmemleak
#     prints those frames as bare addresses once the module is gone).
# Suspects from elsewhere in the kernel are listed, not counted;
# XFRM_CSUM_KMEMLEAK_STRICT=1 fails on those too.  Reloads inside tests
# named on the command line are not noted: their instances' leaks are
# caught by the scan in 3 only while loaded.  Skips on kernels without
# kmemleak.
#
# usage: selftests/kmemleak.sh [TEST...]

dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=ipsec_lib.sh
source "$dir/ipsec_lib.sh"
# shellcheck source=debug_lib.sh
source "$dir/debug_lib.sh"
# shellcheck source=module_lib.sh
source "$dir/module_lib.sh"

# the modules whose allocations are ours; XFRM_CSUM_KMEMLEAK_MODULES adds
# more (a deliberately leaking module, to check the check)
read -r -a leak_mods <<< "xfrm_csum xfrm_csum_inject ${XFRM_CSUM_KMEMLEAK_MODULES:-}"

require_root
require_cmd readelf
kmemleak_available || ksft_skip_all "kernel without kmemleak (CONFIG_DEBUG_KMEMLEAK)"

RANGES=$(mktemp)
trap 'cleanup_all; rm -f "$RANGES"' EXIT

# note_unload MODULE: remember where its code was, then unload it.
note_unload() {
	[ -d "/sys/module/$1" ] || return 0
	kmemleak_text_ranges "$1" >> "$RANGES"
	unload_module "$1"
}

# One NAT-T exchange in FAMILY over TOPO that makes SA entries in NS_B.
traffic() {
	topo_create "$1" && use_family "$2" && sa_setup -c gcm -e udp || return 1
	udp_zero_stream 50 200 && [ "$UDP_RECEIVED" -gt 0 ] &&
		[ "$UDP_CORRUPTED" = 0 ]
}

# The default churn: every allocation path of the module a short run can
# reach (namespace state, SA entries from traffic and from sa-set, peers
# remembered across SAs, netlink dumps), freed every way it can be.
churn() {
	local rc=0 made

	require_cmd socat encap_sock udp_stream python3
	[ -f "$XCSUM_YNL" ] || return "$ksft_skip"
	xcsum_load mode=drop || return "$ksft_skip"
	# entries freed by an SA flush, the namespaces by cleanup
	traffic nat 4 || rc=$ksft_fail
	xcsum_nl "$NS_B" --dump sa-get > /dev/null || rc=$ksft_fail
	ip -n "$NS_B" xfrm state flush
	cleanup_all
	# entries freed when the module unloads with them live
	traffic direct 6 || rc=$ksft_fail
	made=$(entries_now)
	note_unload xfrm_csum || rc=$ksft_fail
	xcsum_load mode=drop || rc=$ksft_fail
	cleanup_all
	# entries made by sa-set and traffic, freed by namespace exit (once:
	# kmemleak reports a single unreferenced object)
	traffic direct 4 || rc=$ksft_fail
	xcsum_nl "$NS_B" --do sa-set --json \
		"{\"family\": 2, \"daddr\": \"$(xcsum_addr_hex "$ADDR_B")\", \"spi\": $((SPI_AB)), \"orig-saddr\": \"c6336402\"}" \
		> /dev/null || rc=$ksft_fail
	cleanup_all
	ktap_msg "  entries live at the reload: $made"
	[ "$made" -gt 0 ] || rc=$ksft_fail
	return "$rc"
}

entries_now() {
	cat "$XCSUM_SYSFS/sa_entries" 2>/dev/null || echo 0
}

# scan_judge NAME: one result from a scan of the suspects so far.
scan_judge() {
	local name=$1 start report totals attributable other line

	# every object dropped must be older than kmemleak's 5 s floor
	sleep 6
	start=$SECONDS
	kmemleak_scan
	report=$(kmemleak_report "$RANGES" "${leak_mods[@]}")
	ktap_msg "kmemleak: scanned in $((SECONDS - start)) s"
	while IFS= read -r line; do
		echo "# $line"
	done <<< "$report"
	totals=$(tail -n 1 <<< "$report")
	attributable=$(sed -n 's/^attributable=\([0-9]*\) .*/\1/p' <<< "$totals")
	other=$(sed -n 's/.* other=\([0-9]*\)$/\1/p' <<< "$totals")
	if [ -z "$attributable" ]; then
		ktap_fail "$name" "cannot read $KMEMLEAK"
	elif [ "$attributable" -gt 0 ]; then
		ktap_fail "$name" "$attributable suspects allocated by ${leak_mods[*]}"
	elif [ "${XFRM_CSUM_KMEMLEAK_STRICT:-0}" = 1 ] && [ "$other" -gt 0 ]; then
		ktap_fail "$name" "$other other suspects (strict)"
	else
		ktap_pass "$name"
		[ "$other" = 0 ] || ktap_msg "  $other suspects not from the modules (listed above)"
	fi
	# judged: what follows is judged on its own
	echo clear > "$KMEMLEAK"
}

ktap_header
ktap_plan $(( $# > 0 ? $# + 2 : 3 ))

start=$SECONDS
if ! kmemleak_forget; then
	echo "Bail out! kmemleak scan failed"
	exit "$ksft_fail"
fi
ktap_msg "kmemleak: earlier suspects forgotten in $((SECONDS - start)) s"

if [ $# -gt 0 ]; then
	for t in "$@"; do
		start=$SECONDS
		ktap_msg "running $t on $(uname -r)"
		case $t in
		/*) "$t" ;;
		*)  "$dir/$t" ;;
		esac 2>&1 | sed 's/^/  /'
		rc=${PIPESTATUS[0]}
		ktap_msg "$t: exit $rc after $((SECONDS - start)) s"
		ktap_result "$rc" "selftests: xfrm-csum: $t" "exit $rc"
	done
	# the tests leave the module unloaded: the scan below needs it in
	xcsum_load mode=drop || true
else
	start=$SECONDS
	churn
	rc=$?
	ktap_msg "churn: $((SECONDS - start)) s"
	ktap_result "$rc" "churn: NAT-T traffic, sa-set, netlink, flush, reload, netns exit"
fi

if [ -d /sys/module/xfrm_csum ]; then
	scan_judge "kmemleak: nothing leaked, module loaded"
else
	ktap_skip "kmemleak: nothing leaked, module loaded" "module not loaded"
fi
for m in "${leak_mods[@]}"; do
	note_unload "$m" || ktap_msg "cannot unload $m"
done
ktap_msg "code ranges of unloaded modules: $(wc -l < "$RANGES")"
scan_judge "kmemleak: nothing leaked, modules unloaded"
ktap_finish
