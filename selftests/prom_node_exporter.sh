#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Monitoring with the tools operators run: Debian's prometheus-node-exporter
# reads what the textfile-collector recipe of docs/operators.md ("Monitoring
# with Prometheus") writes, and Debian's promtool judges the scrape.
#
# B receives an ESP-in-UDP SA from A behind a NAT with every 10th packet
# corrupted by the AES-GCM injector (module in drop mode).  Then, in B's
# namespace:
#   - the recipe's command, taken from the ExecStart line of
#     docs/operators.md with its directory replaced by a temporary one,
#     writes xfrm_csum.prom atomically (no .tmp file left);
#   - node_exporter, started with --collector.textfile.directory on B's
#     loopback and a free port, serves it: /metrics scraped with curl, no
#     textfile error, every sample of the file in the scrape;
#   - promtool check metrics passes on the module's families of the scrape
#     (and its verdict on the whole scrape is shown);
#   - the per-SA mismatched counter names A as B sees it (peer label), with
#     the injector's count;
#   - one file per namespace (xfrm-csum -n NETNS ... --no-global, as the
#     guide says for IKE daemons in other namespaces) sits next to it
#     without a collision: node_exporter gathers without error.
#
# The binaries: prometheus-node-exporter and promtool from PATH, or where
# scripts/install-deps.sh unpacked Debian's packages (/opt/xfrm-csum).

source "$(dirname "$0")/ipsec_lib.sh"

XC=${XFRM_CSUM_CLI:-$SELFTEST_DIR/../tools/xfrm-csum/xfrm-csum}
DOC=$SELFTEST_DIR/../docs/operators.md
OPT=${XFRM_CSUM_OPT:-/opt/xfrm-csum}
# the directory the guide writes to (Debian's textfile directory)
DOC_DIR=/var/lib/prometheus/node-exporter

find_bin() {
	local name=$1 pkg=$2

	command -v "$name" 2>/dev/null && return 0
	[ -x "$OPT/$pkg/usr/bin/$name" ] && echo "$OPT/$pkg/usr/bin/$name"
}

require_root
require_cmd ip nft python3 curl udp_stream encap_sock
NODE_EXPORTER=$(find_bin prometheus-node-exporter prometheus-node-exporter) ||
	ksft_skip_all "prometheus-node-exporter not found (scripts/install-deps.sh)"
PROMTOOL=$(find_bin promtool prometheus) ||
	ksft_skip_all "promtool not found (scripts/install-deps.sh)"

ktap_header
ktap_plan 8
cli_module_setup
# the recipe calls "xfrm-csum" by name
PATH=$(dirname "$(readlink -f "$XC")"):$PATH

check() {
	local name=$1 detail=$2

	shift 2
	if "$@"; then
		ktap_pass "$name"
		[ -n "$detail" ] && ktap_msg "  $detail"
	else
		ktap_fail "$name" "$detail"
	fi
}

# The module's families of a scrape: their HELP, TYPE and sample lines.
module_part() {
	grep -E '^(# (HELP|TYPE) )?xfrm_csum_' "$1"
}

# free_port NS: a TCP port nobody listens on in NS's loopback.
free_port() {
	ip netns exec "$1" python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# scrape URL FILE: /metrics into FILE.
scrape() {
	ip netns exec "$NS_B" curl -fsS -o "$2" "$1" 2>/dev/null
}

# --- traffic with a corrupting peer -------------------------------------------

if ! topo_create nat || ! use_family 4; then
	ktap_fail "topology"
	ktap_finish
fi
"$XC" -n "$NS_B" set mode drop > /dev/null || { ktap_fail "xfrm-csum set mode drop"; ktap_finish; }
# shellcheck disable=SC2034 # read by poison_setup and poison_transfer
POISON_EVERY=10 POISON_UDP_COUNT=200
if ! poison_setup aead -e udp || ! poison_transfer udp; then
	ktap_fail "corrupted traffic A -> B"
	ktap_finish
fi
spi=$(printf 0x%08x "$SPI_AB")
mism=$("$XC" -n "$NS_B" -j sa spi "$spi" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d[0]["stats"]["mismatch"] if d else -1)')
check "corrupted packets dropped and counted on A's SA" \
	"injected=$INJECTED mismatch=$mism delivered corrupt=$BAD" \
	test "$INJECTED" -gt 0 -a "$BAD" = 0 -a "$mism" = "$INJECTED"

# --- the recipe as written ------------------------------------------------------

dir=$(mktemp -d)
defer rm -rf "$dir"
chmod 755 "$dir"
recipe=$(sed -n "s|^ *ExecStart=/bin/sh -c '\(.*\)'\$|\1|p" "$DOC")
recipe=${recipe//$DOC_DIR/$dir}
ok=0
if [ -z "$recipe" ] || [ "$recipe" = "${recipe//$dir/}" ]; then
	ok=1 detail="no ExecStart command writing to $DOC_DIR in $DOC"
else
	ip netns exec "$NS_B" sh -c "$recipe" || ok=1
	detail="files: $(find "$dir" -mindepth 1 -printf '%f ')"
	[ -s "$dir/xfrm_csum.prom" ] && [ ! -e "$dir/xfrm_csum.prom.tmp" ] || ok=1
fi
check "operators.md recipe writes xfrm_csum.prom atomically" "$detail" test $ok = 0
ktap_msg "recipe: $recipe"

# --- node_exporter on B's loopback ----------------------------------------------

port=$(free_port "$NS_B")
url=http://127.0.0.1:$port/metrics
nelog=$(mktemp) scr=$(mktemp)
defer rm -f "$nelog" "$scr" "$scr.mod" "$scr.all" "$scr.2"
# Only the textfile collector: the others describe the guest's hardware.
bg_start ip netns exec "$NS_B" "$NODE_EXPORTER" \
	--web.listen-address="127.0.0.1:$port" \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$dir" > "$nelog" 2>&1
NE_PID=$!
ok=0
busywait 30000 scrape "$url" "$scr" || ok=1
check "node_exporter serves /metrics on $NS_B's 127.0.0.1:$port" \
	"$("$NODE_EXPORTER" --version 2>&1 | head -n1); $(grep -c . "$scr") lines" test $ok = 0
[ $ok = 0 ] || sed 's/^/# node_exporter: /' "$nelog"

# The file's samples are served (node_exporter sorts the labels: compare
# parsed samples), and the collector saw no error.
samples_in() {
	python3 - "$1" "$2" <<-'EOF'
	import re, sys
	pat = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
	def samples(path):
	    out = set()
	    for line in open(path):
	        m = pat.match(line.strip())
	        if not m or line.startswith('#'):
	            continue
	        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ''))
	        out.add((m.group(1), labels, float(m.group(3))))
	    return out
	want, got = samples(sys.argv[1]), samples(sys.argv[2])
	missing = [s for s in want if s not in got]
	print(len(want), len(missing), sorted(missing, key=str)[:3])
	sys.exit(1 if missing or not want else 0)
	EOF
}
res=$(samples_in "$dir/xfrm_csum.prom" "$scr")
rc=$?
check "every sample of xfrm_csum.prom is in the scrape, no textfile error" \
	"samples, missing, first missing: $res; $(grep -E '^node_textfile_scrape_error' "$scr")" \
	test $rc = 0 -a "$(grep -E '^node_textfile_scrape_error ' "$scr")" = "node_textfile_scrape_error 0"

# promtool: the module's families strictly, the whole scrape shown.
module_part "$scr" > "$scr.mod"
out=$("$PROMTOOL" check metrics < "$scr.mod" 2>&1)
rc=$?
check "promtool check metrics: the module's metrics ($(grep -c '^# TYPE' "$scr.mod") families)" \
	"${out:-no problems}" test $rc = 0 -a -z "$out" -a -s "$scr.mod"
out=$("$PROMTOOL" check metrics < "$scr" 2>&1)
ktap_msg "promtool check metrics on the whole scrape: exit $?${out:+: $out}"

# The corrupting peer, by label.
line=$(grep -E "^xfrm_csum_sa_packets_mismatched_total\{" "$scr" | grep -F "spi=\"$spi\"")
check "scraped per-SA mismatched counter names peer $SEEN_A" "$line" \
	python3 -c '
import re, sys
line, peer, local, n = sys.argv[1:]
m = re.match(r"^xfrm_csum_sa_packets_mismatched_total\{(.*)\} (\S+)$", line)
labels = dict(re.findall(r"(\w+)=\"([^\"]*)\"", m.group(1))) if m else {}
sys.exit(not (m and labels.get("peer") == peer and labels.get("local") == local and
              float(m.group(2)) == float(n) > 0))' "$line" "$SEEN_A" "$ADDR_B" "$mism"
ktap_msg "scraped: $line"
grep -E '^xfrm_csum_(packets_mismatched_total|sa_nat_state.*\} 1$)' "$scr" | sed 's/^/# scraped: /'

# --- a second namespace's file next to it ---------------------------------------

# As the guide says for daemons in other namespaces: xfrm-csum -n NETNS,
# the module-wide families left to the first file.
"$XC" -n "$NS_A" stats --no-global --format prometheus > "$dir/xfrm_csum-a.prom.tmp" &&
	mv "$dir/xfrm_csum-a.prom.tmp" "$dir/xfrm_csum-a.prom"
: > "$nelog"
ok=0
scrape "$url" "$scr.2" || ok=1
errs=$(grep -c 'level=error' "$nelog")
herr=$(grep -E '^promhttp_metric_handler_errors_total\{cause="gathering"\}' "$scr.2")
grep -q "^xfrm_csum_packets_checked_total{netns=\"$NS_A\"}" "$scr.2" || ok=1
[ "$errs" = 0 ] && [ "$(grep -E '^node_textfile_scrape_error ' "$scr.2")" = "node_textfile_scrape_error 0" ] || ok=1
[ -z "$herr" ] || [ "${herr##* }" = 0 ] || ok=1
check "a second namespace's file (-n, --no-global) gathers without collision" \
	"node_exporter errors logged: $errs; $herr" test $ok = 0
[ "$errs" = 0 ] || grep 'level=error' "$nelog" | head -n3 | sed 's/^/# node_exporter: /'

kill "$NE_PID" 2>/dev/null
wait "$NE_PID" 2>/dev/null
check "node_exporter stopped" "" eval "! kill -0 $NE_PID 2>/dev/null"
cleanup_all
ktap_finish
