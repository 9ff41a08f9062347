#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The reproduction (repro_poison.sh) with xfrm_csum.ko loaded in drop mode:
# every NAT-T case must now hold the property (no corrupted byte delivered,
# TCP complete), with the fix expected.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_root
modprobe -q esp4 && modprobe -q esp6 || ksft_skip_all "no ESP"
xcsum_unload
load_module xfrm_csum mode=drop || ksft_skip_all "xfrm_csum.ko not available"
trap 'xcsum_unload' EXIT
# smaller transfers than the stock run: same cases, within the time budget
XFRM_CSUM_EXPECT=fixed POISON_UDP_COUNT=${POISON_UDP_COUNT:-150} \
	POISON_TCP_BYTES=${POISON_TCP_BYTES:-400000} \
	"$(dirname "$0")/repro_poison.sh"
