#!/usr/bin/env bash
# Prints the path of a Terraform-compatible CLI for the acceptance tests and
# the demo, building it from the Go module proxy when this machine has none.
# Nothing is downloaded from HashiCorp or a provider registry.
#
#   scripts/cli.sh tofu       OpenTofu 1.12.6, built once into $GOPATH/bin/tofu-1.12.6
#   scripts/cli.sh terraform  a terraform >= 1.8 on PATH, else Terraform 1.8.5 built into $GOPATH/bin/terraform-1.8.5
#
# Binaries live outside the clone so that later clones on the machine reuse them.
set -euo pipefail

OPENTOFU_VERSION=1.12.6
TERRAFORM_FALLBACK_VERSION=1.8.5
TERRAFORM_MIN_MINOR=8 # 1.8: provider-defined functions and the plugin protocol features the tests use

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bindir="$(go env GOPATH)/bin"
mkdir -p "$bindir"

log() { echo "cli.sh: $*" >&2; }

build_tofu() {
	local out="$bindir/tofu-$OPENTOFU_VERSION"
	if [[ ! -x "$out" ]]; then
		log "building OpenTofu $OPENTOFU_VERSION from the Go module proxy (about 5 minutes the first time)"
		# Build to a temporary name first so an interrupted build never leaves a broken binary.
		(cd "$root/tools/opentofu" && go build -trimpath \
			-ldflags "-X github.com/opentofu/opentofu/version.dev=no" \
			-o "$out.tmp.$$" github.com/opentofu/opentofu/cmd/tofu)
		mv "$out.tmp.$$" "$out"
	fi
	echo "$out"
}

terraform_ok() { # prints the version when $1 is a Terraform >= 1.TERRAFORM_MIN_MINOR
	local v
	v="$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$1" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9.]*\)".*/\1/p')" || return 1
	[[ -n "$v" ]] || return 1
	local major minor
	IFS=. read -r major minor _ <<<"$v"
	if ((major > 1 || (major == 1 && minor >= TERRAFORM_MIN_MINOR))); then
		echo "$v"
		return 0
	fi
	return 1
}

find_terraform() {
	local onpath
	if onpath="$(command -v terraform)" && terraform_ok "$onpath" >/dev/null; then
		echo "$onpath"
		return
	fi
	local out="$bindir/terraform-$TERRAFORM_FALLBACK_VERSION"
	if [[ ! -x "$out" ]]; then
		log "no terraform >= 1.$TERRAFORM_MIN_MINOR on PATH; building Terraform $TERRAFORM_FALLBACK_VERSION from the Go module proxy (about 3 minutes)"
		local tmp
		tmp="$(mktemp -d)"
		# Later Terraform releases carry replace directives and cannot be go-installed.
		GOBIN="$tmp" go install -trimpath \
			-ldflags "-X github.com/hashicorp/terraform/version.dev=no" \
			"github.com/hashicorp/terraform@v$TERRAFORM_FALLBACK_VERSION"
		mv "$tmp/terraform" "$out"
		rm -rf "$tmp"
	fi
	echo "$out"
}

case "${1:-}" in
tofu) build_tofu ;;
terraform) find_terraform ;;
*)
	echo "usage: $0 tofu|terraform" >&2
	exit 2
	;;
esac
