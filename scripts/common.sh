# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the host-side scripts.  Sourced, not run.

top=${top:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$top/build}
KERNELS=$BUILD/kernels

# The scripts run make themselves and read its output (kernelrelease):
# flags of a make that started them, such as the -w that `make -C DIR`
# passes down, must not leak in.
unset MAKEFLAGS MFLAGS MAKELEVEL

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Directory of an extracted or source-built kernel: a series ("6.12"), a
# release, or a path.
kernel_dir() {
	local k=$1

	if [ -d "$k" ]; then
		readlink -f "$k"
	elif [ -d "$KERNELS/$k" ]; then
		readlink -f "$KERNELS/$k"
	else
		die "kernel '$k' not found (run scripts/fetch-kernels.sh)"
	fi
}

kernel_release() {
	basename "$(ls -d "$1"/lib/modules/*/ | head -n1)"
}

# Print kernel-log lines that must fail a test run; true if there were any.
splats() {
	grep -E -A 20 'WARNING:|BUG:|KASAN:|UBSAN:|kernel BUG|Oops|general protection fault|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|rcu: INFO|INFO: rcu_|INFO: task .* blocked|lockdep|refcount_t: |list_(add|del) corruption|stack-protector|Call Trace' "$1"
}
