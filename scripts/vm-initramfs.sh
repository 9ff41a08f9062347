#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the small initramfs that mounts the host root over 9p and switches
# to it: busybox-static plus the few modules needed to get there, taken
# from the kernel being booted (built-in on some kernels, modules on others).
#
# usage: scripts/vm-initramfs.sh KERNEL_DIR OUTPUT
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

kdir=$(kernel_dir "$1")
out=$2
rel=$(kernel_release "$kdir")
busybox=$(command -v busybox) || die "busybox-static is not installed"
file -L "$busybox" | grep -q 'statically linked' || die "$busybox is not static (install busybox-static)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
work=$tmp/initramfs
mkdir -p "$work"/{bin,dev,proc,sys,mnt,lower,upper,newroot,modules}
# modprobe -d wants BASE/lib/modules/REL; the kernel may keep its modules
# in usr/lib/modules (merged /usr, Debian's 7.x packages).
mkdir -p "$tmp/base/lib/modules"
ln -s "$(kernel_moddir "$kdir")" "$tmp/base/lib/modules/$rel"
cp "$busybox" "$work/bin/busybox"
ln -s busybox "$work/bin/sh"

# Load order from the kernel's own modules.dep; nothing if all are built in.
: > "$work/modules/order"
modprobe -d "$tmp/base" -S "$rel" -a --show-depends \
	virtio_pci virtio_console 9pnet_virtio 9p overlay 2>/dev/null |
	awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
	while read -r ko; do
		name=$(basename "${ko%.xz}")
		name=${name%.zst}
		case $ko in
		*.xz)	xz -dc "$ko" > "$work/modules/$name" ;;
		*.zst)	zstd -qdc "$ko" > "$work/modules/$name" ;;
		*)	cp "$ko" "$work/modules/$name" ;;
		esac
		echo "$name" >> "$work/modules/order"
	done

cat > "$work/init" <<'INIT'
#!/bin/sh
# Stage 1: host root (read-only 9p) + tmpfs upper = overlay root.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in $(/bin/busybox cat /modules/order); do
	/bin/busybox insmod /modules/$m
done
fail() { echo "vm-init: $*" > /dev/ttyS0; /bin/busybox poweroff -f; }
/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 \
	hostroot /lower || fail "cannot mount host root"
/bin/busybox mount -t tmpfs -o mode=0755 upper /upper
/bin/busybox mkdir -p /upper/data /upper/work
/bin/busybox mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work \
	root /newroot || fail "cannot mount overlay root"
for d in proc sys dev; do
	/bin/busybox mount --move /$d /newroot/$d
done
init=$(/bin/busybox sed -n 's/.* vm.init=\([^ ]*\).*/\1/p' /newroot/proc/cmdline)
exec /bin/busybox switch_root /newroot "$init"
INIT
chmod +x "$work/init"
(cd "$work" && find . | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
