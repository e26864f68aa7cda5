#!/usr/bin/env bash
# Every test of the project: C tests of the shim, unit tests (no root), then
# integration tests on the real kernel (root; each test makes and removes its
# own namespaces). Prints one `N passed, N failed` line at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
deno=.tools/node_modules/.bin/deno
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

step() {
	echo "== $*"
	"$@" 2>&1 | tee -a "$log"
	local rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || status=1
}

step "$deno" fmt --check
step "$deno" lint
# cli/dist_main.ts embeds build/libxskdump.so: checked here, after make build.
step "$deno" check mod.ts cli/main.ts cli/dist_main.ts cli/onefile_main.ts launcher/ examples/ tests/ \
	testbed/ bench/
step build/test_shim
step build/test_ledger
step build/test_filter
step build/test_onefile
step build/test_ringbuf
step build/test_writer
export TZ=UTC
step "$deno" test --allow-all --permit-no-files tests/unit/
if [ "$(id -u)" -eq 0 ]; then
	step "$deno" test --allow-all --permit-no-files tests/integration/
else
	echo "== integration tests skipped: they need root (network namespaces, XDP)" | tee -a "$log"
fi

# Sum the runners' own closing lines: deno's `| N passed | N failed` and the
# C tests' `N passed, N failed`.
read -r passed failed < <(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | awk '
	/\| [0-9]+ passed .*\| [0-9]+ failed/ {
		for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i-1); if ($(i) ~ /^failed/) f += $(i-1) }
		next
	}
	/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
	END { print p + 0, f + 0 }')
[ "$failed" -eq 0 ] || status=1
echo "${passed} passed, ${failed} failed"
exit $status
