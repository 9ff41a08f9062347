#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build strongSwan's kernel-netlink plugin from Debian's strongswan source
# with patches/strongswan/ applied: the plugin then installs encap_oa and
# tells xfrm_csum.ko the original addresses of transport-mode SAs behind a
# NAT (docs/ike.md).
#
# usage: scripts/build-strongswan.sh [-p] [-v VERSION]
#   -v  Debian source version [the installed strongswan-charon's, or the
#       newest one the archive serves for its upstream version]
#   -p  print the path of the built plugin and exit (build it if needed)
#
# The source comes with "apt-get source" through a deb-src list and apt
# state under build/apt-src/ (never the host's apt configuration), and is
# unpacked, patched, configured and built in the cache ($CACHE/strongswan/),
# keyed by source version and patch contents.  The result:
#   $CACHE/strongswan/<key>/libstrongswan-kernel-netlink.so
# and build/strongswan -> that directory.  It replaces
# /usr/lib/ipsec/plugins/libstrongswan-kernel-netlink.so of a charon of the
# same upstream version (selftests/strongswan_oa.sh bind-mounts it there in
# the test's mount namespace only; docs/ike.md says how to install it).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

print=0 version=
while getopts pv:h opt; do
	case $opt in
	p) print=1 ;;
	v) version=$OPTARG ;;
	*) sed -n '4,22s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done

patchdir=$top/patches/strongswan
aptdir=$BUILD/apt-src
apt_opts=(-o "Dir::Etc::SourceList=$aptdir/sources.list"
	  -o "Dir::Etc::SourceParts=/nonexistent"
	  -o "Dir::State::Lists=$aptdir/lists"
	  -o "Dir::Cache=$aptdir/cache"
	  -o "Debug::NoLocking=1")

apt_setup() {
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	if [ ! -f "$aptdir/sources.list" ]; then
		cat > "$aptdir/sources.list" <<-EOF
		deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
		deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
		deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
		EOF
	fi
	if ! compgen -G "$aptdir/lists/*_Sources*" > /dev/null; then
		log "fetching Debian source package lists into $aptdir"
		apt-get "${apt_opts[@]}" update -q >&2
	fi
}

# Source versions of strongswan the archive serves, newest first.
source_versions() {
	apt-cache "${apt_opts[@]}" showsrc strongswan 2>/dev/null |
		awk '/^Version:/ { print $2 }' | sort -rV | uniq
}

# Candidate Debian versions, best first: -v alone, else the installed
# charon's, then the others of the same upstream version, newest first
# (security uploads do not touch kernel-netlink; the plugin only has to
# match charon's upstream version).  A version the lists name can still be
# missing from the mirror.
candidates() {
	local inst up v

	[ -n "$version" ] && { echo "$version"; return; }
	inst=$(dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null || true)
	up=${inst%%-*}
	for v in $(source_versions); do
		[ "$v" = "$inst" ] && echo "$v"
	done
	for v in $(source_versions); do
		[ "$v" != "$inst" ] && { [ -z "$up" ] || [ "${v%%-*}" = "$up" ]; } && echo "$v"
	done
	return 0
}

# download VERSION: the .dsc and its files into $dl.
download() {
	local v=$1

	[ -f "$dl/strongswan_${v#*:}.dsc" ] && return 0
	log "apt-get source strongswan=$v"
	(cd "$dl" && apt-get "${apt_opts[@]}" source --download-only \
		"strongswan=$v" >&2) && [ -f "$dl/strongswan_${v#*:}.dsc" ]
}

# unpack VERSION DIR: the Debian source (its patches applied) in DIR.
unpack() {
	local v=$1 dir=$2

	[ -f "$dir/configure" ] && return 0
	rm -rf "$dir.tmp"
	dpkg-source -x "$dl/strongswan_${v#*:}.dsc" "$dir.tmp" >&2
	mv "$dir.tmp" "$dir"
}

cache_setup
apt_setup
dl=$CACHE/strongswan/dl
mkdir -p "$dl"
ver=
# one already downloaded first: no archive round trip on rebuilds
for v in $(candidates); do
	[ -f "$dl/strongswan_${v#*:}.dsc" ] && { ver=$v; break; }
done
if [ -z "$ver" ]; then
	for v in $(candidates); do
		if download "$v"; then
			ver=$v
			break
		fi
	done
fi
[ -n "$ver" ] || die "no strongswan source package could be fetched"
key=$( (echo "$ver"; cat "$patchdir/series";
	while read -r p; do cat "$patchdir/$p"; done < "$patchdir/series";
	cat "$0") | sha256sum | cut -c1-12)
out=$CACHE/strongswan/$ver-$key
so=$out/libstrongswan-kernel-netlink.so

# build OUT: patch, configure and build the plugin in OUT.tree.
build() {
	local tree=$out.tree p

	rm -rf "$tree"
	cp -a "$src" "$tree"
	while read -r p; do
		log "applying $p"
		patch -d "$tree" -p1 --no-backup-if-mismatch -s < "$patchdir/$p"
	done < "$patchdir/series"
	(
		cd "$tree"
		# Makefile.am changed: regenerate that Makefile.in only
		automake --foreign src/libcharon/plugins/kernel_netlink/Makefile
		# The options of debian/rules that change structures the plugin
		# uses (mediation: ike_sa_t, daemon_t); the others do not touch it.
		CC="ccache gcc" ./configure -q --prefix=/usr --libexecdir=/usr/lib \
			--sysconfdir=/etc --enable-mediation --disable-gmp
		make -s -C src/libcharon/plugins/kernel_netlink -j"$(nproc)" \
			libstrongswan-kernel-netlink.la
	) >&2
	mkdir -p "$out"
	cp "$tree/src/libcharon/plugins/kernel_netlink/.libs/libstrongswan-kernel-netlink.so" "$so.tmp"
	echo "$ver" > "$out/version"
	mv "$so.tmp" "$so"
}

if [ ! -f "$so" ]; then
	mkdir -p "$CACHE/locks"
	exec 9> "$CACHE/locks/strongswan"
	flock 9
	src=$CACHE/strongswan/src-$ver
	unpack "$ver" "$src"
	[ -f "$so" ] || build
	exec 9>&-
	log "built $so"
fi
ln -sfn "$out" "$BUILD/strongswan"
if [ $print = 1 ]; then
	echo "$so"
fi
