#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Export the series from a kernel tree's branch into patches/VERSION:
# git format-patch --cover-letter base..HEAD, the series file, and the
# cover letter's subject and text kept from the previous export (the
# tree's git history only holds the patches).
#
# usage: scripts/patch-export.sh [-p PREFIX] [-v N] [-t TREE] VERSION
#   VERSION    7.2, 6.12 or 6.1: build/trees/VERSION, commits on top of
#              tag base
#   -p PREFIX  subject prefix, e.g. "PATCH ipsec-next" [from the current
#              cover letter, else "PATCH"]
#   -v N       version of the series (vN in the subject) [from the
#              current cover letter]
#   -t TREE    export from TREE instead (a git worktree of the tree, say,
#              whose base is the same)
#
# Authorship and Signed-off-by are those of whoever runs the export: the
# git identity configured in this clone (git var GIT_AUTHOR_IDENT), not
# the tree's commits, so that a series applied and re-exported by
# someone else carries their name.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

prefix='' reroll='' tree=''
while getopts p:v:t:h opt; do
	case $opt in
	p) prefix=$OPTARG ;;
	v) reroll=$OPTARG ;;
	t) tree=$OPTARG ;;
	*) sed -n '4,22s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || die "usage: $0 [-p PREFIX] [-v N] [-t TREE] VERSION"
ver=$1
tree=${tree:-$BUILD/trees/$ver}
dest=$top/patches/$ver
cover=$dest/0000-cover-letter.patch
[ "$(git -C "$tree" rev-list --count base..HEAD)" -gt 0 ] ||
	die "$tree has no commits on top of base"
ident=$(git -C "$top" var GIT_AUTHOR_IDENT) ||
	die "no git identity: set user.name and user.email"
ident=${ident% * *}	# drop the timestamp

# Prefix and version from the current cover letter unless given
if [ -f "$cover" ]; then
	subj=$(sed -n 's/^Subject: \[\(PATCH[^]]*\)\] .*/\1/p' "$cover")
	if [ -z "$reroll" ] && [[ $subj =~ \ v([0-9]+)\  ]]; then
		reroll=${BASH_REMATCH[1]}
	fi
	if [ -z "$prefix" ]; then
		prefix=$(sed -E 's/ (v[0-9]+ )?[0-9]+\/[0-9]+$//' <<< "$subj")
	fi
fi
prefix=${prefix:-PATCH}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(--cover-letter --no-signature --subject-prefix="$prefix" -o "$tmp/out")
[ -n "$reroll" ] && args+=(-v "$reroll")
git -C "$tree" -c user.name="${ident% <*}" \
	-c user.email="$(email=${ident#*<}; echo "${email%>*}")" \
	format-patch -q "${args[@]}" base..HEAD

# Authorship and sign-off of the runner; the cover letter's subject and
# text kept: the text runs from the end of the headers to the shortlog
# ("NAME (N):").
python3 - "$ident" "$cover" "$tmp/out" <<-'EOF'
import glob, os, re, sys
ident, old_cover, outdir = sys.argv[1:]
for p in sorted(glob.glob(os.path.join(outdir, "*.patch"))):
    text = open(p).read()
    head, body = text.split("\n\n", 1)
    head = re.sub(r"^From: .*(?:\n[ \t].*)*$", lambda m: "From: " + ident, head, count=1, flags=re.M)
    if not p.endswith("0000-cover-letter.patch"):
        msg, sep, diff = body.partition("\n---\n")
        msg = re.sub(r"^Signed-off-by: .*\n?", "", msg, flags=re.M).rstrip("\n")
        msg += "\n\nSigned-off-by: " + ident
        body = msg + sep + diff
    else:
        # one shortlog group in series order, under the runner's name,
        # whoever authored the tree's commits
        subjects = []
        for q in sorted(glob.glob(os.path.join(outdir, "*.patch"))):
            if q.endswith("0000-cover-letter.patch"):
                continue
            qhead = open(q).read().split("\n\n", 1)[0]
            subj = re.search(r"^Subject: \[PATCH[^]]*\] (.*(?:\n .*)*)", qhead, re.M)
            subjects.append(re.sub(r"\n ", " ", subj.group(1)))
        short = "%s (%d):\n%s\n" % (ident.split(" <")[0], len(subjects),
                                   "".join("  %s\n" % t for t in subjects))
        body = re.sub(r"^\S.* \(\d+\):\n(?:.*\n)*?(?=^ \S.*\|)", lambda m: short,
                      body, count=1, flags=re.M)
    if p.endswith("0000-cover-letter.patch") and os.path.exists(old_cover):
        old = open(old_cover).read()
        ohead, obody = old.split("\n\n", 1)
        subject = re.search(r"^Subject: \[PATCH[^]]*\] (.*(?:\n .*)*)", ohead, re.M)
        subject = re.sub(r"\n ", " ", subject.group(1))
        blurb = re.split(r"^\S.* \(\d+\):$", obody, maxsplit=1, flags=re.M)[0]
        head = head.replace("*** SUBJECT HERE ***", subject, 1)
        body = body.replace("*** BLURB HERE ***\n", blurb.rstrip("\n") + "\n", 1)
    open(p, "w").write(head + "\n\n" + body)
EOF

mkdir -p "$dest"
rm -f "$dest"/*.patch
for p in "$tmp/out"/*.patch; do
	# v2-0001-foo.patch -> 0001-foo.patch: stable names across versions
	cp "$p" "$dest/$(basename "$p" | sed 's/^v[0-9]*-//')"
done
for p in "$dest"/[0-9]*.patch; do
	case ${p##*/} in 0000-*) ;; *) echo "${p##*/}" ;; esac
done > "$dest/series"
log "exported $(wc -l < "$dest/series") patches to patches/$ver as $ident"
