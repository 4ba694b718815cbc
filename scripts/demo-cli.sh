#!/usr/bin/env bash
# Prints the path of the CLI `make demo` runs, using what is installed:
#
#   DEMO_CLI unset            tofu >= 1.11 on PATH, else terraform >= 1.8 on
#                             PATH, else OpenTofu built once by scripts/cli.sh
#                             (about 5 minutes the first time)
#   DEMO_CLI=/path/to/cli     that CLI (Terraform >= 1.8 or OpenTofu >= 1.11)
#   DEMO_CLI=terraform|tofu   that command on PATH, of those versions; else
#                             built by scripts/cli.sh
#
# The chosen CLI and its version are printed on stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

TERRAFORM_MIN_MINOR=8 # the demo's required_version
TOFU_MIN_MINOR=11     # the first OpenTofu with every feature the examples use, ephemeral resources included

log() { echo "demo-cli: $*" >&2; }

# usable CLI: prints "<OpenTofu|Terraform> <version>" when CLI is a Terraform
# >= 1.TERRAFORM_MIN_MINOR or an OpenTofu >= 1.TOFU_MIN_MINOR.
usable() {
	local cli="$1" first version major minor
	first="$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$cli" version 2>/dev/null)" || return 1
	first="${first%%$'\n'*}"
	version="$(sed -n 's/^\(OpenTofu\|Terraform\) v\([0-9][0-9.]*\).*/\2/p' <<<"$first")"
	[[ -n "$version" ]] || return 1
	IFS=. read -r major minor _ <<<"$version"
	case "$first" in
	OpenTofu*) ((major > 1 || (major == 1 && minor >= TOFU_MIN_MINOR))) || return 1 ;;
	*) ((major > 1 || (major == 1 && minor >= TERRAFORM_MIN_MINOR))) || return 1 ;;
	esac
	echo "${first%% *} $version"
}

pick() { # pick CLI: print it and say why, or fail
	local found
	if found="$(usable "$1")"; then
		log "using $found ($1)"
		echo "$1"
		return 0
	fi
	return 1
}

choice="${DEMO_CLI:-}"
case "$choice" in
*/*)
	pick "$choice" || {
		log "DEMO_CLI=$choice is not a Terraform >= 1.$TERRAFORM_MIN_MINOR or an OpenTofu >= 1.$TOFU_MIN_MINOR"
		exit 1
	}
	;;
tofu | terraform)
	onpath="$(command -v "$choice" || true)"
	if [[ -n "$onpath" ]] && pick "$onpath"; then exit 0; fi
	log "no usable $choice on PATH; using scripts/cli.sh $choice"
	pick "$("$root/scripts/cli.sh" "$choice")"
	;;
"")
	for name in tofu terraform; do
		onpath="$(command -v "$name" || true)"
		if [[ -n "$onpath" ]] && pick "$onpath"; then exit 0; fi
	done
	log "no tofu >= 1.$TOFU_MIN_MINOR or terraform >= 1.$TERRAFORM_MIN_MINOR on PATH; using OpenTofu from scripts/cli.sh"
	pick "$("$root/scripts/cli.sh" tofu)"
	;;
*)
	log "DEMO_CLI=$choice: give a path, tofu or terraform"
	exit 2
	;;
esac
