#!/usr/bin/env bash
# make demo: build the provider and the emulator, start the emulator, and run
# init, apply, a plan that must be empty, and destroy on examples/demo with a
# throw-away CLI configuration (dev_overrides). The user's own CLI
# configuration and the repository are never touched; nothing is left running.
# It runs the tofu (>= 1.11) or terraform (>= 1.8) on PATH, and builds
# OpenTofu only when there is none (scripts/demo-cli.sh):
#   DEMO_CLI=terraform make demo        the terraform on PATH
#   DEMO_CLI=/path/to/cli make demo     that CLI
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
	local status=$?
	if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
		kill -TERM "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
	if ((status != 0)); then echo "demo: FAILED (exit $status)" >&2; fi
	exit "$status"
}
trap cleanup EXIT INT TERM

# Each step ends with how long it took; the last line gives the total.
demo_started=$EPOCHREALTIME
step_started=""
seconds_since() { LC_ALL=C awk -v now="$EPOCHREALTIME" -v then="$1" 'BEGIN { printf "%.1fs", now - then }'; }
end_step() {
	if [[ -n "$step_started" ]]; then echo "    ($(seconds_since "$step_started"))"; fi
	step_started=""
}
step() {
	end_step
	printf '\n==> %s\n' "$*"
	step_started=$EPOCHREALTIME
}

step "finding a Terraform or OpenTofu CLI"
cli="$("$root/scripts/demo-cli.sh")"

step "building the provider and the emulator"
# shellcheck source=scripts/devprovider.sh
source "$root/scripts/devprovider.sh"
dev_provider_cliconfig "$work"
(cd "$root" && go build -o "$work/bin/campaigns-emulator" ./cmd/campaigns-emulator)

step "starting the emulator"
"$work/bin/campaigns-emulator" -env-file "$work/emulator.env" -scheduler-interval 200ms -subscribers 2000 -seed 7 >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do
	[[ -s "$work/emulator.env" ]] && break
	kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
	sleep 0.1
done
[[ -s "$work/emulator.env" ]] || { echo "demo: the emulator did not start" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
source "$work/emulator.env"
set +a
echo "Builder and Evolux emulated at $BUILDER_URL"

export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

cp -R "$root/examples/demo" "$work/demo"
cd "$work/demo"
tf() { "$cli" "$@" 2> >(grep -v -e 'Provider development overrides are in effect' >&2); }

step "$("$cli" version | sed -n 1p): init"
tf init -input=false -no-color >/dev/null
step "apply"
tf apply -input=false -auto-approve -no-color
step "refresh, then plan (must show no changes)"
# The emulator's scheduler starts campaigns that are due. A refresh-only
# apply records their new status (server-managed: it never makes a diff), so
# the outputs that show it are up to date; the plan after it must be empty.
sleep 1
tf apply -refresh-only -input=false -auto-approve -no-color >/dev/null
set +e
tf plan -input=false -detailed-exitcode -no-color >"$work/plan.txt"
plan_status=$?
set -e
if ((plan_status != 0)); then
	cat "$work/plan.txt"
	echo "demo: the plan after apply is not empty (exit $plan_status)" >&2
	exit 1
fi
echo "No changes."

step "summary"
tf output -no-color
echo "objects in state (resources and data sources): $(tf state list | wc -l)"

step "destroy"
tf destroy -input=false -auto-approve -no-color | tail -1

step "stopping the emulator"
kill -TERM "$emulator_pid"
wait "$emulator_pid" || true
emulator_pid=""
grep 'requests served' "$work/emulator.log" | sed 's/^campaigns-emulator: //'
end_step
echo
echo "demo: OK in $(seconds_since "$demo_started")"
