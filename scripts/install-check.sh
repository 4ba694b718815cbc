#!/usr/bin/env bash
# make install-check: `make install` into a scratch home directory, then, in a
# fresh directory, `init` under OpenTofu and Terraform with no CLI
# configuration file and no network: init must succeed, write a lock file
# naming the installed version, show no development-override warning, and
# the CLI must run the installed build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Found before HOME changes: the CLIs and Go's caches live under the real one.
clis=("$("$root/scripts/cli.sh" tofu)" "$("$root/scripts/cli.sh" terraform)")
GOPATH="$(go env GOPATH)" GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOENV="$(go env GOENV)"
export GOPATH GOCACHE GOMODCACHE GOENV

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home"
mkdir -p "$HOME"
# Only HOME decides where the CLIs look; no CLI configuration, no plugin cache.
unset TF_CLI_CONFIG_FILE TERRAFORM_CONFIG TF_PLUGIN_CACHE_DIR XDG_DATA_HOME XDG_CONFIG_HOME XDG_DATA_DIRS
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# Any attempt to reach a registry fails: init must be offline.
export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=

make -s -C "$root" install >"$scratch/install.log"
version="$("$root/scripts/install.sh" --version)"

fail() {
	echo "install-check: $*" >&2
	exit 1
}

for cli in "${clis[@]}"; do
	name="$("$cli" version | head -1)"
	work="$scratch/work-$(basename "$cli")"
	mkdir -p "$work"
	cat >"$work/main.tf" <<'CONFIG'
terraform {
  required_providers {
    campaigns = {
      source = "campaignops/campaigns"
    }
  }
}

provider "campaigns" {}
CONFIG
	if ! (cd "$work" && "$cli" init -input=false -no-color >"$work/init.log" 2>&1); then
		cat "$work/init.log" >&2
		fail "$name: init failed after make install"
	fi
	if grep -qi 'development overrides\|dev_overrides' "$work/init.log"; then
		cat "$work/init.log" >&2
		fail "$name: init shows a development-override warning"
	fi
	[[ -f "$work/.terraform.lock.hcl" ]] || fail "$name: init wrote no lock file"
	grep -q "provider \"registry\.[a-z]*\.[a-z]*/campaignops/campaigns\"" "$work/.terraform.lock.hcl" ||
		fail "$name: the lock file does not name campaignops/campaigns"
	grep -q "version *= *\"$version\"" "$work/.terraform.lock.hcl" ||
		fail "$name: the lock file does not hold version $version"
	# The CLI starts the installed build: its schema has the provider's resources.
	(cd "$work" && "$cli" providers schema -json >"$work/schema.json" 2>"$work/schema.log") ||
		{ cat "$work/schema.log" >&2; fail "$name: providers schema failed"; }
	grep -q '"campaigns_builder_campaign"' "$work/schema.json" ||
		fail "$name: the installed provider did not serve its schema"
	echo "install-check: $name: init offline with no CLI configuration, lock file at $version, no override warning"
done
