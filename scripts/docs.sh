#!/usr/bin/env bash
# Generates docs/ with tfplugindocs, offline: the provider schema comes from
# `providers schema -json` run on the local build, so tfplugindocs never tries
# to download Terraform. The CLI is a Terraform >= 1.14 (scripts/cli.sh latest),
# the only one whose schema holds actions and list resources; where there is
# none, OpenTofu (it knows ephemeral resources), and then the action and
# list resource pages are neither generated nor checked (one line says so).
#   scripts/docs.sh           regenerate docs/
#   scripts/docs.sh --check   fail when docs/ differs from what would be generated
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
partial=""
if ! cli="$("$root/scripts/cli.sh" latest 2>/dev/null)"; then
	cli="$("$root/scripts/cli.sh" tofu)"
	partial="actions list-resources"
	echo "docs: no Terraform >= 1.14 (scripts/cli.sh latest), so docs/actions and docs/list-resources are left as they are" >&2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# shellcheck source=scripts/devprovider.sh
source "$root/scripts/devprovider.sh"
dev_provider_cliconfig "$work"
(cd "$root/tools" && go build -o "$work/tfplugindocs" github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs)

mkdir -p "$work/schema"
cat >"$work/schema/main.tf" <<'HCL'
terraform {
  required_providers {
    campaigns = {
      source = "campaignops/campaigns"
    }
  }
}
HCL
(
	cd "$work/schema"
	export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1
	"$cli" init -input=false -no-color >/dev/null 2>&1 || "$cli" init -input=false -no-color >&2
	"$cli" providers schema -json >"$work/schema.json" 2> >(grep -v 'Provider development overrides' >&2 || true)
)
# tfplugindocs looks the provider up by its short name.
sed -i 's#"registry.\(opentofu\|terraform\).\(org\|io\)/campaignops/campaigns"#"campaigns"#' "$work/schema.json"

# Generate in a copy, so that --check never touches the work tree.
src="$work/src"
mkdir -p "$src"
cp -R "$root/templates" "$root/examples" "$src/"
[[ -d "$root/docs" ]] && cp -R "$root/docs" "$src/docs"
for kind in $partial; do
	rm -rf "${src:?}/templates/$kind" "$src/docs/$kind"
done
(
	cd "$src"
	"$work/tfplugindocs" generate --provider-name campaigns --rendered-provider-name "Campaigns" \
		--providers-schema "$work/schema.json" --provider-dir "$src" >/dev/null
	"$work/tfplugindocs" validate --provider-name campaigns --providers-schema "$work/schema.json" --provider-dir "$src" >"$work/validate.log" 2>&1 ||
		{ cat "$work/validate.log" >&2; exit 1; }
)

# Without their schema, the pages of actions and list resources stay as they are.
for kind in $partial; do
	rm -rf "${src:?}/docs/$kind"
	[[ -d "$root/docs/$kind" ]] && cp -R "$root/docs/$kind" "$src/docs/$kind"
done

if [[ "${1:-}" == --check ]]; then
	if ! diff -ru "$root/docs" "$src/docs"; then
		echo "docs/ is stale: run 'make docs' and commit the result" >&2
		exit 1
	fi
	echo "docs: up to date"
else
	rm -rf "$root/docs"
	cp -R "$src/docs" "$root/docs"
	echo "docs: generated"
fi
