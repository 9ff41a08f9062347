#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict (from Debian's linux-source-6.12) on every C
# source of the project: the module, its compat headers, the test-only
# injector, the selftests' helpers and the xfrm-csum client.  The patch
# series is checked by scripts/patch-check.sh.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

src=$("$top/scripts/kernel-tree.sh" -s 6.12)
cd "$top"
mapfile -t files < <(git ls-files -co --exclude-standard \
	'module/*.[ch]' 'selftests/*.[ch]' 'tools/*.[ch]' |
	grep -v -e '^module/uapi/' -e '^module/netlink-gen\.' | sort -u)
[ ${#files[@]} -gt 0 ] || die "no C sources found"
# The UAPI header and netlink-gen.[ch] are generated from the YNL spec
# (module/regen.sh -c checks them).
spell=()
[ -f /usr/share/codespell/dictionary.txt ] && spell=(--codespell)
"$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	"${spell[@]}" -f "${files[@]}"
rm -f .checkpatch-camelcase.git.
log "checkpatch --strict: ${#files[@]} files clean"
