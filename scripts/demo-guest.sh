#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo guest (see scripts/demo.sh).  Host A sits behind a
# masquerading router and talks to host B through an AES-GCM ESP transport
# SA with UDP encapsulation (NAT-T), the 2015 setup.  The injector corrupts
# 16-byte blocks of A's plaintext before encryption, as the AES-NI/Xen bug
# did, and the incident's own detector streams zeros over TCP into xxd -a.
#
#   act 1: stock kernel: the corruption reaches the application unnoticed
#   act 2: xfrm_csum.ko loaded in drop mode: nothing bad is delivered

# shellcheck source=../selftests/ipsec_lib.sh
. "$(dirname "$0")/../selftests/ipsec_lib.sh"

BYTES=2000000

banner() { printf '\n==== %s\n' "$*"; }

# One poisoned transfer; prints what the application and the stack saw.
act() {
	topo_create nat && use_family 4 && poison_setup aead -e udp || {
		echo "demo: setup failed" >&2
		return 1
	}
	echo "A $ADDR_A --(NAT $SEEN_A)--> B $ADDR_B, ESP-in-UDP transport, rfc4106(gcm(aes))"
	echo "injector: every ${POISON_EVERY}th packet of SPI $SPI_AB gets 16-byte blocks overwritten before encryption"
	before=$(csum_errors_b tcp)
	tcp_zero_stream "$BYTES" || return 1
	INJECTED=$(inject_aead_count)
	inject_aead_stop
	echo "zeros sent: $BYTES bytes; received: $TCP_RECEIVED bytes"
	echo "packets corrupted by the injector: $INJECTED"
	echo "non-zero bytes delivered to the application: $TCP_NONZERO"
	echo "Tcp InCsumErrors in B: +$(( $(csum_errors_b tcp) - before ))"
	if [ "$TCP_NONZERO" -gt 0 ]; then
		echo "first corrupted lines of the xxd -a dump on B:"
		grep -v -E '^[0-9a-f]+: (0000 ){8} |^\*' "$TCP_DUMP" | head -n 6
	fi
}

inject_aead_load || { echo "demo: cannot load the injector" >&2; exit 1; }

banner "act 1: stock $(uname -r), NAT-T transport mode"
act || exit 1
bad=$TCP_NONZERO
cleanup_all
if [ "$bad" -eq 0 ]; then
	echo "demo: the poison packet did not get through; nothing to show" >&2
	exit 1
fi
echo "=> $bad corrupted bytes reached the application and the kernel counted nothing."

if ! load_module xfrm_csum mode=drop 2>/dev/null; then
	banner "act 2 skipped: xfrm_csum.ko is not built yet"
	exit 0
fi
banner "act 2: the same, with xfrm_csum.ko loaded in drop mode"
act || exit 1
echo "xfrm_csum counters (/sys/kernel/xfrm_csum):"
for f in /sys/kernel/xfrm_csum/*; do
	[ -f "$f" ] && printf '  %-16s %s\n' "${f##*/}" "$(cat "$f")"
done
if command -v xfrm-csum >/dev/null; then
	echo "per-SA table in B (xfrm-csum sa):"
	ip netns exec "$NS_B" xfrm-csum sa | sed 's/^/  /'
	echo "the same for monitoring (xfrm-csum stats --format prometheus):"
	ip netns exec "$NS_B" xfrm-csum stats --format prometheus |
		grep -E '^xfrm_csum_(sa_)?packets_(mismatched|dropped)_total' | sed 's/^/  /'
fi
fixed=$TCP_NONZERO
cleanup_all
unload_module xfrm_csum
if [ "$fixed" -ne 0 ]; then
	echo "demo: corruption still delivered with the module loaded" >&2
	exit 1
fi
echo "=> corrupt segments were dropped and retransmitted: every byte delivered is zero."
