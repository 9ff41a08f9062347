# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for the host-side scripts.  Sourced, not run.

top=${top:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$top/build}
KERNELS=$BUILD/kernels

# Kernel sources, trees, object trees and kernels built from source live in
# a cache outside the clone, so that a fresh clone with unchanged inputs
# does not rebuild them (README: "make clean-cache" empties it).  ccache
# keeps the compiler's work for the builds whose inputs did change.
CACHE=${XFRM_CSUM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xfrm-csum}
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_COMPILERCHECK=${CCACHE_COMPILERCHECK:-content}
export CCACHE_NOHASHDIR=1

# The scripts run make themselves and read its output (kernelrelease):
# flags of a make that started them, such as the -w that `make -C DIR`
# passes down, must not leak in.
unset MAKEFLAGS MFLAGS MAKELEVEL

# cache_setup: build/src, build/trees and build/obj point into the cache.
cache_setup() {
	local d

	mkdir -p "$BUILD" "$KERNELS" "$CACHE"/{src,trees,obj,kernels,locks}
	for d in src trees obj; do
		[ -L "$BUILD/$d" ] && continue
		if [ -d "$BUILD/$d" ]; then
			# an older clone kept them inside: move them out once
			cp -a "$BUILD/$d/." "$CACHE/$d/" && rm -rf "${BUILD:?}/$d"
		fi
		ln -sfn "$CACHE/$d" "$BUILD/$d"
	done
}

# with_lock NAME CMD...: run CMD, a command or one of the caller's
# functions, holding a lock shared by every clone that uses the cache (one
# tree or object tree is never built by two at once).  Under set -e a
# failing CMD ends the script, which drops the lock.
with_lock() {
	local name=$1 fd rc

	shift
	mkdir -p "$CACHE/locks"
	exec {fd}> "$CACHE/locks/$name"
	flock "$fd"
	"$@"
	rc=$?
	exec {fd}>&-
	return "$rc"
}

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Directory of an extracted or source-built kernel: a series ("6.12"), a
# release, or a path.
kernel_dir() {
	local k=$1

	if [ -d "$k" ]; then
		readlink -f "$k"
	elif [ -d "$KERNELS/$k" ]; then
		readlink -f "$KERNELS/$k"
	else
		die "kernel '$k' not found (run scripts/fetch-kernels.sh)"
	fi
}

# Module directory of an extracted or built kernel: lib/modules/REL, or
# usr/lib/modules/REL for packages from a merged-/usr Debian (7.x).
kernel_moddir() {
	local d

	for d in "$1"/lib/modules/*/ "$1"/usr/lib/modules/*/; do
		[ -d "$d" ] && { echo "${d%/}"; return; }
	done
	die "no lib/modules/RELEASE under $1"
}

kernel_release() {
	local d

	d=$(kernel_moddir "$1") || return 1
	basename "$d"
}

# apt for Debian unstable ("sid"), where the newest kernel is: its own source
# list and state under build/apt-sid, never the host's.  The mirror is the
# one the host's apt uses for Debian (XFRM_CSUM_MIRROR overrides).  sid's
# Release may be past its Valid-Until on a mirror snapshot; its signature is
# still checked.
SID_APT=$BUILD/apt-sid

debian_mirror() {
	local uri

	uri=${XFRM_CSUM_MIRROR:-}
	# shellcheck disable=SC2016 # apt's format, not a shell expansion
	[ -n "$uri" ] || uri=$(apt-get indextargets --format '$(REPO_URI)' \
				'Created-By: Packages' 'Label: Debian' | head -n1)
	if [ -z "$uri" ]; then
		# lists not downloaded yet: the entry for the host's own suite
		# shellcheck disable=SC2016 source=/dev/null
		uri=$(. /etc/os-release && apt-get indextargets --format '$(REPO_URI)' \
			'Created-By: Packages' "Release: $VERSION_CODENAME" | head -n1)
	fi
	[ -n "$uri" ] || die "no Debian mirror in the apt sources; set XFRM_CSUM_MIRROR"
	echo "${uri%/}"
}

# sid_apt apt-get|apt-cache ARGS...
sid_apt() {
	local tool=$1

	shift
	"$tool" -o Dir::Etc::SourceList="$SID_APT/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts=/dev/null \
		-o Dir::State::Lists="$SID_APT/lists" \
		-o Dir::State::status=/dev/null \
		-o Dir::Cache="$SID_APT/cache" \
		-o Acquire::Check-Valid-Until=false \
		-o APT::Architecture=amd64 -o APT::Architectures=amd64 \
		-o APT::Sandbox::User=root "$@"
}

# sid_update [force]: refresh the sid list when older than six hours (or
# forced); an old list is kept if the mirror cannot be reached.
sid_update() {
	local mirror

	mkdir -p "$SID_APT"/lists/partial "$SID_APT"/cache/archives/partial
	mirror=$(debian_mirror)
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror sid main" \
		> "$SID_APT/sources.list.new"
	if ! cmp -s "$SID_APT/sources.list.new" "$SID_APT/sources.list"; then
		mv "$SID_APT/sources.list.new" "$SID_APT/sources.list"
		set -- force
	fi
	rm -f "$SID_APT/sources.list.new"
	if [ -z "${1:-}" ] && [ -n "$(find "$SID_APT/lists" -maxdepth 1 \
			-name '*_sid_*Packages*' -mmin -360)" ]; then
		return 0
	fi
	log "refreshing the sid package list"
	sid_apt apt-get update -q >&2 && return 0
	[ -n "$(find "$SID_APT/lists" -maxdepth 1 -name '*_sid_*Packages*')" ] ||
		die "cannot download the sid package list"
	log "using the old sid package list"
}

# Print kernel-log lines that must fail a test run; true if there were any.
splats() {
	grep -E -A 20 'WARNING:|BUG:|KASAN:|UBSAN:|kernel BUG|Oops|general protection fault|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|rcu: INFO|INFO: rcu_|INFO: task .* blocked|lockdep is turned off|refcount_t: |list_(add|del) corruption|stack-protector|Call Trace' "$1"
}

# configured_objs SRC CONFIG OBJ...: print the OBJs (dir/name.o) that
# CONFIG builds: the directory Makefile's line naming name.o (with its
# continuations) is obj-y, or obj-$(CONFIG_X) with CONFIG_X=y or m.  An
# object that is built only for another configuration (xfrm_compat.o
# without IA32_EMULATION, say) does not compile on its own.
configured_objs() {
	local src=$1 config=$2 o sym

	shift 2
	for o in "$@"; do
		sym=$(awk -v name="${o##*/}" '
			/\\$/ { line = line substr($0, 1, length($0) - 1) " "; next }
			{ line = line $0 }
			{
				n = split(line, w, /[ \t]+/)
				for (i = 1; i <= n; i++)
					if (w[i] == name) {
						if (match(line, /obj-\$\(CONFIG_[A-Za-z0-9_]+\)/))
							print substr(line, RSTART + 6, RLENGTH - 7)
						else if (line ~ /obj-y/)
							print "y"
						exit
					}
				line = ""
			}' "$src/$(dirname "$o")/Makefile")
		case $sym in
		y) echo "$o" ;;
		CONFIG_*) grep -qE "^$sym=[ym]$" "$config" && echo "$o" ;;
		esac
	done
	return 0
}

# series_applied VERSION: build/trees/VERSION with patches/VERSION applied
# (scripts/kernel-tree.sh), unless it already holds exactly that: git am
# rewrites the headers the series touches, and most of net/ would be
# rebuilt for nothing.  The stamp, in the tree's git directory, is shared
# by every clone using the cache: the series' hash and the tree (content)
# it gave.
series_applied() {
	local ver=$1 tree=$BUILD/trees/$1 stamp want

	want=$(cd "$top/patches/$ver" &&
	       grep -v -e '^#' -e '^[[:space:]]*$' series | xargs cat series |
	       sha256sum | cut -d' ' -f1)
	stamp=$tree/.git/xfrm-csum-applied
	if [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$want" ] &&
	   [ "$(tail -n1 "$stamp")" = "$(git -C "$tree" rev-parse 'HEAD^{tree}' 2>/dev/null)" ] &&
	   git -C "$tree" diff --quiet HEAD 2>/dev/null; then
		log "patches/$ver already applied in $tree"
		return 0
	fi
	log "applying patches/$ver onto linux-source-$ver"
	rm -f "$stamp"
	"$top/scripts/kernel-tree.sh" "$ver" >/dev/null
	printf '%s\n%s\n' "$want" "$(git -C "$tree" rev-parse 'HEAD^{tree}')" > "$stamp"
}
