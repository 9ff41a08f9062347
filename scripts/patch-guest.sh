#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run inside a test guest (scripts/vm-run.sh) on a source-built kernel:
# the kernel's own xfrm-related selftests, the series' kselftest and,
# optionally, the project's reproduction test and the module next to the
# series.  Used by
# scripts/patch-check.sh on the patched and the unpatched kernel.
#
# usage: scripts/patch-guest.sh [-p] KSFT_DIR [TEST...]
#   KSFT_DIR  staged selftests (kselftest.h, net/ with nettest and ipsec
#             built), see stage_ksft in scripts/patch-check.sh
#   -p        also run selftests/repro_poison.sh (XFRM_CSUM_EXPECT and
#             XFRM_CSUM_MODDIR from the environment) and
#             selftests/module_coexist.sh (skips without the series)
#   TEST      ipsec xfrm_policy pmtu_udp l2tp nat_csum [all of them]
#
# Prints KTAP; exits 1 if a test failed, 0 otherwise (skips are not
# failures: the comparison with the unpatched kernel judges them).

top=$(cd "$(dirname "$0")/.." && pwd)
poison=
while getopts ph opt; do
	case $opt in
	p) poison=1 ;;
	*) sed -n '4,19s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
ksft=$(cd "${1:?KSFT_DIR missing}" && pwd) || exit 2
shift
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(nat_csum ipsec xfrm_policy pmtu_udp l2tp)
[ -n "$poison" ] && tests=(repro_poison coexist "${tests[@]}")

PMTU_UDP="pmtu_vti4_udp_exception pmtu_vti6_udp_exception
pmtu_vti4_udp_routed_exception pmtu_vti6_udp_routed_exception"

run_one() {
	local t=(timeout 600)

	# $PMTU_UDP: one word per test case
	# shellcheck disable=SC2086
	case $1 in
	repro_poison)	"${t[@]}" "$top/selftests/repro_poison.sh" ;;
	coexist)	"${t[@]}" "$top/selftests/module_coexist.sh" ;;
	# a new SA and namespaces per case: 21 by default (~6 min under
	# TCG), 70 with XFRM_NAT_CSUM_FULL=1 (-e of vm-run.sh)
	nat_csum)	timeout 1500 ./xfrm_nat_csum.sh ;;
	# ~100 SA types, each pinged 100 times 50 ms apart: sleep-bound,
	# so 16 processes (own veth pairs) make it fit in a few minutes.
	# They share the namespaces, and the expire test of one process
	# can read another's XFRM_MSG_EXPIRE ("expire.hard is not set"):
	# one retry.
	ipsec)		"${t[@]}" ./ipsec 16 || {
				echo "# ipsec failed, once more"
				"${t[@]}" ./ipsec 16
			} ;;
	xfrm_policy)	"${t[@]}" ./xfrm_policy.sh ;;
	pmtu_udp)	"${t[@]}" ./pmtu.sh $PMTU_UDP ;;
	l2tp)		"${t[@]}" ./l2tp.sh ;;
	*)		echo "unknown test $1"; return 2 ;;
	esac
}

cd "$ksft/net" || exit 2
echo "TAP version 13"
echo "1..${#tests[@]}"
n=0 fail=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	start=$SECONDS
	echo "# running $t on $(uname -r)"
	run_one "$t" 2>&1 | sed -u 's/^/  /'
	rc=${PIPESTATUS[0]}
	secs=$((SECONDS - start))
	case $rc in
	0)	echo "ok $n $t # ${secs} s" ;;
	4)	echo "ok $n $t # SKIP ${secs} s" ;;
	*)	echo "not ok $n $t # exit $rc, ${secs} s"; fail=1 ;;
	esac
done
exit $fail
