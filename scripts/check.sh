#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of the project, each where it adds information
# (scripts/check-plan.sh lists the jobs: what runs on which kernel and
# why), as jobs run side by side on the CPUs: a TCG guest or a kernel
# build keeps one CPU busy.  Longest jobs start first, using the times of
# the previous run (kept in the cache); a job starts once the jobs it
# needs have passed.  Each job's output goes to build/check/<job>.log;
# passing jobs show their KTAP results, failing ones their whole log.  The
# summary gives every job's and every guest test's time, and the total
# against the budget (XFRM_CSUM_BUDGET seconds, default 2400).
#
# usage: scripts/check.sh [-j SLOTS] [-q] [JOB-PATTERN]
#   -j SLOTS  jobs at once [nproc]
#   -q        quick: the jobs of check-plan.sh's quick set only (one kernel)
#   JOB-PATTERN  run only the jobs whose name matches (shell pattern),
#             and what they need
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"

slots=$(nproc)
quick=
while getopts j:qh opt; do
	case $opt in
	j) slots=$OPTARG ;;
	q) quick=1 ;;
	*) sed -n '4,19s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
only=${1:-*}
budget=${XFRM_CSUM_BUDGET:-2400}

logs=$BUILD/check
rm -rf "$logs"
mkdir -p "$logs" "$CACHE"
times_file=$CACHE/check-times

declare -A J_CMD J_NEEDS J_STATE J_START J_TIME J_RC J_PID
J_ORDER=()

# job NAME "NEEDS..." CMD...: declare a job (check-plan.sh calls it).
job() {
	local name=$1 needs=$2

	shift 2
	J_ORDER+=("$name")
	J_CMD[$name]=$(printf '%q ' "$@")
	J_NEEDS[$name]=$needs
	J_STATE[$name]=pending
}

# shellcheck source=scripts/check-plan.sh
. "$top/scripts/check-plan.sh"

# Select: the jobs matching the pattern and, transitively, their needs.
select_jobs() {
	local n d changed=1
	declare -gA WANT=()

	for n in "${J_ORDER[@]}"; do
		# shellcheck disable=SC2053
		[[ $n == $only ]] && WANT[$n]=1
	done
	while [ $changed = 1 ]; do
		changed=0
		for n in "${!WANT[@]}"; do
			for d in ${J_NEEDS[$n]}; do
				[ -n "${WANT[$d]:-}" ] && continue
				WANT[$d]=1
				changed=1
			done
		done
	done
	for n in "${J_ORDER[@]}"; do
		[ -n "${WANT[$n]:-}" ] || J_STATE[$n]=skipped
	done
}

logfile() { echo "$logs/${1//[^A-Za-z0-9.-]/_}.log"; }

# Expected duration from the last run, for ordering (unknown: long).
estimate() {
	awk -v n="$1" -F '\t' '$1 == n { t = $2 } END { print t ? t : 100000 }' \
		"$times_file" 2>/dev/null || echo 100000
}

# Priorities, once before the run: a job's estimate plus the longest chain
# of jobs waiting for it (critical path), so that a short build that a long
# guest needs starts before a longer job nothing waits for.
declare -A J_PRIO
prioritize() {
	local n d p changed=1

	for n in "${J_ORDER[@]}"; do
		J_PRIO[$n]=$(estimate "$n")
	done
	while [ "$changed" = 1 ]; do
		changed=0
		for n in "${J_ORDER[@]}"; do
			for d in ${J_NEEDS[$n]}; do
				p=$(( $(estimate "$d") + J_PRIO[$n] ))
				if [ "$p" -gt "${J_PRIO[$d]}" ]; then
					J_PRIO[$d]=$p
					changed=1
				fi
			done
		done
	done
}

ready() {
	local d

	[ "${J_STATE[$1]}" = pending ] || return 1
	for d in ${J_NEEDS[$1]}; do
		[ "${J_STATE[$d]}" = passed ] || return 1
	done
}

# A job whose needs failed cannot run.
blocked() {
	local d

	for d in ${J_NEEDS[$1]}; do
		case ${J_STATE[$d]} in failed|blocked) return 0 ;; esac
	done
	return 1
}

start_job() {
	local name=$1

	J_STATE[$name]=running
	J_START[$name]=$SECONDS
	log "start $name"
	(eval "${J_CMD[$name]}") > "$(logfile "$name")" 2>&1 &
	J_PID[$name]=$!
}

# Show a finished job: KTAP results when it passed, everything if not.
show_job() {
	local name=$1 f

	f=$(logfile "$name")
	echo "=== $name: ${J_STATE[$name]} (exit ${J_RC[$name]}, ${J_TIME[$name]} s)"
	if [ "${J_STATE[$name]}" = passed ]; then
		grep -E '^(ok|not ok) [0-9]|^# totals|^# .*: exit [0-9]+ after' "$f" || true
	else
		cat "$f"
	fi
}

finish_job() {
	local name=$1 rc=$2

	J_RC[$name]=$rc
	J_TIME[$name]=$((SECONDS - J_START[$name]))
	case $rc in
	0) J_STATE[$name]=passed ;;
	4) J_STATE[$name]=skip ;;
	*) J_STATE[$name]=failed ;;
	esac
	log "done  $name: ${J_STATE[$name]} in ${J_TIME[$name]} s"
	show_job "$name"
}

run_all() {
	local running=0 n best best_t t pid rc

	while true; do
		for n in "${J_ORDER[@]}"; do
			if [ "${J_STATE[$n]}" = pending ] && blocked "$n"; then
				J_STATE[$n]=blocked
			fi
		done
		while [ "$running" -lt "$slots" ]; do
			best='' best_t=-1
			for n in "${J_ORDER[@]}"; do
				ready "$n" || continue
				t=${J_PRIO[$n]}
				[ "$t" -gt "$best_t" ] && { best=$n; best_t=$t; }
			done
			[ -n "$best" ] || break
			start_job "$best"
			running=$((running + 1))
		done
		[ "$running" -gt 0 ] || break
		wait -n -p pid
		rc=$?
		for n in "${J_ORDER[@]}"; do
			if [ "${J_STATE[$n]}" = running ] && [ "${J_PID[$n]}" = "$pid" ]; then
				finish_job "$n" "$rc"
				running=$((running - 1))
			fi
		done
	done
}

save_times() {
	local n tmp

	tmp=$(mktemp "$CACHE/check-times.XXXXXX")
	[ -f "$times_file" ] && cat "$times_file" > "$tmp"
	for n in "${J_ORDER[@]}"; do
		[ -n "${J_TIME[$n]:-}" ] && printf '%s\t%s\n' "$n" "${J_TIME[$n]}" >> "$tmp"
	done
	# keep the newest time of each job
	tac "$tmp" | awk -F '\t' '!seen[$1]++' | tac > "$tmp.new"
	mv "$tmp.new" "$times_file"
	rm -f "$tmp"
}

select_jobs
prioritize
start=$SECONDS
run_all
total=$((SECONDS - start))
save_times

passed=0 failed=0 skipped=0
echo
echo "=== summary: jobs (wall time ${total} s of the ${budget} s budget, $slots at once)"
for n in "${J_ORDER[@]}"; do
	case ${J_STATE[$n]} in
	passed)	passed=$((passed + 1))
		printf 'ok      %-44s %5s s\n' "$n" "${J_TIME[$n]}" ;;
	skip)	skipped=$((skipped + 1))
		printf 'skip    %-44s %5s s\n' "$n" "${J_TIME[$n]}" ;;
	failed)	failed=$((failed + 1))
		printf 'FAIL    %-44s %5s s (exit %s)\n' "$n" "${J_TIME[$n]}" "${J_RC[$n]}" ;;
	blocked) failed=$((failed + 1))
		printf 'BLOCKED %-44s (a job it needs failed)\n' "$n" ;;
	pending) failed=$((failed + 1))
		printf 'NOT RUN %-44s (never became ready)\n' "$n" ;;
	esac
done
echo "=== summary: guest tests (seconds in the guest)"
for n in "${J_ORDER[@]}"; do
	[ -f "$(logfile "$n")" ] || continue
	# guest output comes through a serial console: CRLF
	tr -d '\r' < "$(logfile "$n")" |
		sed -n 's/^# \([^ ]*\): exit \([0-9]*\) after \([0-9]*\) s$/\3 \2 \1/p' |
		while read -r secs rc t; do
			printf '%5s s  %-22s %-30s exit %s\n' "$secs" "$n" "$t" "$rc"
		done
done
echo "check: $passed passed, $failed failed, $skipped skipped in ${total} s"
if [ "$total" -gt "$budget" ]; then
	echo "check: over the ${budget} s budget by $((total - budget)) s"
fi
[ "$failed" = 0 ]
