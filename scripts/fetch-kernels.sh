#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian kernel images and matching headers into the cache outside
# the clone (build/kernels/<release> links there) with apt-get download +
# dpkg-deb -x.  Nothing is installed on the host.
#
# usage: scripts/fetch-kernels.sh [6.1|6.12|7.2|all]
#
# 6.1 and 6.12 come from the host's (bookworm) package lists, 7.2 from
# Debian unstable through a private list under build/apt-sid (see sid_apt
# in common.sh).  The newest ABI of each series is used unless kernels.pin
# names one ("6.1 6.1.0-56-amd64").  Each kernel ends up in
# $CACHE/kernels/<release>/, linked as build/kernels/<release>, with a
# "build/kernels/<series>" symlink to that:
#   boot/vmlinuz-<release>, boot/vmlinux (PVH-bootable ELF),
#   lib/modules/<release>/ (depmod'ed, build -> the extracted headers)
#   usr/src/linux-headers-<release>/ (the headers; those of 7.2 need sid's
#   compiler and libc: scripts/build-modules.sh uses a sid root for them)
# Packages of a merged /usr (7.2: usr/lib/modules/<release>/vmlinuz) get a
# "lib -> usr/lib" link and boot/ filled in, so every kernel looks the same.
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
		7.2)  rel=$(sid_apt apt-cache pkgnames linux-image-7.2. |
			    grep -E '^linux-image-7\.2\.[0-9]+(\+deb[0-9]+)?-amd64$' |
			    sed 's/^linux-image-//' | sort -V | tail -n1) ;;
		*) die "unknown kernel series '$series' (want 6.1, 6.12 or 7.2)" ;;
		esac
	fi
	if [ -z "$rel" ] && [ -z "${REFRESHED:-}" ]; then
		log "no $series kernel in the package lists; refreshing them"
		refresh "$series"
		REFRESHED=1 resolve "$series"
		return
	fi
	[ -n "$rel" ] || die "no linux-image package found for $series"
	echo "$rel"
}

# The package lists a series comes from, and how to refresh them.
sid_series() { [ "${1%%.*}" -ge 7 ]; }

refresh() {
	if sid_series "$1"; then
		sid_update force
	else
		apt-get update -q >&2
	fi
}

apt_for() {
	local series=$1

	shift
	if sid_series "$series"; then
		sid_apt "$@"
	else
		"$@"
	fi
}

# Package names making up one kernel: image, arch headers, common headers,
# kbuild; from 7.x the image package is a metapackage over binary (the
# signed vmlinuz), modules and base (config, System.map, modules.*).
packages() {
	local rel=$1 img ver common kbuild b

	case $rel in
	[1-6].*) ;;
	*)
		ver=$(sid_apt apt-cache show "linux-image-$rel" |
		      awk '/^Version:/ { print $2; exit }')
		[ -n "$ver" ] || die "package linux-image-$rel not found"
		b=linux-binary-$rel
		sid_apt apt-cache show "$b=$ver" >/dev/null 2>&1 ||
			b=linux-binary-unsigned-$rel
		echo "$b=$ver linux-modules-$rel=$ver linux-base-$rel=$ver" \
		     "linux-headers-$rel=$ver linux-headers-${rel%-amd64}-common=$ver" \
		     "linux-kbuild-${rel%-amd64}=$ver"
		return
		;;
	esac
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
	local series=$1 rel dest

	if sid_series "$series"; then
		sid_update
	fi
	rel=$(resolve "$series")
	# unpacked once into the cache, shared by every clone (read-only
	# after: guests write to an overlay, modules build elsewhere)
	dest=$CACHE/kernels/$rel
	mkdir -p "$CACHE/kernels" "$KERNELS"
	with_lock "kernel-$rel" unpack "$series" "$rel" "$dest"
	# an older clone unpacked it in place
	[ -L "$KERNELS/$rel" ] || rm -rf "${KERNELS:?}/$rel"
	ln -sfn "$dest" "$KERNELS/$rel"
	ln -sfn "$rel" "$KERNELS/$series"
}

# unpack SERIES RELEASE DEST: download and extract the packages of RELEASE,
# unless an earlier run did
unpack() {
	local series=$1 rel=$2 dest=$3 hdr mod

	if [ -e "$dest/.complete" ]; then
		log "kernel $series: $rel (cached in $dest)"
		return
	fi
	log "kernel $series: fetching $rel"
	rm -rf "$dest" "$dest.debs"
	mkdir -p "$dest.debs"
	# shellcheck disable=SC2046
	# A stale package list names versions the archive no longer has:
	# refresh it once and retry.
	if ! (cd "$dest.debs" && apt_for "$series" apt-get download -q $(packages "$rel")); then
		log "download failed; refreshing the package lists"
		refresh "$series"
		(cd "$dest.debs" && apt_for "$series" apt-get download -q $(packages "$rel"))
	fi
	for d in "$dest.debs"/*.deb; do
		dpkg-deb -x "$d" "$dest"
	done
	# merged /usr: what bookworm's packages put in /boot and /lib
	mod=$dest/usr/lib/modules/$rel
	if [ -e "$mod/vmlinuz" ] && [ ! -e "$dest/lib" ]; then
		ln -s usr/lib "$dest/lib"
		mkdir -p "$dest/boot"
		for f in vmlinuz config System.map; do
			ln -s "../usr/lib/modules/$rel/$f" "$dest/boot/$f-$rel"
		done
	fi
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
	log "kernel $series: $rel ready in $dest"
}

case ${1:-all} in
all)	fetch 6.1; fetch 6.12; fetch 7.2 ;;
6.1|6.12|7.2) fetch "$1" ;;
*)	die "usage: $0 [6.1|6.12|7.2|all]" ;;
esac
