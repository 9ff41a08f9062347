#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian kernel images and matching headers into build/kernels/ with
# apt-get download + dpkg-deb -x.  Nothing is installed on the host.
#
# usage: scripts/fetch-kernels.sh [6.1|6.12|all]
#
# The newest ABI of each series in the package lists is used unless
# kernels.pin names one ("6.1 6.1.0-56-amd64").  Each kernel ends up in
# build/kernels/<release>/ with a "build/kernels/<series>" symlink to it:
#   boot/vmlinuz-<release>, boot/vmlinux (PVH-bootable ELF),
#   lib/modules/<release>/ (depmod'ed, build -> the extracted headers)
#   usr/src/linux-headers-<release>/ (usable for out-of-tree builds)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

# Print the image package and kernel release for a series.
resolve() {
	local series=$1 rel pin

	pin=$(awk -v s="$series" '$1 == s { print $2 }' "$top/kernels.pin" 2>/dev/null || true)
	if [ -n "$pin" ]; then
		rel=$pin
	else
		case $series in
		6.1)  rel=$(apt-cache pkgnames linux-image-6.1.0- |
			    grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' |
			    sed 's/^linux-image-//' | sort -V | tail -n1) ;;
		6.12) rel=$(apt-cache pkgnames linux-image-6.12. |
			    grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
			    sed 's/^linux-image-//; s/-unsigned$//' | sort -V | tail -n1) ;;
		*) die "unknown kernel series '$series' (want 6.1 or 6.12)" ;;
		esac
	fi
	if [ -z "$rel" ] && [ -z "${REFRESHED:-}" ]; then
		log "no $series kernel in the package lists; refreshing them"
		apt-get update -q >&2
		REFRESHED=1 resolve "$series"
		return
	fi
	[ -n "$rel" ] || die "no linux-image package found for $series"
	echo "$rel"
}

# Package names making up one kernel: image, arch headers, common headers, kbuild.
packages() {
	local rel=$1 img ver common kbuild

	img=linux-image-$rel
	apt-cache show "$img-unsigned" >/dev/null 2>&1 && img=$img-unsigned
	ver=$(apt-cache show "$img" | awk '/^Version:/ { print $2; exit }')
	[ -n "$ver" ] || die "package $img not found"
	common=linux-headers-${rel%-amd64}-common
	case $rel in
	6.1.*)	kbuild="linux-kbuild-6.1=$ver" ;;
	*)	kbuild="linux-kbuild-${rel%-amd64}=$ver" ;;
	esac
	echo "$img=$ver linux-headers-$rel=$ver $common=$ver $kbuild"
}

# Find the compressed payload in a bzImage and unpack the first one that
# decompresses to an ELF (what the kernel's own extract-vmlinux does).
extract_vmlinux() {
	local img=$1 out=$2 magic tool off

	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		tool=${magic%%:*}
		for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$img" | cut -d: -f1); do
			tail -c +$((off + 1)) "$img" | $tool -dc 2>/dev/null > "$out" || true
			if [ "$(head -c4 "$out" | od -An -c | tr -d ' ')" = '177ELF' ]; then
				return 0
			fi
		done
	done
	die "cannot find a compressed vmlinux in $img"
}

fetch() {
	local series=$1 rel dest debs hdr

	rel=$(resolve "$series")
	dest=$KERNELS/$rel
	if [ -e "$dest/.complete" ]; then
		ln -sfn "$rel" "$KERNELS/$series"
		log "kernel $series: $rel (cached)"
		return
	fi
	log "kernel $series: fetching $rel"
	rm -rf "$dest" "$dest.debs"
	mkdir -p "$dest.debs"
	# shellcheck disable=SC2046
	# A stale package list names versions the archive no longer has:
	# refresh it once and retry.
	if ! (cd "$dest.debs" && apt-get download -q $(packages "$rel")); then
		log "download failed; refreshing the package lists"
		apt-get update -q >&2
		(cd "$dest.debs" && apt-get download -q $(packages "$rel"))
	fi
	for d in "$dest.debs"/*.deb; do
		dpkg-deb -x "$d" "$dest"
	done
	[ -e "$dest/boot/vmlinuz-$rel" ] || die "image for $rel did not unpack"

	# The headers refer to their -common tree and the kbuild scripts by
	# absolute /usr paths; point them into the extracted tree instead.
	hdr=$dest/usr/src/linux-headers-$rel
	sed -i "s|/usr/src/|$dest/usr/src/|" "$hdr/Makefile"
	for l in scripts tools; do
		ln -sfn "$(readlink -f "$dest/usr/lib/$(readlink "$hdr/$l" | sed 's|^\.\./\.\./lib/||')")" "$hdr/$l"
	done
	ln -sfn "$hdr" "$dest/lib/modules/$rel/build"
	ln -sfn "$dest/usr/src/linux-headers-${rel%-amd64}-common" "$dest/lib/modules/$rel/source"

	# PVH boot of the uncompressed ELF saves the decompression time.
	extract_vmlinux "$dest/boot/vmlinuz-$rel" "$dest/boot/vmlinux"
	depmod -b "$dest" "$rel"
	rm -rf "$dest.debs"
	touch "$dest/.complete"
	ln -sfn "$rel" "$KERNELS/$series"
	log "kernel $series: $rel ready in $dest"
}

case ${1:-all} in
all)	fetch 6.1; fetch 6.12 ;;
6.1|6.12) fetch "$1" ;;
*)	die "usage: $0 [6.1|6.12|all]" ;;
esac
