#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The man pages: lint-clean for mandoc -T lint, man --warnings and
# groff -ww; xfrm-csum --help and xfrm-csum(8) list the same commands and
# options (help-man.py); xfrm-csum(8) names every Prometheus family and
# every JSON key the tool prints (the samples tests/unit rendered, the
# schema) and every exit code.
#
# usage: tests/man.sh BINARY OUTDIR PAGE...   (xfrm-csum.8 first)
set -u
bin=${1:?usage: $0 BINARY OUTDIR PAGE...}
out=${2:?usage: $0 BINARY OUTDIR PAGE...}
shift 2
here=$(dirname "$0")
fail=0 n=0

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# lint NAME CMD...: the command prints nothing and exits 0.
lint() {
	local name=$1 msg rc

	shift
	msg=$("$@" 2>&1 >/dev/null)
	rc=$?
	[ -n "$msg" ] && echo "$msg" | sed 's/^/#   /'
	[ $rc = 0 ] && [ -z "$msg" ]
	result $? "$name"
}

echo "TAP version 13"
for page in "$@"; do
	p=$(basename "$page")
	if command -v mandoc >/dev/null; then
		lint "mandoc -T lint $p" mandoc -T lint "$page"
	else
		skip "mandoc -T lint $p" "mandoc not installed"
	fi
	if command -v man >/dev/null; then
		lint "man --warnings $p" env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page"
	else
		skip "man --warnings $p" "man not installed"
	fi
	if command -v groff >/dev/null; then
		lint "groff -ww $p" env LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page"
	fi
done

page=$1
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if ! command -v man >/dev/null || [ -z "$py" ]; then
	skip "--help and $page compared" "man or python3 missing"
	echo "1..$n"
	exit $fail
fi
"$py" "$here/help-man.py" "$bin" "$page"
result $? "xfrm-csum --help and $(basename "$page") list the same commands and options"

text=$(LC_ALL=C MANWIDTH=200 man -l "$page" 2>/dev/null | sed 's/.\x08//g')
missing=
for fam in $(sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' "$out/metrics.prom" |
	     grep -vE '^xfrm_csum_(sa_packets_[a-z_]+_total|global_.*)$'); do
	grep -qF -- "$fam" <<< "$text" || missing="$missing $fam"
done
[ -z "$missing" ] || echo "#   not in the page:$missing"
[ -z "$missing" ]
result $? "$(basename "$page") names every Prometheus family (but per-SA and global copies)"

missing=
for key in $("$py" -c '
import json, sys
s = json.load(open(sys.argv[1]))["$defs"]
for d in ("config", "stats", "sa", "peer", "event"):
    print(" ".join(s[d]["properties"]))
' "$here/../xfrm-csum.schema.json"); do
	grep -qE -- "(^|[^a-z_])$key([^a-z_]|$)" <<< "$text" || missing="$missing $key"
done
[ -z "$missing" ] || echo "#   not in the page:$missing"
[ -z "$missing" ]
result $? "$(basename "$page") names every JSON key of the schema"

for w in "EXIT STATUS" "xfrm_csum module not loaded" "too old" "CAP_NET_ADMIN"; do
	grep -qF -- "$w" <<< "$text"
	result $? "$(basename "$page") documents '$w'"
done
echo "1..$n"
exit $fail
