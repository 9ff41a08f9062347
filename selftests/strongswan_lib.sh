# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# strongSwan's charon in test namespaces: one charon per namespace
# (kernel-netlink installs the SAs in the namespace it runs in), each with
# its own strongswan.conf, vici socket and private /run, configured through
# swanctl.  Sourced after ipsec_lib.sh.
#
# Connection "t" between the two sides: IKEv2 (SWAN_IKE_VERSION), PSK,
# transport mode, ESP AES-GCM (rfc4106(gcm(aes)), the algorithm the
# corruption injector wraps), with two children: "t" (no rekeying) and "r"
# (rekeyed every REKEY_R seconds by whoever initiates it).

SWAN_CHARON=${CHARON:-/usr/lib/ipsec/charon}
SWAN_PSK=xfrm-csum-test-psk-0123456789
# kernel-netlink plugin to run instead of the installed one (bind-mounted
# over it in charon's mount namespace only), e.g. the one that
# scripts/build-strongswan.sh built
SWAN_PLUGIN=${SWAN_PLUGIN:-}
SWAN_PLUGIN_DIR=${SWAN_PLUGIN_DIR:-/usr/lib/ipsec/plugins}
# charon's file log levels
SWAN_LOGLEVELS=${SWAN_LOGLEVELS:-"default = 1"}
SWAN_IKE_VERSION=${SWAN_IKE_VERSION:-2}
CHARON_PIDS=()
ALL_CHARON_PIDS=()

# charon_start SIDE NS LOCAL REMOTE LOCAL_ID REMOTE_ID ENCAP REKEY_R
# Start charon for SIDE (A or B) in NS; SWAN_<SIDE> names its directory.
charon_start() {
	local side=$1 ns=$2 local=$3 remote=$4 lid=$5 rid=$6 encap=$7 rekey_r=$8
	local d mounts

	d=$(mktemp -d "${TMPDIR:-/tmp}/swan-$side.XXXXXX")
	defer rm -rf "$d"
	mkdir "$d/run"
	cat > "$d/strongswan.conf" <<-EOF
	charon {
		load = random nonce aes sha1 sha2 hmac kdf gmp pem pkcs1 x509 pubkey kernel-netlink socket-default vici
		install_routes = no
		install_virtual_ip = no
		delete_rekeyed_delay = 1
		retransmit_timeout = 2
		plugins {
			vici {
				socket = unix://$d/charon.vici
			}
		}
		filelog {
			main {
				path = $d/charon.log
				$SWAN_LOGLEVELS
				time_format = %T
				flush_line = yes
			}
		}
		syslog {
		}
	}
	swanctl {
		load = pem pkcs1 x509 pubkey
	}
	EOF
	cat > "$d/swanctl.conf" <<-EOF
	connections {
		t {
			version = $SWAN_IKE_VERSION
			local_addrs = $local
			remote_addrs = $remote
			encap = $encap
			proposals = aes128-sha256-modp2048
			dpd_delay = 0
			local {
				auth = psk
				id = $lid
			}
			remote {
				auth = psk
				id = $rid
			}
			children {
				t {
					mode = transport
					esp_proposals = aes128gcm16
					rekey_time = 0
				}
				r {
					mode = transport
					esp_proposals = aes128gcm16
					rekey_time = ${rekey_r}s
					rand_time = 0s
					life_time = $((rekey_r * 3))s
				}
			}
		}
	}
	secrets {
		ike-ab {
			id-a = a.example.org
			id-b = b.example.org
			secret = "$SWAN_PSK"
		}
	}
	EOF
	mounts="mount --bind '$d/run' /run"
	if [ -n "$SWAN_PLUGIN" ]; then
		mounts+=" && mount --bind '$SWAN_PLUGIN' '$SWAN_PLUGIN_DIR/libstrongswan-kernel-netlink.so'"
	fi
	STRONGSWAN_CONF=$d/strongswan.conf bg_start ip netns exec "$ns" \
		sh -c "$mounts && exec '$SWAN_CHARON'" > "$d/stdout" 2>&1
	CHARON_PIDS+=($!)
	ALL_CHARON_PIDS+=($!)
	eval "SWAN_$side=$d"
}

# swan SIDE ARGS...: swanctl against SIDE's charon.
swan() {
	local side=$1 d

	shift
	eval "d=\$SWAN_$side"
	STRONGSWAN_CONF=$d/strongswan.conf swanctl "$@" --uri "unix://$d/charon.vici"
}

# swan_ready SIDE: charon is up and the configuration is loaded.
swan_ready() {
	local side=$1 d

	eval "d=\$SWAN_$side"
	busywait 60000 test -S "$d/charon.vici" &&
		swan "$side" --load-all --file "$d/swanctl.conf" > "$d/load.log" 2>&1
}

# swan_log SIDE [LINES]: the end of SIDE's charon log, as KTAP comments.
swan_log() {
	local d

	eval "d=\$SWAN_$1"
	tail -n "${2:-15}" "$d/charon.log" 2>/dev/null | sed "s/^/# charon $1: /"
}

# swan_spi SIDE in|out [CHILD]: SPI (hex, no 0x) of SIDE's installed
# CHILD_SA (any child if not given).  Several lines while a rekey
# overlaps; the newest comes last.
swan_spi() {
	swan "$1" --list-sas 2>/dev/null | awk -v dir="$2" -v child="${3:-}" '
		/, INSTALLED, / { inst = (child == "" || $1 == child ":"); next }
		inst && $1 == dir { sub(",", "", $2); spi = $2; if (dir == "out") inst = 0 }
		END { if (spi != "") print spi }'
}

# Stop every charon of the scenario and make sure it is gone.
charon_stop() {
	local pid

	for pid in "${CHARON_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${CHARON_PIDS[@]}"; do
		busywait 5000 eval "! kill -0 $pid 2>/dev/null" ||
			kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	CHARON_PIDS=()
}

# charon_left: PIDs of charons still running (none expected at the end).
charon_left() {
	local pid left=

	for pid in "${ALL_CHARON_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null && left+=" $pid"
	done
	echo "$left$(pgrep -x charon | tr '\n' ' ')"
}
