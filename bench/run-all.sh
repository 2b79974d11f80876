#!/usr/bin/env bash
# Run every Poolscope benchmark in sequence (never two at once: the
# reference machine has 2 cores) and tee the output to bench/out/results.txt.
#
#   bench/run-all.sh                      # uses _build/src/cli/poolscope-run
#   POOLSCOPE_RUN=/path/to/poolscope-run bench/run-all.sh
#   bench/run-all.sh --live-sleep         # also the 10-minute live-sleep-memory
#   bench/run-all.sh --no-live            # leave out the app (live-run.py, replay.py)
#
# Extra arguments are passed to every benchmark (e.g. --reps 3), except to
# live-sleep-memory.py, which is one long run and takes none.  The live
# benchmarks run the app (_build/src/app/poolscope, or $POOLSCOPE_APP) on a
# private Xvfb they start themselves.
set -u
live=1
live_sleep=0
args=()
for a in "$@"; do
  case "$a" in
    --live-sleep) live_sleep=1 ;;
    --no-live) live=0 ;;
    *) args+=("$a") ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root" || exit 1
export POOLSCOPE_RUN="${POOLSCOPE_RUN:-$root/_build/src/cli/poolscope-run}"
mkdir -p "$here/out"
out="$here/out/results.txt"

benches=(throughput-chunk1 throughput-map startup scaling-cpu sampling-cost memory commands export history sweep-record)
command -v hyperfine >/dev/null && benches+=(sweep-agreement)
[ -x /usr/sbin/sshd ] && benches+=(remote)
[ "$live" = 1 ] && benches+=(live-run replay)
[ "$live_sleep" = 1 ] && benches+=(live-sleep-memory)
failed=()
{
  echo "Poolscope benchmarks, $(date '+%Y-%m-%d %H:%M:%S'), $(uname -srm)"
  echo "POOLSCOPE_RUN=$POOLSCOPE_RUN"
  for b in "${benches[@]}"; do
    echo
    start=$(date +%s)
    if [ "$b" = live-sleep-memory ]; then
      bargs=()
    else
      bargs=(${args[@]+"${args[@]}"})
    fi
    if ! python3 "$here/$b.py" ${bargs[@]+"${bargs[@]}"}; then
      failed+=("$b")
      echo "!! $b exited with an error"
    fi
    echo "($b took $(( $(date +%s) - start )) s)"
  done
  echo
  if [ ${#failed[@]} -eq 0 ]; then
    echo "all ${#benches[@]} benchmarks ran"
  else
    echo "benchmarks that failed to run: ${failed[*]}"
  fi
  [ ${#failed[@]} -eq 0 ]
} 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
echo "output saved to $out"
exit "$status"
