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
	netsniff-ng libcap2-bin procps
DEPS_STAMP := $(TOOLS)/.deps-$(DENO_VERSION)

CFLAGS := -O2 -g -Wall -Wextra -Werror -fPIC -std=gnu11
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -I/usr/include/$(shell gcc -dumpmachine)

SHIM := $(BUILD)/libxskdump.so
BPF_OBJ := $(BUILD)/xskdump.bpf.o
C_TESTS := $(BUILD)/test_shim $(BUILD)/test_ledger

.PHONY: deps build test test-unit test-c test-integration demo bench dist clean check fmt lint

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

# Debian's libelf.a minus the one object that cannot live in a .so
# (see csrc/static_compat.c).
$(BUILD)/libelf-pic.a: $(LIBDIR)/libelf.a
	@mkdir -p $(@D)
	cp $< $@ && ar d $@ elf_error.o

$(BUILD)/embed.o: csrc/embed.S $(BPF_OBJ)
	gcc -c -DXSKDUMP_BPF_OBJ='"$(BPF_OBJ)"' $< -o $@

# The filter sources: filter.c compiles with libpcap (and cannot share a
# translation unit with libbpf: both define struct bpf_insn), filter_prog.c
# loads the translated program, pcap_compat.c stands in for libdbus.
FILTER_SRCS := csrc/filter.c csrc/filter_prog.c csrc/pcap_compat.c

$(SHIM): csrc/shim.c csrc/shim.h csrc/internal.h csrc/ledger.c csrc/ledger.h csrc/channels.c csrc/static_compat.c csrc/libxskdump.map bpf/xskdump_abi.h \
		$(FILTER_SRCS) $(BUILD)/embed.o $(BUILD)/libelf-pic.a
	gcc $(CFLAGS) -shared -o $@ csrc/shim.c csrc/ledger.c csrc/channels.c csrc/static_compat.c $(FILTER_SRCS) $(BUILD)/embed.o \
		-Wl,--version-script=csrc/libxskdump.map -Wl,--no-undefined -Wl,-z,noexecstack \
		-Wl,--exclude-libs,ALL -Wl,-Bstatic -lxdp -lbpf $(BUILD)/libelf-pic.a -lpcap -lz -lzstd \
		-Wl,-Bdynamic

$(BUILD)/test_shim: tests/c/test_shim.c $(SHIM)
	gcc $(CFLAGS) -o $@ $< -L$(BUILD) -lxskdump -Wl,-rpath,'$$ORIGIN'

# The ledger is pure logic: tested over simulated rings, without the shim.
$(BUILD)/test_ledger: tests/c/test_ledger.c csrc/ledger.c csrc/ledger.h
	gcc $(CFLAGS) -o $@ tests/c/test_ledger.c csrc/ledger.c

check: $(DEPS_STAMP)
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) check mod.ts cli/main.ts

test: $(DEPS_STAMP) build $(C_TESTS)
	@bash tests/run.sh

demo: $(DEPS_STAMP) build
	@bash tests/demo.sh

bench: $(DEPS_STAMP) build
	@bash bench/run.sh

clean:
	rm -rf $(BUILD) dist
