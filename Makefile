# xskdump: `make test` and `make demo` each work alone on a fresh Debian 12
# machine: they install what they need first (make deps).
SHELL := /bin/bash
.DEFAULT_GOAL := build

DENO_VERSION := 2.9.6
TOOLS := .tools
DENO := $(TOOLS)/node_modules/.bin/deno
BUILD := build
LIBDIR := /usr/lib/x86_64-linux-gnu

APT_PKGS := gcc make libc6-dev libxdp-dev libbpf-dev libelf-dev zlib1g-dev libzstd-dev \
	libpcap-dev clang llvm iproute2 iputils-ping ethtool tcpreplay tshark tcpdump bpftool \
	netsniff-ng libcap2-bin procps gnuplot-nox xdp-tools
DEPS_STAMP := $(TOOLS)/.deps-$(DENO_VERSION)

CFLAGS := -O2 -g -Wall -Wextra -Werror -fPIC -std=gnu11
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -I/usr/include/$(shell gcc -dumpmachine)

SHIM := $(BUILD)/libxskdump.so
BPF_OBJ := $(BUILD)/xskdump.bpf.o
TAP_BPF_OBJ := $(BUILD)/xskdump_tap.bpf.o
C_TESTS := $(BUILD)/test_shim $(BUILD)/test_ledger $(BUILD)/test_filter $(BUILD)/test_ringbuf

.PHONY: deps build test test-unit test-c test-integration demo bench dist bundle dist-perms clean check fmt lint soak

deps: $(DEPS_STAMP)

# apt-get only when a package is missing, so repeated runs stay fast.
$(DEPS_STAMP): Makefile
	@missing=$$(for p in $(APT_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	mkdir -p $(TOOLS)
	[ -f $(TOOLS)/package.json ] || echo '{"name":"xskdump-tools","private":true}' > $(TOOLS)/package.json
	[ -x $(DENO) ] && $(DENO) --version | grep -q "^deno $(DENO_VERSION) " || \
		npm install --prefix $(TOOLS) --no-audit --no-fund deno@$(DENO_VERSION)
	$(DENO) install --quiet
	touch $@

build: $(SHIM)

$(BPF_OBJ): bpf/xskdump.bpf.c bpf/xskdump_abi.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -c $< -o $@

# -mcpu=v3: clang 14 keeps the bounds of a variable copy length where the verifier can see them.
$(TAP_BPF_OBJ): bpf/xskdump_tap.bpf.c bpf/xskdump_abi.h bpf/uapi_next.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -mcpu=v3 -c $< -o $@

# Debian's libelf.a minus the one object that cannot live in a .so
# (see csrc/static_compat.c).
$(BUILD)/libelf-pic.a: $(LIBDIR)/libelf.a
	@mkdir -p $(@D)
	cp $< $@ && ar d $@ elf_error.o

$(BUILD)/embed.o: csrc/embed.S $(BPF_OBJ)
	gcc -c -DXSKDUMP_BPF_OBJ='"$(BPF_OBJ)"' $< -o $@

$(BUILD)/embed_tap.o: csrc/embed_tap.S $(TAP_BPF_OBJ)
	gcc -c -DXSKDUMP_TAP_BPF_OBJ='"$(TAP_BPF_OBJ)"' $< -o $@

# The shim's sources in the layer order of csrc/shim.h (tests/unit/abi_test.ts
# checks both lists against it), then the link glue: static_compat.c and
# pcap_compat.c (Debian's static archives into a .so; libdbus stand-ins).
# filter.c compiles with libpcap and cannot share a translation unit with
# libbpf: both define struct bpf_insn.
SHIM_SRCS := $(addprefix csrc/,error.c host.c share.c prog.c filter.c filter_prog.c ledger.c \
	fault.c sock.c rings.c ringbuf.c tap.c proc.c static_compat.c pcap_compat.c)

$(SHIM): $(SHIM_SRCS) $(wildcard csrc/*.h) csrc/libxskdump.map bpf/xskdump_abi.h bpf/uapi_next.h \
		$(BUILD)/embed.o $(BUILD)/embed_tap.o $(BUILD)/libelf-pic.a
	gcc $(CFLAGS) -shared -o $@ $(SHIM_SRCS) $(BUILD)/embed.o $(BUILD)/embed_tap.o \
		-Wl,--version-script=csrc/libxskdump.map -Wl,--no-undefined -Wl,-z,noexecstack \
		-Wl,--exclude-libs,ALL -Wl,-Bstatic -lxdp -lbpf $(BUILD)/libelf-pic.a -lpcap -lz -lzstd \
		-Wl,-Bdynamic

$(BUILD)/test_shim: tests/c/test_shim.c tests/c/expect.h $(SHIM)
	gcc $(CFLAGS) -o $@ $< -L$(BUILD) -lxskdump -Wl,-rpath,'$$ORIGIN'

$(BUILD)/test_filter: tests/c/test_filter.c tests/c/expect.h $(SHIM)
	gcc $(CFLAGS) -o $@ $< -L$(BUILD) -lxskdump -Wl,-rpath,'$$ORIGIN'

# The ring buffer reader, over a simulated ring buffer, without the shim.
$(BUILD)/test_ringbuf: tests/c/test_ringbuf.c tests/c/expect.h csrc/ringbuf.c csrc/ringbuf.h \
		csrc/error.h bpf/xskdump_abi.h
	@mkdir -p $(@D)
	gcc $(CFLAGS) -o $@ tests/c/test_ringbuf.c csrc/ringbuf.c

# The ledger is pure logic: tested over simulated rings, without the shim.
$(BUILD)/test_ledger: tests/c/test_ledger.c tests/c/expect.h csrc/ledger.c csrc/ledger.h
	gcc $(CFLAGS) -o $@ tests/c/test_ledger.c csrc/ledger.c

check: $(DEPS_STAMP)
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) check mod.ts cli/main.ts examples/

test: $(DEPS_STAMP) build $(C_TESTS)
	@bash tests/run.sh

demo: $(DEPS_STAMP) build
	@bash tests/demo.sh

# Ten minutes of trafgen at full speed into xskdump (root; not part of `make test`, which runs
# 30 s of it): no crash, RSS bounded, every frame accounted for. SOAK_ARGS adds options of
# tests/soak.ts, e.g. SOAK_ARGS='--mode generic --cpus 2'.
SOAK_SECONDS := 600
soak: $(DEPS_STAMP) build
	@$(DENO) run -A tests/soak.ts --seconds $(SOAK_SECONDS) $(SOAK_ARGS)

# bench/: the C limit (rx-drop over the shim) and the XDP drop sink that measures what the
# generator offers, and xdp_gen, the XDP live-frames generator. bench/README.md says what
# `make bench` measures.
BENCH_BINS := $(BUILD)/xsk_limit $(BUILD)/xdp_sink.bpf.o $(BUILD)/xdp_gen $(BUILD)/xdp_gen.bpf.o

$(BUILD)/xsk_limit: bench/xsk_limit.c csrc/shim.h $(SHIM)
	gcc $(CFLAGS) -o $@ $< -L$(BUILD) -lxskdump -Wl,-rpath,'$$ORIGIN'

$(BUILD)/xdp_gen: bench/xdp_gen.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc $(CFLAGS) -o $@ $< -lbpf

$(BUILD)/%.bpf.o: bench/%.bpf.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -c $< -o $@

bench: $(DEPS_STAMP) build $(BENCH_BINS)
	@bash bench/run.sh

# The single binary (deno compile) and the offline single file (deno bundle): the CLI from
# cli/dist_main.ts, which carries the shim (ffi/embedded.ts) and opens it from a memfd, never
# from a path on disk. Permissions, no -A: bin/xskdump's, which is where they are listed, with
# its --allow-ffi (the shim in build/) replaced by libc (memfd_create; every path that
# LIBC_PATHS in ffi/loader.ts tries, which Deno matches literally) and the memfd.
DIST := dist
DENO_TARGET := x86_64-unknown-linux-gnu
DIST_FFI := /lib/x86_64-linux-gnu/libc.so.6,/usr/lib/x86_64-linux-gnu/libc.so.6,/lib64/libc.so.6,/usr/lib64/libc.so.6,/usr/lib/libc.so.6,/proc/self/fd
DIST_PERMS := --no-prompt --allow-ffi=$(DIST_FFI) $(shell grep -v '^\s*\#' bin/xskdump | \
	grep -o -- '--allow-[a-z]*\(=[^ "\\]*\)\?' | grep -v -- '--allow-ffi')
# deno compile takes its runtime (denort) from DENORT_BIN, else from this zip in DENO_DIR; it
# would download it from dl.deno.land otherwise, which these machines cannot reach.
DENORT_ZIP := $(or $(DENO_DIR),$(HOME)/.cache/deno)/dl/release/v$(DENO_VERSION)/denort-$(DENO_TARGET).zip
# First lines of dist/xskdump.js: a shell script to sh, comments to JavaScript. It runs the
# bundle with the Deno named by XSKDUMP_DENO, else the one on PATH, else ~/.deno/bin/deno.
BUNDLE_LAUNCHER := //bin/true; d="$${XSKDUMP_DENO:-$$(command -v deno || echo "$$HOME/.deno/bin/deno")}"; [ -x "$$d" ] || { echo "xskdump: needs Deno 2.9 (set XSKDUMP_DENO or put deno on PATH)" >&2; exit 127; }; exec "$$d" run --quiet --no-config --no-remote --no-npm $(DIST_PERMS) "$$0" "$$@"

dist: $(DEPS_STAMP) build
	@if [ -n "$$DENORT_BIN" ]; then \
		[ -f "$$DENORT_BIN" ] || { echo "make dist: DENORT_BIN=$$DENORT_BIN: no such file" >&2; exit 1; }; \
	elif [ ! -f "$(DENORT_ZIP)" ]; then \
		echo "make dist: cannot build $(DIST)/xskdump: deno compile needs denort $(DENO_VERSION)" \
			"for $(DENO_TARGET), the runtime it copies into the binary, and has none:" >&2; \
		echo "  DENORT_BIN is not set, and $(DENORT_ZIP) does not exist." >&2; \
		echo "  Get denort-$(DENO_TARGET).zip of Deno $(DENO_VERSION) (from dl.deno.land, on a" \
			"machine that reaches it) and set DENORT_BIN to the unzipped denort, or put the zip" \
			"at that path. The full deno binary is not a denort." >&2; \
		echo "  Offline alternative: make bundle (dist/xskdump.js, runs with any Deno 2.9)." >&2; \
		exit 1; \
	fi
	@mkdir -p $(DIST)
	$(DENO) compile --quiet $(DIST_PERMS) --target $(DENO_TARGET) -o $(DIST)/xskdump.tmp \
		cli/dist_main.ts
	@# A full deno given as DENORT_BIN makes a binary that is just deno: refuse it.
	@v=$$($(DIST)/xskdump.tmp --version 2>&1 | head -1); case "$$v" in xskdump\ *) ;; *) \
		rm -f $(DIST)/xskdump.tmp; \
		echo "make dist: the binary answers '$$v' to --version: DENORT_BIN is not a denort" >&2; \
		exit 1;; esac
	@mv $(DIST)/xskdump.tmp $(DIST)/xskdump
	@echo "built $(DIST)/xskdump: copy this one file to a host and run it as root"

bundle: $(DEPS_STAMP) build
	@mkdir -p $(DIST)
	$(DENO) bundle --quiet -o $(DIST)/xskdump.bundle.tmp.js cli/dist_main.ts
	@{ echo '#!/bin/sh'; echo '$(BUNDLE_LAUNCHER)'; cat $(DIST)/xskdump.bundle.tmp.js; } \
		> $(DIST)/xskdump.js.tmp
	@rm -f $(DIST)/xskdump.bundle.tmp.js
	@chmod +x $(DIST)/xskdump.js.tmp && mv $(DIST)/xskdump.js.tmp $(DIST)/xskdump.js
	@echo "built $(DIST)/xskdump.js: copy it to a host with Deno 2.9 and run it as root"

# What the dist builds are granted (tests check it against bin/xskdump and ffi/loader.ts).
dist-perms:
	@echo $(DIST_PERMS)

clean:
	rm -rf $(BUILD) $(DIST)
