#!/usr/bin/env bash
# make release-check: validates .goreleaser.yml and runs the release pipeline
# for linux/amd64 only, in a scratch copy of the work tree, so that nothing in
# the clone (dist/, tags, remotes) is touched and nothing is published:
#   1. goreleaser check;
#   2. goreleaser build --snapshot --single-target (GOOS=linux GOARCH=amd64);
#   3. goreleaser release --snapshot with the same configuration narrowed to
#      linux/amd64 and a throw-away GPG key, then checks what a registry
#      checks: the zip, the manifest, SHA256SUMS and its signature.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
goreleaser="$("$root/scripts/goreleaser.sh")"

work="$(mktemp -d)"
cleanup() {
	if [[ -d "$work/gnupg" ]]; then GNUPGHOME="$work/gnupg" gpgconf --kill all 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
log() { echo "release-check: $*"; }

# The work tree as it is (tracked and untracked files, minus ignored ones),
# committed in a scratch repository: goreleaser wants a commit and a remote.
src="$work/src"
mkdir -p "$src"
(
	cd "$root"
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -
) | tar -xf - -C "$src"
cd "$src"
git init -q
git add -A
git -c user.name=release-check -c user.email=release-check@invalid commit -q -m snapshot
git remote add origin https://github.com/campaignops/terraform-provider-campaigns.git

log "goreleaser check"
"$goreleaser" check >"$work/check.log" 2>&1 || { cat "$work/check.log" >&2; exit 1; }

log "snapshot build, linux/amd64"
GOOS=linux GOARCH=amd64 "$goreleaser" build --snapshot --clean --single-target >"$work/build.log" 2>&1 ||
	{ cat "$work/build.log" >&2; exit 1; }
bin="$(find dist -type f -name 'terraform-provider-campaigns_v*' | sed -n 1p)"
[[ -n "$bin" ]] || { echo "release-check: no binary in dist/" >&2; exit 1; }
version="${bin##*_v}"
# -X main.version must have reached the binary (the provider reports it).
grep -aq -- "$version" "$bin" || { echo "release-check: $bin does not carry its version $version" >&2; exit 1; }
log "built $bin (version $version)"

log "snapshot release, linux/amd64, signed with a throw-away key"
sed -e 's/^    goos: .*/    goos: [linux]/' -e 's/^    goarch: .*/    goarch: [amd64]/' .goreleaser.yml >"$work/goreleaser.snapshot.yml"
grep -q '^    goos: \[linux\]$' "$work/goreleaser.snapshot.yml" && grep -q '^    goarch: \[amd64\]$' "$work/goreleaser.snapshot.yml" ||
	{ echo "release-check: could not narrow the build matrix of .goreleaser.yml (goos/goarch lines)" >&2; exit 1; }
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key 'release-check <release-check@invalid>' ed25519 sign 1d 2>/dev/null
gpg --batch --quiet --check-trustdb 2>/dev/null || true
GPG_FINGERPRINT="$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')"
export GPG_FINGERPRINT
"$goreleaser" release --snapshot --clean --config "$work/goreleaser.snapshot.yml" >"$work/release.log" 2>&1 ||
	{ cat "$work/release.log" >&2; exit 1; }

cd dist
sums="$(ls ./*_SHA256SUMS)"
sums="${sums#./}"
zip="$(ls ./*_linux_amd64.zip)"
zip="${zip#./}"
manifest="${sums%_SHA256SUMS}_manifest.json"
fail() { echo "release-check: $*" >&2; exit 1; }
# Exactly the zip and the manifest: anything else (the signature itself)
# would mean SHA256SUMS changed after it was signed.
[[ "$(awk '{ print $2 }' "$sums" | sort | tr '\n' ' ')" == "$(printf '%s\n' "$zip" "$manifest" | sort | tr '\n' ' ')" ]] ||
	fail "$sums should list exactly $zip and $manifest: $(cat "$sums")"
[[ "$(awk -v f="$zip" '$2 == f { print $1 }' "$sums")" == "$(sha256sum "$zip" | cut -d' ' -f1)" ]] || fail "wrong checksum for $zip"
# The manifest is uploaded from terraform-registry-manifest.json under its release name.
[[ "$(awk -v f="$manifest" '$2 == f { print $1 }' "$sums")" == "$(sha256sum "$src/terraform-registry-manifest.json" | cut -d' ' -f1)" ]] ||
	fail "wrong checksum for $manifest"
gpg --batch --verify "$sums.sig" "$sums" 2>/dev/null || fail "bad signature on $sums"
unzip -Z1 "$zip" | grep '^terraform-provider-campaigns_v' >/dev/null || fail "no provider binary in $zip"
log "$zip, $manifest in $sums, and $sums.sig: OK"
