# SPDX-License-Identifier: GPL-2.0
#
# xfrm-csum: top-level entry points.  See README.
#
#   make demo     boot a 6.12 guest, reproduce the poison packet, show the fix
#   make check    every test on both Debian kernels and the patched kernel
#   make bench    throughput ratios, side by side in one guest boot

SHELL := /bin/bash
top := $(CURDIR)
export BUILD ?= $(top)/build

.PHONY: all deps kernels demo check bench deb dkms-install clean

all: kernels

deps:
	scripts/install-deps.sh

kernels: deps
	scripts/fetch-kernels.sh all

demo: kernels
	scripts/demo.sh

check: kernels
	scripts/check.sh

bench: kernels
	scripts/bench.sh

deb: deps
	scripts/build-deb.sh

dkms-install: deps
	scripts/dkms-install.sh

clean:
	rm -rf $(BUILD)
