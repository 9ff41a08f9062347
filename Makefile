# SPDX-License-Identifier: GPL-2.0
#
# xfrm-csum: top-level entry points.  See README.
#
#   make demo     boot a 6.12 guest, reproduce the poison packet, show the fix
#   make check    every test, each where it adds information (scripts/check-plan.sh)
#   make check-quick  the host jobs and the core tests on Debian's 6.12
#   make bench    throughput ratios, side by side in one guest boot

SHELL := /bin/bash
top := $(CURDIR)
export BUILD ?= $(top)/build

.PHONY: all deps kernels demo check check-quick bench deb dkms-install clean clean-cache

all: kernels

deps:
	scripts/install-deps.sh

kernels: deps
	scripts/fetch-kernels.sh all

demo: kernels
	scripts/demo.sh

check: kernels
	scripts/check.sh

check-quick: kernels
	scripts/check.sh -q

bench: kernels
	scripts/bench.sh

deb: deps
	scripts/build-deb.sh

dkms-install: deps
	scripts/dkms-install.sh

clean:
	rm -rf $(BUILD)

# Kernel sources, trees and builds kept across clones (scripts/common.sh)
clean-cache:
	rm -rf $${XFRM_CSUM_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/xfrm-csum}
