#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: throughput ratios, each measured side by side in one guest
# boot (interleaved repetitions, median ratio), never in timed tests.
#   - xfrm_csum.ko loaded vs not, on the Debian 6.12 kernel
#   - what a new NATed peer pays while K is confirmed (bench-first.sh)
#   - the per-packet cost in ns, in the kernel (bench-micro.sh): the
#     module's check and the series' against one checksum pass and
#     against decryption, on Debian's 6.12 and on the patched kernel
#   - the patched kernel (7.2): verify vs the old shortcut behind a NAT,
#     and both vs plain ESP without one
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

rc=0
# the per-packet cost in the kernel, against the floor and decryption
"$top/scripts/bench-micro.sh" 6.12 || rc=1
if [ -e "$KERNELS/7.2-xfrm-csum/.complete" ]; then
	"$top/scripts/bench-micro.sh" "$KERNELS/7.2-xfrm-csum" || rc=1
fi
if [ -x "$top/scripts/bench-module.sh" ]; then
	"$top/scripts/build-modules.sh" 6.12 || exit 1
	rel=$(kernel_release "$(kernel_dir 6.12)")
	"$top/scripts/vm-run.sh" -k 6.12 -m 2048 -c 2 -t 1800 \
		-e XFRM_CSUM_MODDIR="$BUILD/modules/$rel" \
		-- "$top/scripts/bench-module.sh" || rc=1
fi
if [ -x "$top/scripts/bench-first.sh" ]; then
	"$top/scripts/build-modules.sh" 6.12 || exit 1
	rel=$(kernel_release "$(kernel_dir 6.12)")
	"$top/scripts/vm-run.sh" -k 6.12 -m 2048 -t 1800 \
		-e XFRM_CSUM_MODDIR="$BUILD/modules/$rel" \
		-- "$top/scripts/bench-first.sh" || rc=1
fi
if [ -x "$top/scripts/bench-patch.sh" ]; then
	if [ -e "$KERNELS/7.2-xfrm-csum/.complete" ]; then
		# behind a NAT: verify against the old shortcut; without one:
		# both against plain ESP, which the stack verifies today
		for opts in "-T nat" "-T direct -p"; do
			# shellcheck disable=SC2086
			"$top/scripts/vm-run.sh" -k "$KERNELS/7.2-xfrm-csum" -m 2048 \
				-c 2 -t 1800 -- "$top/scripts/bench-patch.sh" $opts ||
				rc=1
		done
	else
		log "patched kernel not built: run make check (or scripts/patch-check.sh) first"
	fi
fi
exit $rc
