#!/usr/bin/env bash
# make bench: xskdump beside its peers and the C limit, in one run (bench/run.ts does the
# work; bench/README.md says what it measures). Needs root.
#
# The one host setting it touches: net.core.wmem_default. trafgen raises its socket buffers
# through /proc/sys/net/core/*mem*, which a network namespace cannot write; with the kernel's
# default (208 KiB) a trafgen process on the second CPU fails with "Flushing TX_RING failed:
# Resource temporarily unavailable" as soon as the veth's ring backs up, and the run loses
# its generator. The old value is put back on every exit path.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (network namespaces, XDP)" >&2; exit 1; }
deno=.tools/node_modules/.bin/deno

# pcap files "on tmpfs" go to a tmpfs of our own, sized for the run and gone after it (not
# /dev/shm, which the host's other users share).
tmpfs=$(mktemp -d /tmp/xskbench-tmpfs.XXXXXX)
# The run measures one build of one tree. The sources and build/ may change while it runs
# (a rebuilt shim with a new ABI stops every later trial), so the harness, the CLI and the
# binaries run from a copy taken now.
snap=$(mktemp -d /tmp/xskbench-snap.XXXXXX)
wmem_file=/proc/sys/net/core/wmem_default
wmem_old=$(cat "$wmem_file")
restore() {
	echo "$wmem_old" > "$wmem_file"
	umount "$tmpfs" 2>/dev/null || true
	rmdir "$tmpfs" 2>/dev/null || true
	case "$snap" in /tmp/xskbench-snap.*) rm -rf "$snap" ;; esac
}
trap restore EXIT
trap 'exit 130' INT TERM
mount -t tmpfs -o size=8g,mode=0700 xskbench "$tmpfs"
echo 4194304 > "$wmem_file"

cp -a bin cli lib ffi mod.ts deno.json deno.lock bench testbed build "$snap"/
ln -s "$PWD/.tools" "$snap/.tools"
export BENCH_TMPFS_DIR="${BENCH_TMPFS_DIR:-$tmpfs}"
export BENCH_OUT="${BENCH_OUT:-$PWD/bench/results}"
export BENCH_REPO="$PWD"
# The decode row reads the corpus beside the checkout (testbed/pcap.ts), not beside the copy.
export XSKDUMP_CORPUS="${XSKDUMP_CORPUS:-$(cd .. && pwd)/shared/corpus/tcpdump/}"

# -A: the harness reads /proc/PID/stat, /proc/stat and /sys counters, which Deno grants only
# with --allow-all. The capturer it measures runs with its own scoped permissions (bin/xskdump).
"$deno" run --quiet --no-prompt --cached-only --allow-all "$snap/bench/run.ts"
