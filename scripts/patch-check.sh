#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check the kernel patch series end to end: apply, checkpatch, build, boot
# and test.  Idempotent: trees are reset, object trees are reused.
#
# usage: scripts/patch-check.sh [-j JOBS] [-r] [-s] [STEP...]
#   -r  test and base also run the kernel's own xfrm selftests (net/ipsec,
#       xfrm_policy.sh, pmtu.sh ESP-in-UDP cases, l2tp.sh) in a second
#       guest: under TCG on a shared machine they take 20 to 40 minutes,
#       beyond make check's budget
#   -s  one guest at a time (with -r): for a machine shared with other
#       work; by default the two guests of a kernel run side by side
# The primary series is patches/7.2 (ipsec-next on Debian's
# linux-source-7.2); patches/6.12 and patches/6.1 are stable backports.
#   apply       kernel-tree.sh 7.2: the series applies with git am, no fuzz
#   checkpatch  checkpatch.pl --strict on every patch of the three series
#   build       the patched minimal kernel build/kernels/7.2-xfrm-csum
#               (minimal.config with scripts/kconfig/7.2.config)
#   w1          make W=1 on the objects the series touches (7.2): no
#               warnings
#   module      patches/7.2-module, the module in-tree as net/xfrm/xfrm_csum
#               (scripts/intree-patch.sh): current with module/,
#               checkpatch --strict, CONFIG_XFRM_CSUM=m built with W=1
#   test        boot it: selftests/repro_poison.sh with
#               XFRM_CSUM_EXPECT=fixed (injector built against it) and the
#               series' kselftest xfrm_nat_csum.sh; with -r the kernel's
#               own xfrm selftests too
#   6.12        kernel-tree.sh 6.12 applies the backport; W=1 build of
#               the objects it touches (not booted: 6.1-test boots one)
#   6.1         the same for the 6.1 backport
#   6.1-test    build the patched minimal 6.1 kernel (6.1-xfrm-csum) and
#               boot it: repro_poison.sh, xfrm_nat_csum.sh, l2tp.sh; not
#               in the default (another kernel build)
#   base        the same kernel without the series (build/kernels/7.2-base)
#               running the same tests, for the regression comparison
#               (repro_poison.sh with XFRM_CSUM_EXPECT=bug: its "pass"
#               there means the bug was reproduced); not in the default
# XFRM_CSUM_TIER=core (make check) runs the core tier of repro_poison.sh
# in the guests: its NAT-T cases with the aead injector.
#
# Default: apply checkpatch build w1 module test 6.12 6.1.  Results of the
# guest runs are kept in build/patch-check/ (KTAP); the comparison is
# printed when both exist.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

jobs=2 serial='' regress=''
while getopts j:rsh opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	r) regress=1 ;;
	s) serial=1 ;;
	*) sed -n '4,44s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(apply checkpatch build w1 module test 6.12 6.1)

out=$BUILD/patch-check
mkdir -p "$out"
# Kernel builds and guests run under XFRM_CSUM_SLOT, a command prefix
# (say, a limiter of concurrent jobs on a shared machine; empty by default)
read -r -a slot <<< "${XFRM_CSUM_SLOT:-}"
pri=7.2
name=$pri-xfrm-csum
kselftests=(ipsec xfrm_policy pmtu_udp l2tp)
nat_csum=tools/testing/selftests/net/xfrm_nat_csum.sh

# fragment VERSION: the config fragment for a minimal VERSION kernel:
# minimal.config, with the lines of kconfig/VERSION.config replacing
# those for the same symbols
fragment() {
	local ver=$1 over=$top/scripts/kconfig/$1.config f syms

	if [ ! -f "$over" ]; then
		echo "$top/scripts/kconfig/minimal.config"
		return
	fi
	f=$BUILD/kconfig/minimal-$ver.config
	mkdir -p "$BUILD/kconfig"
	syms=$(grep -oE '^(# )?CONFIG_[A-Za-z0-9_]+' "$over" | sed 's/^# //' |
		paste -sd'|')
	{
		grep -vE "^(# )?($syms)[= ]" "$top/scripts/kconfig/minimal.config"
		cat "$over"
	} > "$f.tmp"
	# unchanged content keeps its mtime (and build-kernel.sh's key)
	if cmp -s "$f.tmp" "$f"; then rm -f "$f.tmp"; else mv "$f.tmp" "$f"; fi
	echo "$f"
}

# The objects the series changes, for the W=1 builds
touched_objs() {
	local tree=$1

	git -C "$tree" diff --name-only base HEAD -- '*.c' |
		grep -v '^tools/' | sed 's/\.c$/.o/'
}

# ksft_hdr DEST: where stage_ksft keeps the uapi headers for DEST
ksft_hdr() {
	echo "$CACHE/ksft-hdr/$(basename "$1")"
}

# install_hdr TREE HDR ID: TREE's uapi headers in HDR, unless HDR holds
# those of ID (TREE without tools/) and TREE has no local change
install_hdr() {
	local tree=$1 hdr=$2 id=$3

	[ "$(cat "$hdr/.tree" 2>/dev/null)" = "$id" ] &&
		git -C "$tree" diff --quiet HEAD 2>/dev/null && return
	rm -rf "$hdr"
	make -s -C "$tree" O="$hdr" headers >/dev/null 2>&1 ||
		make -s -C "$tree" INSTALL_HDR_PATH="$hdr/usr" \
			headers_install >/dev/null
	echo "$id" > "$hdr/.tree"
}

# stage_ksft TREE DEST: the net selftests with nettest and ipsec built;
# the tree's uapi headers in the cache (ksft_hdr), kept across clones while
# the tree's content outside tools/ is the same (installing them takes a
# minute, several on a loaded machine)
stage_ksft() {
	local tree=$1 dest=$2 sel=$1/tools/testing/selftests hdr id

	hdr=$(ksft_hdr "$dest")

	rm -rf "$dest"
	mkdir -p "$dest"
	cp -a "$sel/kselftest.h" "$sel/net" "$dest/"
	[ -d "$sel/kselftest" ] && cp -a "$sel/kselftest" "$dest/"
	(cd "$dest/net" &&
	 gcc -O2 -Wall -o nettest nettest.c &&
	 gcc -O2 -Wall -I.. -o ipsec ipsec.c) ||
		die "building nettest/ipsec failed"
	# the series' helper needs the patched uapi (XFRMA_ENCAP_OA_DADDR)
	if [ -f "$dest/net/xfrm_encap_oa.c" ]; then
		# the tree without tools/: a selftest change keeps them
		id=$(git -C "$tree" ls-tree HEAD 2>/dev/null |
		     grep -v $'\ttools$' | sha256sum | cut -c1-16)
		mkdir -p "$CACHE/ksft-hdr"
		with_lock "ksft-hdr-$(basename "$dest")" \
			install_hdr "$tree" "$hdr" "$id"
		gcc -O2 -Wall -isystem "$hdr/usr/include" \
			-o "$dest/net/xfrm_encap_oa" "$dest/net/xfrm_encap_oa.c" ||
			die "building xfrm_encap_oa failed"
	fi
}

# modules KERNEL: the project's modules built for KERNEL, unless those in
# build/modules are newer than their sources and the kernel
modules() {
	local kdir=$1 d k

	d=$BUILD/modules/$(kernel_release "$kdir")
	for k in xfrm_csum_inject xfrm_csum xfrm_csum_bench; do
		[ -f "$d/$k.ko" ] || break
		[ $k = xfrm_csum_bench ] || continue
		[ -z "$(find "$top/module" "$top/selftests/inject" \
			"$top/selftests/bench" "$top/scripts/build-modules.sh" \
			"$kdir/.complete" -newer "$d/xfrm_csum_inject.ko" \
			-print -quit 2>/dev/null)" ] || break
		log "modules for $(basename "$d"): up to date"
		return 0
	done
	"${slot[@]}" "$top/scripts/build-modules.sh" "$kdir"
}

# apply VERSION: the tree with the series (common.sh: series_applied)
apply() {
	series_applied "$1"
}

step_apply() {
	apply $pri
}

# checkpatch_series VERSION: each patch checked by the checkpatch.pl of
# the kernel it is for, from the pristine source (python3 from /usr/bin,
# for spdxcheck.py's modules)
checkpatch_series() {
	local ver=$1 src=$BUILD/src/linux-source-$1 p res bad=0

	[ -f "$src/scripts/checkpatch.pl" ] ||
		"$top/scripts/kernel-tree.sh" -n "$ver" >/dev/null
	while read -r p; do
		case $p in ''|'#'*|0000-*) continue ;; esac
		res=$(cd "$src" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl \
			--strict -q --summary-file "$top/patches/$ver/$p" 2>&1) || true
		if [ -n "$res" ]; then
			echo "$res"
			bad=1
		fi
		log "checkpatch $ver/$p: ${res:-clean}"
	done < "$top/patches/$ver/series"
	return $bad
}

step_checkpatch() {
	local v bad=0

	for v in $pri 6.12 6.1; do
		checkpatch_series "$v" || bad=1
	done
	[ $bad = 0 ] || die "checkpatch.pl --strict found problems"
}

# step_module: the module as an in-tree patch on the series
# (scripts/intree-patch.sh): what module/ generates now, checkpatch
# --strict clean, built from its Kconfig entry as =m with W=1
step_module() {
	local src=$BUILD/src/linux-source-$pri p res

	# netlink-gen.[ch] are the kernel's ynl-gen output (module/regen.sh
	# -c), with its long policy lines, like the in-tree *-genl-gen.c
	while read -r p; do
		res=$(cd "$src" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl \
			--strict -q "$top/patches/$pri-module/$p" 2>&1 |
			awk 'BEGIN { RS = ""; ORS = "\n\n" }
			     /^(WARNING|ERROR|CHECK):/ && !/FILE: [^ ]*\/netlink-gen\.[ch]:/') ||
			true
		[ -z "$res" ] || { echo "$res"; die "checkpatch.pl --strict: $pri-module/$p"; }
		log "checkpatch $pri-module/$p: clean (but for ynl-gen's long lines)"
	done < "$top/patches/$pri-module/series"
	"${slot[@]}" "$top/scripts/intree-patch.sh" -c -b $pri
}

# w1_build TREE OBJ VERSION: W=1 build of the touched objects in OBJ (configured
# from minimal.config if needed); fails on any warning.  Objects are only
# rebuilt when their source or flags changed: in the kernel's object tree
# the next normal build recompiles them without W=1.
w1_build() {
	local tree=$1 obj=$2 ver=$3 objs all log

	if [ ! -f "$obj/.config" ]; then
		mkdir -p "$obj"
		make -s -C "$tree" O="$obj" tinyconfig >/dev/null
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" \
			"$obj/.config" "$(fragment "$ver")" >/dev/null
		make -s -C "$tree" O="$obj" olddefconfig >/dev/null
	fi
	mapfile -t all < <(touched_objs "$tree")
	mapfile -t objs < <(configured_objs "$tree" "$obj/.config" "${all[@]}")
	[ ${#objs[@]} = ${#all[@]} ] ||
		log "not in this configuration: $(printf '%s\n' "${all[@]}" "${objs[@]}" | sort | uniq -u | paste -sd' ')"
	log "W=1 build in $obj: ${objs[*]}"
	log=$out/w1-$(basename "$obj").log
	# build-kernel.sh's lock: one make in an object tree at a time,
	# whichever clone runs it
	with_lock "kernel-$(basename "$obj")" "${slot[@]}" \
		make -s -C "$tree" O="$obj" LOCALVERSION= -j"$jobs" W=1 \
		"${objs[@]}" > "$log" 2>&1 ||
		{ cat "$log"; die "W=1 build failed"; }
	if grep -q 'warning:' "$log"; then
		cat "$log"
		die "W=1 warnings in the touched files"
	fi
}

step_w1() {
	[ -f "$BUILD/obj/$name/.config" ] || step_build
	w1_build "$BUILD/trees/$pri" "$BUILD/obj/$name" $pri
}

# kernel_src TREE FRAGMENT...: what the kernel is built from, without
# tools/: a change to the selftests only does not make a kernel build
kernel_src() {
	local tree=$1

	shift
	{ git -C "$tree" ls-tree HEAD | grep -v $'\ttools$'; cat "$@" \
		"$top/scripts/build-kernel.sh"; gcc --version | head -n1; } |
		sha256sum | cut -c1-16
}

# kernel_cached NAME TREE FRAGMENT...: the kernel build-kernel.sh would
# find cached, by the same key (the tree's content, the fragments,
# build-kernel.sh and the compiler), so that a cache hit waits for no CPU
# slot; or one built from a tree that differs only in tools/ (recorded
# in .ksrc when the key matched).  Anything else, a key computed
# differently included, is a miss: build-kernel.sh decides then.
kernel_cached() {
	local name=$1 tree=$2 key ksrc

	shift 2
	git -C "$tree" diff --quiet HEAD 2>/dev/null || return 1
	key=$( { git -C "$tree" rev-parse 'HEAD^{tree}'; cat "$@" \
		"$top/scripts/build-kernel.sh"; gcc --version | head -n1; } |
		sha256sum | cut -c1-16)
	ksrc=$(kernel_src "$tree" "$@")
	[ -f "$CACHE/kernels/$name/.complete" ] && [ -d "$CACHE/obj/$name" ] ||
		return 1
	if [ "$(cat "$CACHE/kernels/$name/.key" 2>/dev/null)" = "$key" ]; then
		echo "$ksrc" > "$CACHE/kernels/$name/.ksrc"
	elif [ "$(cat "$CACHE/kernels/$name/.ksrc" 2>/dev/null)" != "$ksrc" ]; then
		return 1
	fi
	mkdir -p "$KERNELS"
	ln -sfn "$CACHE/kernels/$name" "$KERNELS/$name"
}

step_build() {
	local start=$SECONDS frag

	[ "$(git -C "$BUILD/trees/$pri" rev-parse HEAD)" != \
	  "$(git -C "$BUILD/trees/$pri" rev-parse base)" ] || step_apply
	frag=$(fragment $pri)
	if kernel_cached "$name" "$BUILD/trees/$pri" "$frag"; then
		log "kernel $name: cached"
	else
		"${slot[@]}" "$top/scripts/build-kernel.sh" -j "$jobs" \
			-f "$frag" -n "$name" "$BUILD/trees/$pri"
		# records .ksrc for the next selftest-only change
		kernel_cached "$name" "$BUILD/trees/$pri" "$frag" || true
	fi
	log "build: $((SECONDS - start)) s"
}

# guest KERNEL KSFT OUT [patch-guest.sh options and tests]: one boot,
# KTAP in OUT
guest() {
	local kernel=$1 ksft=$2 ktap=$3 opts=()

	shift 3
	[ "${1:-}" = -p ] && { opts=(-p); shift; }
	log "booting $kernel: ${opts[*]} $*"
	"${slot[@]}" "$top/scripts/vm-run.sh" -k "$kernel" -m 2048 -t 2700 \
		-e "XFRM_CSUM_EXPECT=${expect:-fixed}" \
		-e "XFRM_CSUM_TIER=${XFRM_CSUM_TIER:-full}" \
		-e "XFRM_CSUM_MODDIR=$BUILD/modules/$(kernel_release "$kernel")" \
		-- "$top/scripts/patch-guest.sh" "${opts[@]}" "$ksft" "$@" \
		> "$ktap" 2>&1
}

# guests KERNEL KSFT TAG [-p]: the series' tests in one guest and, with
# -r, the kernel's own in a second, side by side unless -s (the slow ones
# are sleep-bound); results in build/patch-check/TAG.ktap
guests() {
	local kernel=$1 ksft=$2 tag=$3 rc=0 pid rel initrd

	shift 3
	# Both boots would (re)build the initramfs at the same time
	rel=$(kernel_release "$kernel")
	initrd=$BUILD/initramfs/$rel.cpio
	if [ ! -s "$initrd" ] || [ "$initrd" -ot "$top/scripts/vm-initramfs.sh" ] ||
	   [ "$initrd" -ot "$kernel/lib/modules/$rel/modules.dep" ]; then
		mkdir -p "$BUILD/initramfs"
		"$top/scripts/vm-initramfs.sh" "$kernel" "$initrd"
	fi
	rm -f "$out/$tag.1.ktap"
	if [ -z "$regress" ]; then
		guest "$kernel" "$ksft" "$out/$tag.2.ktap" "$@" nat_csum || rc=1
	elif [ -n "$serial" ]; then
		guest "$kernel" "$ksft" "$out/$tag.1.ktap" ipsec xfrm_policy ||
			rc=1
		guest "$kernel" "$ksft" "$out/$tag.2.ktap" "$@" nat_csum pmtu_udp \
			l2tp || rc=1
	else
		guest "$kernel" "$ksft" "$out/$tag.1.ktap" ipsec xfrm_policy &
		pid=$!
		guest "$kernel" "$ksft" "$out/$tag.2.ktap" "$@" nat_csum pmtu_udp \
			l2tp || rc=1
		wait $pid || rc=1
	fi
	cat "$out/$tag.2.ktap" ${regress:+"$out/$tag.1.ktap"} |
		tee "$out/$tag.ktap"
	return $rc
}

step_test() {
	local kdir=$KERNELS/$name rc=0

	[ -f "$kdir/.complete" ] || step_build
	make -s -C "$top/selftests" >/dev/null
	modules "$kdir"
	stage_ksft "$BUILD/trees/$pri" "$BUILD/ksft/$name"
	guests "$kdir" "$BUILD/ksft/$name" patched -p || rc=1
	compare
	[ $rc = 0 ] || die "tests failed on the patched kernel"
}

step_base() {
	local src=$BUILD/src/linux-source-$pri kdir=$KERNELS/$pri-base
	local ksft=$BUILD/ksft/$pri-base tree=$BUILD/trees/$pri

	[ -f "$src/Makefile" ] || "$top/scripts/kernel-tree.sh" -n $pri >/dev/null
	[ -f "$kdir/.complete" ] ||
		"${slot[@]}" "$top/scripts/build-kernel.sh" -j "$jobs" \
			-f "$(fragment $pri)" -n $pri-base "$src"
	# The series' kselftest runs too: it must fail on this kernel.  Its
	# helper is built from the patched tree (the attribute it sets is
	# refused here, which the test reports).
	[ -f "$tree/$nat_csum" ] || step_apply
	stage_ksft "$src" "$ksft"
	cp "$tree/$nat_csum" "$ksft/net/"
	gcc -O2 -Wall -isystem "$(ksft_hdr "$BUILD/ksft/$name")/usr/include" \
		-o "$ksft/net/xfrm_encap_oa" \
		"$tree/${nat_csum%/*}/xfrm_encap_oa.c" 2>/dev/null ||
		cp "$BUILD/ksft/$name/net/xfrm_encap_oa" "$ksft/net/" || true
	# repro_poison.sh must reproduce the bug here: XFAIL, not pass
	make -s -C "$top/selftests" >/dev/null
	modules "$kdir"
	expect=bug guests "$kdir" "$ksft" base -p || true
	compare
}

# compare: per-test results on the unpatched and the patched kernel
compare() {
	local t b p

	[ -f "$out/base.ktap" ] && [ -f "$out/patched.ktap" ] || return 0
	printf '%-14s %-22s %s\n' test unpatched patched
	for t in repro_poison coexist nat_csum "${kselftests[@]}"; do
		b=$(grep -E "^(not )?ok [0-9]+ $t( |$)" "$out/base.ktap" | sed 's/ [0-9]* s$//' || true)
		p=$(grep -E "^(not )?ok [0-9]+ $t( |$)" "$out/patched.ktap" | sed 's/ [0-9]* s$//' || true)
		printf '%-14s %-22s %s\n' "$t" "$(verdict "$b")" "$(verdict "$p")"
	done
}

verdict() {
	case $1 in
	"")		echo "not run" ;;
	"not ok"*)	echo "FAIL" ;;
	*SKIP*)		echo "skip" ;;
	*)		echo "pass" ;;
	esac
}

# step_backport VERSION: applies, and W=1 adds no warning where it touches
step_backport() {
	apply "$1"
	w1_build "$BUILD/trees/$1" "$BUILD/obj/w1-$1" "$1"
}

step_61_test() {
	local kdir=$KERNELS/6.1-xfrm-csum tree=$BUILD/trees/6.1 rc=0

	apply 6.1
	# cached by the tree's content
	"${slot[@]}" "$top/scripts/build-kernel.sh" -j "$jobs" -n 6.1-xfrm-csum \
		"$tree"
	make -s -C "$top/selftests" >/dev/null
	modules "$kdir"
	stage_ksft "$tree" "$BUILD/ksft/6.1-xfrm-csum"
	guest "$kdir" "$BUILD/ksft/6.1-xfrm-csum" "$out/patched-6.1.ktap" \
		-p nat_csum l2tp || rc=1
	cat "$out/patched-6.1.ktap"
	[ $rc = 0 ] || die "tests failed on the patched 6.1 kernel"
}

start=$SECONDS
times=()
for s in "${steps[@]}"; do
	t=$SECONDS
	case $s in
	apply)		step_apply ;;
	checkpatch)	step_checkpatch ;;
	w1)		step_w1 ;;
	module)		step_module ;;
	build)		step_build ;;
	test)		step_test ;;
	base)		step_base ;;
	6.12|6.1)	step_backport "$s" ;;
	6.1-test)	step_61_test ;;
	*)		die "unknown step $s" ;;
	esac
	times+=("$s $((SECONDS - t)) s")
done
log "patch-check: ${steps[*]}: ok in $((SECONDS - start)) s ($(printf '%s, ' "${times[@]}" | sed 's/, $//'))"
