#!/usr/bin/env bash
# Runs every fuzz target (the decoders of what Builder and Evolux send), one
# after the other, each for a bounded time. Not part of make test, which runs
# only the seed corpora (testdata/fuzz/<target>) as ordinary tests.
#   scripts/fuzz.sh                      every target, FUZZTIME each (default 20s)
#   FUZZTIME=2m scripts/fuzz.sh          longer
#   scripts/fuzz.sh 'FuzzDecodePage$'    only the targets matching a regexp
# FUZZMINIMIZETIME (default 1s) bounds the minimizing of each new input: go
# test's default of 60s can take the whole budget of a short run.
# A failing input is written to testdata/fuzz/<target>/ by go test: commit it
# with the fix, so that it stays a regression test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzztime="${FUZZTIME:-20s}"
minimizetime="${FUZZMINIMIZETIME:-1s}"
filter="${1:-.}"
cd "$root"

# Packages whose tests define fuzz targets.
mapfile -t dirs < <(grep -rl --include='*_test.go' '^func Fuzz' internal cmd 2>/dev/null | xargs -r -n1 dirname | sort -u)
if ((${#dirs[@]} == 0)); then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
failed=0
results=()
for dir in "${dirs[@]}"; do
	pkg="./$dir"
	mapfile -t targets < <(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
	for target in "${targets[@]}"; do
		[[ "$target" =~ $filter ]] || continue
		echo "==> $pkg $target ($fuzztime)"
		if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimizetime" "$pkg" >"$log" 2>&1; then
			outcome=ok
		else
			outcome=FAILED
			failed=1
			cat "$log"
		fi
		# go test reports progress as "fuzz: elapsed: 20s, execs: 123456 (6172/sec), new interesting: ...".
		execs="$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
		interesting="$(grep -o 'new interesting: [0-9]* (total: [0-9]*)' "$log" | tail -1 | sed 's/.*total: \([0-9]*\)).*/\1/')"
		results+=("$(printf '%-7s %-40s %-24s %12s execs  %5s in corpus' "$outcome" "$target" "$dir" "${execs:-?}" "${interesting:-?}")")
	done
done

echo
echo "fuzz summary (FUZZTIME=$fuzztime each):"
printf '%s\n' "${results[@]}"
exit "$failed"
