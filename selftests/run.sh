#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the selftests inside a test guest, kselftest style: each program in
# TEST_PROGS of the Makefile (or the ones named on the command line) runs
# in turn; its own KTAP output is indented under one top-level result.
# Exit 1 if any test failed, 4 if all were skipped, 0 otherwise.
#
# usage: selftests/run.sh [TEST...]

dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$dir/lib.sh"
trap - EXIT

if [ $# -gt 0 ]; then
	tests=("$@")
else
	read -r -a tests <<< "$(make -s -C "$dir" --no-print-directory list_tests)"
fi

ktap_header
ktap_plan ${#tests[@]}
for t in "${tests[@]}"; do
	start=$SECONDS
	ktap_msg "running $t on $(uname -r)"
	"$dir/$t" 2>&1 | sed 's/^/  /'
	rc=${PIPESTATUS[0]}
	ktap_msg "$t: exit $rc after $((SECONDS - start)) s"
	ktap_result "$rc" "selftests: xfrm-csum: $t" "exit $rc"
done
ktap_finish
