# SPDX-License-Identifier: GPL-2.0
#
# Generic kselftest helpers: KTAP output, exit codes, network namespaces with
# random names, cleanup on exit, waiting for conditions, loading modules.
# Sourced by the tests; nothing here knows about IPsec (see ipsec_lib.sh).

# kselftest exit codes
ksft_pass=0
ksft_fail=1
ksft_skip=4

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PATH=$SELFTEST_DIR:$PATH

# --- KTAP -------------------------------------------------------------------

KTAP_TESTNO=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0
KTAP_XFAIL=0

ktap_header() { echo "TAP version 13"; }
ktap_plan() { echo "1..$1"; }
ktap_msg() { echo "# $*"; }

__ktap_result() {
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	echo "$1 $KTAP_TESTNO $2${3:+ # $3}"
}

ktap_pass() { KTAP_PASS=$((KTAP_PASS + 1)); __ktap_result ok "$1"; }
ktap_fail() { KTAP_FAIL=$((KTAP_FAIL + 1)); __ktap_result "not ok" "$1" "${2:-}"; }
ktap_skip() { KTAP_SKIP=$((KTAP_SKIP + 1)); __ktap_result ok "$1" "SKIP ${2:-}"; }
ktap_xfail() { KTAP_XFAIL=$((KTAP_XFAIL + 1)); __ktap_result ok "$1" "XFAIL ${2:-}"; }

# A case that cannot go on: report it failed and tear down what it set up.
case_abort() {
	ktap_fail "$@"
	cleanup_all
}

# Report one result from a kselftest exit code: 0 pass, 4 skip, else fail.
ktap_result() {
	local rc=$1 name=$2 why=${3:-}

	case $rc in
	0) ktap_pass "$name" ;;
	4) ktap_skip "$name" "$why" ;;
	*) ktap_fail "$name" "$why" ;;
	esac
}

# Print totals and exit: 1 if anything failed, 4 if everything was skipped.
ktap_finish() {
	echo "# totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:$KTAP_XFAIL skip:$KTAP_SKIP"
	if [ "$KTAP_FAIL" -gt 0 ]; then
		exit $ksft_fail
	elif [ "$KTAP_TESTNO" -gt 0 ] && [ "$KTAP_SKIP" -eq "$KTAP_TESTNO" ]; then
		exit $ksft_skip
	fi
	exit $ksft_pass
}

# Skip the whole test file.
ksft_skip_all() {
	echo "1..0 # SKIP $*"
	exit $ksft_skip
}

# --- cleanup ----------------------------------------------------------------

CLEANUP_CMDS=()
ALL_NS=()
BG_PIDS=()

# Run "$@" at exit, most recent first.
defer() {
	CLEANUP_CMDS+=("$(printf '%q ' "$@")")
}

cleanup_all() {
	local i pid ns

	for ((i = ${#CLEANUP_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP_CMDS[i]}" >/dev/null 2>&1 || true
	done
	CLEANUP_CMDS=()
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
	for ns in "${ALL_NS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	ALL_NS=()
}
trap cleanup_all EXIT

# Start "$@" in the background and remember it for cleanup.
bg_start() {
	"$@" &
	BG_PIDS+=($!)
}

# --- namespaces -------------------------------------------------------------

# setup_ns VAR...: create one netns per VAR with a random name, lo up, and
# store the name in VAR.
setup_ns() {
	local var name

	for var in "$@"; do
		name=$var-$(mktemp -u XXXXXX)
		ip netns add "$name" || return 1
		ALL_NS+=("$name")
		ip -n "$name" link set lo up
		ip netns exec "$name" sysctl -qw net.ipv4.ping_group_range="0 2147483647" 2>/dev/null
		eval "$var=$name"
	done
}

# --- waiting ----------------------------------------------------------------

# busywait TIMEOUT_MS CMD...: retry CMD until it succeeds or time runs out.
# Timeouts are multiplied by KSFT_TIMEOUT_SCALE (default 4): under TCG on
# a loaded host a guest can stall for seconds, and a wait that gives up
# early turns into a spurious failure; a longer one only costs time when
# something is really broken.
busywait() {
	local timeout_ms=$(($1 * ${KSFT_TIMEOUT_SCALE:-4})) start now

	shift
	start=$(date +%s%3N)
	while true; do
		"$@" && return 0
		now=$(date +%s%3N)
		[ $((now - start)) -ge "$timeout_ms" ] && return 1
		sleep 0.05
	done
}

# Wait until FILE contains a line matching PATTERN.
wait_for_line() {
	local file=$1 pattern=$2 timeout_ms=${3:-10000}

	busywait "$timeout_ms" grep -q "$pattern" "$file"
}

# --- requirements -----------------------------------------------------------

require_cmd() {
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null || ksft_skip_all "command $c not found"
	done
}

require_root() {
	[ "$(id -u)" = 0 ] || ksft_skip_all "needs root"
}

# Load a module by name; fall back to $XFRM_CSUM_MODDIR/NAME.ko for the
# project's own modules when they are not installed.
load_module() {
	local name=$1

	shift
	modprobe -q "$name" "$@" 2>/dev/null && return 0
	if [ -n "${XFRM_CSUM_MODDIR:-}" ] && [ -f "$XFRM_CSUM_MODDIR/$name.ko" ]; then
		insmod "$XFRM_CSUM_MODDIR/$name.ko" "$@" && return 0
	fi
	return 1
}

# Unload a module, retrying while references drain.
unload_module() {
	busywait 5000 rmmod "$1" 2>/dev/null
}
