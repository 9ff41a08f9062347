#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a new peer pays while its NAT difference is confirmed
# (docs/design.md, "What it costs"), inside one test guest:
#   scripts/vm-run.sh -k 6.12 -m 2048 -- scripts/bench-first.sh
# A behind a masquerading router, B running xfrm_csum.ko in drop mode,
# fresh ESP-in-UDP transport SAs for each round, no corruption.  Per
# round and case:
#   udp      datagrams lost of the first 20 sent to B over a fresh SA
#   tcp      time from connect() to the first byte echoed back, for the
#            first connection over a fresh SA, and for a second one
#   dropped  packets the module dropped on the inbound SAs of A and B
#            (both hosts see the NAT: B in A's source address, A in the
#            destination B addressed)
# Cases: without original addresses (learn confirm), with them (sa-set on
# both inbound SAs before traffic), with K inherited from the previous SAs
# of the mappings (a rekey of both SAs after traffic both ways), and
# without the module (the stock kernel's cost, none).
# BENCH_FIRST_REPS rounds (default 5); medians are printed.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../selftests/ipsec_lib.sh
source "$top/selftests/ipsec_lib.sh"
# shellcheck source=../selftests/module_lib.sh
source "$top/selftests/module_lib.sh"

REPS=${BENCH_FIRST_REPS:-5}
export PATH=$top/selftests:$PATH

require_root
require_cmd ip nft python3 encap_sock udp_stream
modprobe -q esp4 && modprobe -q esp6 || { echo "no ESP" >&2; exit 1; }

# Seconds from connect() to the echo of one byte, A -> B.  The server
# gives up after 90 s, the client after 60: a failed connection must not
# leave the wait below hanging (it did once, bench-first then ran into
# vm-run's timeout).
tcp_first_byte() {
	ip netns exec "$NS_B" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(1); print("ready", flush=True)
s.settimeout(90)
c, _ = s.accept(); c.sendall(c.recv(1)); c.close()' "$TCP_PORT" > "$TMP/srv" &
	busywait 5000 grep -q ready "$TMP/srv"
	ip netns exec "$NS_A" python3 -c '
import socket, sys, time
t = time.monotonic()
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60)
c.sendall(b"x"); c.recv(1)
print(f"{time.monotonic() - t:.3f}")' "$ADDR_B" "$TCP_PORT"
	wait
}

# dropped NS SPI: packets the module dropped on that inbound SA
dropped() {
	local v

	v=$(xcsum_sa_field "$1" "$2" stats.dropped 2>/dev/null)
	[ "$v" = none ] && v=0
	echo "${v:-0}"
}

# sa_set NS SPI DADDR ORIG_SADDR ORIG_DADDR
sa_set() {
	xcsum_nl "$1" --do sa-set --json "{\"family\": 2,
		\"daddr\": \"$(xcsum_addr_hex "$3")\", \"spi\": $(($2)),
		\"orig-saddr\": \"$(xcsum_addr_hex "$4")\",
		\"orig-daddr\": \"$(xcsum_addr_hex "$5")\"}" >/dev/null
}

# rekey NS SRC DST OLD_SPI NEW_SPI KEY REQID: replace an SA by a new one
rekey() {
	sa_algo gcm "$6"
	ip -n "$1" xfrm state add src "$2" dst "$3" proto esp spi "$5" \
		reqid "$7" mode transport \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" 0.0.0.0 "${ALGO[@]}" &&
	ip -n "$1" xfrm state del src "$2" dst "$3" proto esp spi "$4"
}

# round CASE: one fresh topology; prints "CASE udp_lost tcp1 tcp2 dropped"
round() {
	local c=$1 lost t1 t2 drop in_b=$SPI_AB in_a=$SPI_BA

	topo_create nat >/dev/null || return 1
	use_family 4
	case $c in
	stock)	xcsum_unload ;;
	*)	[ -d /sys/module/xfrm_csum ] || xcsum_load mode=drop || return 1 ;;
	esac
	sa_setup -c gcm -e udp || return 1
	if [ "$c" = inherited ]; then
		# earlier SAs of the mappings confirmed K both ways; then both
		# are rekeyed (each side installs the new inbound and outbound)
		tcp_first_byte > /dev/null || return 1
		in_b=0x0a0b0002 in_a=0x0b0a0002
		rekey "$NS_B" "$SEEN_A" "$ADDR_B" "$SPI_AB" $in_b "$KEY_AB" 2 &&
		rekey "$NS_A" "$ADDR_A" "$ADDR_B" "$SPI_AB" $in_b "$KEY_AB" 1 &&
		rekey "$NS_A" "$ADDR_B" "$ADDR_A" "$SPI_BA" $in_a "$KEY_BA" 2 &&
		rekey "$NS_B" "$ADDR_B" "$SEEN_A" "$SPI_BA" $in_a "$KEY_BA" 1 ||
			return 1
	fi
	if [ "$c" = orig ]; then
		sa_set "$NS_B" "$SPI_AB" "$ADDR_B" "$ADDR_A" "$ADDR_B" &&
		sa_set "$NS_A" "$SPI_BA" "$ADDR_A" "$ADDR_B" "$SEEN_A" || return 1
	fi
	if [ "$MEASURE" = udp ]; then
		udp_zero_stream 20 100 >/dev/null || return 1
		lost=$((20 - ${UDP_RECEIVED:-0}))
		t1=- t2=-
	else
		lost=-
		t1=$(tcp_first_byte)
		t2=$(tcp_first_byte)
	fi
	if [ "$c" = stock ]; then
		drop=0
	else
		drop=$(( $(dropped "$NS_B" "$in_b") + $(dropped "$NS_A" "$in_a") ))
	fi
	echo "$c $lost $t1 $t2 $drop"
	cleanup_all
}

# not deferred: cleanup_all runs after each round
TMP=$(mktemp -d)
: > "$TMP/results"
for ((r = 1; r <= REPS; r++)); do
	for MEASURE in udp tcp; do
		for c in confirm orig inherited stock; do
			round "$c" | sed "s/^/$MEASURE /" >> "$TMP/results" ||
				echo "round $r $MEASURE $c failed" >&2
		done
	done
done
xcsum_unload

echo "# cost of a new NATed peer ($REPS rounds, medians; xfrm_csum.ko drop mode)"
python3 - "$TMP/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def med(vals):
    vals = [float(v) for v in vals if v != "-"]
    return statistics.median(vals) if vals else float("nan")
print(f"{'case':<10} {'udp lost/20':>11} {'tcp 1st (s)':>12} {'tcp 2nd (s)':>12} {'dropped udp':>12} {'dropped tcp':>12}")
for c in ("confirm", "orig", "inherited", "stock"):
    u = [r for r in rows if r[0] == "udp" and r[1] == c]
    t = [r for r in rows if r[0] == "tcp" and r[1] == c]
    print(f"{c:<10} {med(r[2] for r in u):>11.1f} {med(r[3] for r in t):>12.3f} "
          f"{med(r[4] for r in t):>12.3f} {med(r[5] for r in u):>12.1f} {med(r[5] for r in t):>12.1f}")
PY
rm -rf "$TMP"
