#!/usr/bin/env bash
# make install: build the provider and place it in the local mirror directory
# that Terraform and OpenTofu search on their own, so that a configuration
# with source = "campaignops/campaigns" runs `init` offline with no CLI
# configuration file, writes a lock file, and runs this build (no
# dev_overrides, no warning).
#
# ~/.terraform.d/plugins is an implied local mirror directory of both CLIs on
# Unix (besides $XDG_DATA_HOME/terraform/plugins, by default
# ~/.local/share/terraform/plugins). Each CLI reads "campaignops/campaigns" as
# an address on its own default registry: registry.terraform.io for Terraform,
# registry.opentofu.org for OpenTofu; the build is placed under both hosts.
#
# The version is release-shaped (X.Y.Z): a prerelease such as 0.1.0-dev is
# selected only by a configuration that pins exactly that version, so
# `source` alone or `version = "~> 0.1"` would not find it. It is
# PROVIDER_VERSION when set, else the newest version CHANGELOG.md has
# released, else 0.1.0, the version of the first release.
#
#   scripts/install.sh           install, print where
#   scripts/install.sh --version print the version it would install
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

version="${PROVIDER_VERSION:-}"
if [[ -z "$version" ]]; then
	version="$(sed -n 's/^## \([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\) .*/\1/p' "$root/CHANGELOG.md" | sed -n 1p)"
	version="${version:-0.1.0}"
fi
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	echo "install: PROVIDER_VERSION=$version is not of the form X.Y.Z (see scripts/install.sh)" >&2
	exit 2
fi
if [[ "${1:-}" == --version ]]; then
	echo "$version"
	exit 0
fi

home="${HOME:?install: HOME is not set}"
platform="$(go env GOOS)_$(go env GOARCH)"
binary="terraform-provider-campaigns_v$version"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
(cd "$root" && go build -trimpath -ldflags "-X main.version=$version" -o "$build/$binary" .)

for host in registry.terraform.io registry.opentofu.org; do
	dir="$home/.terraform.d/plugins/$host/campaignops/campaigns/$version/$platform"
	mkdir -p "$dir"
	# Replace, never write into, a binary a running CLI may hold open.
	cp "$build/$binary" "$dir/.$binary.tmp"
	mv -f "$dir/.$binary.tmp" "$dir/$binary"
	echo "installed $dir/$binary"
done
cat <<EOF2
Use it with
  terraform { required_providers { campaigns = { source = "campaignops/campaigns" } } }
then terraform init or tofu init. A lock file written for an earlier build of $version refuses
this one (another checksum): delete that provider's block from .terraform.lock.hcl and run init
again, or install under another version: PROVIDER_VERSION=X.Y.Z make install.
EOF2
