#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check the samples tests/unit rendered: the JSON validates against
# xfrm-csum.schema.json, which defines no key the tool never prints; the
# Prometheus text follows the exposition format and its naming conventions
# (prom-lint.py, and promtool where installed or unpacked); tcpdump
# decodes the pcap file as the IP packets it holds.  Broken samples prove the checkers
# reject what they must.
#
# usage: tests/check-output.sh OUTDIR
set -u
out=${1:?usage: $0 OUTDIR}
here=$(dirname "$0")
schema=$here/../xfrm-csum.schema.json
fail=0 n=0
# scripts/install-deps.sh unpacks Debian's prometheus there (not installed:
# that would start its daemon on the host)
PATH=$PATH:${XFRM_CSUM_OPT:-/opt/xfrm-csum}/prometheus/usr/bin

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# rejects NAME CHECKER... < BROKEN: the checker exits 1 on the broken input.
rejects() {
	local name=$1 err rc

	shift
	err=$("$@" 2>&1)
	rc=$?
	echo "$err" | head -3 | sed 's/^/#   /'
	[ $rc = 1 ]
	result $? "rejected: $name"
}

echo "TAP version 13"
# the interpreter itself, not a wrapper that finds it on every call
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if [ -z "$py" ]; then
	skip "JSON and Prometheus checks" "python3 not found"
elif ! "$py" -c 'import jsonschema' 2>/dev/null; then
	skip "JSON schema checks" "python3-jsonschema not installed"
else
	chk=("$py" "$here/json-check.py" "$schema")
	"${chk[@]}" stats "$out/stats.json" "$out/stats-pretty.json"
	result $? "stats -j output matches the schema"
	"${chk[@]}" sa_list "$out/sa.json" "$out/sa-empty.json"
	result $? "sa -j output matches the schema"
	"${chk[@]}" peer_list "$out/peer.json"
	result $? "peer -j output matches the schema"
	"${chk[@]}" event --lines "$out/event.json"
	result $? "monitor -j output (one object per line) matches the schema"
	[ "$(grep -c . "$out/event.json")" = 2 ]
	result $? "monitor -j: one line per event"
	"${chk[@]}" --coverage "$out"/*.json
	result $? "the schema defines only keys the tool prints"

	sa='{"family":"ipv4","spi":"0x0a0b0001","peer":"203.0.113.1","local":"203.0.113.2","nat_state":"learning","stats":{"checked":1,"verified":0,"nat_adjusted":0,"no_csum":0,"mismatch":0,"malformed":0,"unconfirmed":1,"unverified":0,"dropped":1}'
	echo "[$sa}]" | "${chk[@]}" sa_list -
	result $? "a minimal SA entry is valid"
	rejects "an unknown key" "${chk[@]}" sa_list - <<< "[$sa,\"colour\":\"red\"}]"
	rejects "an invalid address" "${chk[@]}" sa_list - <<< "[${sa/203.0.113.1/203.0.113.256}}]"
	rejects "a K while learning" "${chk[@]}" sa_list - <<< "[$sa,\"nat_k\":\"0x1234\"}]"
	rejects "a counter as a string" "${chk[@]}" sa_list - <<< "[${sa/\"checked\":1/\"checked\":\"1\"}}]"
	rejects "a missing counter" "${chk[@]}" sa_list - <<< "[${sa/,\"dropped\":1/}}]"
	rejects "output that is not JSON" "${chk[@]}" sa_list - <<< "[$sa"
	rejects "an SPI in decimal" "${chk[@]}" sa_list - <<< "[${sa/0x0a0b0001/168493057}}]"
	rejects "an unknown NAT state" "${chk[@]}" sa_list - <<< "[${sa/learning/locked}}]"
fi

if [ -n "$py" ]; then
	lint=("$py" "$here/prom-lint.py")
	"${lint[@]}" "$out/metrics.prom"
	result $? "metrics.prom: exposition format and naming conventions"
	"${lint[@]}" --netns 'vpn"1' "$out/metrics-netns.prom"
	result $? "metrics-netns.prom: every per-namespace series labelled netns"
	"${lint[@]}" --netns blue "$out/metrics-nosa.prom"
	result $? "metrics-nosa.prom (--no-sa): exposition format and naming conventions"

	bad=$(mktemp)
	trap 'rm -f "$bad"' EXIT
	sed 's/xfrm_csum_packets_checked_total/xfrm_csum_packets_checked/' "$out/metrics.prom" > "$bad"
	rejects "a counter without _total" "${lint[@]}" "$bad"
	sed 's/^\(# TYPE xfrm_csum_sa_entries\) gauge/\1 counter/' "$out/metrics.prom" > "$bad"
	rejects "a _total-less counter family" "${lint[@]}" "$bad"
	sed '/^# HELP xfrm_csum_mode /d' "$out/metrics.prom" > "$bad"
	rejects "a family without HELP" "${lint[@]}" "$bad"
	{ cat "$out/metrics.prom"; grep -m1 '^xfrm_csum_sa_packets_checked_total' "$out/metrics.prom"; } > "$bad"
	rejects "a sample after another family" "${lint[@]}" "$bad"
	awk '/^xfrm_csum_sa_packets_checked_total/ && !d { print; d = 1 } { print }' \
		"$out/metrics.prom" > "$bad"
	rejects "a series given twice" "${lint[@]}" "$bad"
	sed 's/,peer="[^"]*"//' "$out/metrics.prom" > "$bad"
	rejects "per-SA series without a peer label" "${lint[@]}" "$bad"
	sed '0,/state="learning"/s//state="learning",x="1"/' "$out/metrics.prom" > "$bad"
	rejects "label names that differ within a family" "${lint[@]}" "$bad"
	sed 's/^\(xfrm_csum_mode{mode="off"}\) 0/\1 1/' "$out/metrics.prom" > "$bad"
	rejects "two modes active at once" "${lint[@]}" "$bad"
	rejects "a netns label where none was asked for" "${lint[@]}" "$out/metrics-netns.prom"
	rejects "a netns label missing" "${lint[@]}" --netns other "$out/metrics-netns.prom"
fi
if command -v promtool >/dev/null; then
	for f in metrics.prom metrics-netns.prom metrics-nosa.prom; do
		promtool check metrics < "$out/$f" 2>&1 | sed 's/^/#   /'
		result "${PIPESTATUS[0]}" "promtool check metrics < $f"
	done
else
	skip "promtool check metrics" "promtool not installed (Debian: prometheus)"
fi

if command -v tcpdump >/dev/null; then
	dump=$(tcpdump -nr "$out/events.pcap" 2>&1)
	echo "$dump" | sed 's/^/# /'
	[ "$(echo "$dump" | grep -c '203.0.113.1.40000 > 203.0.113.2.5001: UDP, length 1000')" = 2 ]
	result $? "tcpdump -r decodes both pcap records as UDP/IPv4"
else
	skip "tcpdump -r of the pcap" "tcpdump not found"
fi
echo "1..$n"
exit $fail
