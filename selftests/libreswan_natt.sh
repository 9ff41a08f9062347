#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libreswan, the other IKE daemon Debian ships, negotiating the SAs: one
# pluto per namespace (its own ipsec.conf, secrets, NSS database and run
# directory), IKEv2, PSK, transport mode, ESP AES-GCM (esp=aes_gcm128, the
# kernel's rfc4106(gcm(aes)) that the corruption injector wraps).
#
#   nat:    A behind a masquerading router; IKE detects the NAT and moves
#           to UDP 4500, ESP-in-UDP.
#   direct: no NAT, encapsulation forced (encapsulation=yes).
#
# Behind the NAT, pluto 4.10's responder needs A's private address as
# rightsubnet: A proposes it as its traffic selector (TSi), and without
# it B narrows to the address it sees (R's) and answers TS_UNACCEPTABLE.
# The policies pluto installs still name the NATed address.
#
# libreswan installs encap_oa as zero and gives the kernel no original
# address, so what its users get is the module's confirmation
# (docs/design.md): the first packet of the first SA of a NAT mapping is
# dropped, later SAs of the mapping inherit its NAT difference.  Per
# scenario:
#   1. the IKE SA and the CHILD_SA come up, ESP-in-UDP on port 4500, with
#      encap_oa 0;
#   2. zero streams (UDP and TCP) flow cleanly with the module in drop mode
#      (only the datagrams dropped before confirmation missing);
#   3. the SA's NAT state is "confirmed" behind the NAT, "none" without one;
#   4. corruption injected into A's outbound SA never reaches B's
#      application (XFAIL on a stock kernel);
#   5. the mismatches are counted on that SA, with A (as B sees it) as the
#      peer, and on no other;
#   6. a connection with a lifetime of a few seconds rekeys repeatedly under
#      injected corruption: every new SA that carries traffic is
#      "inherited" (nat; "inherited" or "none" without a NAT) and nothing
#      corrupt gets through;
#   7. original addresses given by hand (xfrm-csum sa-set --orig-saddr)
#      make the SA "static", and clean traffic still flows;
#   8. once the connection is deleted, the module holds no per-SA entries;
# and at the end, no pluto is left running.
#
# Environment: LIBRESWAN_SCENARIOS (default "nat:4 nat:6 direct:4
# direct:6"), LIBRESWAN_ROOT (where scripts/install-deps.sh unpacked
# Debian's libreswan; default /opt/xfrm-csum/libreswan, or / if installed),
# LIBRESWAN_REKEY (seconds between rekeys, default 6), LIBRESWAN_REKEYS (2),
# LIBRESWAN_NAT_RSUBNET (B's rightsubnet behind the NAT, default A's
# private address as a host subnet).

# shellcheck disable=SC2317 # (functions run through busywait, eval, trap)
source "$(dirname "$0")/ipsec_lib.sh"

SCENARIOS=${LIBRESWAN_SCENARIOS:-"nat:4 nat:6 direct:4 direct:6"}
REKEY=${LIBRESWAN_REKEY:-6}
REKEYS=${LIBRESWAN_REKEYS:-2}
NAT_RSUBNET=${LIBRESWAN_NAT_RSUBNET:-}
INJECT_EVERY=10
PSK=xfrm-csum-test-psk-0123456789
CHECKS_PER_SCENARIO=8

for LS_ROOT in "${LIBRESWAN_ROOT:-}" /opt/xfrm-csum/libreswan ""; do
	[ -x "$LS_ROOT/usr/libexec/ipsec/pluto" ] && break
done
LS_EXEC=$LS_ROOT/usr/libexec/ipsec

require_root
require_cmd ip nft socat xxd certutil udp_stream python3
[ -x "$LS_EXEC/pluto" ] || ksft_skip_all "libreswan's pluto not found (scripts/install-deps.sh)"

# --- the module and its client ------------------------------------------------

setup_module() {
	daemon_module_setup
}

per_sa_ok() {
	[ $HAVE_MODULE = 1 ] && [ -n "$XC" ]
}

# sa_spis NS: SPIs of the module's entries, one per line.
sa_spis() {
	ip netns exec "$1" "$XC" -j sa | python3 -c '
import json, sys
try:
    sas = json.load(sys.stdin)
except ValueError:
    sas = [{"spi": "0xffffffff"}]	# no answer: not "no entries"
for e in sas:
    print("%08x" % int(e["spi"], 16))'
}

# sa_states NS: "SPI NAT-STATE" of the module's entries, one per line.
sa_states() {
	ip netns exec "$1" "$XC" -j sa | python3 -c '
import json, sys
try:
    sas = json.load(sys.stdin)
except ValueError:
    sas = []
for e in sas:
    print("%08x %s" % (int(e["spi"], 16), e.get("nat_state", "?")))'
}

# --- pluto --------------------------------------------------------------------

PLUTO_PIDS=()
ALL_PLUTO_PIDS=()

# pluto_start SIDE NS LOCAL REMOTE LOCAL_ID REMOTE_ID ENCAP LIFETIME [RSUBNET]
# One pluto for SIDE (A or B) in NS, everything in a directory of its own
# (PLUTO_<SIDE>): ipsec.conf with connection "t" (lifetime of hours) and
# "r" (salifetime LIFETIME, rekeyed by A), secrets, NSS database, the
# control socket and the log.
pluto_start() {
	local side=$1 ns=$2 local=$3 remote=$4 lid=$5 rid=$6 encap=$7 life=$8
	local rsubnet=${9:-} d mounts

	d=$(mktemp -d "${TMPDIR:-/tmp}/pluto-$side.XXXXXX")
	defer rm -rf "$d"
	mkdir "$d/run" "$d/nss"
	certutil -N -d "sql:$d/nss" --empty-password > "$d/certutil.log" 2>&1 ||
		return 1
	# (ipsec.conf wants its keywords indented: no <<- here)
	cat > "$d/ipsec.conf" <<EOF
config setup
	plutodebug=none
	virtual-private=%v4:198.51.100.0/24,%v6:2001:db8:a::/64

conn base
	auto=ignore
	type=transport
	authby=secret
	ikev2=yes
	left=$local
	leftid=@$lid
	right=$remote
	rightid=@$rid
${rsubnet:+	rightsubnet=$rsubnet
}	encapsulation=$encap
	ike=aes128-sha2_256-modp2048
	esp=aes_gcm128
	leftupdown=/bin/true
	dpddelay=0
	retransmit-timeout=60s
	rekeyfuzz=0%

# steady: no rekeying while a phase runs
conn t
	also=base
	salifetime=8h
	rekeymargin=9m

# rekeyed every few seconds (A's lifetime is the short one)
conn r
	also=base
	salifetime=${life}s
	rekeymargin=$((life / 2))s
EOF
	cat > "$d/ipsec.secrets" <<-EOF
	@a.example.org @b.example.org : PSK "$PSK"
	EOF
	# pluto runs its helpers (addconn) from /usr/libexec/ipsec: an unpacked
	# libreswan is bind-mounted there, in pluto's mount namespace only.
	mounts=:
	[ -n "$LS_ROOT" ] && mounts="mount --bind '$LS_ROOT/usr/libexec' /usr/libexec"
	bg_start ip netns exec "$ns" sh -c "$mounts && exec '$LS_EXEC/pluto' \
		--nofork --stderrlog --config '$d/ipsec.conf' \
		--secretsfile '$d/ipsec.secrets' --rundir '$d/run' \
		--nssdir '$d/nss' --ipsecdir '$d' --no-dnssec" \
		> "$d/pluto.log" 2>&1
	PLUTO_PIDS+=($!)
	ALL_PLUTO_PIDS+=($!)
	eval "PLUTO_$side=$d PLUTO_PID_$side=$!"
}

# whack SIDE ARGS...: libreswan's control client against SIDE's pluto.
whack() {
	local side=$1 d

	shift
	eval "d=\$PLUTO_$side"
	"$LS_EXEC/whack" --ctlsocket "$d/run/pluto.ctl" "$@"
}

# conn_add SIDE NAME: load connection NAME from SIDE's ipsec.conf.
conn_add() {
	local d

	eval "d=\$PLUTO_$1"
	"$LS_EXEC/addconn" --config "$d/ipsec.conf" --ctlsocket "$d/run/pluto.ctl" \
		"$2" >> "$d/addconn.log" 2>&1
}

# pluto_up SIDE: the control socket is there, or pluto is gone (exited
# on a configuration error: no point in waiting).
pluto_up() {
	local d pid

	eval "d=\$PLUTO_$1 pid=\$PLUTO_PID_$1"
	[ -S "$d/run/pluto.ctl" ] || ! kill -0 "$pid" 2>/dev/null
}

# pluto_answers SIDE: whack gets an answer, or pluto is gone.
pluto_answers() {
	local pid

	eval "pid=\$PLUTO_PID_$1"
	whack "$1" --status > /dev/null 2>&1 || ! kill -0 "$pid" 2>/dev/null
}

pluto_ready() {
	local pid

	eval "pid=\$PLUTO_PID_$1"
	busywait 60000 pluto_up "$1" && busywait 30000 pluto_answers "$1" &&
		kill -0 "$pid" 2>/dev/null
}

pluto_log() {
	local d

	eval "d=\$PLUTO_$1"
	tail -n "${2:-15}" "$d/pluto.log" 2>/dev/null | sed "s/^/# pluto $1: /"
}

# out_spi SIDE: the outbound SPI (hex, no 0x) of SIDE's newest ESP SA
# towards its peer, from the kernel (pluto installed it).
out_spi() {
	local side=$1 ns src

	if [ "$side" = A ]; then ns=$NS_A src=$ADDR_A; else ns=$NS_B src=$ADDR_B; fi
	ip -n "$ns" xfrm state list src "$src" proto esp |
		awk '$1 == "proto" && $3 == "spi" { spi = $4 } END { if (spi != "") { sub("0x", "", spi); print spi } }'
}

# Stop every pluto of the scenario and make sure it is gone.
pluto_stop() {
	local pid

	for pid in "${PLUTO_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${PLUTO_PIDS[@]}"; do
		busywait 5000 eval "! kill -0 $pid 2>/dev/null" ||
			kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	PLUTO_PIDS=()
}

# --- one scenario ---------------------------------------------------------------

skip_rest() {
	local from=$1 why=$2 i

	for ((i = from; i <= CHECKS_PER_SCENARIO; i++)); do
		ktap_skip "$name: check $i" "$why"
	done
}

scenario() {
	local topo=${1%%:*} fam=${1##*:} encap=auto name rsubnet=
	local spi_ab spi_ba detail ok bad=0 injected=0 short=0 t0 oa

	name="$topo ipv$fam"
	PLUTO_PIDS=()
	if ! topo_create "$topo" || ! use_family "$fam"; then
		ktap_fail "$name: setup" "topology failed"
		skip_rest 2 "no topology"
		cleanup_all
		return
	fi
	[ "$topo" = direct ] && encap=yes
	# The responder accepts A from wherever it appears (behind the NAT).
	# A proposes its own, private, address as traffic selector (TSi):
	# without rightsubnet, B narrows to the address it sees (R's) and
	# answers TS_UNACCEPTABLE; B is told A's private address instead.
	if [ "$topo" = nat ]; then
		rsubnet=${NAT_RSUBNET:-$ADDR_A/$([ "$fam" = 4 ] && echo 32 || echo 128)}
	fi
	pluto_start A "$NS_A" "$ADDR_A" "$ADDR_B" a.example.org b.example.org \
		"$encap" "$REKEY"
	pluto_start B "$NS_B" "$ADDR_B" %any b.example.org a.example.org \
		"$encap" $((REKEY * 20)) "$rsubnet"
	defer pluto_stop

	# 1. IKE and CHILD SA up, ESP in UDP on 4500, encap_oa zero.
	t0=$SECONDS
	ok=1
	if pluto_ready A && pluto_ready B && conn_add A t && conn_add B t &&
	   whack A --initiate --name t > "$PLUTO_A/init.log" 2>&1; then
		ok=0
	fi
	spi_ab=$(out_spi A)
	spi_ba=$(out_spi B)
	detail="IKE up in $((SECONDS - t0)) s, SPIs A->B $spi_ab, B->A $spi_ba"
	if [ $ok = 0 ]; then
		oa=$(ip -n "$NS_B" xfrm state list spi "0x$spi_ab" |
			sed -n 's/.*encap type espinudp sport 4500 dport [0-9]* addr \([^ ]*\).*/\1/p')
		detail+=", B's inbound SA: encap_oa ${oa:-?}"
		if [ -z "$spi_ab" ] || [ -z "$spi_ba" ]; then
			ok=1 detail+=": no CHILD_SA installed"
		elif [ -z "$oa" ]; then
			ok=1 detail+=": not ESP-in-UDP from port 4500"
		elif [ "$oa" != 0.0.0.0 ] && [ "$oa" != :: ]; then
			ok=1 detail+=": libreswan now installs encap_oa (update the test)"
		elif ! whack A --trafficstatus | grep -q '"t"'; then
			ok=1 detail+=": no traffic status for t"
		fi
	fi
	property "$name: IKEv2 PSK, transport ESP-in-UDP aes_gcm128, encap_oa 0" $ok "$detail"
	if [ $ok != 0 ]; then
		sed "s/^/# whack A: /" "$PLUTO_A/init.log"
		cat "$PLUTO_A/addconn.log" "$PLUTO_B/addconn.log" 2>/dev/null |
			sed "s/^/# addconn: /"
		pluto_log A; pluto_log B
		skip_rest 2 "no SA"
		cleanup_all
		return
	fi
	ktap_msg "libreswan's view on B (whack --trafficstatus):"
	whack B --trafficstatus | sed 's/^/#   /'

	# 2. Clean zero streams.  With the module, the first datagrams of the
	# first SA behind the NAT are dropped until its NAT difference is
	# confirmed (docs/design.md, "What it costs").
	ok=0
	udp_zero_stream 300 1000 || ok=1
	local unc=0
	per_sa_ok && unc=$(sa_field "$NS_B" "$spi_ab" stats.unconfirmed)
	[ -z "$unc" ] && unc=0
	tcp_zero_stream 1000000 || ok=1
	detail="udp received=${UDP_RECEIVED:-0}/300 (unconfirmed: $unc) corrupted=${UDP_CORRUPTED:-?}, tcp received=${TCP_RECEIVED:-0}/1000000 nonzero=${TCP_NONZERO:-?}"
	[ "$((${UDP_RECEIVED:-0} + unc))" = 300 ] && [ "$unc" -le 3 ] &&
		[ "$UDP_CORRUPTED" = 0 ] &&
		[ "${TCP_RECEIVED:-0}" = 1000000 ] && [ "$TCP_NONZERO" = 0 ] || ok=1
	property "$name: zero streams flow through pluto's SAs" $ok "$detail"

	# 3. What the module made of encap_oa = 0.
	if per_sa_ok; then
		local st chk mis unv adj
		st=$(sa_field "$NS_B" "$spi_ab" nat_state)
		chk=$(sa_field "$NS_B" "$spi_ab" stats.checked)
		mis=$(sa_field "$NS_B" "$spi_ab" stats.mismatch)
		unv=$(sa_field "$NS_B" "$spi_ab" stats.unverified)
		unc=$(sa_field "$NS_B" "$spi_ab" stats.unconfirmed)
		adj=$(sa_field "$NS_B" "$spi_ab" stats.nat_adjusted)
		detail="SA $spi_ab on B: nat_state=$st checked=$chk nat_adjusted=$adj unconfirmed=$unc unverified=$unv mismatch=$mis"
		ok=0
		[ "${chk:-0}" -gt 0 ] && [ "${mis:-1}" = 0 ] || ok=1
		if [ "$topo" = nat ]; then
			[ "$st" = confirmed ] && [ "${adj:-0}" -gt 0 ] || ok=1
		else
			[ "$st" = none ] || ok=1
		fi
		[ "${unv:-1}" = 0 ] && [ "${unc:-99}" -le 3 ] || ok=1
		property "$name: module learns what libreswan does not say" $ok "$detail"
	else
		ktap_skip "$name: module learns what libreswan does not say" "module or client not available"
	fi

	# 4. Corruption in A's outbound SA never reaches B's application.
	if [ $HAVE_INJECTOR = 1 ]; then
		local mis0=0
		per_sa_ok && mis0=$(sa_field "$NS_B" "$spi_ab" stats.mismatch)
		inject_aead_start $INJECT_EVERY "0x$spi_ab"
		udp_zero_stream 300 1000
		bad=${UDP_CORRUPTED:-0} short=$((300 - ${UDP_RECEIVED:-0}))
		tcp_zero_stream 1000000
		bad=$((bad + ${TCP_NONZERO:-0}))
		injected=$(inject_aead_count)
		inject_aead_stop
		detail="injected=$injected into SPI $spi_ab; delivered corrupt: udp=${UDP_CORRUPTED:-?} datagrams, tcp=${TCP_NONZERO:-?} bytes; udp missing=$short tcp missing=$((1000000 - ${TCP_RECEIVED:-0}))"
		ok=0
		if [ "$injected" -eq 0 ]; then
			ktap_fail "$name: injected corruption is not delivered" "injector corrupted nothing ($detail)"
		else
			[ "$bad" -eq 0 ] && [ "${TCP_RECEIVED:-0}" = 1000000 ] || ok=1
			property "$name: injected corruption is not delivered" $ok "$detail" 1
		fi

		# 5. Attribution: B's entry for A's SPI, peer A as B sees it.
		if per_sa_ok; then
			local peer seen other
			mis=$(sa_field "$NS_B" "$spi_ab" stats.mismatch)
			peer=$(sa_field "$NS_B" "$spi_ab" peer)
			seen=$(sa_field "$NS_B" "$spi_ab" seen)
			other=$(sa_field "$NS_A" "$spi_ba" stats.mismatch)
			detail="B's SA $spi_ab: mismatch=$mis (+$((mis - mis0))) peer=$peer seen=$seen; A's SA $spi_ba: mismatch=${other:-none}"
			ok=0
			[ $((mis - mis0)) -ge "$injected" ] || ok=1
			[ "$peer" = "$SEEN_A" ] || ok=1
			[ "${other:-0}" = 0 ] || ok=1
			property "$name: mismatches attributed to A's SA" $ok "$detail"
			ktap_msg "what an operator sees on B: libreswan's SAs ..."
			whack B --trafficstatus | sed 's/^/#   /'
			ktap_msg "... and the module's per-SA table (xfrm-csum sa):"
			ip netns exec "$NS_B" "$XC" sa | sed 's/^/#   /'
		else
			ktap_skip "$name: mismatches attributed to A's SA" "module or client not available"
		fi
	else
		ktap_skip "$name: injected corruption is not delivered" "injector module not available"
		ktap_skip "$name: mismatches attributed to A's SA" "injector module not available"
	fi

	# 6. A connection that rekeys every few seconds, under corruption.
	rekey_phase "$topo" "$spi_ab"
	if [ "$REKEY_OK" = 2 ]; then
		ktap_fail "$name: protection kept across rekeys" "$REKEY_DETAIL"
	elif [ $HAVE_INJECTOR = 0 ]; then
		ktap_skip "$name: protection kept across rekeys" "injector module not available"
	else
		property "$name: protection kept across $REKEY_SEEN rekeys" $REKEY_OK "$REKEY_DETAIL" 1
	fi

	# 7. The original address given by hand (on the current SA of "r"):
	# static K, traffic flows.
	if per_sa_ok; then
		local out
		ok=0
		# "r" keeps rekeying: the SA read may be gone from B when
		# sa-set reaches it; take the newest one again
		local try
		for try in 1 2 3; do
			spi_ab=$(out_spi A)
			out=$(ip netns exec "$NS_B" "$XC" sa-set spi "0x$spi_ab" \
				dst "$ADDR_B" --orig-saddr "$ADDR_A" 2>&1) && break
			[ "$try" = 3 ] && ok=1
			sleep 1
		done
		st=$(sa_field "$NS_B" "$spi_ab" nat_state)
		udp_zero_stream 100 1000 || ok=1
		detail="sa-set spi 0x$spi_ab dst $ADDR_B --orig-saddr $ADDR_A${out:+ ($out)}: nat_state=$st, udp received=${UDP_RECEIVED:-0}/100 corrupted=${UDP_CORRUPTED:-?}"
		[ "$st" = static ] && [ "${UDP_RECEIVED:-0}" = 100 ] &&
			[ "${UDP_CORRUPTED:-1}" = 0 ] || ok=1
		property "$name: sa-set --orig-saddr makes the SA static" $ok "$detail"
	else
		ktap_skip "$name: sa-set --orig-saddr makes the SA static" "module or client not available"
	fi

	# 8. Once the connection is deleted, no per-SA entry remains.
	whack A --delete --name r > /dev/null 2>&1
	if per_sa_ok; then
		ok=0
		# shellcheck disable=SC2016 # expanded by eval, at each try
		busywait 15000 eval '[ -z "$(sa_spis "$NS_B")" ] && [ -z "$(sa_spis "$NS_A")" ]' || ok=1
		detail="entries left: B=[$(sa_spis "$NS_B" | tr '\n' ' ')] A=[$(sa_spis "$NS_A" | tr '\n' ' ')], xfrm states left in B: $(ip -n "$NS_B" xfrm state | grep -c '^src')"
		property "$name: per-SA entries freed after rekeys and delete" $ok "$detail"
	else
		ktap_skip "$name: per-SA entries freed after rekeys and delete" "module or client not available"
	fi

	pluto_stop
	cleanup_all
}

# Replace "t" by "r" (salifetime REKEY on A: A rekeys every REKEY/2 s) and
# send UDP zero bursts with every other datagram of any SA corrupted, until
# traffic has crossed REKEYS rekeys.  Every new SA starts from the peer
# table ("inherited") behind the NAT, so corrupted datagrams among its
# first packets are dropped too.  Then one TCP stream with every 10th
# packet corrupted.  Which SAs carried traffic is read from B's module
# table after each burst: an entry lives from an SA's first packet to its
# deletion, and under a slow guest A can rekey more than once per burst,
# so the SPI A holds before a burst need not be the one the burst used.
rekey_phase() {
	local topo=$1 t_spi=$2 bad=0 injected=0 rounds=0 deadline want
	local odd="" spi order=()
	local -A state=()

	REKEY_OK=1 REKEY_SEEN=0

	# note_states: the NAT state of each of B's entries now (the
	# caller's variables); any state not wanted is kept in $odd.
	note_states() {
		local s st

		per_sa_ok || return 0
		while read -r s st; do
			{ [ -z "$s" ] || [ "$s" = "$t_spi" ]; } && continue
			[ -n "${state[$s]:-}" ] || order+=("$s")
			state[$s]=$st
			[[ $st =~ ^($want)$ ]] || [[ $odd == *" $s:$st"* ]] ||
				odd+=" $s:$st"
		done < <(sa_states "$NS_B")
	}
	whack A --delete --name t > /dev/null 2>&1
	whack B --delete --name t > /dev/null 2>&1
	if ! conn_add A r || ! conn_add B r ||
	   ! whack A --initiate --name r > "$PLUTO_A/init-r.log" 2>&1; then
		REKEY_OK=2
		REKEY_DETAIL="connection r did not come up"
		pluto_log A
		return
	fi
	# inherited from t's K; without a NAT the first packet settles none
	want=$([ "$topo" = nat ] && echo inherited || echo "inherited|none")
	[ $HAVE_INJECTOR = 1 ] && inject_aead_start 2 0
	deadline=$((SECONDS + 4 * REKEY * (REKEYS + 3) + 60))
	while [ $SECONDS -lt $deadline ]; do
		udp_zero_stream 50 1000 || true
		bad=$((bad + ${UDP_CORRUPTED:-0}))
		rounds=$((rounds + 1))
		note_states
		# without the module's table, count A's SAs instead
		spi=$(out_spi A)
		if ! per_sa_ok && [ -n "$spi" ] && [ -z "${state[$spi]:-}" ]; then
			order+=("$spi")
			state[$spi]="?"
		fi
		[ ${#state[@]} -gt "$REKEYS" ] && break
	done
	if [ $HAVE_INJECTOR = 1 ]; then
		injected=$(inject_aead_count)
		inject_aead_start $INJECT_EVERY 0
	fi
	tcp_zero_stream 1000000 || true
	note_states
	if [ $HAVE_INJECTOR = 1 ]; then
		injected=$((injected + $(inject_aead_count)))
		inject_aead_stop
	fi
	bad=$((bad + ${TCP_NONZERO:-0}))
	REKEY_SEEN=$((${#state[@]} - 1))
	REKEY_DETAIL="B's entries of r's SAs:"
	for spi in "${order[@]}"; do
		REKEY_DETAIL+=" $spi:${state[$spi]}"
	done
	REKEY_DETAIL+=" (want $want); $rounds UDP rounds; injected=$injected delivered corrupt=$bad tcp received=${TCP_RECEIVED:-0}/1000000"
	if [ "$REKEY_SEEN" -lt "$REKEYS" ]; then
		pluto_log A
		REKEY_OK=2
		REKEY_DETAIL="traffic crossed $REKEY_SEEN of $REKEYS rekeys; $REKEY_DETAIL"
		return
	fi
	if [ $HAVE_INJECTOR = 1 ] && [ "$injected" -eq 0 ]; then
		REKEY_OK=2
		REKEY_DETAIL="injector corrupted nothing; $REKEY_DETAIL"
		return
	fi
	if [ -n "$odd" ]; then
		REKEY_DETAIL="SA states not $want:$odd; $REKEY_DETAIL"
		return
	fi
	[ "$bad" -eq 0 ] && [ "${TCP_RECEIVED:-0}" = 1000000 ] && REKEY_OK=0
}

# --- main -----------------------------------------------------------------------

final_cleanup() {
	cleanup_all
	daemon_module_restore
}
trap final_cleanup EXIT

modprobe -q xfrm_user
modprobe -q esp4
modprobe -q esp6
setup_module
# The injector must be registered before pluto installs the SAs.
if inject_aead_load 2>/dev/null; then
	HAVE_INJECTOR=1
fi

read -r -a scen <<< "$SCENARIOS"
ktap_header
ktap_plan $(( ${#scen[@]} * CHECKS_PER_SCENARIO + 1 ))
ktap_msg "$("$LS_EXEC/pluto" --version 2>&1 | head -n1), module: $([ $HAVE_MODULE = 1 ] && echo "loaded, mode $(cat $MODE_PARAM 2>/dev/null)" || echo absent), injector: $([ $HAVE_INJECTOR = 1 ] && echo loaded || echo absent)"
ktap_msg "expecting: $(fix_expected && echo "fix active" || echo "stock behaviour (XFAIL on corruption)")"
for s in "${scen[@]}"; do
	scenario "$s"
done

# No daemon survives the test.
left=
for pid in "${ALL_PLUTO_PIDS[@]}"; do
	kill -0 "$pid" 2>/dev/null && left+=" $pid"
done
left+=$(pgrep -x pluto | tr '\n' ' ')
if [ -z "${left// /}" ]; then
	ktap_pass "no pluto left running"
else
	ktap_fail "no pluto left running" "still running:$left"
fi
ktap_finish
