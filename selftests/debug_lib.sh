# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for tests that lean on the kernel's own checkers, as built into
# the debug kernel (scripts/kconfig/debug.config): kernel log splats since
# a mark, and kmemleak scans attributed to the project's modules.  Each
# helper says when the running kernel lacks what it needs.  Sourced after
# lib.sh.

KMEMLEAK=/sys/kernel/debug/kmemleak

# What scripts/common.sh splats() fails a guest run on, and debugobjects.
KLOG_SPLAT_RE='WARNING:|BUG:|KASAN:|UBSAN:|kernel BUG|Oops|general protection fault|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|rcu: INFO|INFO: rcu_|INFO: task .* blocked|lockdep is turned off|refcount_t: |list_(add|del) corruption|stack-protector|ODEBUG:|Call Trace'

# --- kernel log ---------------------------------------------------------------

# klog_mark: write a unique line into the kernel log and print it.  A mark
# survives wrap-around better than a line count.
klog_mark() {
	local mark

	mark="xfrm-csum-selftest-mark-$(mktemp -u XXXXXXXX)"
	echo "$mark" > /dev/kmsg
	echo "$mark"
}

# klog_since MARK: the kernel log after MARK (all of it if MARK is gone).
klog_since() {
	dmesg | awk -v m="$1" 'f { print } index($0, m) { f = 1 } END { if (!f) exit 1 }' ||
		dmesg
}

# klog_splats MARK: print the splats logged after MARK; true if any.
klog_splats() {
	klog_since "$1" | grep -E -A 20 "$KLOG_SPLAT_RE"
}

# klog_clean MARK: true if nothing splatted since MARK; otherwise print the
# splats as KTAP diagnostics and set KLOG_FIRST to the first splat line.
klog_clean() {
	local splat line

	KLOG_FIRST=
	splat=$(klog_splats "$1") || return 0
	# shellcheck disable=SC2034 # read by the tests
	KLOG_FIRST=$(grep -m1 -E "$KLOG_SPLAT_RE" <<< "$splat")
	while IFS= read -r line; do
		echo "# $line"
	done <<< "$splat"
	return 1
}

# --- kmemleak -----------------------------------------------------------------

kmemleak_available() {
	# refused unless kmemleak is enabled; stops a periodic scan (kernels
	# with DEBUG_KMEMLEAK_AUTO_SCAN) that would report in the middle
	[ -e "$KMEMLEAK" ] && echo scan=off 2>/dev/null > "$KMEMLEAK"
}

# kmemleak_scan: one full scan.  An object is reported once it has been
# unreferenced for 5 s and unchanged over two scans, so scan twice.
kmemleak_scan() {
	echo scan > "$KMEMLEAK" && echo scan > "$KMEMLEAK"
}

# kmemleak_forget: scan, then stop reporting every current suspect (boot
# time allocations, earlier tests): what follows is judged on its own.
kmemleak_forget() {
	kmemleak_scan && echo clear > "$KMEMLEAK"
}

# kmemleak_text_ranges MODULE...: the code of the loaded MODULEs as
# "START END NAME" lines (hex, END exclusive): each .text* section's
# address from sysfs and its size from the module file.  Taken before an
# unload, it attributes the raw addresses kmemleak prints for frames of a
# module that is gone.
kmemleak_text_ranges() {
	local m ko sec addr size

	for m in "$@"; do
		[ -d "/sys/module/$m/sections" ] || continue
		ko=$(modinfo -n "$m" 2>/dev/null)
		[ -f "$ko" ] || ko=${XFRM_CSUM_MODDIR:-}/$m.ko
		[ -f "$ko" ] || continue
		while read -r sec size; do
			[ -r "/sys/module/$m/sections/$sec" ] || continue
			addr=$(cat "/sys/module/$m/sections/$sec")
			printf '%x %x %s\n' "$addr" $((addr + 0x$size)) "$m"
		done < <(readelf -SW "$ko" |
			 sed -n 's/^ *\[ *[0-9]*\] \(\.[^ ]*text[^ ]*\) *PROGBITS *[0-9a-f]\{16\} [0-9a-f]\{6,\} \([0-9a-f]\{6,\}\) .*/\1 \2/p')
	done
}

# kmemleak_report RANGES MODULE...: read the suspects and classify each.
# A suspect is attributable to the modules when a frame of its allocation
# backtrace names one of them ("func+0x1/0x2 [MODULE]") or, the module
# being unloaded, is a raw address inside RANGES (a file written by
# kmemleak_text_ranges before the unload; may be empty).  Prints every
# suspect, attributable ones first line prefixed "LEAK", others
# "suspect"; the last line is "attributable=N other=M".
kmemleak_report() {
	local ranges=$1 mods

	shift
	mods=$(IFS='|'; echo "$*")
	awk -v mods="$mods" -v ranges="$ranges" '
	function flush() {
		if (rec == "")
			return
		if (attr) {
			nattr++
			printf "LEAK %s", rec
		} else {
			nother++
			printf "suspect %s", rec
		}
		rec = ""
	}
	# hex strings of one length compare like the numbers they spell
	function pad(h) {
		sub(/^0x/, "", h)
		while (length(h) < 16)
			h = "0" h
		return tolower(h)
	}
	BEGIN {
		n = 0
		while ((getline line < ranges) > 0) {
			split(line, f, " ")
			lo[n] = pad(f[1])
			hi[n] = pad(f[2])
			n++
		}
	}
	/^unreferenced object/ { flush(); rec = $0 "\n"; attr = 0; next }
	rec != "" {
		rec = rec $0 "\n"
		if (mods != "" && $0 ~ ("\\[(" mods ")\\]$"))
			attr = 1
		if (NF == 1 && $1 ~ /^0x[0-9a-f]+$/) {
			a = pad($1)
			for (i = 0; i < n; i++)
				if (a >= lo[i] && a < hi[i])
					attr = 1
		}
	}
	END { flush(); printf "attributable=%d other=%d\n", nattr, nother }
	' "$KMEMLEAK"
}
