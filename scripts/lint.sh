#!/usr/bin/env bash
# Runs golangci-lint (configuration in .golangci.yml) on the provider module,
# then on the bench module (bench/, a module of its own).
# golangci-lint is built once from the Go module proxy into
# $GOPATH/bin/golangci-lint-<version>, outside the clone, so later clones on
# the machine reuse it.
#   scripts/lint.sh              lint ./... of both modules
#   scripts/lint.sh --path       only print the path of the binary (building it if needed)
#   scripts/lint.sh [args...]    extra arguments for `golangci-lint run`
set -euo pipefail

# The newest v2 release that builds with the Go toolchain of go.mod.
GOLANGCI_LINT_VERSION=2.15.0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bindir="$(go env GOPATH)/bin"
bin="$bindir/golangci-lint-$GOLANGCI_LINT_VERSION"

if [[ ! -x "$bin" ]]; then
	echo "lint.sh: building golangci-lint $GOLANGCI_LINT_VERSION from the Go module proxy (a few minutes, once)" >&2
	mkdir -p "$bindir"
	tmp="$(mktemp -d)"
	trap 'rm -rf "$tmp"' EXIT
	GOBIN="$tmp" go install -trimpath \
		"github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v$GOLANGCI_LINT_VERSION"
	mv "$tmp/golangci-lint" "$bin"
fi

if [[ "${1:-}" == --path ]]; then
	echo "$bin"
	exit 0
fi

cd "$root"
"$bin" run "$@" ./...
cd "$root/bench"
"$bin" run --config "$root/.golangci.yml" "$@" ./...
