#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The packaged install path, inside the test guest: dpkg -i the
# xfrm-csum-dkms package built on the host (scripts/build-deb.sh, into
# build/deb/), check that DKMS built and installed xfrm_csum.ko for the
# running kernel, that "modprobe xfrm_csum" loads that module (with the
# options of the packaged modprobe.d example), that xfrm-csum-tools talks
# to it, then purge both packages and check nothing is left behind.
#
# It installs packages, so it refuses to run outside the guest (where
# vm-run.sh bind-mounts /lib/modules/REL and every write lands in a tmpfs
# overlay thrown away at power-off).
#
# Environment: XFRM_CSUM_DEB_DIR (default build/deb of this tree),
# XFRM_CSUM_DKMS=0 to skip (the compile takes minutes under TCG).

source "$(dirname "$0")/lib.sh"

DEB_DIR=${XFRM_CSUM_DEB_DIR:-$SELFTEST_DIR/../build/deb}
REL=$(uname -r)
MODDIR=/lib/modules/$REL
NAME=xfrm-csum
OPTS_FILE=/etc/modprobe.d/xfrm_csum.conf

[ "${XFRM_CSUM_DKMS:-1}" = 0 ] && ksft_skip_all "XFRM_CSUM_DKMS=0"
require_root
require_cmd dpkg dkms make gcc modprobe modinfo depmod
mountpoint -q "$MODDIR" && [ "$(hostname)" = vm ] ||
	ksft_skip_all "installs packages: runs only inside the test guest (scripts/vm-run.sh)"
DKMS_DEB=$(ls "$DEB_DIR"/xfrm-csum-dkms_*_all.deb 2>/dev/null | tail -n1)
TOOLS_DEB=$(ls "$DEB_DIR"/xfrm-csum-tools_*_"$(dpkg --print-architecture)".deb 2>/dev/null | tail -n1)
[ -n "$DKMS_DEB" ] ||
	ksft_skip_all "no xfrm-csum-dkms package in $DEB_DIR: run 'make deb' (scripts/build-deb.sh) on the host first"
[ -d "$MODDIR/build/include" ] ||
	ksft_skip_all "no kernel headers at $MODDIR/build for $REL"
# DKMS builds with the compiler the kernel was built with, as a user's
# linux-headers package pulls it in (Debian's 7.x: gcc-16 from unstable).
CC_NAME=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$MODDIR/build/.config")
[ -z "$CC_NAME" ] || command -v "$CC_NAME" > /dev/null ||
	ksft_skip_all "the headers of $REL build with $CC_NAME, which is not installed"
VERSION=$(dpkg-deb --show --showformat='${Version}' "$DKMS_DEB")
VERSION=${VERSION%%-*}

# dkms uses <(...), which needs /dev/fd; the guest's devtmpfs has none.
if [ ! -e /dev/fd ]; then
	ln -s /proc/self/fd /dev/fd
	defer rm -f /dev/fd
fi
# The man-db trigger rebuilds the whole man index: minutes under TCG.
MANDB_AUTO=/var/lib/man-db/auto-update
if [ -e $MANDB_AUTO ]; then
	mv $MANDB_AUTO $MANDB_AUTO.off
	defer mv $MANDB_AUTO.off $MANDB_AUTO
fi
LOG=$(mktemp)
defer rm -f "$LOG"

purge() {
	modprobe -r xfrm_csum 2>/dev/null
	rm -f $OPTS_FILE
	dpkg --purge xfrm-csum-tools xfrm-csum-dkms > /dev/null 2>&1
}
defer purge

# Whatever loaded xfrm_csum before (an insmod'ed build) must go, so that
# modprobe below really loads what DKMS installed.
if [ -d /sys/module/xfrm_csum ]; then
	unload_module xfrm_csum ||
		ksft_skip_all "xfrm_csum is loaded and cannot be unloaded"
fi

ktap_header
ktap_plan 6
ktap_msg "kernel $REL, $(basename "$DKMS_DEB"), $(basename "${TOOLS_DEB:-no tools package}")"

# 1. dpkg -i: the postinst runs "dkms add/build/install" for this kernel.
start=$SECONDS
if dpkg -i "$DKMS_DEB" > "$LOG" 2>&1; then
	status=$(dkms status -m $NAME -v "$VERSION" -k "$REL")
	ko=$(find "$MODDIR/updates" -name 'xfrm_csum.ko*' 2>/dev/null | head -n1)
	detail="built and installed in $((SECONDS - start)) s: $status, $ko"
	if [[ $status == *installed* ]] && [ -n "$ko" ]; then
		ktap_pass "dpkg -i xfrm-csum-dkms: DKMS builds xfrm_csum for $REL"
		ktap_msg "  $detail"
	else
		ktap_fail "dpkg -i xfrm-csum-dkms: DKMS builds xfrm_csum for $REL" "$detail"
		sed 's/^/# /' "$LOG"
	fi
else
	ktap_fail "dpkg -i xfrm-csum-dkms: DKMS builds xfrm_csum for $REL" "dpkg -i failed after $((SECONDS - start)) s"
	sed 's/^/# /' "$LOG"
	find /var/lib/dkms -name make.log -exec tail -n 30 {} \; | sed 's/^/# make.log: /'
fi

# 2. modprobe finds the DKMS module and it comes up.
path=$(modinfo -n xfrm_csum 2>/dev/null)
vermagic=$(modinfo -F vermagic xfrm_csum 2>/dev/null)
if [[ $path == $MODDIR/updates/* ]] && [ "${vermagic%% *}" = "$REL" ] &&
   modprobe xfrm_csum 2>"$LOG" && [ -d /sys/kernel/xfrm_csum ]; then
	ktap_pass "modprobe xfrm_csum loads the DKMS build"
	ktap_msg "  $path, vermagic $vermagic, mode $(cat /sys/module/xfrm_csum/parameters/mode)"
else
	ktap_fail "modprobe xfrm_csum loads the DKMS build" "modinfo: ${path:-none} ($vermagic); $(cat "$LOG")"
fi

# 3. The packaged modprobe.d example sets the options at load.
example=/usr/share/doc/xfrm-csum-dkms/examples/modprobe.d/xfrm_csum.conf
want=$(sed -n 's/^options xfrm_csum .*mode=\([a-z]*\).*/\1/p' "$example" 2>/dev/null)
if [ -f "$example" ] && [ -n "$want" ] && cp "$example" $OPTS_FILE &&
   modprobe -r xfrm_csum && modprobe xfrm_csum &&
   [ "$(cat /sys/module/xfrm_csum/parameters/mode)" = "$want" ]; then
	ktap_pass "modprobe.d example applies (mode=$want)"
else
	ktap_fail "modprobe.d example applies" "example ${example}: mode wanted '${want}', got '$(cat /sys/module/xfrm_csum/parameters/mode 2>/dev/null)'"
fi
rm -f $OPTS_FILE

# 4. The client from xfrm-csum-tools reads the module; man pages installed.
if [ -z "$TOOLS_DEB" ]; then
	ktap_skip "xfrm-csum-tools: client and man pages" "no tools package"
elif dpkg -i "$TOOLS_DEB" > "$LOG" 2>&1 && /usr/sbin/xfrm-csum stats > "$LOG" 2>&1 &&
     [ -f /usr/share/man/man8/xfrm-csum.8.gz ] && [ -f /usr/share/man/man4/xfrm_csum.4.gz ]; then
	ktap_pass "xfrm-csum-tools: client and man pages"
	sed 's/^/#   /' "$LOG"
else
	ktap_fail "xfrm-csum-tools: client and man pages" "$(tail -n 5 "$LOG" | tr '\n' ' ')"
fi

# 5. Unload.
if modprobe -r xfrm_csum && [ ! -d /sys/module/xfrm_csum ]; then
	ktap_pass "modprobe -r xfrm_csum"
else
	ktap_fail "modprobe -r xfrm_csum" "module still loaded"
fi

# 6. Purge: module, DKMS tree and source gone.
dpkg --purge xfrm-csum-tools xfrm-csum-dkms > "$LOG" 2>&1
left=$(find "$MODDIR" /var/lib/dkms/$NAME /usr/src/$NAME-"$VERSION" \
	-name 'xfrm_csum.ko*' -o -name dkms.conf -path "*$NAME*" 2>/dev/null)
if [ -z "$left" ] && [ -z "$(dkms status -m $NAME 2>/dev/null)" ] &&
   ! modinfo xfrm_csum > /dev/null 2>&1; then
	ktap_pass "dpkg --purge removes module, DKMS tree and sources"
else
	ktap_fail "dpkg --purge removes module, DKMS tree and sources" "left: $left $(dkms status -m $NAME)"
fi
ktap_finish
