#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What netdev's patchwork CI (NIPA) checks on every series, as far as it
# runs here, on the primary series (patches/7.2 by default).
#
# usage: scripts/nipa-check.sh [-s VERSION] [-j JOBS] [CHECK...]
#   format      series_format: tree tag in every subject, a cover letter
#               for 3 or more patches, at most 15 patches
#   checkpatch  checkpatch.pl --strict --codespell --max-line-length=80
#               (the target kernel's own)
#   signedoff   verify_signedoff: a Signed-off-by of the author
#   fixes       verify_fixes: Fixes: tags well formed and naming a commit
#               of the base when it has history
#   kdoc        kernel-doc -none -Wall on the touched files: no new
#               warnings against the unpatched files
#   sh          shellcheck -x on the touched shell scripts: no new findings
#   core        include/net/xfrm_csum.h is scripts/series-core.sh's
#               output (the module's module/core.h), when that exists
#   yamllint    yamllint on module/xfrm_csum.yaml
#   w1          x86-64 gcc build of the touched objects, W=1
#   build32     i386 gcc build of the touched objects, W=1
#   clang       clang build of the touched objects, W=1, LLVM=1: a host
#               clang of at least the kernel's minimum LLVM, else sid's
#               in scripts/build-root.sh clang (skipped with the reason when
#               neither can be had)
#   ynl         the kernel's tools/net/ynl CLI drives the module's family
#               from module/xfrm_csum.yaml in a guest of Debian's 6.12
#               (selftests/netlink_spec.sh)
# Default: all of them.  The builds compare against the same objects
# built from the unpatched source ("no new warnings") and keep their
# object trees in the shared cache, so that a second run only recompiles
# the touched objects (through ccache).  Builds and guests run under
# XFRM_CSUM_SLOT, a command prefix (empty by default).  Prints one line per check and a summary;
# exits 1 if a check failed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

ver=7.2 jobs=2
while getopts s:j:h opt; do
	case $opt in
	s) ver=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) sed -n '4,36s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
checks=("$@")
[ ${#checks[@]} -gt 0 ] ||
	checks=(format checkpatch signedoff fixes kdoc sh core yamllint
		w1 build32 clang ynl)

cache_setup
pdir=$top/patches/$ver
src=$BUILD/src/linux-source-$ver
tree=$BUILD/trees/$ver
out=$BUILD/nipa/$ver
mkdir -p "$out"
read -r -a slot <<< "${XFRM_CSUM_SLOT:-}"
mapfile -t patches < <(grep -v -e '^#' -e '^[[:space:]]*$' "$pdir/series")

results=()
report() {	# report CHECK RESULT DETAIL
	results+=("$(printf '%-11s %-5s %s' "$1" "$2" "$3")")
	log "$1: $2 $3"
}

# The tree with the series applied (reused when it already is)
applied_tree() {
	series_applied "$ver"
}

touched() {	# touched GLOB...: files the series changes
	git -C "$tree" diff --name-only base HEAD -- "$@"
}

check_format() {
	local n=${#patches[@]} bad='' p subj tag

	tag=$(sed -n 's/^Subject: \[PATCH \([a-z-]*\)[] ].*/\1/p' \
		"$pdir/0000-cover-letter.patch" 2>/dev/null)
	case $tag in
	net|net-next|ipsec|ipsec-next|bpf|bpf-next) ;;
	*) bad="no tree tag in the cover letter" ;;
	esac
	[ "$n" -le 15 ] || bad="$n patches (at most 15)"
	[ "$n" -lt 3 ] || [ -f "$pdir/0000-cover-letter.patch" ] ||
		bad="no cover letter for $n patches"
	for p in "${patches[@]}"; do
		subj=$(sed -n 's/^Subject: //p' "$pdir/$p")
		[[ $subj == "[PATCH $tag "* ]] || bad="$p: subject without [PATCH $tag"
	done
	report format "$([ -z "$bad" ] && echo pass || echo FAIL)" \
		"${bad:-$n patches, tag $tag, cover letter}"
}

check_checkpatch() {
	local p res bad=0 n=0

	[ -f "$src/scripts/checkpatch.pl" ] ||
		"$top/scripts/kernel-tree.sh" -s "$ver" >/dev/null
	for p in "${patches[@]}"; do
		res=$(cd "$src" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl \
			--strict --codespell --max-line-length=80 -q \
			--summary-file "$pdir/$p" 2>&1) || true
		if [ -n "$res" ]; then
			echo "$res" >> "$out/checkpatch.log"
			bad=$((bad + 1))
		fi
		n=$((n + 1))
	done
	report checkpatch "$([ $bad = 0 ] && echo pass || echo FAIL)" \
		"$((n - bad)) of $n patches clean"
}

check_signedoff() {
	local p author bad=

	for p in "${patches[@]}"; do
		author=$(sed -n 's/^From: //p' "$pdir/$p" | head -n1)
		grep -qxF "Signed-off-by: $author" "$pdir/$p" ||
			bad="$bad $p"
	done
	report signedoff "$([ -z "$bad" ] && echo pass || echo FAIL)" \
		"${bad:-every patch signed off by its author}"
}

check_fixes() {
	local p line sha bad='' n=0 hist

	hist=$(git -C "$tree" rev-list --count base 2>/dev/null || echo 0)
	for p in "${patches[@]}"; do
		while IFS= read -r line; do
			n=$((n + 1))
			if ! [[ $line =~ ^Fixes:\ ([0-9a-f]{12,40})\ \(\".+\"\)$ ]]; then
				bad="$bad $p: malformed '$line'"
				continue
			fi
			sha=${BASH_REMATCH[1]}
			if [ "$hist" -gt 1 ] &&
			   ! git -C "$tree" cat-file -e "$sha^{commit}" 2>/dev/null; then
				bad="$bad $p: $sha not in the base"
			fi
		done < <(sed -n '/^---$/q; /^Fixes:/p' "$pdir/$p")
	done
	report fixes "$([ -z "$bad" ] && echo pass || echo FAIL)" \
		"${bad:-$n Fixes: tags (the base tarball has no history)}"
}

# kernel-doc warnings of FILE in DIR, without line numbers
kdoc_warnings() {
	[ -f "$1/$2" ] || return 0
	(cd "$1" && PATH=/usr/bin:$PATH ./scripts/kernel-doc -none -Wall "$2" 2>&1) |
		sed -E 's/:[0-9]+:/:/' | sort
}

check_kdoc() {
	local f new=0 n=0

	applied_tree
	: > "$out/kdoc.log"
	while read -r f; do
		n=$((n + 1))
		comm -13 <(kdoc_warnings "$src" "$f") <(kdoc_warnings "$tree" "$f") \
			>> "$out/kdoc.log"
	done < <(touched '*.c' '*.h' | grep -v '^tools/')
	new=$(wc -l < "$out/kdoc.log")
	report kdoc "$([ "$new" = 0 ] && echo pass || echo FAIL)" \
		"$n files, $new new warnings"
}

check_shellcheck() {
	local f new=0 n=0

	applied_tree
	: > "$out/shellcheck.log"
	while read -r f; do
		n=$((n + 1))
		(cd "$tree/$(dirname "$f")" &&
		 shellcheck -x -f gcc "$(basename "$f")" >> "$out/shellcheck.log" 2>&1) ||
			true
	done < <(touched '*.sh')
	new=$(wc -l < "$out/shellcheck.log")
	report shellcheck "$([ "$new" = 0 ] && echo pass || echo FAIL)" \
		"$n scripts, $new findings"
}

check_core() {
	applied_tree
	if [ ! -f "$top/module/core.h" ]; then
		report core skip "module/core.h not there yet"
	elif "$top/scripts/series-core.sh" | cmp -s - "$tree/include/net/xfrm_csum.h"; then
		report core pass "include/net/xfrm_csum.h generated from module/core.h"
	else
		report core FAIL "include/net/xfrm_csum.h differs from module/core.h"
	fi
}

check_yamllint() {
	local spec=$top/module/xfrm_csum.yaml res

	# the layout of the kernel's own specs: "[ a, b ]" lists
	local conf='{extends: default, rules: {brackets: {max-spaces-inside: 1}}}'

	if res=$(yamllint -f parsable -d "$conf" "$spec" 2>&1); then
		report yamllint pass "module/xfrm_csum.yaml"
	else
		echo "$res" > "$out/yamllint.log"
		report yamllint FAIL "$(wc -l < "$out/yamllint.log") findings"
	fi
}

# build NAME SRCDIR ARCH CC: W=1 build of the touched objects that exist
# in SRCDIR (the unpatched source lacks the series' new files) in the
# cached object tree nipa-VER-NAME; warnings and errors, line numbers
# dropped, in $out/NAME.warn
build() {
	local name=$1 dir=$2 arch=$3 cc=$4 obj=$CACHE/obj/nipa-$ver-$1 objs=() f
	local kmake frag run=()

	while read -r f; do
		[ -f "$dir/$f" ] && objs+=("${f%.c}.o")
	done < <(touched '*.c' | grep -v '^tools/')
	# next to the object tree, so that a clean clone finds it unchanged
	frag=$obj.config
	{
		cat "$top/scripts/kconfig/minimal.config"
		[ -f "$top/scripts/kconfig/$ver.config" ] &&
			cat "$top/scripts/kconfig/$ver.config"
		# the compat translation of xfrm_user (x86-64 only)
		echo CONFIG_IA32_EMULATION=y
		echo CONFIG_XFRM_USER_COMPAT=y
	} > "$frag.tmp"
	# unchanged content keeps its mtime, and the object tree its config
	if cmp -s "$frag.tmp" "$frag"; then rm -f "$frag.tmp"; else mv "$frag.tmp" "$frag"; fi
	kmake=(make -s -C "$dir" O="$obj" ARCH="$arch" LOCALVERSION= -j"$jobs")
	case $cc in
	root-clang)
		# sid's clang in scripts/build-root.sh clang (no ccache
		# there), which binds the trees at their real paths: build/src
		# and build/obj are links into the cache
		mkdir -p "$obj"
		dir=$(readlink -f "$dir") obj=$(readlink -f "$obj")
		run=("$top/scripts/build-root.sh" -b "$dir" -b "$obj" clang --)
		kmake=(make -s -C "$dir" O="$obj" ARCH="$arch" LOCALVERSION=
		       -j"$jobs" LLVM=1) ;;
	clang*) kmake+=(LLVM="${cc#clang}" CC="ccache $cc") ;;
	*) kmake+=(CC="ccache gcc" HOSTCC="ccache gcc") ;;
	esac
	mkdir -p "$obj"
	if [ ! -f "$obj/.config" ] || [ "$frag" -nt "$obj/.config" ]; then
		"${run[@]}" "${kmake[@]}" tinyconfig >/dev/null
		"$dir/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
			"$frag" >/dev/null 2>&1
		"${run[@]}" "${kmake[@]}" olddefconfig >/dev/null
	fi
	mapfile -t objs < <(configured_objs "$dir" "$obj/.config" "${objs[@]}")
	# recompiled every time (ccache replays the warnings); -k: one
	# object that fails does not hide the others' warnings
	(cd "$obj" && rm -f "${objs[@]}")
	"${slot[@]}" "${run[@]}" "${kmake[@]}" -k W=1 "${objs[@]}" \
		> "$out/$name.log" 2>&1 ||
		echo "build failed" >> "$out/$name.log"
	grep -E 'warning:|error:|build failed' "$out/$name.log" |
		sed -E "s#$dir/##; s/:[0-9]+:[0-9]+:/:/" | sort -u > "$out/$name.warn" ||
		true
}

# compare CHECK ARCH CC: the touched objects built unpatched and patched
compare() {
	local check=$1 arch=$2 cc=$3 start=$SECONDS new

	applied_tree
	[ -f "$src/Makefile" ] || "$top/scripts/kernel-tree.sh" -s "$ver" >/dev/null
	build "$check-base" "$src" "$arch" "$cc"
	build "$check" "$tree" "$arch" "$cc"
	comm -13 "$out/$check-base.warn" "$out/$check.warn" > "$out/$check.new"
	new=$(wc -l < "$out/$check.new")
	report "$check" "$([ "$new" = 0 ] && echo pass || echo FAIL)" \
		"$new new warnings ($((SECONDS - start)) s; $out/$check.log)"
}

check_clang() {
	local cc='' v need c

	need=$("$src/scripts/min-tool-version.sh" llvm 2>/dev/null || echo 0)
	for c in clang-21 clang-20 clang-19 clang-18 clang-17 clang; do
		command -v "$c" >/dev/null || continue
		v=$("$c" -dumpversion)
		if printf '%s\n%s\n' "$need" "$v" | sort -V -C; then
			cc=$c
			break
		fi
	done
	if [ -z "$cc" ]; then
		# Debian's own: sid's clang in a root of its own (made once,
		# cached), unless XFRM_CSUM_NO_ROOT is set
		if [ -n "${XFRM_CSUM_NO_ROOT:-}" ] || ! command -v mmdebstrap >/dev/null ||
		   ! "$top/scripts/build-root.sh" clang >/dev/null; then
			report clang skip "no clang >= $need here (bookworm's newest is 16) and no sid root with one (scripts/build-root.sh clang)"
			return 0
		fi
		cc=root-clang
	fi
	compare clang x86_64 "$cc"
}

# The kernel's own YNL CLI (the $ver tree's tools/net/ynl) drives the
# module's family from module/xfrm_csum.yaml in a guest of Debian's 6.12
# (the kernel the module's users run; the family is the same on every
# kernel), with the module built for it.
check_ynl() {
	local k=6.12 kdir rel start=$SECONDS res ko build=(true)

	[ -f "$src/tools/net/ynl/pyynl/cli.py" ] ||
		"$top/scripts/kernel-tree.sh" -s "$ver" >/dev/null
	[ -d "$KERNELS/$k" ] || "$top/scripts/fetch-kernels.sh" "$k" >&2
	kdir=$(kernel_dir "$k")
	rel=$(kernel_release "$kdir")
	# make check's modules-6.12 job builds them too: not again (nor under
	# a guest loading them) unless a source is newer
	ko=$BUILD/modules/$rel/xfrm_csum.ko
	if [ ! -f "$ko" ] || [ -n "$(find "$top/module" \
		"$top/scripts/build-modules.sh" -newer "$ko" -print -quit)" ]; then
		build=("${slot[@]}" "$top/scripts/build-modules.sh" "$k")
	fi
	if ! make -s -C "$top/selftests" > "$out/ynl.log" 2>&1 ||
	   ! "${build[@]}" >> "$out/ynl.log" 2>&1; then
		report ynl FAIL "building the module or the test helpers failed ($out/ynl.log)"
		return 0
	fi
	if "${slot[@]}" "$top/scripts/vm-run.sh" -k "$k" -m 1024 -t 900 \
		-e XFRM_CSUM_MODDIR="$BUILD/modules/$rel" -e XFRM_CSUM_KSRC="$src" \
		-- "$top/selftests/run.sh" netlink_spec.sh >> "$out/ynl.log" 2>&1; then
		res=pass
	else
		res=FAIL
	fi
	report ynl $res "netlink_spec.sh on $rel: $(grep -c '^  ok ' "$out/ynl.log") ok, $(grep -c '^  not ok ' "$out/ynl.log") not ok ($((SECONDS - start)) s; $out/ynl.log)"
}

start=$SECONDS
for c in "${checks[@]}"; do
	case $c in
	format)		check_format ;;
	checkpatch)	check_checkpatch ;;
	signedoff)	check_signedoff ;;
	fixes)		check_fixes ;;
	kdoc)		check_kdoc ;;
	sh|shellcheck)	check_shellcheck ;;
	core)		check_core ;;
	yamllint)	check_yamllint ;;
	w1)		compare w1 x86_64 gcc ;;
	build32)	compare build32 i386 gcc ;;
	clang)		check_clang ;;
	ynl)		check_ynl ;;
	*)		die "unknown check $c" ;;
	esac
done

echo "NIPA-style checks on patches/$ver ($((SECONDS - start)) s):"
printf '  %s\n' "${results[@]}"
! printf '%s\n' "${results[@]}" | grep -q '^[^ ]* *FAIL'
