#!/bin/sh
# bench/wine.sh REPS: times the Windows service under Wine for bench/run.sh (see
# docs/performance.md): `sc start` until the child runs and `sc stop` until STOPPED, through
# the SCM API (bench/scm, polling every millisecond inside Wine, since each `wine sc query`
# would cost a Wine process start). Prints "wine.start MS" and "wine.stop MS" lines. Wine is
# not Windows: the figures are for the record only. The prefix is the bench's own, made by
# .ci/wine/setup.sh on first use (~20 s): ${TMPDIR:-/tmp}/wrapper-bench-wine, so that the
# wineserver -k at the end cannot end another session's Wine (make test-windows uses
# <repo>/.wine), and outside the tree, where gofmt -l . and go vet ./... would find its Go
# overlay file.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$repo/bench/out/wine
export WINEPREFIX=${BENCH_WINEPREFIX:-${TMPDIR:-/tmp}/wrapper-bench-wine} WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
"$repo/.ci/wine/setup.sh" >&2
rm -rf "$out"
mkdir -p "$out"
(cd "${SRC:-$repo}" && GOOS=windows GOARCH=amd64 go build -o "$out/benchsvc.exe" ./cmd/wrapper)
(cd "$repo" && GOOS=windows GOARCH=amd64 go build -o "$out/gen.exe" ./bench/gen &&
	GOOS=windows GOARCH=amd64 go build -o "$out/scm.exe" ./bench/scm)
win() { printf 'Z:%s' "$1" | tr / '\\'; }
# The service finds <exe name>.yaml beside itself. Single-quoted YAML keeps the backslashes.
cat >"$out/benchsvc.yaml" <<YAML
executable: '$(win "$out/gen.exe")'
arguments: [tree, '$(win "$out/pids")']
stop: {timeout: 10s}
YAML
# A Wine service dies 3 s after the last Wine program exits: keep the session up meanwhile.
wineserver -p </dev/null >/dev/null 2>&1 || true # already running: left by an aborted run
trap 'wineserver -k </dev/null >/dev/null 2>&1 || true' EXIT
wine "$out/scm.exe" benchsvc "$(win "$out/benchsvc.exe")" "$(win "$out/pids")" "${1:-5}" </dev/null |
	tr -d '\r' | tr ' =' '\n ' | awk '$1 == "start_ms" { print "wine.start", $2 } $1 == "stop_ms" { print "wine.stop", $2 }'
