#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# apt-get/apt-cache on Debian sid without touching the host's apt setup:
# a source list, package lists and caches of its own under build/apt-sid.
#
# usage: scripts/sid-apt.sh apt-get|apt-cache ARGS...
#   e.g. scripts/sid-apt.sh apt-get download linux-source-7.2
#
# The lists are fetched once and refreshed after a day.  sid's Release
# file is often past its Valid-Until on mirrors that lag, so that check
# is off; signatures are still checked against the host's keyrings.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

[ $# -ge 1 ] || die "usage: $0 apt-get|apt-cache ARGS..."
tool=$1
shift
case $tool in
apt-get|apt-cache) ;;
*) die "$tool: only apt-get and apt-cache" ;;
esac

dir=$BUILD/apt-sid
mkdir -p "$dir"/{lists/partial,cache/archives/partial,etc/preferences.d}
: > "$dir/status"
uri=${XFRM_CSUM_SID_MIRROR:-http://deb.debian.org/debian}
printf 'deb [arch=amd64] %s sid main\n' "$uri" > "$dir/etc/sources.list"

opts=(
	-o Dir::Etc::SourceList="$dir/etc/sources.list"
	-o Dir::Etc::SourceParts=/dev/null
	-o Dir::Etc::Preferences="$dir/etc/preferences"
	-o Dir::Etc::PreferencesParts="$dir/etc/preferences.d"
	-o Dir::State::Lists="$dir/lists"
	-o Dir::State::status="$dir/status"
	-o Dir::Cache="$dir/cache"
	-o Acquire::Check-Valid-Until=false
	-o APT::Architecture=amd64
	-o APT::Architectures=amd64
	-o Debug::NoLocking=1
)

stamp=$dir/lists/.updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
	log "sid: apt-get update (lists under $dir)"
	with_lock apt-sid apt-get -q "${opts[@]}" update >&2
	touch "$stamp"
fi
exec "$tool" "${opts[@]}" "$@"
