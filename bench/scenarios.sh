# bench/scenarios.sh: the scenarios of bench/run.sh, which sources this file and provides
# W G M (wrapper, gen, measure), run (scratch directory), trash (where set_aside moves it), record,
# median, field, config.

# set_aside: give the next run an empty $run/d without deleting a file while the bench measures.
# The last run's directory is kept as $run/prev until the next set_aside, so that the checks of
# two runs made back to back can follow them; the one before is truncated (which frees its
# blocks) and moved into $trash, which run.sh deletes when the bench exits. ext4 without a journal
# (this bench's machine) skips, on every file creation, each inode of the block group freed in
# the last 60 s (longer while its inode table is not written back), looking up that inode's table
# block in the buffer cache: deleting a run's 20 files before the next run made each of the
# wrapper's file creations scan hundreds of freed inodes (perf: a fifth of the samples in
# recently_deleted), a cost of the bench's own deletions, charged to the wrapper (21 files per
# run) and hardly to cat (1). The fresh $run/d is also placed away from the earlier ones (chattr
# +T in run.sh). See docs/performance.md.
set_aside() {
	if [ -d "$run/prev" ]; then
		find "$run/prev" -type f -exec truncate -s 0 {} +
		aside=$((aside + 1))
		mv "$run/prev" "$trash/d.$aside"
	fi
	if [ -d "$run/d" ]; then
		mv "$run/d" "$run/prev"
	fi
	mkdir -p "$run/d"
}
aside=0

# tp NAME CMD...: time one run of CMD in $run/d (fresh, after the command in $tp_prep if set),
# record NAME's wall time, its CPU time as NAME.cpu (s, CMD and every process it reaped), that CPU
# less gen's own as NAME.own (s: the wrapper and its reaper, or the shell and cat), the largest
# RSS as NAME.maxrss (kB), and its phases as NAME.pre, NAME.write and NAME.post (ms; measure time
# -stamps: gen's start and end of writing).
tp() {
	name=$1
	shift
	set_aside
	if [ -n "${tp_prep:-}" ]; then (cd "$run/d" && eval "$tp_prep"); fi
	r=$(cd "$run/d" && "$M" time -stamps "$run/phases" -- "$@" 2>>"$out/stderr.log")
	wall=$(echo "$r" | field wall)
	[ -n "$wall" ] || { echo "bench: $name failed; see $out/stderr.log" >&2; exit 1; }
	record "$name" "$wall"
	record "$name.cpu" "$(echo "$r" | field cpu)"
	record "$name.own" "$(awk -v c="$(echo "$r" | field cpu)" -v g="$(echo "$r" | field gen_cpu)" 'BEGIN { printf "%.6f", c - g }')"
	record "$name.maxrss" "$(echo "$r" | field maxrss_kb)"
	for k in pre write post; do record "$name.$k" "$(echo "$r" | field $k)"; done
}

# checked N PATH [-timestamps]: verify the lines of a log; abort the run if any is wrong.
checked() {
	r=$("$M" check ${3:-} -n "$1" "$2") || { echo "bench: line check failed for $2" >&2; exit 1; }
	echo "$r"
}

# tp_pair I: the headline pair, `gen | cat > file` and the wrapper, back to back, cat first in odd
# rounds and the wrapper first in even ones (so neither always runs second, after the other's
# 200 MB), then both outputs checked. Each writes into files that did not exist: a file that
# exists is truncated by the shell's O_TRUNC, and then ext4 (auto_da_alloc) starts writing the
# new data back when the file is closed, in the closing process; see tp.catold.
tp_pair() {
	if [ $(($1 % 2)) = 1 ]; then
		tp tp.cat sh -c "$G lines $LINES | cat > out"
		tp tp.wrapper "$W" run --config "$run/tp.yaml"
		cat_out=$run/prev/out wrapper_log=$run/d/logs/svc.out.log
	else
		tp tp.wrapper "$W" run --config "$run/tp.yaml"
		tp tp.cat sh -c "$G lines $LINES | cat > out"
		cat_out=$run/d/out wrapper_log=$run/prev/logs/svc.out.log
	fi
	checked "$LINES" "$cat_out" >/dev/null
	r=$(checked "$LINES" "$wrapper_log")
	record tp.files "$(echo "$r" | field files)"
}

# tp_small I: gen writing 4 KiB at a time (what C's stdio writes into a pipe) through cat and
# the wrapper, in the order of tp_pair.
tp_small() {
	for v in $(if [ $(($1 % 2)) = 1 ]; then echo cat wrapper; else echo wrapper cat; fi); do
		if [ "$v" = cat ]; then
			tp small.cat sh -c "$G lines $LINES out 4096 | cat > out"
			checked "$LINES" "$run/d/out" >/dev/null
		else
			tp small.wrapper "$W" run --config "$run/small.yaml"
			checked "$LINES" "$run/d/logs/svc.out.log" >/dev/null
		fi
	done
}

throughput() {
	echo "bench: log throughput, $LINES lines of 100 bytes, $TP_REPS runs of every variant, $TP_PAIRS of cat and the wrapper"
	half=$((LINES / 2))
	config tp.yaml "[lines, \"$LINES\"]"
	config one.yaml "[lines, \"$LINES\"]" "" "" 1GB
	config both.yaml "[lines, \"$LINES\", both]"
	config ts.yaml "[lines, \"$LINES\"]" "" ", timestamps: true"
	config gz.yaml "[lines, \"$LINES\"]" "" ", compress: true"
	config small.yaml "[lines, \"$LINES\", out, \"4096\"]"
	mkfifo "$run/fifo"
	for i in $(seq "$TP_PAIRS"); do
		tp_pair "$i"
		[ "$i" -le "$TP_REPS" ] || continue
		# What a measurement that leaves `out` in place between runs times: cat into a file
		# that exists (emptied, as a --prepare of `: > out` would leave it).
		tp_prep=': > out'
		tp tp.catold sh -c "$G lines $LINES | cat > out"
		tp_prep=
		tp_small "$i"
		tp tp.file sh -c "$G lines $LINES > out"
		tp tp.one "$W" run --config "$run/one.yaml"
		checked "$LINES" "$run/d/logs/svc.out.log" >/dev/null
		tp tp.copy "$M" copy out -- "$G" lines "$LINES"
		checked "$LINES" "$run/d/out" >/dev/null
		tp both.cat sh -c "cat $run/fifo > err & $G lines $LINES both 2> $run/fifo | cat > out; wait"
		tp both.wrapper "$W" run --config "$run/both.yaml"
		checked "$half" "$run/d/logs/svc.out.log" >/dev/null
		checked "$((LINES - half))" "$run/d/logs/svc.err.log" >/dev/null
		tp ts.wrapper "$W" run --config "$run/ts.yaml"
		checked "$LINES" "$run/d/logs/svc.out.log" -timestamps >/dev/null
		tp gz.wrapper "$W" run --config "$run/gz.yaml"
		# Backups compressed and left plain at exit (none both: checked fails on that).
		r=$(checked "$LINES" "$run/d/logs/svc.out.log")
		record gz.compressed "$(echo "$r" | field compressed)"
		record gz.plain "$(echo "$r" | field plain)"
	done
	set_aside # the last run's directory becomes prev
	set_aside # and goes to the trash with the one before
	outside_check
}

# outside_check: the throughput commands timed by hyperfine, an outside tool, in $out/hf, as
# docs/performance.md tells a reader to repeat them: whole processes, the outputs removed before
# every run. HF_RUNS rounds (0: none; skipped without hyperfine), each one hyperfine run of every
# command, in one order in odd rounds and the reverse in even ones: interleaved, as the bench's
# own pairs, since hyperfine alone runs each command's runs back to back. Each round's CSV is
# appended to $out/hf/rounds.csv.
outside_check() {
	[ "$HF_RUNS" -gt 0 ] || return 0
	command -v hyperfine >/dev/null || { echo "bench: hyperfine not installed (.ci/bench/setup.sh); outside check skipped"; return 0; }
	echo "bench: outside check, hyperfine, $HF_RUNS rounds"
	hf=$out/hf
	[ -d "$hf" ] && mv "$hf" "$trash/hf"
	mkdir -p "$hf"
	hf_configs "$hf"
	for i in $(seq "$HF_RUNS"); do
		(cd "$hf" && hf_round "$i") >>"$hf/hyperfine.txt" 2>&1 ||
			{ echo "bench: hyperfine failed; see $hf/hyperfine.txt" >&2; exit 1; }
		# The CSV: command,mean,stddev,median,user,system,min,max; one run, in the order run.
		awk -F, 'NR > 1 { print "hf." $1, $2; print "hf." $1 ".cpu", $5 + $6 }' "$hf/round.csv" >>"$res"
		cat "$hf/round.csv" >>"$hf/rounds.csv"
	done
	rm -rf "$hf/out" "$hf/err" "$hf/logs" "$hf/round.csv"
}

# hf_round I: one hyperfine run of each command, in the current directory, forward in odd rounds
# and backward in even ones, into round.csv.
hf_round() {
	c1="sh -c '../bin/gen lines $LINES | cat > out'"
	c2='../bin/wrapper run --config tp.yaml'
	c3='../bin/wrapper run --config ts.yaml'
	c4='../bin/wrapper run --config gz.yaml'
	c5="sh -c 'cat fifo > err & ../bin/gen lines $LINES both 2> fifo | cat > out; wait'"
	c6='../bin/wrapper run --config both.yaml'
	odd=$(($1 % 2))
	set -- hyperfine -N --style none -r 1 --prepare 'rm -rf out err logs' --export-csv round.csv
	if [ "$odd" = 1 ]; then
		"$@" -n cat "$c1" -n wrapper "$c2" -n ts "$c3" -n gz "$c4" -n both.cat "$c5" -n both "$c6"
	else
		"$@" -n both "$c6" -n both.cat "$c5" -n gz "$c4" -n ts "$c3" -n wrapper "$c2" -n cat "$c1"
	fi
}

# hf_configs DIR: the wrapper configurations of the outside check, relative to DIR (the wrapper
# resolves paths against its configuration's directory), and the fifo of the two cats.
hf_configs() {
	for v in tp:"" ts:", timestamps: true" gz:", compress: true" both:""; do
		a="[lines, \"$LINES\"]"
		[ "${v%%:*}" != both ] || a="[lines, \"$LINES\", both]"
		printf 'name: %s\nexecutable: ../bin/gen\narguments: %s\nlog: {dir: logs, stdout: svc.out.log, stderr: svc.err.log, max_size: 10MB, max_files: 0%s}\n' \
			"$svc" "$a" "${v#*:}" >"$1/${v%%:*}.yaml"
	done
	mkfifo "$1/fifo"
}

# fixed_cost: start-to-exit of a wrapper whose child writes one line, against the same child
# through cat and through measure copy: what a run costs before and after the bytes, which the
# 200 MB throughput runs pay once each.
fixed_cost() {
	echo "bench: fixed cost, a one-line child, $FIXED_REPS runs"
	config fixed.yaml '[lines, "1"]'
	for i in $(seq "$FIXED_REPS"); do
		tp fixed.cat sh -c "$G lines 1 | cat > out"
		tp fixed.wrapper "$W" run --config "$run/fixed.yaml"
		tp fixed.copy "$M" copy out -- "$G" lines 1
		tp fixed.gen "$G" lines 1
		trace_start
	done
	set_aside
}

# trace_start: one run of the wrapper built with -tags starttrace (internal/starttrace), its
# marks recorded as start.LABEL (ms since the fork) and start.d.LABEL (ms since the mark before).
trace_start() {
	[ -x "$bin/wrapper.trace" ] || return 0
	set_aside
	r=$(cd "$run/d" && "$M" trace -- "$bin/wrapper.trace" run --config "$run/fixed.yaml" 2>>"$out/stderr.log") || return 0
	echo "$r" | tr ' ' '\n' | awk -F= -v res="$res" '{ printf "start.%s %s\nstart.d.%s %.3f\n", $1, $2, $1, $2 - p >> res; p = $2 }'
}

restart_latency() {
	echo "bench: restart latency, $RESTARTS gaps per run, $REPS runs"
	config restart.yaml "[stamp, \"$run/stamps\"]" \
		'restart: {policy: always, delay: 0s, max_failures: 0}'
	for i in $(seq "$REPS"); do
		r=$(cd "$run" && "$M" restart -n "$RESTARTS" -stamps "$run/stamps" -- "$W" run --config "$run/restart.yaml" 2>>"$out/stderr.log")
		record restart.wrapper "$(echo "$r" | field median_ms)"
		record restart.wrapper.p90 "$(echo "$r" | field p90_ms)"
		r=$("$M" restart -n "$RESTARTS" -stamps "$run/stamps" -- "$M" loop -n 1000000000 -- "$G" stamp "$run/stamps")
		record restart.loop "$(echo "$r" | field median_ms)"
		record restart.loop.p90 "$(echo "$r" | field p90_ms)"
	done
	set_aside
}

idle_cost() {
	echo "bench: idle cost, ${IDLE_SECONDS}s per run, $IDLE_REPS runs"
	config idle.yaml "[tree, \"$run/pids\"]"
	config idle-watch.yaml "[tree, \"$run/pids\"]" 'watch: true'
	for i in $(seq "$IDLE_REPS"); do
		r=$(cd "$run" && "$M" idle -for "${IDLE_SECONDS}s" -after "$settled" -pids "$run/pids" -- "$W" run --config "$run/idle.yaml" 2>>"$out/stderr.log")
		echo "  wrapper: $r"
		for k in rss_kb cpu_ms wakeups_per_s threads reaper_rss_kb; do record "idle.wrapper.$k" "$(echo "$r" | field $k)"; done
		r=$(cd "$run" && "$M" idle -for "${IDLE_SECONDS}s" -after "$settled" -pids "$run/pids" -- "$W" run --config "$run/idle-watch.yaml" 2>>"$out/stderr.log")
		echo "  wrapper, watch: true: $r"
		for k in rss_kb cpu_ms wakeups_per_s; do record "idle.watch.$k" "$(echo "$r" | field $k)"; done
		r=$("$M" idle -for "${IDLE_SECONDS}s" -after "$settled" -pids "$run/pids" -- "$G" tree "$run/pids")
		echo "  gen alone: $r"
		for k in rss_kb cpu_ms wakeups_per_s threads; do record "idle.gen.$k" "$(echo "$r" | field $k)"; done
	done
	set_aside
}

stop_latency() {
	echo "bench: stop latency, $STOP_REPS runs each"
	config stop.yaml "[tree, \"$run/pids\"]" 'stop: {timeout: 10s}'
	config ignore.yaml "[tree, \"$run/pids\", ignore]" "stop: {timeout: $STOP_TIMEOUT}"
	for i in $(seq "$STOP_REPS"); do
		for v in stop ignore; do
			r=$(cd "$run" && "$M" stop -pids "$run/pids" -- "$W" run --config "$run/$v.yaml" 2>>"$out/stderr.log")
			record "$v.wrapper" "$(echo "$r" | field gone_ms)"
			record "$v.wrapper.left" "$(echo "$r" | field left)"
		done
		r=$("$M" stop -group -pids "$run/pids" -- "$G" tree "$run/pids")
		record stop.alone "$(echo "$r" | field gone_ms)"
	done
	set_aside
}

binary_sizes() {
	echo "bench: binary sizes (make dist)"
	# A fixed VERSION names the zips the same in every run (not after git describe, which
	# would put a local tag and -dirty into the doc); zips of earlier versions are left out.
	(cd "$repo" && make -s dist VERSION=bench >/dev/null)
	for f in "$repo"/dist/wrapper-*; do
		n=$(basename "$f")
		case $n in
		*.zip) case $n in wrapper-bench-*) n=wrapper-${n#wrapper-bench-} ;; *) continue ;; esac ;;
		esac
		record "size.$n" "$(stat -c %s "$f")"
	done
}

wine_service() {
	if ! command -v wine >/dev/null; then
		echo "bench: wine not installed; Windows service timings skipped"
		return
	fi
	echo "bench: Windows service under Wine, $REPS runs"
	# The first Wine start of a session may yield nothing (prefix update): one retry.
	for try in 1 2; do
		"$repo/bench/wine.sh" "$REPS" >"$run/wine.txt" 2>>"$out/stderr.log" || true
		grep -q '^wine\.stop ' "$run/wine.txt" && break
	done
	cat "$run/wine.txt" >>"$res"
	grep -q '^wine\.stop ' "$run/wine.txt" || echo "bench: Wine measurement failed; see $out/stderr.log" >&2
}
