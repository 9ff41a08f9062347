#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check the samples tests/unit rendered: JSON parses, the Prometheus text
# follows the exposition format and its naming conventions, and tcpdump
# decodes the pcap file as the IP packets it holds.
#
# usage: tests/check-output.sh OUTDIR
set -u
out=${1:?usage: $0 OUTDIR}
fail=0 n=0

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}

echo "TAP version 13"
py=$(command -v python3)
if [ -n "$py" ]; then
	for f in stats.json stats-pretty.json sa.json sa-empty.json; do
		"$py" -c 'import json, sys; json.load(open(sys.argv[1]))' "$out/$f"
		result $? "$f is valid JSON"
	done
	"$py" -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2
for l in lines:
    e = json.loads(l)
    assert e["spi"] == "0x0a0b0001" and e["sport"] == 40000, e
' "$out/event.json"
	result $? "event.json: one JSON object per line"

	for f in metrics.prom metrics-netns.prom; do
		"$py" "$(dirname "$0")/prom-lint.py" "$out/$f"
		result $? "$f: exposition format and naming conventions"
	done
else
	echo "ok $((n + 1)) - # SKIP python3 not found"
fi

if command -v tcpdump >/dev/null; then
	dump=$(tcpdump -nr "$out/events.pcap" 2>&1)
	echo "$dump" | sed 's/^/# /'
	[ "$(echo "$dump" | grep -c '203.0.113.1.40000 > 203.0.113.2.5001: UDP, length 1000')" = 2 ]
	result $? "tcpdump -r decodes both pcap records as UDP/IPv4"
else
	echo "ok $((n + 1)) - # SKIP tcpdump not found"
fi
echo "1..$n"
exit $fail
