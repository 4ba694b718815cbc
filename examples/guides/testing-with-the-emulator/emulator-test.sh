#!/usr/bin/env bash
# Tests a campaigns configuration against the campaigns emulator: init, plan,
# apply, a plan that must be empty, and destroy. Nothing reaches Builder or
# Evolux, and the configuration's own backend (its real state) is not used.
#
#   emulator-test.sh [DIR]         DIR defaults to the current directory
#
#   TF=tofu                        the CLI to run (default: terraform)
#   EMULATOR=path                  the emulator binary (default: campaigns-emulator on PATH)
#   EMULATOR_FLAGS="-latency 200ms -fault-rate 0.05 -seed 7"   extra emulator flags
set -euo pipefail

dir="$(cd "${1:-.}" && pwd)"
tf="${TF:-terraform}"
emulator="${EMULATOR:-campaigns-emulator}"

work="$(mktemp -d)"
override="$dir/zz_emulator_test_override.tf"
emulator_pid=""
cleanup() {
	local status=$?
	rm -f "$override"
	if [[ -n "$emulator_pid" ]]; then
		kill -TERM "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
		cat "$work/emulator.log" >&2
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT INT TERM

# Start the emulator on a free loopback port. It writes its settings to the
# env file, atomically, once it is listening.
# shellcheck disable=SC2086 # EMULATOR_FLAGS is a list of flags
"$emulator" -env-file "$work/emulator.env" ${EMULATOR_FLAGS:-} >/dev/null 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 100); do
	[[ -s "$work/emulator.env" ]] && break
	kill -0 "$emulator_pid" 2>/dev/null || exit 1
	sleep 0.1
done
[[ -s "$work/emulator.env" ]] || { echo "emulator-test: the emulator did not start" >&2; exit 1; }

# Point the provider at the emulator (BUILDER_URL, EVOLUX_URL and test
# credentials). Settings written in the provider block would still win.
set -a
# shellcheck disable=SC1091
. "$work/emulator.env"
set +a

# Keep the test's state away from the real one: an override file replaces the
# configuration's backend with a local state in the scratch directory, and
# TF_DATA_DIR keeps the working directory's .terraform untouched.
cat >"$override" <<HCL
terraform {
  backend "local" {
    path = "$work/terraform.tfstate"
  }
}
HCL
export TF_DATA_DIR="$work/data" TF_IN_AUTOMATION=1 TF_INPUT=0

cd "$dir"
"$tf" init -input=false -no-color
"$tf" apply -input=false -auto-approve -no-color
status=0
"$tf" plan -input=false -detailed-exitcode -no-color || status=$?
if ((status != 0)); then
	echo "emulator-test: the plan after apply is not empty (exit $status): the configuration does not converge" >&2
	"$tf" destroy -input=false -auto-approve -no-color >/dev/null || true
	exit 1
fi
"$tf" destroy -input=false -auto-approve -no-color
echo "emulator-test: OK"
