#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Export the series from a kernel tree's branch into patches/VERSION:
# git format-patch --cover-letter base..HEAD, the series file, and the
# cover letter's subject and text kept from the previous export (the
# tree's git history only holds the patches).
#
# usage: scripts/patch-export.sh VERSION
#   VERSION  6.1 or 6.12: build/trees/VERSION, commits on top of tag base
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

[ $# -eq 1 ] || die "usage: $0 VERSION"
ver=$1
tree=$BUILD/trees/$ver
dest=$top/patches/$ver
cover=$dest/0000-cover-letter.patch
[ "$(git -C "$tree" rev-list --count base..HEAD)" -gt 0 ] ||
	die "$tree has no commits on top of base"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$tree" format-patch -q --cover-letter --no-signature \
	-o "$tmp/out" base..HEAD

# Keep the subject and text of the current cover letter: the text runs
# from the end of the headers to the shortlog ("NAME (N):").
if [ -f "$cover" ]; then
	python3 - "$cover" "$tmp/out/0000-cover-letter.patch" <<-'EOF'
	import re, sys
	old = open(sys.argv[1]).read()
	head, body = old.split("\n\n", 1)
	subject = re.search(r"^Subject: \[PATCH[^]]*\] (.*(?:\n .*)*)", head, re.M)
	subject = re.sub(r"\n ", " ", subject.group(1))
	blurb = re.split(r"^\S.* \(\d+\):$", body, maxsplit=1, flags=re.M)[0]
	new = open(sys.argv[2]).read()
	new = new.replace("*** SUBJECT HERE ***", subject, 1)
	new = new.replace("*** BLURB HERE ***\n", blurb.rstrip("\n") + "\n", 1)
	open(sys.argv[2], "w").write(new)
	EOF
fi

mkdir -p "$dest"
rm -f "$dest"/*.patch
cp "$tmp/out"/*.patch "$dest/"
(cd "$dest" && ls [0-9]*.patch | grep -v '^0000-') > "$dest/series"
log "exported $(wc -l < "$dest/series") patches to patches/$ver"
