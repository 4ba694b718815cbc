# Sourced by scripts that run a CLI on the local build of the provider.
# dev_provider_cliconfig WORKDIR builds the provider into WORKDIR/plugins and
# writes WORKDIR/cli.tfrc: dev_overrides run the local build, and a
# filesystem mirror holding the same binary lets init succeed offline (init
# still installs every provider, and nothing may be downloaded). The user's
# own CLI configuration is never read or changed.

# A version of its own: init refuses 0.0.0 as "non-published".
DEV_PROVIDER_VERSION=0.0.1

dev_provider_cliconfig() {
	local work="$1" root
	root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
	mkdir -p "$work/plugins"
	(cd "$root" && go build -o "$work/plugins/terraform-provider-campaigns" .)
	local host dir
	for host in registry.opentofu.org registry.terraform.io; do
		dir="$work/mirror/$host/campaignops/campaigns/$DEV_PROVIDER_VERSION/$(go env GOOS)_$(go env GOARCH)"
		mkdir -p "$dir"
		ln -sf "$work/plugins/terraform-provider-campaigns" "$dir/terraform-provider-campaigns_v$DEV_PROVIDER_VERSION"
	done
	cat >"$work/cli.tfrc" <<CONFIG
provider_installation {
  dev_overrides {
    "campaignops/campaigns" = "$work/plugins"
  }
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["campaignops/campaigns"]
  }
}
CONFIG
}
