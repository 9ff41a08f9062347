#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A Debian unstable root for building modules against a kernel whose
# headers the host cannot use: Debian's 7.x headers call gcc-16 with flags
# that bookworm's gcc rejects, and their kbuild helpers (fixdep, modpost,
# objtool) are built for sid's libc.  The root holds gcc, make, kmod and
# the kernel's linux-headers (with kbuild) installed as a user would have
# them, in /usr/src/linux-headers-REL.  With "clang" instead of a kernel:
# a root with clang and LLVM for scripts/nipa-check.sh's clang builds
# (Linux 7.2 needs LLVM 17 or later, bookworm has 16 at most).
#
# usage: scripts/build-root.sh KERNEL|clang            print the root's path
#        scripts/build-root.sh [-b DIR]... KERNEL|clang -- CMD [ARGS...]
#
# The second form runs CMD in the root (chroot, in a private mount
# namespace with /proc, /dev and a private /tmp), with each DIR
# bind-mounted at the same path, so that paths mean the same inside and
# out.  The root is made once with mmdebstrap and kept in the cache outside
# the clone, one per kernel release (a new sid kernel gets a new root), and
# shared read-only by every clone: binds are the only place CMD can write.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

binds=()
while getopts b:h opt; do
	case $opt in
	b) binds+=("$(readlink -f "$OPTARG")") ;;
	*) sed -n '14,22s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "usage: $0 [-b DIR]... KERNEL|clang [-- CMD...]"
if [ "$1" = clang ]; then
	# What a kernel build with LLVM=1 needs, host programs included
	what=clang
	pkgs="clang lld llvm make bc flex bison libelf-dev libc6-dev perl"
	want=usr/bin/clang
else
	# What a user installs to build a module for this kernel
	what=$(kernel_release "$(kernel_dir "$1")")
	pkgs="make kmod gcc-16 linux-headers-$what"
	want=usr/src/linux-headers-$what/Makefile
fi
shift
key=sid-$what-$(echo "$pkgs" | md5sum | cut -c1-8)
root=$CACHE/roots/$key

create() {
	local tmp=$root.tmp start=$SECONDS

	[ -e "$root/.complete" ] && return
	command -v mmdebstrap >/dev/null || die "mmdebstrap missing (scripts/install-deps.sh)"
	log "build root for $what: creating $root"
	rm -rf "$tmp"
	# shellcheck disable=SC2016 # $1 is the hook's argument
	mmdebstrap --quiet --variant=essential --mode=root \
		--dpkgopt=force-unsafe-io \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--include="${pkgs// /,}" \
		--customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb' \
		sid "$tmp" "$(debian_mirror)" >&2 ||
		die "mmdebstrap failed for $what"
	[ -e "$tmp/$want" ] || die "$want missing in the new root"
	touch "$tmp/.complete"
	mv "$tmp" "$root"
	log "build root for $what: ready after $((SECONDS - start)) s"
}

# Roots no clone used for two weeks (older kernels) go.
prune() {
	local used r

	for used in "$CACHE"/roots/*/.used; do
		[ -n "$(find "$used" -mtime +14 2>/dev/null)" ] || continue
		r=$(dirname "$used")
		exec 8> "$CACHE/locks/root-$(basename "$r")"
		if flock -n 8; then
			log "removing unused build root $r"
			rm -rf "$r"
		fi
		exec 8>&-
	done
}

[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot, mount namespace)"
mkdir -p "$CACHE/roots" "$CACHE/locks"
if [ ! -e "$root/.complete" ]; then
	# Concurrent clones: one creates, the others wait for it.
	exec 9> "$CACHE/locks/root-$key"
	flock 9
	create
	exec 9>&-
	prune
fi
touch "$root/.used"

if [ $# -eq 0 ]; then
	echo "$root"
	exit 0
fi
[ "$1" = -- ] || die "expected -- before the command"
shift
[ $# -gt 0 ] || die "no command given"

for b in ${binds[@]+"${binds[@]}"}; do
	[ -d "$b" ] || die "$b is not a directory"
done
export root
# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare --mount --propagation private bash -euc '
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev"
	mount -t tmpfs -o mode=1777 tmp "$root/tmp"
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		# the mount point: the only change a run makes to the root
		mkdir -p "$root$1"
		mount --bind "$1" "$root$1"
		n=$((n - 1))
		shift
	done
	exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/tmp LC_ALL=C.UTF-8 "$@"
' bash ${#binds[@]} ${binds[@]+"${binds[@]}"} "$@"
