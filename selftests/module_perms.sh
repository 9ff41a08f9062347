#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who may use the xfrm-csum generic netlink family (nl_perms.py): for each
# actor, every command (stats-get, config-get, config-set, sa-get do and
# dump, sa-set, peer-get, peer-set) and joining the "events" group, with
# the errno and the extended ACK printed.  As designed (the spec's
# uns-admin-perm and the group's CAP_NET_ADMIN flag): the counters and the
# settings can be read by anyone; writes, the SA and peer tables and the
# events need CAP_NET_ADMIN in the user namespace owning the network
# namespace.
#
# Actors, in a network namespace T owned by the initial user namespace
# (as the initial network namespace is):
# - root: everything;
# - nobody (setpriv, no capabilities): reads only;
# - nobody with CAP_NET_ADMIN (ambient): everything, it is the capability
#   that counts, not uid 0;
# - root of a child user namespace (unshare -Ur), in T and in the initial
#   network namespace: reads only, its capabilities are in a namespace that
#   owns neither;
# - root of another network namespace's owning user namespace (unshare
#   -Urn): everything in its own namespace; it cannot enter T (setns needs
#   CAP_SYS_ADMIN over T's owner); with a socket it opened in T before it
#   unshared, reads only.

source "$(dirname "$0")/ipsec_lib.sh"
source "$(dirname "$0")/module_lib.sh"

require_cmd ip setpriv unshare nsenter
PY=/usr/bin/python3
if ! $PY -c 'import yaml' 2>/dev/null; then
	ksft_skip_all "$PY with the yaml module needed (run as nobody)"
fi
xcsum_require mode=drop

SPI=$SPI_AB
ADDR=192.0.2.2
NS_T=

# The probe and what it imports, readable by nobody
setup_files() {
	PERM_DIR=$(mktemp -d)
	defer rm -rf "$PERM_DIR"
	mkdir -p "$PERM_DIR/ynl" &&
	cp -r "$(dirname "$XCSUM_YNL")/lib" "$PERM_DIR/ynl/" &&
	cp "$XCSUM_SPEC" "$SELFTEST_DIR/nl_perms.py" "$SELFTEST_DIR/xcsum_genl.py" \
		"$PERM_DIR/" &&
	chmod -R a+rX "$PERM_DIR"
}

setup() {
	setup_ns NS_T || return 1
	modprobe -q xfrm_user
	sa_algo gcm "$KEY_AB"
	ip -n "$NS_T" xfrm state add src 192.0.2.1 dst $ADDR proto esp \
		spi "$SPI" reqid 2 mode transport \
		encap espinudp "$ENCAP_PORT" "$ENCAP_PORT" 0.0.0.0 "${ALGO[@]}"
}

# actor TAG LABEL admin|reader [--unshare] -- CMD...: run the probe under
# CMD...; its writes carry TAG.
actor() {
	local tag=$1 label=$2 expect=$3 extra=() out rc

	shift 3
	while [ "$1" != -- ]; do
		extra+=("$1")
		shift
	done
	shift
	out=$(mktemp)
	defer rm -f "$out"
	"$@" $PY "$PERM_DIR/nl_perms.py" --ynl "$PERM_DIR/ynl/cli.py" \
		--spec "$PERM_DIR/$(basename "$XCSUM_SPEC")" --label "$label" \
		--expect "$expect" --tag "$tag" --sa "4,$ADDR,$SPI" "${extra[@]}" > "$out" 2>&1
	rc=$?
	sed 's/^/  /' "$out"
	ktap_result $rc "$label: $expect" "exit $rc"
}

# config_field NS FIELD: a setting, from the YNL client ("" = init netns)
config_field() {
	local run=()

	[ -n "$1" ] && run=(ip netns exec "$1")
	"${run[@]}" python3 "$XCSUM_YNL" --spec "$XCSUM_SPEC" --no-schema \
		--output-json --do config-get |
		python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1]))' "$2"
}

# peer_tags NS: the tags of the peers the actors added (last byte of the
# address - 100, see nl_perms.py), sorted
peer_tags() {
	xcsum_nl "$1" --dump peer-get |
		python3 -c 'import json, sys; print(" ".join(sorted(str(int(p["saddr"][-2:], 16) - 100) for p in json.load(sys.stdin) if int(p["saddr"][-2:], 16) > 100)))'
}

ktap_header
ktap_plan 10
if ! setup_files || ! setup; then
	ktap_fail "set-up" "setup failed"
	ktap_finish
fi
INIT_RATE=$(config_field "" event-rate)
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)

actor 1 "root in T" admin -- ip netns exec "$NS_T"
actor 2 "nobody in T" reader -- ip netns exec "$NS_T" "${NOBODY[@]}"
actor 3 "nobody with CAP_NET_ADMIN in T" admin -- ip netns exec "$NS_T" \
	"${NOBODY[@]}" --inh-caps=+net_admin --ambient-caps=+net_admin
actor 4 "root of a child user namespace, in T" reader -- \
	ip netns exec "$NS_T" unshare -U -r
actor 5 "root of a child user namespace, in the initial netns" reader -- \
	unshare -U -r
actor 6 "root of its own user and network namespace, there" admin -- \
	unshare -U -r -n
actor 7 "root of its own user and network namespace, socket opened in T" \
	reader --unshare -- ip netns exec "$NS_T"

# Entering T from there needs CAP_SYS_ADMIN over T's owning namespace.
out=$(unshare -U -r -n nsenter --net="/run/netns/$NS_T" true 2>&1)
rc=$?
xcsum_check "root of its own user and network namespace cannot enter T" \
	"[ $rc != 0 ] && echo '$out' | grep -q 'Operation not permitted'" \
	"nsenter: exit $rc: $out"

# Only the allowed writes took effect: in T those of actors 1 and 3, in
# the initial network namespace none.
rate=$(config_field "$NS_T" event-rate)
tags=$(peer_tags "$NS_T")
xcsum_check "in T only the allowed writes took effect" \
	"[ '$rate' = 1003 ] && [ '$tags' = '1 3' ]" \
	"event-rate $rate (want 1003), peers tagged '$tags' (want '1 3')"
rate=$(config_field "" event-rate)
xcsum_check "in the initial network namespace no write took effect" \
	"[ '$rate' = '$INIT_RATE' ]" "event-rate $rate (was $INIT_RATE)"
ktap_finish
