#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate the netlink code from xfrm_csum.yaml with the kernel's YNL
# code generator (tools/net/ynl/pyynl/ynl_gen_c.py of the 7.2 tree, the
# series' base: older generators emit NLA_UNSPEC policies for binary
# attributes with a minimum length, which strict validation rejects),
# validating the spec against the genetlink-legacy schema on the way:
#
#   uapi/linux/xfrm_csum.h   the UAPI header
#   netlink-gen.h            kernel side: split ops and policies (6.2+)
#   netlink-gen.c
#
# The generator cannot give a multicast group flags, so its group table is
# left out of netlink-gen.c; netlink.c declares the group with
# GENL_MCAST_CAP_NET_ADMIN.  Kernels without split ops (6.1) use the
# hand-written table in compat/netlink-ops.c.
#
# usage: module/regen.sh [-c] [KERNEL_SOURCE_TREE]
#   -c   check only: exit 1 if a generated file differs from the tree's
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
check=
if [ "${1:-}" = -c ]; then
	check=1
	shift
fi
ksrc=${1:-$here/../build/src/linux-source-7.2}
gen=$ksrc/tools/net/ynl/pyynl/ynl_gen_c.py
[ -f "$gen" ] || gen=$ksrc/tools/net/ynl/ynl-gen-c.py
[ -f "$gen" ] || { echo "no YNL code generator in $ksrc" >&2; exit 1; }

# ynl-gen-c finds the schema two directories above the spec, and names the
# spec relative to the closest directory holding a MAINTAINERS file.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/module/uapi/linux"
touch "$tmp/MAINTAINERS"
cp "$ksrc"/Documentation/netlink/genetlink*.yaml "$tmp/"
cp "$here/xfrm_csum.yaml" "$tmp/module/"
spec=$tmp/module/xfrm_csum.yaml
out=$tmp/module

python3 "$gen" --mode uapi --header --spec "$spec" \
	-o "$out/uapi/linux/xfrm_csum.h" >/dev/null
python3 "$gen" --mode kernel --header --spec "$spec" \
	-o "$out/netlink-gen.h" >/dev/null
python3 "$gen" --mode kernel --source --spec "$spec" \
	-o "$out/netlink-gen.c" >/dev/null
# drop the flag-less multicast group table (see above), and the hint to
# the kernel tree's regeneration script, which is module/regen.sh here
sed -i '/To regenerate run: tools\/net\/ynl\/ynl-regen.sh/d' \
	"$out/uapi/linux/xfrm_csum.h" "$out/netlink-gen.h" "$out/netlink-gen.c"
sed -i '/^static const struct genl_multicast_group xfrm_csum_nl_mcgrps\[\] = {$/,/^};$/d' \
	"$out/netlink-gen.c"
# keep one blank line at the end of the file
sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$out/netlink-gen.c"

rc=0
for f in uapi/linux/xfrm_csum.h netlink-gen.h netlink-gen.c; do
	if [ -n "$check" ]; then
		if ! diff -u "$here/$f" "$out/$f"; then
			echo "module/$f is not what xfrm_csum.yaml generates (run module/regen.sh)" >&2
			rc=1
		fi
	else
		cp "$out/$f" "$here/$f"
	fi
done
exit $rc
