#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare a git tree of Debian's kernel source and apply a patch series.
#
# usage: scripts/kernel-tree.sh [-d DIR] [-n|-s] VERSION
#   VERSION   7.2, 6.12 or 6.1: the linux-source-VERSION package is the
#             base (7.2 from Debian sid through scripts/sid-apt.sh, the
#             others from the host's bookworm sources)
#   -d DIR    the tree to (re)use [build/trees/VERSION]
#   -n        only reset the tree to the base, apply nothing
#   -s        only unpack the pristine source; print its path
#
# The series is patches/VERSION/series, applied with plain `git am`: no
# three-way merge and no fuzz, so a patch whose context does not match
# exactly fails here rather than being applied somewhere unexpected.
# Prints the tree's path on stdout.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

tree= apply=1 source_only=
while getopts d:nsh opt; do
	case $opt in
	d) tree=$OPTARG ;;
	n) apply= ;;
	s) source_only=1 ;;
	*) sed -n '4,17s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || die "usage: $0 [-d DIR] [-n|-s] VERSION"
ver=$1
series=$top/patches/$ver/series
tree=${tree:-$BUILD/trees/$ver}
src=$BUILD/src/linux-source-$ver
cache_setup
ident=(-c user.name="xfrm-csum developers" -c user.email=dev@xfrm-csum.invalid)

# The source package ships one tarball; unpack it once under build/src.
if [ ! -f "$src/Makefile" ]; then
	mkdir -p "$BUILD/src"
	deb=$(ls "$BUILD"/src/linux-source-"$ver"_*_all.deb 2>/dev/null | tail -n1) || true
	if [ -z "$deb" ]; then
		log "downloading linux-source-$ver"
		apt=(apt-get)
		# bookworm has 6.1 and 6.12; anything newer comes from sid
		case $ver in
		6.1|6.12) ;;
		*) apt=("$top/scripts/sid-apt.sh" apt-get) ;;
		esac
		(cd "$BUILD/src" && "${apt[@]}" download -q "linux-source-$ver" >&2)
		deb=$(ls "$BUILD"/src/linux-source-"$ver"_*_all.deb | tail -n1)
	fi
	log "unpacking $(basename "$deb")"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/linux-source-$ver.tar.xz" |
		tar -xJ -C "$src.tmp"
	# what scripts/build-kernel.sh keys a kernel built from it by
	basename "$deb" > "$src.tmp/linux-source-$ver/.xfrm-csum-source"
	mv "$src.tmp/linux-source-$ver" "$src"
	rmdir "$src.tmp"
fi
if [ -n "$source_only" ]; then
	echo "$src"
	exit 0
fi

# One commit holding the tarball as shipped; kept and reset between runs
# because adding ~80000 files to git takes longer than the rest.
if ! git -C "$tree" rev-parse -q --verify base >/dev/null 2>&1; then
	log "creating $tree from $src"
	rm -rf "$tree"
	mkdir -p "$(dirname "$tree")"
	cp -a "$src" "$tree"
	git -C "$tree" init -q
	git -C "$tree" add -A -f .
	kver=$(make -s -C "$tree" kernelversion)
	git -C "$tree" "${ident[@]}" commit -q \
		-m "Linux $kver as shipped in Debian's linux-source-$ver"
	git -C "$tree" tag base
fi

git -C "$tree" am --abort >/dev/null 2>&1 || true
git -C "$tree" reset -q --hard base
git -C "$tree" clean -q -f -d -x

if [ -n "$apply" ]; then
	[ -f "$series" ] || die "$series missing"
	mapfile -t patches < <(grep -v -e '^#' -e '^[[:space:]]*$' "$series")
	log "applying ${#patches[@]} patches from patches/$ver"
	git -C "$tree" "${ident[@]}" am -q --whitespace=error-all \
		"${patches[@]/#/$top/patches/$ver/}" >&2 ||
		die "patches/$ver does not apply to $(git -C "$tree" log -1 --format=%s base)"
fi
echo "$tree"
