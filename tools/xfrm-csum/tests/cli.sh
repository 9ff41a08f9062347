#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Command-line behaviour of the built binary that needs no module: usage
# errors exit 2 with a message naming the problem, --help and --version
# exit 0, a missing family or network namespace exits 1.  Runs on the host
# (make check) and is reused in the guest by selftests/cli_basic.sh.
#
# usage: tests/cli.sh [PATH_TO_XFRM_CSUM]
set -u
bin=${1:-./xfrm-csum}
fail=0 n=0

# expect RC PATTERN ARGS...: exit status RC, stderr+stdout matching PATTERN.
expect() {
	local rc=$1 pattern=$2 out got

	shift 2
	out=$("$bin" "$@" 2>&1)
	got=$?
	n=$((n + 1))
	if [ "$got" = "$rc" ] && grep -qE -- "$pattern" <<< "$out"; then
		echo "ok $n - xfrm-csum $* -> $rc"
	else
		echo "not ok $n - xfrm-csum $* -> $got, expected $rc and /$pattern/"
		echo "$out" | sed 's/^/#   /'
		fail=1
	fi
}

echo "TAP version 13"
expect 0 '^Usage: xfrm-csum' --help
expect 0 '^Usage: xfrm-csum' help
expect 0 '^xfrm-csum [0-9]' --version
expect 2 "^xfrm-csum: no command given" 
expect 2 "^xfrm-csum: unknown command 'bogus'" bogus
expect 2 "Try 'xfrm-csum --help'" bogus
expect 2 "^xfrm-csum: unknown option '--frob'" --frob stats
expect 2 "^xfrm-csum: set: invalid mode 'fast': expected off, audit or drop" set mode fast
expect 2 "^xfrm-csum: set sa: invalid address '192.0.2.256'" set sa spi 0x1 dst 192.0.2.256 relearn
expect 2 "^xfrm-csum: set sa: missing spi" set sa dst 192.0.2.2 orig 198.51.100.2
expect 2 "^xfrm-csum: set sa: invalid SPI 'x'" set sa spi x dst 192.0.2.2 relearn
expect 2 "^xfrm-csum: set: learn-packets needs a number from 1 to 255" set learn-packets 0
expect 2 "^xfrm-csum: invalid format 'yaml'" stats --format yaml
expect 1 "^xfrm-csum: cannot open network namespace 'no-such-ns-$$'" -n "no-such-ns-$$" stats
if [ -d /sys/module/xfrm_csum ]; then
	echo "ok $((n + 1)) - missing module # SKIP xfrm_csum is loaded"
	n=$((n + 1))
else
	msg="^xfrm-csum: generic netlink family 'xfrm-csum' not found: is the xfrm_csum module loaded\? \(modprobe xfrm_csum\)$"
	for cmd in stats sa monitor "set mode drop" "set sa spi 0x1 dst 192.0.2.2 relearn"; do
		# shellcheck disable=SC2086
		expect 1 "$msg" $cmd
	done
fi
echo "1..$n"
exit $fail
