#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the Debian 6.12 kernel in a guest, reproduce the poison
# packet over a NAT-T transport SA, then show xfrm_csum.ko catching it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

k=${XFRM_CSUM_DEMO_KERNEL:-6.12}
make -C "$top/selftests" -s
[ -f "$top/tools/xfrm-csum/Makefile" ] && make -C "$top/tools/xfrm-csum" -s
"$top/scripts/build-modules.sh" "$k"
rel=$(kernel_release "$(kernel_dir "$k")")
log "booting $rel"
PATH=$top/tools/xfrm-csum:$PATH \
"$top/scripts/vm-run.sh" -k "$k" -m 2048 -e XFRM_CSUM_MODDIR="$BUILD/modules/$rel" \
	-e PATH="$top/tools/xfrm-csum:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
	-- "$top/scripts/demo-guest.sh"
