# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the xfrm_csum.ko tests (module_*.sh): loading the module,
# reading its sysfs totals and talking to its generic netlink family with
# the kernel's YNL client (tools/net/ynl/cli.py of the 6.12 source, found
# by absolute path: the guest sees the host's tree) and module/xfrm_csum.yaml.
# Sourced after ipsec_lib.sh.

XCSUM_TOP=$(cd "$SELFTEST_DIR/.." && pwd)
XCSUM_SPEC=$XCSUM_TOP/module/xfrm_csum.yaml
XCSUM_YNL=${XCSUM_YNL:-$XCSUM_TOP/build/src/linux-source-6.12/tools/net/ynl/cli.py}
XCSUM_SYSFS=/sys/kernel/xfrm_csum
# modules built by scripts/build-modules.sh, unless the runner says otherwise
: "${XFRM_CSUM_MODDIR:=$XCSUM_TOP/build/modules/$(uname -r)}"

# xcsum_load [PARAM=VALUE...]: (re)load xfrm_csum.ko with parameters.
xcsum_load() {
	xcsum_unload
	modprobe -q esp4 && modprobe -q esp6 || return 1
	load_module xfrm_csum "$@"
}

xcsum_unload() {
	[ -d /sys/module/xfrm_csum ] || return 0
	unload_module xfrm_csum
}

# xcsum_require: skip the whole test if the module or the YNL client is
# missing; load the module in drop mode.
xcsum_require() {
	require_root
	require_cmd python3
	[ -f "$XCSUM_YNL" ] || ksft_skip_all "no YNL client at $XCSUM_YNL"
	xcsum_load "$@" || ksft_skip_all "xfrm_csum.ko not available"
	# not deferred: cleanup_all runs between cases
	trap 'cleanup_all; xcsum_unload' EXIT
}

# xcsum_sysfs NAME: one global counter.
xcsum_sysfs() {
	cat "$XCSUM_SYSFS/$1"
}

# xcsum_expected_k ADDR ADDR: the one's-complement sum of an address
# pair, as the module reports nat-k (0xffff folded to 0).
xcsum_expected_k() {
	python3 -c '
import ipaddress, sys
v = 0
for a in sys.argv[1:]:
    b = ipaddress.ip_address(a).packed
    v += sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
while v > 0xffff:
    v = (v & 0xffff) + (v >> 16)
print(0 if v == 0xffff else v)' "$@"
}

# xcsum_nl NS ARGS...: run the YNL client in NS, JSON output.
xcsum_nl() {
	local ns=$1

	shift
	ip netns exec "$ns" python3 "$XCSUM_YNL" --spec "$XCSUM_SPEC" \
		--no-schema --output-json "$@"
}

# xcsum_stat NS NAME: one per-namespace counter ("mismatch", "dropped"...).
xcsum_stat() {
	xcsum_nl "$1" --do stats-get | python3 -c '
import json, sys
print(json.load(sys.stdin).get(sys.argv[1], 0))' "$2"
}

# xcsum_mode NS off|audit|drop
xcsum_mode() {
	local m

	case $2 in
	off) m=0 ;; audit) m=1 ;; drop) m=2 ;; *) return 1 ;;
	esac
	xcsum_nl "$1" --do config-set --json "{\"mode\": $m}" >/dev/null
}

# xcsum_sa_field NS SPI FIELD: FIELD of the SA entry with SPI (hex or
# decimal) from a dump; "stats.mismatch" reads a nested counter.
xcsum_sa_field() {
	xcsum_nl "$1" --dump sa-get | python3 -c '
import json, sys
spi = int(sys.argv[1], 0)
path = sys.argv[2].split(".")
for sa in json.load(sys.stdin):
    if sa.get("spi") == spi:
        v = sa
        for p in path:
            v = v.get(p, 0) if isinstance(v, dict) else 0
        print(v)
        break
else:
    print("none")' "$2" "$3"
}

# xcsum_addr_hex ADDR: an IPv4/IPv6 address as the hex string YNL prints.
xcsum_addr_hex() {
	python3 -c '
import ipaddress, sys
print(ipaddress.ip_address(sys.argv[1]).packed.hex())' "$1"
}

# xcsum_check NAME COND DETAIL: one ktap result from a shell condition.
xcsum_check() {
	local name=$1 cond=$2 detail=$3

	if eval "$cond"; then
		ktap_pass "$name"
		ktap_msg "  $detail"
	else
		ktap_fail "$name" "$detail"
	fi
}

# xcsum_sa_dump NS: the SA table of NS as JSON (for failure messages).
xcsum_sa_dump() {
	xcsum_nl "$1" --dump sa-get
}

# xcsum_listening NS: a generic netlink socket in NS joined a group.
xcsum_listening() {
	ip netns exec "$1" awk '$2 == 16 && $4 != "00000000" { f = 1 } END { exit !f }' \
		/proc/net/netlink
}

# xcsum_query NS...: one YNL session per namespace; prints shell
# assignments NS<i>_<counter>=N from stats-get and, for each SA entry,
# NS<i>_SA<spi>_<field>=V (nested counters as _stats_<counter>; addresses
# in hex).  Use: eval "$(xcsum_query "$NS_B" "$NS_A")".
xcsum_query() {
	python3 - "$XCSUM_YNL" "$XCSUM_SPEC" "$@" <<'PY'
import ctypes, os, sys
ynl_dir = os.path.dirname(sys.argv[1])
sys.path.insert(0, ynl_dir)
from lib import YnlFamily
libc = ctypes.CDLL(None, use_errno=True)
def name(s):
    return s.replace("-", "_")
for i, ns in enumerate(sys.argv[3:]):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000):
        sys.exit("setns failed")
    os.close(fd)
    ynl = YnlFamily(sys.argv[2], "")
    for k, v in ynl.do("stats-get", {}).items():
        print(f"NS{i}_{name(k)}={v}")
    for sa in ynl.dump("sa-get", {}):
        pre = f"NS{i}_SA{sa['spi']}"
        for k, v in sa.items():
            if isinstance(v, dict):
                for k2, v2 in v.items():
                    print(f"{pre}_{name(k)}_{name(k2)}={v2}")
            else:
                print(f"{pre}_{name(k)}={v.hex() if isinstance(v, bytes) else v}")
PY
}
