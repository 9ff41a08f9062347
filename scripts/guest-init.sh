#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 inside the test guest (after the initramfs switched to the overlay
# root).  Sets up a minimal system, runs the command that vm-run.sh left in
# the shared output directory, stores its exit status and the kernel log
# there, and powers off.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
arg() { sed -n "s/.* vm\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }

# /tmp stays on the overlay (writes land in its tmpfs upper layer): a
# tmpfs over it would hide a work tree that lives under the host's /tmp.
mount -t tmpfs -o mode=0755 run /run
mkdir -p /dev/pts /dev/shm /run/vm-out
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs shm /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# What udev would create; DKMS and bash process substitution use it.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mount -t 9p -o trans=virtio,version=9p2000.L,cache=none,msize=262144 out /run/vm-out

# The kernel's modules live in the extracted package tree on the host
# (its lib/modules/REL or usr/lib/modules/REL, as vm-run.sh found it).
rel=$(uname -r)
mkdir -p "/lib/modules/$rel"
mount --bind "$(arg moddir)" "/lib/modules/$rel"
hostname vm
ip link set lo up
echo 1 > /proc/sys/kernel/panic_on_oops 2>/dev/null
sysctl -qw kernel.panic=1 kernel.printk="4 4 1 7"

cd "$(arg cwd)" 2>/dev/null || cd /
set -a
. /run/vm-out/env
set +a
console=/dev/hvc0
[ -e $console ] || console=/dev/ttyS1
setsid bash -c 'exec bash /run/vm-out/cmd' < $console > $console 2>&1
echo $? > /run/vm-out/rc.tmp
dmesg > /run/vm-out/dmesg
mv /run/vm-out/rc.tmp /run/vm-out/rc
sync
umount /run/vm-out
poweroff -f
