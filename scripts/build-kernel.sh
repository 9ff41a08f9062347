#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a small kernel from a source tree and install it where the QEMU
# rig (scripts/vm-run.sh -k build/kernels/NAME) boots it.
#
# usage: scripts/build-kernel.sh [-f FRAGMENT]... [-j JOBS] -n NAME TREE
#   TREE         kernel source tree, e.g. from scripts/kernel-tree.sh
#   -n NAME      build/obj/NAME is the object tree, build/kernels/NAME
#                the installed kernel; its release is VERSION-NAME minus
#                the leading version (6.12-xfrm-csum -> 6.12.117-xfrm-csum)
#   -f FRAGMENT  config fragment on top of tinyconfig, repeatable
#                [scripts/kconfig/minimal.config]
#   -j JOBS      parallel jobs [2]
#
# Installed like the Debian kernels from scripts/fetch-kernels.sh:
#   boot/vmlinux              uncompressed ELF, booted through PVH
#   lib/modules/REL/          modules_install + depmod
#   lib/modules/REL/build ->  the object tree, for out-of-tree modules
#
# Object tree and kernel live in the cache (scripts/common.sh), the
# kernel with a key: the source tree's content (its git tree id, or the
# source package it was unpacked from), the fragments, this script and
# the compiler.  When the key matches, nothing is built; otherwise make
# rebuilds what changed, through ccache.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

args=("$@")
frags=() jobs=2 name=
while getopts f:j:n:h opt; do
	case $opt in
	f) frags+=("$(readlink -f "$OPTARG")") ;;
	j) jobs=$OPTARG ;;
	n) name=$OPTARG ;;
	*) sed -n '4,20s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] && [ -n "$name" ] || die "usage: $0 [-f FRAGMENT]... [-j JOBS] -n NAME TREE"
# build/src is a link into the cache: make it before resolving TREE
cache_setup
src=$(readlink -f "$1")
[ -f "$src/Makefile" ] || die "$src is not a kernel tree"
[ ${#frags[@]} -gt 0 ] || frags=("$top/scripts/kconfig/minimal.config")

# one build of an object tree at a time, whichever clone asks
if [ -z "${XFRM_CSUM_KERNEL_LOCKED:-}" ]; then
	XFRM_CSUM_KERNEL_LOCKED=1 with_lock "kernel-$name" "$0" "${args[@]}"
	exit
fi
obj=$CACHE/obj/$name
dest=$CACHE/kernels/$name

# What the kernel is built from; "unknown" never matches a stored key.
source_id() {
	if git -C "$src" rev-parse -q --verify 'HEAD^{tree}' >/dev/null 2>&1 &&
	   git -C "$src" diff --quiet HEAD 2>/dev/null; then
		git -C "$src" rev-parse 'HEAD^{tree}'
	else
		cat "$src/.xfrm-csum-source" 2>/dev/null || echo "unknown $(date +%s%N)"
	fi
}
key=$( { source_id; cat "${frags[@]}" "$0"; gcc --version | head -n1; } | sha256sum | cut -c1-16)
if [ -f "$dest/.complete" ] && [ "$(cat "$dest/.key" 2>/dev/null)" = "$key" ] &&
   [ -d "$obj" ]; then
	ln -sfn "$dest" "$KERNELS/$name"
	log "kernel $name: cached (key $key)"
	exit 0
fi

# An empty LOCALVERSION keeps setlocalversion from adding "+" for the git
# tree; the name goes into CONFIG_LOCALVERSION instead.
cc="gcc"
command -v ccache >/dev/null && cc="ccache gcc"
kmake=(make -s -C "$src" O="$obj" LOCALVERSION= -j"$jobs" CC="$cc" HOSTCC="$cc")
mkdir -p "$obj"

log "configuring $name: tinyconfig + ${frags[*]##*/}"
"${kmake[@]}" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"${frags[@]}" >/dev/null
"$src/scripts/config" --file "$obj/.config" \
	--set-str LOCALVERSION "-${name#*-}" --disable LOCALVERSION_AUTO
"${kmake[@]}" olddefconfig

# olddefconfig silently drops what it cannot satisfy; we want to know.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)		want=$line ;;
	"# CONFIG_"*" is not set")	want=$line ;;
	*)			continue ;;
	esac
	sym=${want#\# }
	sym=${sym%%[= ]*}
	have=$(grep -E "^(# )?$sym[= ]" "$obj/.config" || echo "# $sym is not set")
	if [ "$have" != "$want" ]; then
		echo "config: wanted '$want', got '$have'" >&2
		bad=1
	fi
done < <(cat "${frags[@]}")
[ $bad = 0 ] || die "config fragment not satisfied (see above)"

log "building $name (-j$jobs)"
start=$SECONDS
"${kmake[@]}" vmlinux modules
rel=$("${kmake[@]}" kernelrelease)
log "built $rel in $((SECONDS - start)) s"

rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/boot"
cp "$obj/vmlinux" "$dest.tmp/boot/vmlinux"
cp "$obj/.config" "$dest.tmp/boot/config-$rel"
cp "$obj/System.map" "$dest.tmp/boot/System.map-$rel"
"${kmake[@]}" INSTALL_MOD_PATH="$dest.tmp" modules_install >/dev/null
ln -sfn "$obj" "$dest.tmp/lib/modules/$rel/build"
depmod -b "$dest.tmp" "$rel"
echo "$key" > "$dest.tmp/.key"
touch "$dest.tmp/.complete"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
ln -sfn "$dest" "$KERNELS/$name"
log "installed $dest (release $rel, key $key)"
