#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A Debian unstable root with clang and LLVM, for the clang builds of
# scripts/nipa-check.sh: Linux 7.2 needs LLVM 17 or later
# (scripts/min-tool-version.sh), bookworm has 16 at most.
#
# usage: scripts/clang-root.sh                        print the root's path
#        scripts/clang-root.sh [-b DIR]... -- CMD [ARGS...]
#
# The second form runs CMD in the root (chroot, in a private mount
# namespace with /proc, /dev and a private /tmp), with each DIR
# bind-mounted at the same path, so that paths mean the same inside and
# out.  The root is made once with mmdebstrap from Debian's archive and
# kept in the cache outside the clone, keyed by its package list, and
# shared read-only by every clone: binds are the only place CMD can write.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

binds=()
while getopts b:h opt; do
	case $opt in
	b) binds+=("$(readlink -f "$OPTARG")") ;;
	*) sed -n '4,16s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

# What a kernel build with LLVM=1 needs, host programs included
pkgs="clang lld llvm make bc flex bison libelf-dev libc6-dev perl"
key=sid-clang-$(echo "$pkgs" | md5sum | cut -c1-8)
root=$CACHE/roots/$key
mirror=${XFRM_CSUM_SID_MIRROR:-http://deb.debian.org/debian}

create() {
	local tmp=$root.tmp start=$SECONDS

	[ -e "$root/.complete" ] && return
	command -v mmdebstrap >/dev/null ||
		die "mmdebstrap missing (scripts/install-deps.sh)"
	log "clang root: creating $root ($pkgs)"
	rm -rf "$tmp"
	# shellcheck disable=SC2016 # $1 is the hook's argument
	mmdebstrap --quiet --variant=essential --mode=root \
		--dpkgopt=force-unsafe-io \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--include="${pkgs// /,}" \
		--customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb' \
		sid "$tmp" "$mirror" >&2 || die "mmdebstrap failed"
	[ -x "$tmp/usr/bin/clang" ] || die "no clang in the new root"
	touch "$tmp/.complete"
	mv "$tmp" "$root"
	log "clang root: ready after $((SECONDS - start)) s," \
		"$(chroot "$root" clang --version | head -n1)"
}

[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot, mount namespace)"
mkdir -p "$CACHE/roots" "$CACHE/locks"
if [ ! -e "$root/.complete" ]; then
	# several clones: one creates, the others wait for it
	exec 9> "$CACHE/locks/root-$key"
	flock 9
	create
	exec 9>&-
fi

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
