#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate the UAPI header from xfrm_csum.yaml with the kernel's YNL code
# generator (tools/net/ynl/ynl-gen-c.py of a 6.12 tree), validating the spec
# against the genetlink-legacy schema on the way.
#
# The kernel-side policies in netlink.c are written by hand: the generator's
# per-op mode needs a request on every operation, and its split-ops mode
# does not exist on 6.1.  selftests/netlink_spec.sh checks the running
# module against this spec with the kernel's YNL client.
#
# usage: module/regen.sh [KERNEL_SOURCE_TREE]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ksrc=${1:-$here/../build/src/linux-source-6.12}
gen=$ksrc/tools/net/ynl/ynl-gen-c.py
[ -f "$gen" ] || { echo "no ynl-gen-c.py in $ksrc" >&2; exit 1; }

# ynl-gen-c finds the schema two directories above the spec, and names the
# spec relative to the closest directory holding a MAINTAINERS file.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/module"
touch "$tmp/MAINTAINERS"
cp "$ksrc/Documentation/netlink/genetlink-legacy.yaml" "$tmp/"
cp "$here/xfrm_csum.yaml" "$tmp/module/"
spec=$tmp/module/xfrm_csum.yaml

python3 "$gen" --mode uapi --header --spec "$spec" -o "$here/uapi/linux/xfrm_csum.h"
