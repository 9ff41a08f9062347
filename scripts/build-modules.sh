#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the project's kernel modules out of tree for one kernel and collect
# them in build/modules/<release>/: xfrm_csum.ko (module/), the test-only
# injector xfrm_csum_inject.ko (selftests/inject/) and micro-benchmark
# xfrm_csum_bench.ko (selftests/bench/).  Sources are copied so that
# builds for several kernels never share object files.  A kernel built
# with a compiler the host lacks (Debian's 7.x: gcc-16, and kbuild
# helpers for sid's libc) is built for in a sid root made by
# scripts/build-root.sh, against the headers installed there.
#
# usage: scripts/build-modules.sh KERNEL [EXTRA_MAKE_ARGS...]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

kdir=$(kernel_dir "$1")
shift
extra=("$@")
rel=$(kernel_release "$kdir")
kbuild=$kdir/lib/modules/$rel/build
[ -e "$kbuild/Makefile" ] || die "no build tree for $rel at $kbuild"
out=$BUILD/modules/$rel
work=$BUILD/modules/$rel.src
mkdir -p "$out" "$work"

# The compiler the kernel was built with, as its configuration names it.
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$kbuild/.config")
run=()
if [ -n "$cc" ] && ! command -v "$cc" >/dev/null; then
	log "$rel is built with $cc: building in a sid root"
	run=("$top/scripts/build-root.sh" -b "$work" "$kdir" --)
	kbuild=/usr/src/linux-headers-$rel
fi

build_one() {
	local src=$1 name=$2

	rm -rf "${work:?}/$src"
	mkdir -p "$work/$src"
	cp -a "$top/$src/." "$work/$src/"
	${run[@]+"${run[@]}"} make -s -C "$kbuild" M="$work/$src" W=1 modules \
		${extra[@]+"${extra[@]}"} 2>&1 |
		grep -v 'Skipping BTF generation' >&2 || true
	[ -f "$work/$src/$name.ko" ] || die "$name.ko did not build for $rel"
	cp "$work/$src/$name.ko" "$out/"
}

mkdir -p "$work/module"
cp -a "$top/module/compat" "$work/module/"	# the injector uses detect.sh
build_one selftests/inject xfrm_csum_inject
if [ -f "$top/module/Kbuild" ]; then
	build_one module xfrm_csum
	# the micro-benchmark builds the module's sources in (bench_*.c)
	build_one selftests/bench xfrm_csum_bench
fi
log "modules for $rel in $out"
