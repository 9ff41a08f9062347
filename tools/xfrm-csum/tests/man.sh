#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The man page renders without groff warnings, and documents every
# command and option the usage text lists, and every exit code.
#
# usage: tests/man.sh xfrm-csum.8 [PATH_TO_XFRM_CSUM]
set -u
page=${1:?usage: $0 PAGE [BINARY]}
bin=${2:-./xfrm-csum}
fail=0 n=0

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

echo "TAP version 13"
if command -v groff >/dev/null; then
	warn=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$warn" ]
	result $? "groff -ww renders $page without warnings"
	[ -n "$warn" ] && echo "$warn" | sed 's/^/#   /'
fi
if command -v man >/dev/null; then
	text=$(MANWIDTH=80 man -l "$page" 2>&1)
	result $? "man -l renders $page"
else
	text=$(cat "$page")
fi
text=$(tr -d '\b' <<< "$text" | sed 's/\xe2\x80\x90/-/g')
words=$("$bin" --help | grep -oE '^  (-[a-zA-Z], )?--?[a-z-]+|^  [a-z]+( sa)?' | sed 's/^ *//; s/,.*//')
for w in $words; do
	grep -qF -- "$w" <<< "$text"
	result $? "man page documents '$w'"
done
for w in "--pcap" "--count" "--format" "--no-sa" "learn-packets" "event-rate" \
	 "event-snaplen" "relearn" "orig" "xfrm_csum_packets_checked_total" "EXIT STATUS"; do
	grep -qF -- "$w" <<< "$text"
	result $? "man page documents '$w'"
done
echo "1..$n"
exit $fail
