# xskdump: `make test` and `make demo` each work alone on a fresh Debian 12
# machine: they install what they need first (make deps).
SHELL := /bin/bash
.DEFAULT_GOAL := build

DENO_VERSION := 2.9.6
TOOLS := .tools
DENO := $(TOOLS)/node_modules/.bin/deno
# The Deno binary itself, from npm `deno`'s platform package: what `make onefile` puts inside
# dist/xskdump. Named here, not left to npm's optional dependencies, so that it is always there.
DENO_RUNTIME_PKG := @deno/linux-x64-glibc
DENO_RUNTIME := $(TOOLS)/node_modules/$(DENO_RUNTIME_PKG)/deno
BUILD := build
LIBDIR := /usr/lib/x86_64-linux-gnu

APT_PKGS := gcc make libc6-dev libxdp-dev libbpf-dev libelf-dev zlib1g-dev libzstd-dev \
	libpcap-dev clang llvm iproute2 iputils-ping ethtool tcpreplay tshark tcpdump bpftool \
	netsniff-ng libcap2-bin procps gnuplot-nox xdp-tools strace time openssh-server openssh-client
DEPS_STAMP := $(TOOLS)/.deps-$(DENO_VERSION)

CFLAGS := -O2 -g -Wall -Wextra -Werror -fPIC -std=gnu11
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -I/usr/include/$(shell gcc -dumpmachine)

SHIM := $(BUILD)/libxskdump.so
BPF_OBJ := $(BUILD)/xskdump.bpf.o
VLAN_BPF_OBJ := $(BUILD)/xskdump_vlan.bpf.o
TAP_BPF_OBJ := $(BUILD)/xskdump_tap.bpf.o
EMBED_B64 := $(BUILD)/libxskdump.embed.b64
C_TESTS := $(BUILD)/test_shim $(BUILD)/test_ledger $(BUILD)/test_filter $(BUILD)/test_onefile \
	$(BUILD)/test_ringbuf $(BUILD)/test_writer

.PHONY: deps build test test-unit test-c test-integration demo bench startup dist bundle onefile dist-perms \
	clean check fmt lint soak

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
	[ -x $(DENO) ] && $(DENO) --version | grep -q "^deno $(DENO_VERSION) " && [ -x $(DENO_RUNTIME) ] || \
		npm install --prefix $(TOOLS) --no-audit --no-fund --save-exact \
			deno@$(DENO_VERSION) $(DENO_RUNTIME_PKG)@$(DENO_VERSION)
	$(DENO) install --quiet
	touch $@

build: $(SHIM) $(EMBED_B64)

# The shim as the builds that travel carry it: without its symbol table and debug information
# (dlopen needs neither); as base64 text for ffi/embedded.ts.
EMBED_SO := $(BUILD)/libxskdump.embed.so
$(EMBED_SO): $(SHIM)
	strip --strip-unneeded -o $@ $(SHIM)

$(EMBED_B64): $(EMBED_SO)
	base64 -w0 $(EMBED_SO) > $@.tmp && mv $@.tmp $@

$(BPF_OBJ): bpf/xskdump.bpf.c bpf/xskdump_abi.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -c $< -o $@

# The same program, device-bound: VLAN tags from the driver's RX metadata.
$(VLAN_BPF_OBJ): bpf/xskdump.bpf.c bpf/xskdump_abi.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -DXSKDUMP_VLAN -c $< -o $@

# -mcpu=v3: clang 14 keeps the bounds of a variable copy length where the verifier can see them.
$(TAP_BPF_OBJ): bpf/xskdump_tap.bpf.c bpf/tap_hooks.bpf.h bpf/tap_attribution.bpf.h \
		bpf/xskdump_abi.h bpf/uapi_next.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -mcpu=v3 -c $< -o $@

# Debian's libelf.a minus the one object that cannot live in a .so
# (see csrc/static_compat.c).
$(BUILD)/libelf-pic.a: $(LIBDIR)/libelf.a
	@mkdir -p $(@D)
	cp $< $@ && ar d $@ elf_error.o

$(BUILD)/embed.o: csrc/embed.S $(BPF_OBJ) $(VLAN_BPF_OBJ)
	gcc -c -DXSKDUMP_BPF_OBJ='"$(BPF_OBJ)"' -DXSKDUMP_VLAN_BPF_OBJ='"$(VLAN_BPF_OBJ)"' $< -o $@

$(BUILD)/embed_tap.o: csrc/embed_tap.S $(TAP_BPF_OBJ)
	gcc -c -DXSKDUMP_TAP_BPF_OBJ='"$(TAP_BPF_OBJ)"' $< -o $@

# The shim's sources in the layer order of csrc/shim.h (tests/unit/abi_test.ts
# checks both lists against it), then the link glue: static_compat.c and
# pcap_compat.c (Debian's static archives into a .so; libdbus stand-ins).
# filter.c compiles with libpcap and cannot share a translation unit with
# libbpf: both define struct bpf_insn.
SHIM_SRCS := $(addprefix csrc/,error.c host.c threads.c ifaces.c privileges.c files.c share.c \
	prog.c filter.c filter_prog.c ledger.c fault.c sock.c rings.c ringbuf.c tc.c tap.c tap_ring.c \
	records.c chunks.c writer.c cgroups.c proc.c static_compat.c pcap_compat.c)

$(SHIM): $(SHIM_SRCS) $(wildcard csrc/*.h) csrc/libxskdump.map bpf/xskdump_abi.h bpf/uapi_next.h \
		$(BUILD)/embed.o $(BUILD)/embed_tap.o $(BUILD)/libelf-pic.a
	gcc $(CFLAGS) -shared -o $@ $(SHIM_SRCS) $(BUILD)/embed.o $(BUILD)/embed_tap.o -pthread \
		-Wl,--version-script=csrc/libxskdump.map -Wl,--no-undefined -Wl,-z,noexecstack \
		-Wl,--exclude-libs,ALL -Wl,-Bstatic -lxdp -lbpf $(BUILD)/libelf-pic.a -lpcap -lz -lzstd \
		-Wl,-Bdynamic

$(BUILD)/test_shim: tests/c/test_shim.c tests/c/expect.h $(SHIM)
	gcc $(CFLAGS) -o $@ $< -L$(BUILD) -lxskdump -Wl,-rpath,'$$ORIGIN'

$(BUILD)/test_filter: tests/c/test_filter.c tests/c/expect.h $(SHIM)
	gcc $(CFLAGS) -o $@ $< -L$(BUILD) -lxskdump -Wl,-rpath,'$$ORIGIN'

# The writer through the ABI, and its records (records.c is internal) compiled in.
$(BUILD)/test_writer: tests/c/test_writer.c tests/c/expect.h csrc/records.c csrc/records.h \
		bpf/xskdump_abi.h $(SHIM)
	gcc $(CFLAGS) -o $@ tests/c/test_writer.c csrc/records.c -L$(BUILD) -lxskdump -Wl,-rpath,'$$ORIGIN'

# The ring buffer reader, over a simulated ring buffer, without the shim.
$(BUILD)/test_ringbuf: tests/c/test_ringbuf.c tests/c/expect.h csrc/ringbuf.c csrc/ringbuf.h \
		csrc/error.h $(wildcard csrc/shim*.h) bpf/xskdump_abi.h
	@mkdir -p $(@D)
	gcc $(CFLAGS) -o $@ tests/c/test_ringbuf.c csrc/ringbuf.c

$(BUILD)/test_onefile: tests/c/test_onefile.c tests/c/expect.h launcher/checksum.c launcher/onefile.h
	@mkdir -p $(@D)
	gcc $(CFLAGS) -Ilauncher -o $@ tests/c/test_onefile.c launcher/checksum.c

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

$(BUILD)/xsk_limit: bench/xsk_limit.c $(wildcard csrc/shim*.h) $(SHIM)
	gcc $(CFLAGS) -o $@ $< -L$(BUILD) -lxskdump -Wl,-rpath,'$$ORIGIN'

$(BUILD)/xdp_gen: bench/xdp_gen.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc $(CFLAGS) -o $@ $< -lbpf

$(BUILD)/%.bpf.o: bench/%.bpf.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -c $< -o $@

bench: $(DEPS_STAMP) build $(BENCH_BINS)
	@bash bench/run.sh

# What travels, all three from cli/dist_main.ts, which carries the shim (ffi/embedded.ts) and
# opens it from a memfd, never from a path on disk:
#   make onefile  dist/xskdump           one executable: a static launcher, Deno, the bundle
#   make dist     dist/xskdump-compiled  deno compile, where a denort is at hand
#   make bundle   dist/xskdump.js        the bundle alone, for hosts that have Deno 2.9
# Permissions, no -A: bin/xskdump's, which is where they are listed, with its --allow-ffi (the
# shim in build/) replaced by libc (memfd_create; every path that LIBC_PATHS in ffi/loader.ts
# tries, which Deno matches literally) and the memfd.
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

# The bundle (deno bundle, offline once esbuild is cached from npm): the CLI and its npm
# modules in one JavaScript file, the shim inlined as base64.
BUNDLE := $(BUILD)/xskdump.bundle.js
$(BUNDLE): $(EMBED_B64) $(shell find cli lib ffi -name '*.ts') deno.json deno.lock | $(DEPS_STAMP)
	$(DENO) bundle --quiet -o $(BUILD)/xskdump.bundle.tmp.js cli/dist_main.ts && \
		mv $(BUILD)/xskdump.bundle.tmp.js $@

# The one file: launcher/ (docs/DESIGN.md, "The one file"). Its bundle is cli/onefile_main.ts
# without the shim (a payload of its own), minified (not with --keep-names, which loses Deno's
# require() for commander in 2.9.6) and wrapped as one string (launcher/wrap.ts), all because
# Deno parses it at every start with no cache to keep the work in. The launcher runs Deno on
# the bundle with these arguments: DIST_PERMS, and no config, lock file, remote or npm module, code
# cache or file extension to guess from (the bundle is read from /proc/self/fd/N).
ONEFILE_DENO_ARGS := run --quiet --no-config --no-lock --no-remote --no-npm --cached-only \
	--no-code-cache --ext=js $(DIST_PERMS)
LAUNCHER_CFLAGS := -O2 -Wall -Wextra -Werror -std=gnu11

$(BUILD)/onefile_args.h: bin/xskdump Makefile
	@mkdir -p $(@D)
	@{ echo '/* Generated by the Makefile from ONEFILE_DENO_ARGS: do not edit. */'; \
		echo '#define ONEFILE_DENO_ARGS \'; \
		for a in $(ONEFILE_DENO_ARGS); do printf '\t"%s", \\\n' "$$a"; done; echo; } > $@

# Static: it must start on any x86-64 Linux, whatever its libc (it uses no NSS).
$(BUILD)/xskdump-launcher: launcher/launcher.c launcher/checksum.c launcher/onefile.h \
		$(BUILD)/onefile_args.h
	gcc $(LAUNCHER_CFLAGS) -static -s -I$(BUILD) -o $@ launcher/launcher.c launcher/checksum.c

$(BUILD)/onefile-pack: launcher/pack.c launcher/checksum.c launcher/onefile.h
	@mkdir -p $(@D)
	gcc $(LAUNCHER_CFLAGS) -o $@ launcher/pack.c launcher/checksum.c

$(DENO_RUNTIME): | $(DEPS_STAMP)

onefile: $(DIST)/xskdump

# How long the one file takes to start against bin/xskdump (issue 18: within 1.5 times).
startup: build onefile
	@bash bench/startup.sh $(DIST)/xskdump

ONEFILE_BUNDLE := $(BUILD)/xskdump.onefile.js
$(BUILD)/xskdump.onefile.min.js: $(shell find cli lib ffi -name '*.ts') deno.json deno.lock \
		| $(DEPS_STAMP)
	$(DENO) bundle --quiet --minify -o $(BUILD)/xskdump.onefile.tmp.js cli/onefile_main.ts && \
		mv $(BUILD)/xskdump.onefile.tmp.js $@

$(ONEFILE_BUNDLE): $(BUILD)/xskdump.onefile.min.js launcher/wrap.ts
	$(DENO) run --quiet --no-config --allow-read=$< --allow-write=$@ launcher/wrap.ts $< $@

$(DIST)/xskdump: $(BUILD)/xskdump-launcher $(BUILD)/onefile-pack $(ONEFILE_BUNDLE) $(EMBED_SO) \
		| $(DENO_RUNTIME)
	@$(DENO_RUNTIME) --version 2>/dev/null | grep -q "^deno $(DENO_VERSION) " || { \
		echo "make onefile: $(DENO_RUNTIME) is missing or not Deno $(DENO_VERSION):" \
			"rm $(DEPS_STAMP) and run make deps" >&2; exit 1; }
	@mkdir -p $(@D)
	$(BUILD)/onefile-pack $@.tmp $(BUILD)/xskdump-launcher $(DENO_RUNTIME) $(ONEFILE_BUNDLE) \
		$(EMBED_SO)
	@v=$$($@.tmp --version 2>&1); case "$$v" in "xskdump "*) ;; *) rm -f $@.tmp; \
		echo "make onefile: $@ answers '$$v' to --version" >&2; exit 1;; esac
	@mv $@.tmp $@
	@echo "built $@ ($$(du -m $@ | cut -f1) MB): copy this one file to a host and run it as root"

dist: $(DEPS_STAMP) build
	@if [ -n "$$DENORT_BIN" ]; then \
		[ -f "$$DENORT_BIN" ] || { echo "make dist: DENORT_BIN=$$DENORT_BIN: no such file" >&2; exit 1; }; \
	elif [ ! -f "$(DENORT_ZIP)" ]; then \
		echo "make dist: cannot build $(DIST)/xskdump-compiled: deno compile needs denort $(DENO_VERSION)" \
			"for $(DENO_TARGET), the runtime it copies into the binary, and has none:" >&2; \
		echo "  DENORT_BIN is not set, and $(DENORT_ZIP) does not exist." >&2; \
		echo "  Get denort-$(DENO_TARGET).zip of Deno $(DENO_VERSION) (from dl.deno.land, on a" \
			"machine that reaches it) and set DENORT_BIN to the unzipped denort, or put the zip" \
			"at that path. The full deno binary is not a denort." >&2; \
		echo "  Offline alternatives: make onefile (dist/xskdump, one file with Deno inside, built" \
			"here) or make bundle (dist/xskdump.js, for hosts that have Deno 2.9)." >&2; \
		exit 1; \
	fi
	@mkdir -p $(DIST)
	$(DENO) compile --quiet $(DIST_PERMS) --target $(DENO_TARGET) -o $(DIST)/xskdump-compiled.tmp \
		cli/dist_main.ts
	@# A full deno given as DENORT_BIN makes a binary that is just deno: refuse it.
	@v=$$($(DIST)/xskdump-compiled.tmp --version 2>&1 | head -1); case "$$v" in xskdump\ *) ;; *) \
		rm -f $(DIST)/xskdump-compiled.tmp; \
		echo "make dist: the binary answers '$$v' to --version: DENORT_BIN is not a denort" >&2; \
		exit 1;; esac
	@mv $(DIST)/xskdump-compiled.tmp $(DIST)/xskdump-compiled
	@echo "built $(DIST)/xskdump-compiled: copy this one file to a host and run it as root"

bundle: $(BUNDLE)
	@mkdir -p $(DIST)
	@{ echo '#!/bin/sh'; echo '$(BUNDLE_LAUNCHER)'; cat $(BUNDLE); } > $(DIST)/xskdump.js.tmp
	@chmod +x $(DIST)/xskdump.js.tmp && mv $(DIST)/xskdump.js.tmp $(DIST)/xskdump.js
	@echo "built $(DIST)/xskdump.js: copy it to a host with Deno 2.9 and run it as root"

# What the dist builds are granted (tests check it against bin/xskdump and ffi/loader.ts).
dist-perms:
	@echo $(DIST_PERMS)

clean:
	rm -rf $(BUILD) $(DIST)
