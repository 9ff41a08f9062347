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

# record NAME RC SECONDS
record() {
	case $2 in
	0) passed=$((passed + 1)); summary+=("ok      $1 ($3 s)") ;;
	4) skipped=$((skipped + 1)); summary+=("skip    $1") ;;
	*) failed=$((failed + 1)); summary+=("FAIL    $1 (exit $2, $3 s)") ;;
	esac
}

logfile() { echo "$logs/${1//[^A-Za-z0-9.]/_}.log"; }

# step NAME CMD...: run one step; exit 4 means skipped.
step() {
	local name=$1 rc start

	shift
	# shellcheck disable=SC2053
	[[ $name == $only ]] || return 0
	log "=== $name"
	start=$SECONDS
	"$@" 2>&1 | tee "$(logfile "$name")"
	rc=${PIPESTATUS[0]}
	record "$name" "$rc" $((SECONDS - start))
}

# parallel NAME1 CMD1 -- NAME2 CMD2: two steps at once (a TCG guest keeps
# one core busy); their logs are shown one after the other.
parallel() {
	local names=() pids=() cmd=() i rc start

	start=$SECONDS
	while [ $# -gt 0 ]; do
		names+=("$1")
		shift
		cmd=()
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			cmd+=("$1")
			shift
		done
		[ $# -gt 0 ] && shift
		# shellcheck disable=SC2053
		if [[ ${names[-1]} == $only ]]; then
			log "=== ${names[-1]} (started)"
			"${cmd[@]}" > "$(logfile "${names[-1]}")" 2>&1 &
			pids+=($!)
		else
			pids+=("")
		fi
	done
	for i in "${!names[@]}"; do
		[ -n "${pids[i]}" ] || continue
		wait "${pids[i]}"
		rc=$?
		log "=== ${names[i]} (output)"
		cat "$(logfile "${names[i]}")"
		record "${names[i]}" "$rc" $((SECONDS - start))
	done
}

host_tools() {
	make -C "$top/selftests" -s || return 1
	make -C "$top/tools/xfrm-csum" -s && make -C "$top/tools/xfrm-csum" -s check
}

guest_suite() {
	local k=$1 rel

	"$top/scripts/build-modules.sh" "$k" || return 1
	rel=$(kernel_release "$(kernel_dir "$k")")
	"$top/scripts/vm-run.sh" -k "$k" -m 2048 -t 2700 \
		-e XFRM_CSUM_MODDIR="$BUILD/modules/$rel" -- "$top/selftests/run.sh"
}

optional() {
	[ -x "$top/$1" ] || { echo "$1 not present"; return 4; }
	"$top/$@"
}

start=$SECONDS
step "host: build helpers and CLI, unit tests" host_tools
step "host: checkpatch --strict on kernel sources" "$top/scripts/lint.sh"
# The guests install this package to test DKMS.
step "host: build the Debian packages" "$top/scripts/build-deb.sh"
# Both kernels side by side: each TCG guest keeps one core busy.
parallel "6.1: selftests in a guest" guest_suite 6.1 -- \
	 "6.12: selftests in a guest" guest_suite 6.12
step "6.12 patched: series applies, builds, boots and passes" optional scripts/patch-check.sh

echo
echo "=== summary ($((SECONDS - start)) s)"
printf '%s\n' "${summary[@]}"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
