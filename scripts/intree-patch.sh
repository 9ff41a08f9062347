#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module as a kernel patch, generated from module/: on top of
# patches/VERSION, xfrm_csum.ko moves in as net/xfrm/xfrm_csum/ (its
# sources, Kbuild, Kconfig entry and compat/), its UAPI header as
# include/uapi/linux/xfrm_csum.h and its YNL spec as
# Documentation/netlink/specs/xfrm_csum.yaml, hooked into net/xfrm's
# Kconfig and Makefile.  module/core.h stays out: the series carries it as
# include/net/xfrm_csum.h, which the module then uses (compat/detect.sh).
#
# usage: scripts/intree-patch.sh [-c] [-b] [VERSION]
#   VERSION  the series the patch goes on [7.2]
#   -c       check instead of write: the patch in patches/VERSION-module
#            is what module/ generates now
#   -b       also build it: CONFIG_XFRM_CSUM=m from the Kconfig entry and
#            net/xfrm/xfrm_csum/ with W=1, no warning allowed
#
# The patch is made in a worktree of build/trees/VERSION ($CACHE/trees),
# so the shared tree keeps the series alone.  Author and Signed-off-by are
# the runner's git identity, as in patch-export.sh.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

check=0 build=0
while getopts cbh opt; do
	case $opt in
	c) check=1 ;;
	b) build=1 ;;
	*) sed -n '4,21s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
ver=${1:-7.2}
tree=$BUILD/trees/$ver
wt=$CACHE/trees/$ver-module
dest=$top/patches/$ver-module
name=0001-net-xfrm-add-xfrm_csum.patch

series_applied "$ver" >&2
ident=$(git -C "$top" var GIT_AUTHOR_IDENT) ||
	die "no git identity: set user.name and user.email"
ident=${ident% * *}

# A clean worktree at the series' top
mkdir -p "$CACHE/trees"
git -C "$tree" worktree prune
if ! git -C "$wt" rev-parse --git-dir >/dev/null 2>&1; then
	rm -rf "$wt"
	git -C "$tree" worktree add -q --detach "$wt" HEAD
fi
git -C "$wt" checkout -q --detach "$(git -C "$tree" rev-parse HEAD)"
git -C "$wt" reset -q --hard
git -C "$wt" clean -qfdx

# module/'s tracked files, as they are in this checkout
dir=$wt/net/xfrm/xfrm_csum
mkdir -p "$dir"
while read -r f; do
	case $f in
	module/Makefile|module/README.md|module/regen.sh|module/core.h) continue ;;
	module/xfrm_csum.yaml)
		install -D -m 0644 "$top/$f" "$wt/Documentation/netlink/specs/xfrm_csum.yaml" ;;
	module/uapi/linux/xfrm_csum.h)
		install -D -m 0644 "$top/$f" "$wt/include/uapi/linux/xfrm_csum.h" ;;
	module/uapi/*)	die "$f: a UAPI header intree-patch.sh does not place" ;;
	*)	install -D -m "$([ -x "$top/$f" ] && echo 0755 || echo 0644)" \
			"$top/$f" "$dir/${f#module/}" ;;
	esac
done < <(git -C "$top" ls-files module)

# the hooks
sed -i 's|^endif # INET$|source "net/xfrm/xfrm_csum/Kconfig"\n\n&|' "$wt/net/xfrm/Kconfig"
grep -q 'xfrm_csum/Kconfig' "$wt/net/xfrm/Kconfig" || die "net/xfrm/Kconfig: no 'endif # INET'"
echo 'obj-$(CONFIG_XFRM_CSUM) += xfrm_csum/' >> "$wt/net/xfrm/Makefile"
sed -i -e 's|^F:\tDocumentation/networking/xfrm/$|F:\tDocumentation/netlink/specs/xfrm_csum.yaml\n&|' \
	-e 's|^F:\tinclude/uapi/linux/xfrm.h$|&\nF:\tinclude/uapi/linux/xfrm_csum.h|' \
	"$wt/MAINTAINERS"
[ "$(grep -c -e 'specs/xfrm_csum.yaml' -e 'linux/xfrm_csum.h' "$wt/MAINTAINERS")" = 2 ] ||
	die "MAINTAINERS: the IPSEC entry is not where expected"

# -f: the tree's .gitignore hides every new top-level path
git -C "$wt" add -A
git -C "$wt" add -f net/xfrm/xfrm_csum include/uapi/linux/xfrm_csum.h \
	Documentation/netlink/specs/xfrm_csum.yaml
GIT_AUTHOR_DATE='2026-01-01 00:00:00 +0000' GIT_COMMITTER_DATE='2026-01-01 00:00:00 +0000' \
git -C "$wt" -c user.name="${ident% <*}" -c user.email="$(sed 's/.*<\(.*\)>/\1/' <<< "$ident")" \
	commit -q -s -F - <<'EOF'
net: xfrm: add xfrm_csum, a module verifying NAT-T inner checksums

For kernels where the stack does not verify the inner checksums of
NAT-T transport mode packets itself, or where an operator wants per-SA
attribution and an event stream: xfrm_csum hooks the transport mode
input of ESP SAs with UDP or TCP encapsulation and verifies the inner
TCP, UDP and ICMPv6 checksums, taking the NAT's constant checksum
difference into account (RFC 3948 3.1.2).  The difference comes from
the original addresses the key manager gives per SA, or is learned and
confirmed per SA.  Packets that do not verify are counted, reported or
dropped, per network namespace (mode off, audit or drop).

Counters are in /sys/kernel/xfrm_csum/; the per-SA table, settings and
a mismatch event stream carrying the decrypted packet are in the
"xfrm-csum" generic netlink family (Documentation/netlink/specs/
xfrm_csum.yaml).  Writes and the event group need CAP_NET_ADMIN over
the namespace.

With this series' net.core.xfrm_encap_csum on, ESP has judged the packet
already: the module counts it skipped and does not sum it again.

This is the out-of-tree module, unchanged: its compat/ detection stays
so that one source builds from 6.1 to this tree.  It is posted as an
RFC next to the series, for the per-SA attribution and events the
series does not add.
EOF
patch=$(mktemp)
trap 'rm -f "$patch"' EXIT
git -C "$wt" format-patch -q -1 --stdout --no-signature \
	--subject-prefix="RFC PATCH ipsec-next" HEAD > "$patch"

# the same patch whatever the worktree's object ids and dates
stable() {
	grep -v -E '^(From [0-9a-f]{40} |index [0-9a-f]+\.\.[0-9a-f]+)' "$1"
}

if [ $check = 1 ]; then
	[ -f "$dest/$name" ] || die "no $dest/$name: run scripts/intree-patch.sh"
	if ! diff -u <(stable "$dest/$name") <(stable "$patch") > "$patch.diff"; then
		head -n 40 "$patch.diff" >&2
		rm -f "$patch.diff"
		die "patches/$ver-module is not what module/ generates: run scripts/intree-patch.sh"
	fi
	rm -f "$patch.diff"
	log "patches/$ver-module/$name matches module/"
else
	mkdir -p "$dest"
	rm -f "$dest"/*.patch
	cp "$patch" "$dest/$name"
	echo "$name" > "$dest/series"
	log "wrote patches/$ver-module/$name"
fi

[ $build = 1 ] || exit 0

# CONFIG_XFRM_CSUM=m through the new Kconfig entry, in an object tree of
# its own (cached), and the directory built with W=1
obj=$CACHE/obj/intree-$ver
frag=$obj.config
mkdir -p "$obj"
{
	cat "$top/scripts/kconfig/minimal.config"
	[ -f "$top/scripts/kconfig/$ver.config" ] && cat "$top/scripts/kconfig/$ver.config"
	echo CONFIG_XFRM_CSUM=m
} > "$frag.tmp"
if cmp -s "$frag.tmp" "$frag"; then rm -f "$frag.tmp"; else mv "$frag.tmp" "$frag"; fi
kmake=(make -s -C "$wt" O="$obj" LOCALVERSION= -j"$(nproc)" CC="ccache gcc" HOSTCC="ccache gcc")
if [ ! -f "$obj/.config" ] || [ "$frag" -nt "$obj/.config" ]; then
	"${kmake[@]}" tinyconfig >/dev/null
	"$wt/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >/dev/null 2>&1
	"${kmake[@]}" olddefconfig >/dev/null
fi
grep -qx 'CONFIG_XFRM_CSUM=m' "$obj/.config" ||
	die "CONFIG_XFRM_CSUM=m did not survive olddefconfig (its dependencies: net/xfrm/xfrm_csum/Kconfig)"
rm -rf "$obj/net/xfrm/xfrm_csum"
start=$SECONDS
if ! "${kmake[@]}" W=1 net/xfrm/xfrm_csum/ > "$obj.log" 2>&1; then
	tail -n 30 "$obj.log" >&2
	die "in-tree build of net/xfrm/xfrm_csum failed ($obj.log)"
fi
if grep -E 'warning:|error:' "$obj.log" >&2; then
	die "in-tree W=1 build of net/xfrm/xfrm_csum warns ($obj.log)"
fi
[ -f "$obj/net/xfrm/xfrm_csum/xfrm_csum.o" ] || die "no xfrm_csum.o built"
log "in-tree: CONFIG_XFRM_CSUM=m, net/xfrm/xfrm_csum/ W=1 clean ($((SECONDS - start)) s)"
