#!/usr/bin/env bash
# Prints the path of goreleaser, built once from the Go module proxy into
# $GOPATH/bin/goreleaser-<version> (outside the clone, so later clones reuse
# it). Newer releases need a newer Go or modules the proxy does not serve.
set -euo pipefail

GORELEASER_VERSION=2.15.1

bindir="$(go env GOPATH)/bin"
bin="$bindir/goreleaser-$GORELEASER_VERSION"

if [[ ! -x "$bin" ]]; then
	echo "goreleaser.sh: building goreleaser $GORELEASER_VERSION from the Go module proxy (a few minutes, once)" >&2
	mkdir -p "$bindir"
	tmp="$(mktemp -d)"
	trap 'rm -rf "$tmp"' EXIT
	GOBIN="$tmp" go install -trimpath \
		-ldflags "-s -w -X main.version=$GORELEASER_VERSION" \
		"github.com/goreleaser/goreleaser/v2@v$GORELEASER_VERSION"
	mv "$tmp/goreleaser" "$bin"
fi
echo "$bin"
