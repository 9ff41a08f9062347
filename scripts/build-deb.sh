#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Debian packages xfrm-csum-dkms and xfrm-csum-tools with the
# standard tooling (dpkg-buildpackage, debhelper, dh-dkms) into build/deb/.
# The tree is copied first (tracked and new files, nothing git ignores), so
# the working tree stays clean and a build never sees stale objects.
#
# usage: scripts/build-deb.sh [dpkg-buildpackage options]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

out=$BUILD/deb
cd "$top"
for c in dpkg-buildpackage dh dh_dkms; do
	command -v "$c" >/dev/null || die "$c not found (scripts/install-deps.sh)"
done

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
dkms_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
[ "${version%%-*}" = "$dkms_version" ] ||
	die "debian/changelog says $version but dkms.conf PACKAGE_VERSION=$dkms_version"

src=$out/src/xfrm-csum-$version
rm -rf "$out"
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	cpio -0 -pdm --quiet "$src"

log "dpkg-buildpackage in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b "$@") > "$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	die "dpkg-buildpackage failed, see $out/build.log"
}
# dpkg-buildpackage writes next to the source directory.
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out/"
for deb in "$out"/*.deb; do
	log "$(dpkg-deb --show --showformat='${Package} ${Version} ${Architecture}' "$deb"): $(basename "$deb")"
done
ls "$out"/*.deb
