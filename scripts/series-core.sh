#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print include/net/xfrm_csum.h of the kernel series, generated from the
# module's module/core.h: the same arithmetic and confirmation rule in
# both, only the header comment, references to the project's design
# document and the include guard differ.
#
# usage: scripts/series-core.sh [CORE_H]   [module/core.h]
#
# scripts/patch-check.sh and scripts/nipa-check.sh compare the patched
# trees' copy with this output.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
core=${1:-$top/module/core.h}
[ -f "$core" ] || { echo "error: $core missing" >&2; exit 1; }

# The module's comment up to the first blank comment line names the
# project's design document; the kernel's names the file that uses it.
awk '
	NR == 1 { print; next }
	!done && /^ \* The arithmetic/ {
		print " * The arithmetic and the confirmation rule behind the inner checksum"
		print " * checks of NAT-T transport mode packets (net/xfrm/xfrm_encap_csum.c)."
		skip = 1; next
	}
	skip && /^ \*$/ { skip = 0; done = 1 }
	skip { next }
	{
		gsub(/_XFRM_CSUM_CORE_H/, "_NET_XFRM_CSUM_H")
		# no reference to the design document outside the kernel
		gsub(/ \(docs\/design\.md, "[^"]*"\)/, "")
		print
	}
' "$core"
