#!/usr/bin/env bash
# make startup: how long the one file takes to start against the checkout's launcher (issue 18:
# within 1.5 times). Wall time of N runs (20) of `--version` of each, interleaved so that both
# see the same machine, min / median / max in ms, and the load average before and after (the
# figures mean little on a busy host). Needs dist/xskdump (make onefile) and make build.
#   N=50 bench/startup.sh [ONEFILE]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20}
onefile=${1:-dist/xskdump}
for f in "$onefile" bin/xskdump; do
	[ -x "$f" ] || { echo "startup: $f is missing (make onefile)" >&2; exit 1; }
	"$f" --version >/dev/null # a first run fills the page cache and the checkout's Deno cache
done

# Wall ms of one run.
ms() {
	local s e
	s=$(date +%s%N)
	"$@" --version >/dev/null
	e=$(date +%s%N)
	echo $(((e - s) / 1000000))
}

stats() {
	printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {
		printf "min %d median %d max %d ms", a[1], (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2), a[NR] }'
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

before=$(load)
one=() checkout=()
for _ in $(seq "$N"); do
	one+=("$(ms "$onefile")")
	checkout+=("$(ms bin/xskdump)")
done
median() { stats "$@" | awk '{print $4}'; }
echo "$onefile --version: $(stats "${one[@]}")"
echo "bin/xskdump --version: $(stats "${checkout[@]}")"
awk -v a="$(median "${one[@]}")" -v b="$(median "${checkout[@]}")" -v n="$N" \
	'BEGIN {printf "median ratio %.2f (goal: 1.5 at most), %d runs each\n", a / b, n}'
echo "size $(stat -c %s "$onefile") bytes; load average before $before, after $(load)"
