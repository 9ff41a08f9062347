#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Command-line behaviour of the built binary that needs no module: every
# command given bad arguments exits 2 with a message naming the problem
# and no netlink traffic; --help and --version exit 0; a missing family
# (module not loaded) or network namespace exits 1 with a message saying
# so.  Runs on the host (make check) and is reused in the guest by
# selftests/cli_basic.sh.
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

# usage_error PATTERN ARGS...: exit 2, "xfrm-csum: PATTERN" on stderr, then
# the --help hint, and nothing on stdout.
usage_error() {
	local pattern=$1 err out got

	shift
	err=$("$bin" "$@" 2>&1 >/dev/null)
	got=$?
	out=$("$bin" "$@" 2>/dev/null)
	n=$((n + 1))
	if [ "$got" = 2 ] && grep -qE -- "^xfrm-csum: $pattern" <<< "$err" &&
	   [ "$(tail -1 <<< "$err")" = "Try 'xfrm-csum --help' for more information." ] &&
	   [ -z "$out" ]; then
		echo "ok $n - xfrm-csum $* -> 2"
	else
		echo "not ok $n - xfrm-csum $* -> $got, expected 2 and /$pattern/ and the hint"
		echo "$err$out" | sed 's/^/#   /'
		fail=1
	fi
}

echo "TAP version 13"
expect 0 '^Usage: xfrm-csum' --help
expect 0 '^Usage: xfrm-csum' help
expect 0 '^Usage: xfrm-csum' sa -h
expect 0 '^xfrm-csum [0-9].*netlink family xfrm-csum version 2' --version
usage_error "no command given"
usage_error "unknown command 'bogus' \(stats, sa, sa-set, peer, peer-set, monitor, set\)" bogus
usage_error "unknown option '--frob'" --frob stats
usage_error "option '-n' needs a network namespace name" stats -n

usage_error "stats: unexpected argument 'now'" stats now
usage_error "invalid format 'yaml'" stats --format yaml
usage_error "options '-j' and '--format prometheus' exclude each other" -j stats --format prometheus

usage_error "sa: unknown keyword 'src' \(spi, dst, mark\)" sa src 192.0.2.1
usage_error "sa: invalid SPI 'x'" sa spi x
usage_error "sa: invalid mark '1.5'" sa mark 1.5
usage_error "sa: 'dst' needs a value" sa dst
usage_error "option '--format' applies to stats only" sa --format json

usage_error "sa-set: invalid address '192.0.2.256'" sa-set spi 0x1 dst 192.0.2.256 --relearn
usage_error "sa-set: missing spi" sa-set dst 192.0.2.2 --orig-saddr 198.51.100.2
usage_error "sa-set: invalid SPI 'x'" sa-set spi x dst 192.0.2.2 --relearn
usage_error "sa-set: nothing to set" sa-set spi 1 dst 192.0.2.2
usage_error "sa-set: original source address '2001:db8::1' is not of the family" \
	sa-set spi 1 dst 192.0.2.2 --orig-saddr 2001:db8::1
usage_error "sa-set: unknown keyword 'relearn' .*did you mean '--relearn'\?" \
	sa-set spi 1 dst 192.0.2.2 relearn

usage_error "peer: unexpected argument 'all'" peer all
usage_error "option '--relearn' applies to sa-set only" peer --relearn

usage_error "peer-set: missing encap udp\|tcp" \
	peer-set src 192.0.2.1 dst 192.0.2.2 sport 4500 dport 4500 --orig-saddr 198.51.100.1
usage_error "peer-set: invalid encap 'esp': expected udp or tcp" \
	peer-set src 192.0.2.1 dst 192.0.2.2 encap esp sport 4500 dport 4500 --orig-saddr 198.51.100.1
usage_error "peer-set: invalid sport '70000'" \
	peer-set src 192.0.2.1 dst 192.0.2.2 encap udp sport 70000 dport 4500 --orig-saddr 198.51.100.1
usage_error "peer-set: nothing to set: give --orig-saddr or --orig-daddr" \
	peer-set src 192.0.2.1 dst 192.0.2.2 encap udp sport 4500 dport 4500

usage_error "monitor: unexpected argument 'now'" monitor now
usage_error "invalid count '0': expected a positive number" monitor -c 0
usage_error "options '--pcap' and '--count' apply to monitor only" stats --pcap x.pcap

usage_error "set: invalid mode 'fast': expected off, audit or drop" set mode fast
usage_error "set: invalid learn 'never': expected confirm, strict or permissive" set learn never
usage_error "set: confirm-packets needs a number from 2 to 16 \(got '1'\)" set confirm-packets 1
usage_error "set: event-snaplen needs a number from 0 to 1024 \(got '4096'\)" set event-snaplen 4096
usage_error "set: 'learn-packets' is gone" set learn-packets 4
usage_error "set: 'set sa' is now 'sa-set" set sa spi 0x1 dst 192.0.2.2 relearn
usage_error "set: nothing to set" set

expect 1 "^xfrm-csum: cannot open network namespace 'no-such-ns-$$'" -n "no-such-ns-$$" stats
if [ -d /sys/module/xfrm_csum ]; then
	echo "ok $((n + 1)) - module not loaded # SKIP xfrm_csum is loaded"
	n=$((n + 1))
else
	msg="^xfrm-csum: xfrm_csum module not loaded: no generic netlink family 'xfrm-csum' \(modprobe xfrm_csum\)$"
	for cmd in stats "stats --format prometheus" sa peer monitor "set mode drop" \
		   "sa-set spi 0x1 dst 192.0.2.2 --relearn" \
		   "peer-set src 192.0.2.1 dst 192.0.2.2 encap udp sport 1 dport 2 --orig-saddr 192.0.2.9"; do
		# shellcheck disable=SC2086
		expect 1 "$msg" $cmd
	done
fi
echo "1..$n"
exit $fail
