#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install xfrm_csum.ko from this checkout with DKMS, for the running kernel
# (or the ones given), so that it is rebuilt for every kernel installed
# later: the same as "dpkg -i xfrm-csum-dkms_*.deb" without a package.
# Needs root, dkms and the kernel headers (linux-headers-$(uname -r)).
#
# usage: scripts/dkms-install.sh [-k KERNEL]... [-r]
#   -k KERNEL  build and install for this kernel release [$(uname -r)]
#   -r         remove every installed version from DKMS and /usr/src
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

name=xfrm-csum
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=/usr/src/$name-$version
kernels=() remove=0
while getopts k:rh opt; do
	case $opt in
	k) kernels+=("$OPTARG") ;;
	r) remove=1 ;;
	*) sed -n '4,12s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=("$(uname -r)")
[ "$(id -u)" = 0 ] || die "needs root (dkms installs into /usr/src and /lib/modules)"
command -v dkms >/dev/null || die "dkms not found: apt-get install dkms"

# Forget what a previous run or package left, for every version.
remove_all() {
	local v

	for v in $(dkms status -m $name 2>/dev/null | sed -n 's|^[^/]*/\([^,:]*\).*|\1|p' | sort -u); do
		dkms remove -m $name -v "$v" --all || true
	done
}

if [ $remove = 1 ]; then
	remove_all
	rm -rf /usr/src/$name-*
	log "$name removed from DKMS"
	exit 0
fi

if dpkg-query -W -f='${Status}' xfrm-csum-dkms 2>/dev/null | grep -q 'ok installed'; then
	die "the xfrm-csum-dkms package is installed: upgrade it instead, or purge it first"
fi
for k in "${kernels[@]}"; do
	[ -d "/lib/modules/$k/build/include" ] ||
		die "no headers for kernel $k at /lib/modules/$k/build: apt-get install linux-headers-$k"
done

remove_all
rm -rf "$src"
mkdir -p "$src/module"
install -m 0644 "$top/dkms.conf" "$src/dkms.conf"
# The same file set as the package (debian/rules).
(cd "$top/module" && find . ! -name '*.mod.c' \( -name '*.[ch]' -o -name Kbuild \
	-o -name Makefile -o -name Kconfig -o -name detect.sh \) -print0 |
	cpio -0 -pdm --quiet "$src/module")
chmod 0755 "$src/module/compat/detect.sh"

dkms add -m $name -v "$version"
for k in "${kernels[@]}"; do
	dkms build -m $name -v "$version" -k "$k"
	dkms install -m $name -v "$version" -k "$k"
done
dkms status -m $name
log "installed: modprobe xfrm_csum (options: /etc/modprobe.d, see packaging/)"
