#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The xfrm-csum generic netlink family under a bounded randomized fuzzer
# (nl_fuzz.py): every command of module/xfrm_csum.yaml, do and dump, with
# random, missing, oversized, wrong-type and nested-wrong attributes, while
# the namespace has SAs of every kind the module looks at (ESP-in-UDP IPv4
# and IPv6 transport, plain ESP, tunnel mode) and carries traffic.
# The seed and the iteration count are fixed and printed; override them
# with XFRM_CSUM_FUZZ_SEED and XFRM_CSUM_FUZZ_ITERATIONS.
#
# Checks: every answer is an ACK, a dump or an error with a sane errno;
# what the generic netlink core refuses itself (unknown command, no such
# do or dump, header cut short) it refuses as the core does, and every
# other refusal carries an extended ACK message or the missing attribute;
# every command was accepted at least once; afterwards the family still
# answers.  Then 1500 peers are added and peer dumps are cut short
# (socket closed after one to three reads, sa-get too), doubled (a second
# dump on the same socket: EBUSY), raced with a peer-set (the dump says
# NLM_F_DUMP_INTR) and read whole (every peer once, not flagged).  At the
# end the module still verifies packets.  The runner fails the test on
# any kernel splat.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_cmd ip python3 esp_send encap_sock
xcsum_require mode=drop

SEED=${XFRM_CSUM_FUZZ_SEED:-4500}
ITERATIONS=${XFRM_CSUM_FUZZ_ITERATIONS:-3000}
SEQ=1

# esp_clean COUNT: correct UDP datagrams A -> B through the IPv4 SA.
esp_clean() {
	ip netns exec "$NS_A" esp_send -4 -s "$ADDR4_A" -d "$ADDR4_B" \
		--spi "$SPI_AB" --key "$KEY_AB" --seq "$SEQ" -n "$1" \
		--dport 9 --data "fuzz"
	SEQ=$((SEQ + $1))
}

setup() {
	local out

	topo_create direct && use_family 4 || return 1
	modprobe -q xfrm_user
	out=$(mktemp)
	defer rm -f "$out"
	bg_start ip netns exec "$NS_B" encap_sock udp -4 -p "$ENCAP_PORT" > "$out"
	wait_for_line "$out" ready 5000 || return 1
	sa_algo gcm "$KEY_AB"
	ip -n "$NS_B" xfrm state add src "$ADDR4_A" dst "$ADDR4_B" proto esp \
		spi "$SPI_AB" reqid 2 mode transport \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" 0.0.0.0 "${ALGO[@]}" &&
	ip -n "$NS_B" xfrm state add src "$ADDR6_A" dst "$ADDR6_B" proto esp \
		spi "$SPI_AB" reqid 2 mode transport \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" :: "${ALGO[@]}" &&
	ip -n "$NS_B" xfrm state add src "$ADDR4_A" dst "$ADDR4_B" proto esp \
		spi 0x0a0b0003 reqid 3 mode transport "${ALGO[@]}" &&
	ip -n "$NS_B" xfrm state add src "$ADDR4_A" dst "$ADDR4_B" proto esp \
		spi 0x0a0b0004 reqid 4 mode tunnel \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" 0.0.0.0 "${ALGO[@]}" &&
	ip -n "$NS_B" xfrm state add src "$ADDR4_A" dst "$ADDR4_B" proto esp \
		spi 0x0a0b0005 reqid 5 mark 7 mode transport \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" 0.0.0.0 "${ALGO[@]}"
}

ktap_header
ktap_plan 3
if ! setup; then
	ktap_fail "fuzzer set-up" "setup failed"
	ktap_finish
fi
# the module has seen the SA: sa-get finds an entry
esp_clean 10

log=$(mktemp)
defer rm -f "$log"
start=$SECONDS
ip netns exec "$NS_B" python3 "$SELFTEST_DIR/nl_fuzz.py" --ynl "$XCSUM_YNL" \
	--spec "$XCSUM_SPEC" --seed "$SEED" --iterations "$ITERATIONS" \
	--sa "4,$ADDR4_B,$SPI_AB" --sa "6,$ADDR6_B,$SPI_AB" \
	--sa "4,$ADDR4_B,0x0a0b0003" --sa "4,$ADDR4_B,0x0a0b0004" \
	--sa "4,$ADDR4_B,0x0a0b0005" > "$log" 2>&1
rc=$?
sed 's/^/  /' "$log"
ktap_msg "fuzzer: seed $SEED, $ITERATIONS iterations, $((SECONDS - start)) s"
ktap_result $rc "fuzzer: seed $SEED, $ITERATIONS iterations" "exit $rc"

# The family through the YNL client, as the other tests use it
xcsum_check "the YNL client still reads the counters" \
	"xcsum_nl '$NS_B' --do stats-get | grep -q checked" \
	"$(xcsum_nl "$NS_B" --do config-get 2>&1)"

# The packet path: correct datagrams after the run are checked and pass
xcsum_mode "$NS_B" drop
before=$(xcsum_stat "$NS_B" verified)
esp_clean 5
after=$(xcsum_stat "$NS_B" verified)
xcsum_check "packets are still verified after the run" \
	"[ $((after - before)) = 5 ]" "verified +$((after - before)) of 5"
ktap_finish
