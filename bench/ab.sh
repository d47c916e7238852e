# bench/ab.sh: the paired A/B mode of bench/run.sh (BASE=<rev>), which sources this file after
# scenarios.sh and provides W (the new wrapper), WB (the base wrapper), G, M, run, res, record,
# median, field, config, tp, checked and set_aside. Each case runs the two wrappers back to back
# in pairs, base first in odd pairs and new first in even ones, so that the two runs of a pair
# share the machine's momentary load and neither always runs second; the report gives, per case,
# the median over the pairs of new/base and of new - base. On a shared machine a pair's two runs
# differ by more than most changes do: only many pairs show a small difference.

# ab_sides I: the order of pair I's two runs.
ab_sides() { if [ $(($1 % 2)) = 1 ]; then echo base new; else echo new base; fi; }
# ab_fresh I: before pair I, every AB_FRESH pairs, copy both wrappers to new files. Two builds
# of the same code, each run from its own file, differed by a fraction of a millisecond per start
# in some long A/A series and not in others: whatever lasting property of a file does that (how
# the kernel happens to hold it in memory), copies made side by side, often, turn it into noise
# that both sides share. The old files are emptied and set aside, not deleted (set_aside).
ab_fresh() {
	[ $((($1 - 1) % AB_FRESH)) = 0 ] || return 0
	for f in "$W" "$WB"; do
		cp "$f" "$f.new"
		aside=$((aside + 1))
		mv "$f" "$trash/bin.$aside"
		truncate -s 0 "$trash/bin.$aside"
		mv "$f.new" "$f"
	done
}
# ab_bin SIDE: that side's wrapper.
ab_bin() { if [ "$1" = base ]; then echo "$WB"; else echo "$W"; fi; }

# ab_throughput: plain stdout, LINES lines of 100 bytes, rotation at 10 MB; every run's lines
# checked (a change that loses lines is not faster).
ab_throughput() {
	echo "bench: A/B throughput, $LINES lines of 100 bytes, $TP_PAIRS pairs"
	config tp.yaml "[lines, \"$LINES\"]"
	for i in $(seq "$TP_PAIRS"); do
		ab_fresh "$i"
		for s in $(ab_sides "$i"); do
			tp "ab.tp.$s" "$(ab_bin "$s")" run --config "$run/tp.yaml"
			checked "$LINES" "$run/d/logs/svc.out.log" >/dev/null
		done
	done
	set_aside # the last run's directory becomes prev
	set_aside # and goes to the trash with the one before
}

# ab_fixed: start to exit of a wrapper whose child writes one line.
ab_fixed() {
	echo "bench: A/B fixed cost, a one-line child, $FIXED_REPS pairs"
	config fixed.yaml '[lines, "1"]'
	for i in $(seq "$FIXED_REPS"); do
		ab_fresh "$i"
		for s in $(ab_sides "$i"); do
			tp "ab.fixed.$s" "$(ab_bin "$s")" run --config "$run/fixed.yaml"
		done
	done
	set_aside
}

# ab_restart: the median gap between child starts with `delay: 0s`, RESTARTS gaps per run.
ab_restart() {
	echo "bench: A/B restart gap, $RESTARTS gaps per run, $REPS pairs"
	config restart.yaml "[stamp, \"$run/stamps\"]" \
		'restart: {policy: always, delay: 0s, max_failures: 0}'
	for i in $(seq "$REPS"); do
		ab_fresh "$i"
		for s in $(ab_sides "$i"); do
			set_aside
			r=$(cd "$run" && "$M" restart -n "$RESTARTS" -stamps "$run/stamps" -- "$(ab_bin "$s")" run --config "$run/restart.yaml" 2>>"$out/stderr.log")
			record "ab.restart.$s" "$(echo "$r" | field median_ms)"
		done
	done
	set_aside
}

# ab_idle: resident memory of an idle wrapper, and of the wrapper and its reaper together.
ab_idle() {
	echo "bench: A/B idle memory, ${IDLE_SECONDS}s per run, $IDLE_REPS pairs"
	config idle.yaml "[tree, \"$run/pids\"]"
	for i in $(seq "$IDLE_REPS"); do
		ab_fresh "$i"
		for s in $(ab_sides "$i"); do
			r=$(cd "$run" && "$M" idle -for "${IDLE_SECONDS}s" -after "$settled" -pids "$run/pids" -- "$(ab_bin "$s")" run --config "$run/idle.yaml" 2>>"$out/stderr.log")
			rss=$(echo "$r" | field rss_kb)
			record "ab.idle.$s" "$rss"
			record "ab.idle.all.$s" "$((rss + $(echo "$r" | field reaper_rss_kb)))"
		done
	done
	set_aside
}

# ab_stop: SIGTERM to the wrapper until it, its child and its grandchild are gone.
ab_stop() {
	echo "bench: A/B stop latency, $STOP_REPS pairs"
	config stop.yaml "[tree, \"$run/pids\"]" 'stop: {timeout: 10s}'
	for i in $(seq "$STOP_REPS"); do
		ab_fresh "$i"
		for s in $(ab_sides "$i"); do
			r=$(cd "$run" && "$M" stop -pids "$run/pids" -- "$(ab_bin "$s")" run --config "$run/stop.yaml" 2>>"$out/stderr.log")
			record "ab.stop.$s" "$(echo "$r" | field gone_ms)"
			record "ab.stop.left.$s" "$(echo "$r" | field left)"
		done
	done
	set_aside
}

# diffs A B SCALE: (A's i-th value - B's i-th value) * SCALE for every pair i, sorted.
diffs() {
	awk -v a="$1" -v b="$2" -v s="$3" '$1 == a { x[++na] = $2 } $1 == b { y[++nb] = $2 }
		END { n = (na < nb) ? na : nb; for (i = 1; i <= n; i++) print (x[i] - y[i]) * s }' "$res" | sort -g
}

# spread FORMAT: for sorted numbers on stdin, "median | lower–upper quartile | ~95 % interval
# of the median" in FORMAT. The interval is between the order statistics k and n + 1 - k,
# k = (n - 1.96 sqrt(n)) / 2 (sign test): if it excludes no change, the difference stands out
# of the noise of these pairs.
spread() {
	awk -v f="$1" '{ v[NR] = $1 } END {
		n = NR
		if (n == 0) { print "n/a | n/a | n/a"; exit }
		m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		q = int((n + 3) / 4); k = int((n - 1.96 * sqrt(n)) / 2)
		ci = (k >= 1) ? sprintf(f "…" f, v[k], v[n + 1 - k]) : "too few pairs"
		printf f " | " f "–" f " | %s", m, v[q], v[n + 1 - q], ci }'
}

# ab_row LABEL NEW BASE SCALE FORMAT: a table row for the pairs of keys NEW and BASE; SCALE
# converts their values into the row's unit.
ab_row() {
	n=$(diffs "$2" "$3" 1 | wc -l)
	b=$(awk -v v="$(median "$3")" -v s="$4" -v f="$5" 'BEGIN { if (v == "n/a") print v; else printf f, v * s }')
	w=$(awk -v v="$(median "$2")" -v s="$4" -v f="$5" 'BEGIN { if (v == "n/a") print v; else printf f, v * s }')
	echo "| $1 | $n | $b | $w | $(ratios "$2" "$3" | spread %.3f) | $(diffs "$2" "$3" "$4" | spread "$5") |"
}

# ab_report: the A/B report, for the cases run.
ab_report() {
	cat <<EOF
## A/B: new/base, paired

- base: $base_desc
- new: $new_desc

Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`BASE=$BASE${NEW:+ NEW=$NEW} CASES="$CASES" bench/run.sh\` with TP_PAIRS=$TP_PAIRS
LINES=$LINES FIXED_REPS=$FIXED_REPS REPS=$REPS RESTARTS=$RESTARTS IDLE_REPS=$IDLE_REPS IDLE_SECONDS=$IDLE_SECONDS
STOP_REPS=$STOP_REPS AB_FRESH=$AB_FRESH. $(machine); load average $load at the start, $(cut -d' ' -f1 /proc/loadavg) at the end.

Each pair runs base and new back to back (base first in odd pairs). Ratio: new/base of the
pair's times (above 1: new is slower) or memory; difference: new - base. Median, quartiles and
an approximate 95 % interval of the median over the pairs; an interval that excludes 1 (or 0)
is a difference that stands out of the noise. Issue 12's rule keeps a trick only if it is worth
at least 3 % of throughput (a ratio of 1.03) or 1 ms of a documented latency.

| case | pairs | base median | new median | new/base | quartiles | ~95 % interval | new - base | quartiles | ~95 % interval |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
EOF
	for c in $CASES; do
		case $c in
		throughput)
			ab_row "throughput: $LINES lines, wall (ms)" ab.tp.new ab.tp.base 1000 %.1f
			for k in pre write post; do
				ab_row "… $k (ms)" "ab.tp.new.$k" "ab.tp.base.$k" 1 %.2f
			done
			ab_row "… CPU, all processes (ms)" ab.tp.new.cpu ab.tp.base.cpu 1000 %.1f
			;;
		fixed)
			ab_row "fixed cost, a one-line child, start to exit (ms)" ab.fixed.new ab.fixed.base 1000 %.2f
			ab_row "… CPU, all processes (ms)" ab.fixed.new.cpu ab.fixed.base.cpu 1000 %.2f
			;;
		restart) ab_row "restart gap, \`delay: 0s\`, median of $RESTARTS (ms)" ab.restart.new ab.restart.base 1 %.3f ;;
		idle)
			ab_row "idle RSS, wrapper (MB)" ab.idle.new ab.idle.base 0.0009765625 %.2f
			ab_row "idle RSS, wrapper + reaper (MB)" ab.idle.all.new ab.idle.all.base 0.0009765625 %.2f
			;;
		stop) ab_row "stop, SIGTERM until all gone (ms)" ab.stop.new ab.stop.base 1 %.2f ;;
		esac
	done
	left=$(awk '$1 ~ /^ab\.stop\.left\./ { m = $2 > m ? $2 : m } END { print m + 0 }' "$res")
	[ "$left" = 0 ] || printf '\n**%s processes were left behind by a stop.**\n' "$left"
}
