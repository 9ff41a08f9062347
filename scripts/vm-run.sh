#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU and run one command in it.
#
# usage: scripts/vm-run.sh [options] [--] COMMAND [ARGS...]
#   -k KERNEL   6.1, 6.12, 7.2, a release under build/kernels, or a directory
#               laid out like one (boot/vmlinux, lib/modules/REL or
#               usr/lib/modules/REL) [6.12]
#   -m MB       guest memory [1024]
#   -c CPUS     guest CPUs [1]
#   -o DIR      keep console log, dmesg and exit status in DIR
#   -t SECONDS  kill the guest after this long [900]
#   -e VAR=VAL  export VAR into the command's environment (repeatable);
#               XFRM_CSUM_* and KSFT_* variables are passed on by default
#
# The host root is the guest's root, read-only over 9p with a tmpfs overlay;
# the kernel's modules are bind-mounted on /lib/modules.  The guest has no
# network device.  The command's output appears on stdout; its exit status
# becomes ours.  A WARNING/BUG/KASAN/lockdep/RCU splat in the kernel log
# fails the run whatever the command returned.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

kernel=6.12 mem=1024 cpus=1 outdir= timeout=900
envs=()
while getopts k:m:c:o:t:e:h opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	o) outdir=$OPTARG ;;
	t) timeout=$OPTARG ;;
	e) envs+=("$OPTARG") ;;
	*) sed -n '4,19s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || die "no command given (see $0 -h)"

kdir=$(kernel_dir "$kernel")
moddir=$(kernel_moddir "$kdir")
rel=$(basename "$moddir")
[ -f "$kdir/boot/vmlinux" ] || die "$kdir/boot/vmlinux missing"

mkdir -p "$BUILD/initramfs"
initrd=$BUILD/initramfs/$rel.cpio
if [ ! -s "$initrd" ] || [ "$initrd" -ot "$top/scripts/vm-initramfs.sh" ] ||
   [ "$initrd" -ot "$moddir/modules.dep" ]; then
	"$top/scripts/vm-initramfs.sh" "$kdir" "$initrd"
fi

if [ -z "$outdir" ]; then
	outdir=$(mktemp -d "${TMPDIR:-/tmp}/vm-run.XXXXXX")
	trap 'rm -rf "$outdir"' EXIT
fi
mkdir -p "$outdir"
outdir=$(readlink -f "$outdir")
rm -f "$outdir"/{rc,dmesg,console.log}

# The command, and its environment, travel through the output share.
printf '%q ' "$@" > "$outdir/cmd"
echo >> "$outdir/cmd"
: > "$outdir/env"
while IFS= read -r var; do
	envs+=("$var=${!var}")
done < <(compgen -e | grep -E '^(XFRM_CSUM_|KSFT_)' || true)
for e in ${envs[@]+"${envs[@]}"}; do
	printf '%s=%q\n' "${e%%=*}" "${e#*=}" >> "$outdir/env"
done

accel=$("$top/scripts/kvm-probe.sh" "$kdir")
case $accel in
kvm) cpu=host ;;
*)   cpu=max ;;
esac

# norandmaps: TCG finds its translated code by virtual address, so with
# address space randomization every new process translates ld.so and libc
# afresh (an exec took 64 ms instead of 20).  Tests exec thousands of times.
append="console=ttyS0 quiet norandmaps panic=-1 oops=panic no_timer_check tsc=reliable"
append+=" i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd"
append+=" vm.init=$top/scripts/guest-init.sh vm.moddir=$moddir vm.cwd=$PWD"

set +e
timeout --foreground -k 5 "$timeout" \
qemu-system-x86_64 -M pc,accel="$accel" -cpu "$cpu" -m "$mem" -smp "$cpus" \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$kdir/boot/vmlinux" -initrd "$initrd" -append "$append" \
	-fsdev local,id=hostroot,path=/,readonly=on,security_model=none,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=out,path="$outdir",security_model=none \
	-device virtio-9p-pci,fsdev=out,mount_tag=out \
	-serial file:"$outdir/console.log" \
	-device virtio-serial-pci -chardev stdio,id=cons,signal=off \
	-device virtconsole,chardev=cons
qrc=$?
set -e

log=$outdir/dmesg
[ -s "$log" ] || log=$outdir/console.log
if [ ! -f "$outdir/rc" ]; then
	echo "vm-run: guest did not finish (qemu exit $qrc); last kernel messages:" >&2
	tail -n 40 "$outdir/console.log" >&2
	exit 125
fi
rc=$(cat "$outdir/rc")
if splats "$log" >&2; then
	echo "vm-run: kernel splat in dmesg, failing the run (command exit $rc)" >&2
	[ "$rc" = 0 ] || [ "$rc" = 4 ] && rc=1
fi
exit "$rc"
