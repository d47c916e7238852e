#!/bin/sh
# bench/run.sh (make bench): measures the wrapper against baselines and rewrites the figures
# block of docs/performance.md. Linux only. It builds once, into bench/out/bin: a fresh
# wrapper binary, bench/gen (the child) and bench/measure (timing, /proc
# sampling, output checks); the wrapper as `make dist` builds it (static, -trimpath, -s -w),
# since that is the binary users run. Variants run interleaved, REPS times, and
# medians are reported: the machine may be shared.
#
# Knobs (environment): REPS (5), TP_REPS (41 throughput runs of every variant, about 4 s each with
# the line checks: a single pair of runs varies more than the wrapper differs from cat), TP_PAIRS
# (121 runs of the headline pair, cat and the wrapper, the first TP_REPS of them among the other
# variants: single paired ratios spread by about ±15 %, and the median of 41 moved by up to 0.08
# from one series to the next), FIXED_REPS (101 runs of a
# one-line child), LINES (2000000), IDLE_SECONDS (30), IDLE_REPS (3),
# RESTARTS (300 gaps per run), STOP_REPS (11), STOP_TIMEOUT (500ms), SIZES (1: make dist),
# WINE (1: Windows service start/stop under Wine, when wine is installed), QUICK=1 (a smoke
# run with small numbers that writes bench/out/quick.md instead of the doc), SRC (the source
# tree the wrapper is built from; default this repository).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$repo/bench/out
REPS=${REPS:-5} TP_REPS=${TP_REPS:-41} TP_PAIRS=${TP_PAIRS:-121} LINES=${LINES:-2000000} IDLE_SECONDS=${IDLE_SECONDS:-30} IDLE_REPS=${IDLE_REPS:-3}
FIXED_REPS=${FIXED_REPS:-101} RESTARTS=${RESTARTS:-300} STOP_REPS=${STOP_REPS:-11} STOP_TIMEOUT=${STOP_TIMEOUT:-500ms}
SIZES=${SIZES:-1} WINE=${WINE:-1} DOC=$repo/docs/performance.md
if [ "${QUICK:-}" = 1 ]; then
	REPS=1 TP_REPS=1 TP_PAIRS=2 FIXED_REPS=5 LINES=200000 IDLE_SECONDS=3 IDLE_REPS=1 RESTARTS=50 STOP_REPS=3 SIZES=0 WINE=0
	DOC=$out/quick.md
	mkdir -p "$out"
	[ -f "$DOC" ] || printf '<!-- bench:begin -->\n<!-- bench:end -->\n' >"$DOC"
fi
[ "$TP_PAIRS" -ge "$TP_REPS" ] || TP_PAIRS=$TP_REPS
[ "$(uname -s)" = Linux ] || { echo "bench: Linux only" >&2; exit 1; }

load=$(cut -d' ' -f1 /proc/loadavg)
# Nothing is deleted until the measuring is over (see set_aside in scenarios.sh): the last bench's
# files, and the trash of a bench that was killed, are moved into this bench's own trash folder,
# which is deleted when this bench exits (dash runs an EXIT trap on a signal only if it traps it).
mkdir -p "$out/trash"
trash=$(mktemp -d "$out/trash/XXXXXX")
for old in "$out"/trash/*; do
	[ "$old" = "$trash" ] || mv "$old" "$trash/"
done
trap 'rm -rf "$trash"; rmdir "$out/trash" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
[ -d "$out/run" ] && mv "$out/run" "$trash/run"
mkdir -p "$out/bin" "$out/run"
bin=$out/bin run=$out/run res=$out/results.txt
# On ext4, the "top of directory hierarchy" flag makes the allocator (Orlov) spread the
# directories made in $run over the block groups, so a run's files are rarely created among inodes
# that earlier runs freed (the wrapper frees a few per run: replaced status files, its control
# socket, compressed backups). Elsewhere chattr fails and nothing changes.
chattr +T "$run" 2>/dev/null || true
: >"$res"
: >"$out/stderr.log"
echo "bench: building into $bin"
(cd "${SRC:-$repo}" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$bin/wrapper" ./cmd/wrapper)
(cd "$repo" && go build -o "$bin/gen" ./bench/gen && go build -o "$bin/measure" ./bench/measure)
W=$bin/wrapper G=$bin/gen M=$bin/measure

# record KEY VALUE: one measurement; median KEY: the median of its values.
record() { echo "$1 $2" >>"$res"; }
median() {
	awk -v k="$1" '$1 == k { print $2 }' "$res" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else print v[int((NR + 1) / 2)] }'
}
# field NAME: the value of NAME=... in measure's output on stdin.
field() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
# config FILE ARGS-JSON [EXTRA [LOG-EXTRA [MAX-SIZE]]]: a wrapper configuration running gen,
# rotating at MAX-SIZE (10MB).
config() {
	printf 'name: svc\nexecutable: %s\narguments: %s\nlog: {dir: %s, max_size: %s, max_files: 0%s}\n%s\n' \
		"$G" "$2" "$run/d/logs" "${5:-10MB}" "${4:-}" "${3:-}" >"$run/$1"
}

. "$here/scenarios.sh"

throughput
fixed_cost
restart_latency
idle_cost
stop_latency
[ "$SIZES" = 1 ] && binary_sizes
[ "$WINE" = 1 ] && wine_service

. "$here/report.sh"
report >"$out/block.md"
awk -v block="$out/block.md" '
	/<!-- bench:begin -->/ { print; while ((getline l < block) > 0) print l; skip = 1; next }
	/<!-- bench:end -->/ { skip = 0 }
	!skip { print }' "$DOC" >"$DOC.tmp"
grep -q '<!-- bench:end -->' "$DOC.tmp" || { echo "bench: $DOC lacks the bench markers" >&2; exit 1; }
mv "$DOC.tmp" "$DOC"
echo "bench: figures written to $DOC"
