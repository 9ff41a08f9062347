#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print "kvm" if KVM really works here, "tcg" otherwise.  /dev/kvm can exist
# and still fail: on some nested hosts a real-mode loop runs but a Linux
# guest stops with "KVM internal error" and QEMU hangs.  So the probe boots
# the given kernel under KVM with a short timeout, and caches the answer per
# host boot.  XFRM_CSUM_ACCEL=tcg|kvm overrides.
#
# usage: scripts/kvm-probe.sh KERNEL
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

if [ -n "${XFRM_CSUM_ACCEL:-}" ]; then
	echo "$XFRM_CSUM_ACCEL"
	exit 0
fi
cache=$BUILD/accel.$(cat /proc/sys/kernel/random/boot_id)
if [ -s "$cache" ]; then
	cat "$cache"
	exit 0
fi
mkdir -p "$BUILD"
accel=tcg
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	# A real-mode loop that writes to the isa-debug-exit port: exits with
	# status 3 within milliseconds if vCPUs run at all.
	img=$(mktemp)
	# reset vector: mov al,1; out 0xf4,al; hlt
	printf '\xb0\x01\xe6\xf4\xf4' > "$img"
	head -c $((0x10000)) /dev/zero | tr '\0' '\364' > "$img.bios"
	dd if="$img" of="$img.bios" bs=1 seek=$((0xfff0)) conv=notrunc 2>/dev/null
	if timeout -k 1 3 qemu-system-x86_64 -M pc,accel=kvm -nodefaults \
	   -display none -device isa-debug-exit,iobase=0xf4,iosize=4 \
	   -bios "$img.bios" >/dev/null 2>&1; then
		:
	elif [ $? = 3 ] && XFRM_CSUM_ACCEL=kvm "$top/scripts/vm-run.sh" -k "${1:-6.12}" \
	     -t 20 -- true >/dev/null 2>&1; then
		accel=kvm
	fi
	rm -f "$img" "$img.bios"
fi
echo "$accel" > "$cache"
echo "$accel"
