#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages the project needs, idempotently.  Runs
# apt-get only when something is missing.
set -euo pipefail

pkgs=(
	# guest rig
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd file
	# what runs inside the guests (the host root is the guest root)
	iproute2 nftables conntrack socat xxd iperf3 tcpdump ethtool procps psmisc libcap2-bin
	# the kernel's own xfrm selftests (ping, iptables-nft) and checkpatch
	iputils-ping iptables python3-ply python3-git
	# the CLI tests lint the man pages and check -j against its JSON schema
	man-db groff-base mandoc python3-jsonschema
	# building modules, kernels and tools
	build-essential bc flex bison libelf-dev libssl-dev dwarves
	pkg-config libmnl-dev git python3 python3-yaml ccache
	# strongSwan's kernel-netlink plugin rebuilt with patches/strongswan
	automake autoconf libtool
	# modules for Debian's 7.x kernels build in a sid root (build-root.sh)
	mmdebstrap debian-archive-keyring
	# deployment path: IKE daemon in the guests, DKMS, Debian packaging
	strongswan-charon strongswan-swanctl dkms debhelper dh-dkms dpkg-dev
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
