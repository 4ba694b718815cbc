#!/usr/bin/env bash
# make bench: the scenarios of BENCHMARKS.md under a real CLI on the local
# build of the provider, against the emulator (bench/cmd/campaigns-bench), then
# the Go benchmarks. The provider runs under bench/rsswrap, which records its
# peak RSS. bench/ is a module of its own (its go.mod). Nothing outside a
# temporary directory is touched.
#
#   BENCH_CLI=terraform       Terraform instead of OpenTofu 1.12.6
#   BENCH_RUNS=5              repetitions of each timed command (median reported)
#   BENCH_SCENARIOS=apply,plan,evolux,startup
#                             (throttled, the rate-limit scenario e, about 20
#                             minutes, runs only when named here)
#   BENCH_RATES="2 5 10 20 50"  the rate limits of scenario e, requests a second
#   BENCH_GO=0                skip the Go benchmarks
#   BENCH_MARKDOWN=FILE       also write the machine and the results table as Markdown
#   BENCH_KEEP=1              keep the scratch directory (each command's log)
# Extra arguments go to campaigns-bench (campaigns-bench -h lists the knobs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$("$root/scripts/cli.sh" "${BENCH_CLI:-tofu}")"

work="$(mktemp -d)"
cleanup() {
	if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
		echo "bench: scratch directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

echo "bench: building the provider, the RSS wrapper and campaigns-bench" >&2
# shellcheck source=scripts/devprovider.sh
source "$root/scripts/devprovider.sh"
dev_provider_cliconfig "$work"
# dev_overrides (and the mirror's links) now find the wrapper under the
# provider's name; the wrapper runs the real build.
mkdir -p "$work/real"
mv "$work/plugins/terraform-provider-campaigns" "$work/real/terraform-provider-campaigns"
(
	cd "$root/bench"
	go build -o "$work/plugins/terraform-provider-campaigns" ./rsswrap
	go build -o "$work/campaigns-bench" ./cmd/campaigns-bench
)

args=(-cli "$cli" -cliconfig "$work/cli.tfrc" -provider "$work/real/terraform-provider-campaigns"
	-work "$work/runs" -runs "${BENCH_RUNS:-5}" -scenarios "${BENCH_SCENARIOS:-apply,plan,evolux,startup}")
if [[ -n "${BENCH_MARKDOWN:-}" ]]; then args+=(-markdown "$BENCH_MARKDOWN"); fi
if [[ -n "${BENCH_RATES:-}" ]]; then args+=(-throttled-rates "$BENCH_RATES"); fi
"$work/campaigns-bench" "${args[@]}" "$@"

if [[ "${BENCH_GO:-1}" != 0 ]]; then
	echo
	echo "Go benchmarks (in process; the emulator runs in the same process)"
	export CAMPAIGNS_BENCH_PROVIDER_BIN="$work/real/terraform-provider-campaigns"
	cd "$root/bench"
	go test -run '^$' -bench 'StartToSchema' -benchtime 20x .
	go test -run '^$' -bench 'GetProviderSchema|CreateCampaign|RefreshAndPlan' -benchmem .
	go test -run '^$' -bench 'ReadSubscribers100k' -benchtime 3x -benchmem .
	cd "$root"
	go test -run '^$' -bench . -benchtime 3x -benchmem ./internal/client/evolux
fi
