#!/usr/bin/env bash
# Runs the acceptance tests against the bundled emulator under one CLI:
#   scripts/testacc.sh tofu|terraform|latest [go test args...]
# TF_ACC_TERRAFORM_PATH, when set, overrides the CLI that scripts/cli.sh picks.
# "latest" is a Terraform >= 1.14 (actions, list resources, terraform query);
# where there is none, it prints one line saying so and succeeds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kind="${1:?usage: testacc.sh tofu|terraform|latest [go test args]}"
shift

if [[ -z "${TF_ACC_TERRAFORM_PATH:-}" && "$kind" == latest ]]; then
	if [[ -n "${TF_LATEST_PATH:-}" ]]; then
		cli="$("$root/scripts/cli.sh" latest)" # a wrong TF_LATEST_PATH fails, with cli.sh's reason
	elif ! cli="$("$root/scripts/cli.sh" latest 2>/dev/null)"; then
		echo "acceptance: skipped under Terraform >= 1.14 (none found: set TF_LATEST_PATH, or see scripts/cli.sh); its identity, query and action tests did not run"
		exit 0
	fi
fi
cli="${TF_ACC_TERRAFORM_PATH:-${cli:-$("$root/scripts/cli.sh" "$kind")}}"

# The environment may point TF_CLI_CONFIG_FILE at a file that does not exist;
# give the CLI an empty one of our own instead of touching the user's.
cliconfig="$(mktemp)"
trap 'rm -f "$cliconfig"' EXIT

export TF_ACC=1
export TF_ACC_TERRAFORM_PATH="$cli"
export TF_CLI_CONFIG_FILE="$cliconfig"
export CHECKPOINT_DISABLE=1
# terraform-plugin-testing addresses the provider in the hashicorp namespace,
# which OpenTofu resolves only when told so.
export TF_ACC_PROVIDER_NAMESPACE=hashicorp
if [[ "$kind" == tofu ]]; then export TF_ACC_PROVIDER_HOST=registry.opentofu.org; fi

version="$("$cli" version -json | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')"
case "$kind" in
tofu) name=OpenTofu ;;
*) name=Terraform ;;
esac
if "$cli" version | sed -n 1p | grep -q '^OpenTofu'; then name=OpenTofu; fi
echo "acceptance: $name v$version ($cli)"

cd "$root"
go test ./internal/provider/... -count=1 -timeout 40m "$@"
