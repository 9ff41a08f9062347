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
	# libreswan's libraries and NSS tools (libreswan itself: see below)
	libnss3-tools libnss3 libnspr4 libunbound8 libldns3 libevent-core-2.1-7
	libevent-pthreads-2.1-7 libcurl3-nss libcap-ng0 libaudit1 libldap-2.5-0
	dns-root-data
	# the monitoring test scrapes node_exporter with curl
	curl
)

# Packages unpacked, not installed, under $OPT/NAME (the tests look there):
# libreswan conflicts with strongswan-charon (both provide ike-server), and
# an installed prometheus or prometheus-node-exporter would enable its
# daemon on the host; the tests only need their binaries.
OPT=${XFRM_CSUM_OPT:-/opt/xfrm-csum}
unpacked=(libreswan prometheus prometheus-node-exporter)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
to_unpack=()
for p in "${unpacked[@]}"; do
	[ -f "$OPT/$p/.unpacked" ] || to_unpack+=("$p")
done
[ ${#missing[@]} -eq 0 ] && [ ${#to_unpack[@]} -eq 0 ] && exit 0

export DEBIAN_FRONTEND=noninteractive
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}" >&2
	$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# apt-get download, dpkg-deb -x: OPT/NAME/usr/..., no maintainer scripts run
for p in "${to_unpack[@]}"; do
	echo "unpacking: $p into $OPT/$p" >&2
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && $sudo apt-get download -q "$p") &&
	$sudo rm -rf "${OPT:?}/$p" &&
	$sudo mkdir -p "$OPT/$p" &&
	$sudo dpkg-deb -x "$tmp"/"$p"_*.deb "$OPT/$p" &&
	$sudo touch "$OPT/$p/.unpacked"
	rc=$?
	rm -rf "$tmp"
	[ $rc = 0 ] || exit $rc
done
