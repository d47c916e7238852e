#!/bin/sh
# bench/run.sh (make bench): measures the wrapper against baselines and rewrites the figures
# block of docs/performance.md. Linux only. It builds once, into bench/out/bin: a fresh
# wrapper binary, bench/gen (the child) and bench/measure (timing, /proc
# sampling, output checks); the wrapper as `make dist` builds it (static, -trimpath, -s -w),
# since that is the binary users run. Variants run interleaved, REPS times, and
# medians are reported: the machine may be shared. Every run is a whole process timed from fork
# to exit, and writes into files that did not exist (see tp_pair in scenarios.sh).
#
# Knobs (environment): REPS (5), TP_REPS (41 throughput runs of every variant, about 4 s each with
# the line checks: a single pair of runs varies more than the wrapper differs from cat), TP_PAIRS
# (121 runs of the headline pair, cat and the wrapper, the first TP_REPS of them among the other
# variants: single paired ratios spread by about ±15 %, and the median of 41 moved by up to 0.08
# from one series to the next), HF_RUNS (15 rounds of the throughput case's outside check, one
# hyperfine run of each command a round; 0: none), FIXED_REPS (101 runs of a
# one-line child), LINES (2000000), IDLE_SECONDS (30), IDLE_REPS (2: an idle wrapper's figures
# hardly vary, and the many case samples 50 more),
# RESTARTS (300 gaps per run), STOP_REPS (11), STOP_TIMEOUT (500ms), MANY (50 idle wrappers),
# MANY_SECONDS (30), BURST_MB (100 MB a burst), DISK_MBPS (20: the burst's disk), BURST_REPS (3),
# PRUNE_OPS (200 rotations in the prune benchmark), PRUNE_REPS (5 pairs of runs), VOLUMES
# ("50 200 800" MB), VOLUME_REPS (3), SIZES (1: make dist),
# WINE (1: Windows service start/stop under Wine, when wine is installed), QUICK=1 (a smoke
# run with small numbers that writes bench/out/quick.md instead of the doc), SRC (the source
# tree the wrapper is built from; default this repository).
#
# CASES picks the cases to run, in its order, from "throughput fixed restart idle stop many
# burst prune volume sizes wine" (the default: all of them); a run given CASES writes
# bench/out/cases.md instead of the doc, e.g. CASES="fixed restart" make bench. The burst case
# wants root (bench/slowdisk.sh); without it, it writes to the bench's own disk and says so.
#
# A/B mode: BASE=<git rev> builds a second wrapper from that revision (git archive into a
# temporary folder, deleted on exit) and runs it against the wrapper of this tree (or SRC, or
# NEW=<git rev>) in pairs, back to back, base first in odd pairs (bench/ab.sh). Cases: throughput
# (plain stdout, LINES lines, rotation at 10 MB, every run's lines checked; TP_PAIRS pairs,
# default 61), fixed (start to exit, one-line child; FIXED_REPS, 201), restart (the median of
# RESTARTS gaps, 100, with `delay: 0s`; REPS pairs, 21), idle (RSS after IDLE_SECONDS, 5;
# IDLE_REPS pairs, 5) and stop (SIGTERM until wrapper, child and grandchild are gone; STOP_REPS
# pairs, 21); CASES picks among them. Both wrappers are copied to new files every AB_FRESH pairs
# (10). bench/out/ab.md (also printed) gives per case the median of the pairs' ratios new/base
# and of their differences, with quartiles and an approximate 95 % interval of the median; the
# doc is left alone. All cases with the defaults take 2 to 3 minutes on 2 CPUs. On a shared
# machine single throughput pairs differ by ±15 %: telling 3 % takes about 300 pairs (5 to 10
# minutes), 1 ms of start to exit about 400; and separate series of the same code may differ by
# a few tenths of a millisecond or 2 % of throughput, so a difference close to a threshold wants
# a second series. Examples:
#	BASE=main make bench                                          # this tree against main
#	BASE=HEAD~1 NEW=HEAD CASES=throughput TP_PAIRS=301 make bench # a commit against its parent
# With QUICK=1 every mode runs with small numbers.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$repo/bench/out
AB=${BASE:+1}
if [ "$AB" = 1 ]; then
	# Fewer runs of more cases than the full bench: a pair's difference, not a figure.
	TP_PAIRS=${TP_PAIRS:-61} FIXED_REPS=${FIXED_REPS:-201} REPS=${REPS:-21} RESTARTS=${RESTARTS:-100}
	IDLE_SECONDS=${IDLE_SECONDS:-5} IDLE_REPS=${IDLE_REPS:-5} STOP_REPS=${STOP_REPS:-21} AB_FRESH=${AB_FRESH:-10}
	all="throughput fixed restart idle stop"
else
	all="throughput fixed restart idle stop many burst prune volume sizes wine"
fi
REPS=${REPS:-5} TP_REPS=${TP_REPS:-41} TP_PAIRS=${TP_PAIRS:-121} LINES=${LINES:-2000000} IDLE_SECONDS=${IDLE_SECONDS:-30} IDLE_REPS=${IDLE_REPS:-2}
FIXED_REPS=${FIXED_REPS:-101} RESTARTS=${RESTARTS:-300} STOP_REPS=${STOP_REPS:-11} STOP_TIMEOUT=${STOP_TIMEOUT:-500ms}
HF_RUNS=${HF_RUNS:-15} MANY=${MANY:-50} MANY_SECONDS=${MANY_SECONDS:-30} BURST_MB=${BURST_MB:-100}
DISK_MBPS=${DISK_MBPS:-20} BURST_REPS=${BURST_REPS:-3} PRUNE_OPS=${PRUNE_OPS:-200} PRUNE_REPS=${PRUNE_REPS:-5}
VOLUMES=${VOLUMES:-50 200 800} VOLUME_REPS=${VOLUME_REPS:-3}
SIZES=${SIZES:-1} WINE=${WINE:-1} DOC=$repo/docs/performance.md
for c in ${CASES:-}; do
	case " $all " in *" $c "*) ;; *) echo "bench: unknown case $c (cases: $all)" >&2; exit 2 ;; esac
done
if [ -n "${CASES:-}" ]; then DOC=$out/cases.md; fi
CASES=${CASES:-$all}
if [ "${QUICK:-}" = 1 ]; then
	REPS=1 TP_REPS=1 TP_PAIRS=2 FIXED_REPS=5 LINES=200000 IDLE_SECONDS=3 IDLE_REPS=1 RESTARTS=50 STOP_REPS=3 SIZES=0 WINE=0
	HF_RUNS=2 MANY=5 MANY_SECONDS=3 BURST_MB=20 BURST_REPS=1 PRUNE_OPS=10 PRUNE_REPS=1 VOLUMES="5 20" VOLUME_REPS=1
	if [ "$AB" = 1 ]; then REPS=3 TP_PAIRS=3 IDLE_SECONDS=2; fi
	DOC=$out/quick.md
fi
[ "$TP_PAIRS" -ge "$TP_REPS" ] || TP_PAIRS=$TP_REPS
[ "$(uname -s)" = Linux ] || { echo "bench: Linux only" >&2; exit 1; }
if [ "$DOC" != "$repo/docs/performance.md" ] && [ "$AB" != 1 ]; then
	mkdir -p "$out"
	printf '<!-- bench:begin -->\n<!-- bench:end -->\n' >"$DOC"
fi

load=$(cut -d' ' -f1 /proc/loadavg)
# The bench's wrappers run under a service name of their own: a wrapper's control socket is named
# after its service (/run/wrapper/NAME for root), and another wrapper of the same name, run by
# something else on the machine, would stop this one from starting.
svc=wrapper-bench-$$
# Nothing is deleted until the measuring is over (see set_aside in scenarios.sh): the last bench's
# files, and the trash of a bench that was killed, are moved into this bench's own trash folder,
# which is deleted when this bench exits (dash runs an EXIT trap on a signal only if it traps it).
mkdir -p "$out/trash"
trash=$(mktemp -d "$out/trash/XXXXXX")
for old in "$out"/trash/*; do
	[ "$old" = "$trash" ] || mv "$old" "$trash/"
done
srcs=     # the source trees of BASE and NEW (build_rev)
slowdisk= # the burst case's slow disk while it is mounted (bench/slowdisk.sh)
# cleanup: also the empty directories the bench's wrappers leave where their control sockets were
# (internal/control: /run/wrapper for root, else $XDG_RUNTIME_DIR/wrapper or /tmp/wrapper-UID).
cleanup() {
	[ -z "$slowdisk" ] || "$here/slowdisk.sh" down "$slowdisk"
	rm -rf "$trash" ${srcs:+"$srcs"}
	rmdir "$out/trash" /run/wrapper/"$svc"* "${XDG_RUNTIME_DIR:-/nonexistent}/wrapper/$svc"* \
		"${TMPDIR:-/tmp}/wrapper-$(id -u)/$svc"* 2>/dev/null || true
}
trap cleanup EXIT
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
# build DIR OUT: the wrapper of the source tree DIR, as make dist builds it.
build() { (cd "$1" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$2" ./cmd/wrapper); }
# build_rev REV OUT: the wrapper of git revision REV, from a copy of its tree in a temporary
# folder (outside the repository, where go vet ./... and gofmt would find it), deleted on exit.
build_rev() {
	git -C "$repo" rev-parse --verify --quiet "$1^{commit}" >/dev/null || { echo "bench: no commit $1" >&2; exit 2; }
	[ -n "$srcs" ] || srcs=$(mktemp -d "${TMPDIR:-/tmp}/wrapper-bench-src.XXXXXX")
	src=$(mktemp -d "$srcs/XXXXXX")
	git -C "$repo" archive "$1" | tar -x -C "$src"
	build "$src" "$2"
}
# describe REV: the commit's short hash and subject.
describe() { git -C "$repo" log -1 --format='%h %s' "$1"; }
echo "bench: building into $bin"
if [ -n "${NEW:-}" ]; then
	build_rev "$NEW" "$bin/wrapper"
	new_desc="$NEW = $(describe "$NEW")"
else
	build "${SRC:-$repo}" "$bin/wrapper"
	# The same with the start-up marks of internal/starttrace, for the fixed case's phases; a
	# tree without them (SRC older than the marks) leaves the phases out.
	(cd "${SRC:-$repo}" && CGO_ENABLED=0 go build -tags starttrace -trimpath -ldflags '-s -w' -o "$bin/wrapper.trace" ./cmd/wrapper) ||
		rm -f "$bin/wrapper.trace"
	new_desc="the tree at ${SRC:-$repo} ($(git -C "${SRC:-$repo}" describe --always --dirty 2>/dev/null || echo "not a git tree"))"
fi
if [ "$AB" = 1 ]; then
	build_rev "$BASE" "$bin/wrapper.base"
	base_desc="$BASE = $(describe "$BASE")"
fi
(cd "$repo" && go build -o "$bin/gen" ./bench/gen && go build -o "$bin/measure" ./bench/measure)
W=$bin/wrapper WB=$bin/wrapper.base G=$bin/gen M=$bin/measure
# settled: when idle samples begin. A wrapper gives start-up's pages back once its child has run
# 5 s (settleAfter, wrapper/host.go), a one-off burst of work that is start-up's, not idling.
settled=6s

# record KEY VALUE: one measurement; median KEY: the median of its values.
record() { echo "$1 $2" >>"$res"; }
median() {
	awk -v k="$1" '$1 == k { print $2 }' "$res" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else print v[int((NR + 1) / 2)] }'
}
# field NAME: the value of NAME=... in measure's output on stdin.
field() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
# config FILE ARGS-JSON [EXTRA [LOG-EXTRA [MAX-SIZE [LOG-DIR [MAX-FILES]]]]]: a wrapper
# configuration running gen as service $svc, logging into LOG-DIR ($run/d/logs) as svc.out.log
# and svc.err.log, rotating at MAX-SIZE (10MB), keeping MAX-FILES backups (0: all).
config() {
	printf 'name: %s\nexecutable: %s\narguments: %s\nlog: {dir: %s, stdout: svc.out.log, stderr: svc.err.log, max_size: %s, max_files: %s%s}\n%s\n' \
		"$svc" "$G" "$2" "${6:-$run/d/logs}" "${5:-10MB}" "${7:-0}" "${4:-}" "${3:-}" >"$run/$1"
}

. "$here/scenarios.sh"
. "$here/report.sh"
. "$here/scale.sh"
. "$here/ab.sh"

for c in $CASES; do
	t0=$(date +%s)
	if [ "$AB" = 1 ]; then
		"ab_$c"
		echo "bench: $c took $(($(date +%s) - t0)) s"
		continue
	fi
	case $c in
	throughput) throughput ;;
	fixed) fixed_cost ;;
	restart) restart_latency ;;
	idle) idle_cost ;;
	stop) stop_latency ;;
	many) many_idle ;;
	burst) burst ;;
	prune) prune ;;
	volume) volume ;;
	sizes) if [ "$SIZES" = 1 ]; then binary_sizes; fi ;;
	wine) if [ "$WINE" = 1 ]; then wine_service; fi ;;
	esac
	echo "bench: $c took $(($(date +%s) - t0)) s"
done

if [ "$AB" = 1 ]; then
	ab_report >"$out/ab.md"
	cat "$out/ab.md"
	echo "bench: A/B report written to $out/ab.md"
	exit 0
fi
report >"$out/block.md"
awk -v block="$out/block.md" '
	/<!-- bench:begin -->/ { print; while ((getline l < block) > 0) print l; skip = 1; next }
	/<!-- bench:end -->/ { skip = 0 }
	!skip { print }' "$DOC" >"$DOC.tmp"
grep -q '<!-- bench:end -->' "$DOC.tmp" || { echo "bench: $DOC lacks the bench markers" >&2; exit 1; }
mv "$DOC.tmp" "$DOC"
echo "bench: figures written to $DOC"
