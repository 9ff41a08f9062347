#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of the project, on both Debian kernels and on the
# kernel patched with the series.  Each step's output goes to the terminal
# and to build/check/<step>.log; a summary closes the run.
#
# usage: scripts/check.sh [STEP-PATTERN]   (e.g. '6.12*' to run a subset)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

only=${1:-*}
logs=$BUILD/check
mkdir -p "$logs"
passed=0 failed=0 skipped=0
summary=()

# step NAME CMD...: run one step; exit 4 means skipped.
step() {
	local name=$1 rc start

	shift
	# shellcheck disable=SC2053
	[[ $name == $only ]] || return 0
	log "=== $name"
	start=$SECONDS
	"$@" 2>&1 | tee "$logs/${name//[^A-Za-z0-9.]/_}.log"
	rc=${PIPESTATUS[0]}
	case $rc in
	0) passed=$((passed + 1)); summary+=("ok      $name ($((SECONDS - start)) s)") ;;
	4) skipped=$((skipped + 1)); summary+=("skip    $name") ;;
	*) failed=$((failed + 1)); summary+=("FAIL    $name (exit $rc, $((SECONDS - start)) s)") ;;
	esac
}

host_tools() {
	make -C "$top/selftests" -s || return 1
	if [ -f "$top/tools/xfrm-csum/Makefile" ]; then
		make -C "$top/tools/xfrm-csum" -s && make -C "$top/tools/xfrm-csum" -s check
	fi
}

guest_suite() {
	local k=$1 rel

	"$top/scripts/build-modules.sh" "$k" || return 1
	rel=$(kernel_release "$(kernel_dir "$k")")
	"$top/scripts/vm-run.sh" -k "$k" -m 2048 -t 1800 \
		-e XFRM_CSUM_MODDIR="$BUILD/modules/$rel" -- "$top/selftests/run.sh"
}

optional() {
	[ -x "$top/$1" ] || { echo "$1 not present"; return 4; }
	"$top/$@"
}

start=$SECONDS
step "host: build helpers and CLI, unit tests" host_tools
step "host: checkpatch --strict on kernel sources" "$top/scripts/lint.sh"
for k in 6.1 6.12; do
	step "$k: selftests in a guest" guest_suite "$k"
done
step "6.12 patched: series applies, builds, boots and passes" optional scripts/patch-check.sh

echo
echo "=== summary ($((SECONDS - start)) s)"
printf '%s\n' "${summary[@]}"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
