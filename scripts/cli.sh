#!/usr/bin/env bash
# Prints the path of a Terraform-compatible CLI for the acceptance tests and
# the demo, building it from the Go module proxy when this machine has none.
# Nothing is downloaded from HashiCorp or a provider registry.
#
#   scripts/cli.sh tofu       OpenTofu 1.12.6, built once into $GOPATH/bin/tofu-1.12.6
#   scripts/cli.sh terraform  a terraform >= 1.8 on PATH, else Terraform 1.8.5 built into $GOPATH/bin/terraform-1.8.5
#   scripts/cli.sh latest     a Terraform >= 1.14 (actions, list resources, terraform query): TF_LATEST_PATH,
#                             else a terraform on PATH, else ../shared/tools/terraform-1.15.9 beside the clone;
#                             exits 3 when there is none (it cannot be built from the Go module proxy)
#
# Binaries live outside the clone so that later clones on the machine reuse them.
set -euo pipefail

OPENTOFU_VERSION=1.12.6
TERRAFORM_FALLBACK_VERSION=1.8.5
TERRAFORM_MIN_MINOR=8 # 1.8: provider-defined functions and the plugin protocol features the tests use
LATEST_MIN_MINOR=14   # 1.14: actions, list resources and terraform query
LATEST_SHARED="../shared/tools/terraform-1.15.9" # relative to the clone

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

terraform_ok() { # prints the version when $1 is a Terraform >= 1.${2:-TERRAFORM_MIN_MINOR}
	local min_minor="${2:-$TERRAFORM_MIN_MINOR}" v
	v="$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$1" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9.]*\)".*/\1/p')" || return 1
	[[ -n "$v" ]] || return 1
	local major minor
	IFS=. read -r major minor _ <<<"$v"
	if ((major > 1 || (major == 1 && minor >= min_minor))); then
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

find_latest() {
	local candidate
	if [[ -n "${TF_LATEST_PATH:-}" ]]; then
		if terraform_ok "$TF_LATEST_PATH" "$LATEST_MIN_MINOR" >/dev/null; then
			echo "$TF_LATEST_PATH"
			return
		fi
		log "TF_LATEST_PATH=$TF_LATEST_PATH is not a Terraform >= 1.$LATEST_MIN_MINOR"
		exit 3
	fi
	for candidate in "$(command -v terraform || true)" "$(cd "$root/.." && pwd)/${LATEST_SHARED#../}"; do
		if [[ -n "$candidate" && -x "$candidate" ]] && terraform_ok "$candidate" "$LATEST_MIN_MINOR" >/dev/null; then
			echo "$candidate"
			return
		fi
	done
	log "no Terraform >= 1.$LATEST_MIN_MINOR: set TF_LATEST_PATH, put one on PATH, or place $LATEST_SHARED beside the clone"
	exit 3
}

case "${1:-}" in
tofu) build_tofu ;;
terraform) find_terraform ;;
latest) find_latest ;;
*)
	echo "usage: $0 tofu|terraform|latest" >&2
	exit 2
	;;
esac
