# shellcheck shell=bash disable=SC2154
# SPDX-License-Identifier: GPL-2.0
#
# The jobs of make check (sourced by scripts/check.sh, which runs them):
# job NAME "NEEDS..." COMMAND...
#
# Where each test runs, and why:
# - The verification core (module_first.sh, the drop/NAT/audit/unload
#   tests, the CLI basics) runs on every kernel: it is what differs
#   between kernels (hook, netlink, compat).  Other kernels run the core
#   tier (XFRM_CSUM_TIER=core: a subset of each test's cases), 6.12 all.
# - The slow end-to-end tests run once, on Debian's 6.12 (the kernel
#   users of the DKMS package run): all of module_first.sh, the stock
#   reproduction (repro_poison.sh: the shortcut is the same code on every
#   kernel, and the patched kernel's base run shows it again), the
#   reproduction with the module (module_repro.sh), the CLI against
#   traffic, strongSwan, and the DKMS package built inside the guest (the
#   other kernels' module builds are checked on the host), charon with
#   the patched kernel-netlink plugin (strongswan_oa.sh), libreswan
#   (libreswan_natt.sh), and node_exporter with promtool on the module's
#   metrics.
# - Hostile input and churn run once, where they find the most: the
#   netlink fuzzer and the lifecycle races (teardown, reload, flush and
#   rekey under traffic, kmemleak after churn) on a 6.12 debug kernel
#   (KASAN, lockdep, debug objects, kmemleak: scripts/kconfig/debug.config);
#   malformed packets through real SAs and the memory bounds
#   (module_churn.sh) on Debian's 6.12.  Who may use the netlink family
#   (module_perms.sh) runs on every kernel: its permission flags
#   sit in operations tables that differ (split ops from 6.2, the 6.1
#   table in module/compat/netlink-ops.c).
# - The kernel series is checked by scripts/patch-check.sh, which also
#   runs the module next to the series (module_coexist.sh) in the
#   patched kernel's guest and builds patches/7.2-module in-tree; the
#   nipa job drives the family with 7.2's ynl CLI (netlink_spec.sh) in a
#   6.12 guest.
#
# QUICK (check.sh -q, make check-quick): the host jobs and the core on
# Debian's 6.12, for the developer loop.

CORE_TESTS="module_first.sh module_drop.sh module_nat.sh module_audit.sh module_unload.sh module_perms.sh cli_basic.sh"
# on 6.12, where module_first.sh runs whole in a guest of its own
CORE_612="module_drop.sh module_nat.sh module_audit.sh module_unload.sh module_perms.sh cli_basic.sh"

host_tools() {
	make -C "$top/selftests" -s || return 1
	make -C "$top/tools/xfrm-csum" -s && make -C "$top/tools/xfrm-csum" -s check
}

# guest KERNEL TIER [NAME=VALUE]... TEST...: the tests in one boot of
# KERNEL, against the modules built for it, with NAME=VALUE in their
# environment.
guest() {
	local k=$1 tier=$2 rel env=()

	shift 2
	while [[ "${1:-}" == *=* ]]; do
		env+=(-e "$1")
		shift
	done
	rel=$(kernel_release "$(kernel_dir "$k")")
	"$top/scripts/vm-run.sh" -k "$k" -m 2048 -t 2700 \
		-e XFRM_CSUM_MODDIR="$BUILD/modules/$rel" -e XFRM_CSUM_TIER="$tier" \
		"${env[@]}" -- "$top/selftests/run.sh" "$@"
}

# The generated netlink code is what the spec generates (7.2's generator).
netlink_spec() {
	local src

	src=$("$top/scripts/kernel-tree.sh" -s 7.2) || return 1
	"$top/module/regen.sh" -c "$src"
}

# Debian's 6.12 source with the debug options, cached by its inputs
debug_kernel() {
	local src

	src=$("$top/scripts/kernel-tree.sh" -s 6.12) || return 1
	"$top/scripts/build-kernel.sh" -f "$top/scripts/kconfig/minimal.config" \
		-f "$top/scripts/kconfig/debug.config" -n 6.12-debug "$src"
}

optional() {
	local script=$1

	shift
	[ -x "$top/$script" ] || { echo "$script not present"; return 4; }
	"$top/$script" "$@"
}

patch_check() {
	XFRM_CSUM_TIER=core optional scripts/patch-check.sh
}

job host-tools "" host_tools
job lint "" "$top/scripts/lint.sh"
job modules-6.12 "host-tools" "$top/scripts/build-modules.sh" 6.12
if [ -n "$quick" ]; then
	# shellcheck disable=SC2086
	job 6.12-core "modules-6.12" guest 6.12 core $CORE_TESTS
else
	# shellcheck disable=SC2086
	job 6.12-core "modules-6.12" guest 6.12 full $CORE_612
fi

if [ -z "$quick" ]; then
	job netlink-spec "" netlink_spec
	# the guests install this package to test DKMS
	job deb "" "$top/scripts/build-deb.sh"
	job modules-6.1 "host-tools" "$top/scripts/build-modules.sh" 6.1
	# shellcheck disable=SC2086
	job 6.1-core "modules-6.1" guest 6.1 core $CORE_TESTS
	# Debian's own 7.2 (sid), modules built in a sid root with gcc-16
	job modules-7.2 "host-tools" "$top/scripts/build-modules.sh" 7.2
	# shellcheck disable=SC2086
	job 7.2-core "modules-7.2" guest 7.2 core $CORE_TESTS
	job 6.12-first "modules-6.12" guest 6.12 full module_first.sh
	# churn scaled down from its defaults (100 reloads, 10000 SAs, 100
	# namespaces: tens of minutes under TCG); still past max_sas 1024
	job 6.12-input "modules-6.12" guest 6.12 full \
		CHURN_RELOADS=10 CHURN_SAS=2000 CHURN_NETNS=20 \
		module_malformed.sh module_churn.sh
	job kernel-6.12-debug "" debug_kernel
	job modules-6.12-debug "host-tools kernel-6.12-debug" \
		"$top/scripts/build-modules.sh" 6.12-debug
	# one boot; the lifecycle races with 4 flush and rekey rounds and 3
	# reloads (defaults 10 and 5: 811 s instead of 376 s in a TCG debug
	# guest)
	job 6.12-debug "modules-6.12-debug" guest 6.12-debug full \
		XFRM_CSUM_LIFECYCLE_ROUNDS=4 XFRM_CSUM_LIFECYCLE_RELOADS=3 \
		module_nl_fuzz.sh module_lifecycle.sh kmemleak.sh
	job 6.12-repro "modules-6.12" guest 6.12 full \
		repro_poison.sh module_repro.sh
	job 6.12-e2e "modules-6.12 deb" guest 6.12 full \
		cli_traffic.sh strongswan_natt.sh dkms_install.sh
	# strongSwan's plugin with patches/strongswan, then charon behind
	# NATs either side giving the module both original addresses;
	# node_exporter and promtool on the metrics; libreswan behind a NAT
	# and with forced encapsulation.
	job strongswan "" "$top/scripts/build-strongswan.sh"
	# each NAT direction, topology and family once (alone, the tests
	# run every combination)
	job 6.12-ike "modules-6.12 strongswan" guest 6.12 full \
		SWAN_SCENARIOS="nat-i:4 nat-r:6" \
		LIBRESWAN_SCENARIOS="nat:4 direct:6" \
		strongswan_oa.sh prom_node_exporter.sh libreswan_natt.sh
	# the core tier of repro_poison.sh on the patched kernel: its
	# pedit injector runs in xfrm_nat_csum.sh, plain ESP on 6.12
	job patch "" patch_check
	# netdev's CI checks on the primary series (after patch: both use
	# the shared 7.2 tree): its W=1 build is patch-check's; the i386
	# and clang builds recompile only the touched objects in cached
	# object trees (a minute; the first run builds the trees, ~10 min);
	# ynl drives the family with 7.2's CLI in a 6.12 guest
	job nipa "patch modules-6.12" optional scripts/nipa-check.sh \
		format signedoff fixes kdoc sh core yamllint checkpatch \
		build32 clang ynl
fi
