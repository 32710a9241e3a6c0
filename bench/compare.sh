#!/usr/bin/env bash
# Side-by-side speed benchmark of Nabla and PyTorch on this machine (issue 4).
#
#   bench/compare.sh                  # 1 thread, 3 repetitions, 5 timed epochs per training run
#   THREADS=2 bench/compare.sh        # 2 threads for both (Nabla's Parallel, torch/OpenMP/OpenBLAS)
#   REPS=5 EPOCHS=10 WORKLOADS="train32" bench/compare.sh
#   WORKLOADS=cnn bench/compare.sh    # the CNN of issue 5 (batch 64, Adam): 2 timed epochs, the target on the last
#   WORKLOADS=lstm bench/compare.sh   # the character LSTM language model of issue 7 (tokens/s)
#
# Installs what is missing (Debian packages python3-torch, libopenblas0-pthread,
# dataset-fashion-mnist; needs root), builds nabla-bench's shaded jar with ./mvnw, then for each
# workload (gemm, infer, train256, train32; cnn and lstm on request) runs Nabla (dev.nabla.bench.Workloads) and PyTorch
# (bench/torch_workloads.py) alternately, REPS times each, the order flipped every repetition, and
# prints a table of medians, the Nabla/PyTorch ratios and GFLOP/s as a percentage of the FMA peak
# measured in the same run, and the 1-minute load average before and after each run (the machine is shared).
# PyTorch runs at its best setting here: OpenBLAS with
# OPENBLAS_CORETYPE=SkylakeX (on AVX-512 processors), OMP_WAIT_POLICY=PASSIVE, flush_denormal on.
# Raw results go to bench/results/<timestamp>.jsonl (one line per run, written as it goes), the
# summary to <timestamp>.json and <timestamp>.txt, the runs' progress output to <timestamp>.log.
#
# Settings (environment): THREADS (1), REPS (3), EPOCHS (5), WARMUP_STEPS (1000; steps of a
# throw-away model before the timed epochs, so the JIT has compiled the hot code),
# WORKLOADS ("gemm infer train256 train32"; add cnn for the CNN of issue 5, lstm for the LSTM of issue 7; infer
# runs 100 untimed passes over the test set, about 3 s, then 20 timed ones, on both sides),
# CNN_EPOCHS (2; timed epochs of the cnn workload), CNN_WARMUP_STEPS (200; its warm-up steps),
# LSTM_STEPS (200; timed steps of the lstm workload, 2,048 tokens each), LSTM_WARMUP_STEPS (50),
# MAX_BATCHES (all; a small number makes a smoke test), PREFETCH (0; batches Nabla's loader assembles ahead on a
# background thread in the training workloads, as Model.fit does by default with 2; PyTorch's side always assembles
# each batch in the training loop),
# JAVA (java), JAVA_OPTS (-Xmx2g -XX:+UseParallelGC -XX:+UseTransparentHugePages, the collector settings of ./nabla;
# not its earlier C2 compilation of the kernels, which matters before the warm-up steps end), PYTHON (/usr/bin/python3, Debian's, which has torch),
# SKIP_BUILD=1 (use the jar as built), SKIP_INSTALL=1 (do not call apt-get).
# The targets compare each side at its best: bench/best_of.py puts the better thread count of each side against the
# other's, from a THREADS=1 and a THREADS=2 run's raw results.
set -euo pipefail

THREADS=${THREADS:-1}
REPS=${REPS:-3}
EPOCHS=${EPOCHS:-5}
WARMUP_STEPS=${WARMUP_STEPS:-1000}
WORKLOADS=${WORKLOADS:-"gemm infer train256 train32"}
MAX_BATCHES=${MAX_BATCHES:-}
PREFETCH=${PREFETCH:-0}
CNN_EPOCHS=${CNN_EPOCHS:-2}
CNN_WARMUP_STEPS=${CNN_WARMUP_STEPS:-200}
LSTM_STEPS=${LSTM_STEPS:-200}
LSTM_WARMUP_STEPS=${LSTM_WARMUP_STEPS:-50}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--Xmx2g -XX:+UseParallelGC -XX:+UseTransparentHugePages}
PYTHON=${PYTHON:-/usr/bin/python3}

root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/nabla-bench/target/benchmarks.jar"
say() { echo "compare: $*" >&2; }

install_missing() {
  local missing=()
  "$PYTHON" -c 'import torch, numpy' 2>/dev/null || missing+=(python3-torch python3-numpy)
  dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q "ok installed" \
    || missing+=(libopenblas0-pthread)
  [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] \
    || [ -e "${NABLA_DATA:-$HOME/.nabla/datasets}/fashion-mnist/train-images-idx3-ubyte.gz" ] \
    || [ -e "${NABLA_DATA:-$HOME/.nabla/datasets}/fashion-mnist/train-images-idx3-ubyte" ] \
    || missing+=(dataset-fashion-mnist)
  command -v "$JAVA" >/dev/null || missing+=(openjdk-17-jdk-headless)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
  fi
}

[ "${SKIP_INSTALL:-0}" = 1 ] || install_missing
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  say "building nabla-bench"
  (cd "$root" && ./mvnw -q -B -pl nabla-bench -am package -DskipTests) >&2
fi

common=(--threads "$THREADS" --epochs "$EPOCHS" --warmup-steps "$WARMUP_STEPS")
cnn_common=(--threads "$THREADS" --epochs "$CNN_EPOCHS" --warmup-steps "$CNN_WARMUP_STEPS")
lstm_common=(--threads "$THREADS" --steps "$LSTM_STEPS" --warmup-steps "$LSTM_WARMUP_STEPS")
[ -z "$MAX_BATCHES" ] || common+=(--max-batches "$MAX_BATCHES")
[ -z "$MAX_BATCHES" ] || cnn_common+=(--max-batches "$MAX_BATCHES")
nabla_cmd=("$JAVA" --add-modules=jdk.incubator.vector $JAVA_OPTS -cp "$jar" dev.nabla.bench.Workloads)
torch_cmd=("$PYTHON" "$root/bench/torch_workloads.py")

results="$root/bench/results"
mkdir -p "$results"
stamp=$(date +%Y%m%d-%H%M%S)
raw="$results/$stamp.jsonl"
log="$results/$stamp.log"
: >"$raw"
{
  echo "# bench/compare.sh THREADS=$THREADS REPS=$REPS EPOCHS=$EPOCHS WARMUP_STEPS=$WARMUP_STEPS"
  echo "# WORKLOADS=\"$WORKLOADS\" PREFETCH=$PREFETCH MAX_BATCHES=$MAX_BATCHES CNN_EPOCHS=$CNN_EPOCHS CNN_WARMUP_STEPS=$CNN_WARMUP_STEPS LSTM_STEPS=$LSTM_STEPS LSTM_WARMUP_STEPS=$LSTM_WARMUP_STEPS JAVA_OPTS=\"$JAVA_OPTS\""
  echo "# load before: $(uptime | sed 's/.*load average/load average/')"
  echo "# commit $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$root" \
    && git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs"
} | tee "$log" >&2

run() { # impl workload rep
  local impl=$1 workload=$2 rep=$3 out start end load
  local -a cmd args=("${common[@]}")
  if [ "$impl" = nabla ]; then cmd=("${nabla_cmd[@]}"); else cmd=("${torch_cmd[@]}"); fi
  [ "$workload" != cnn ] || args=("${cnn_common[@]}")
  [ "$workload" != lstm ] || args=("${lstm_common[@]}")
  case "$impl/$workload" in nabla/train32 | nabla/train256 | nabla/cnn) args+=(--prefetch "$PREFETCH") ;; esac
  say "rep $rep/$REPS: $impl $workload ($(uptime | sed 's/.*load average/load average/'))"
  echo "## rep $rep $impl $workload: ${cmd[*]} $workload ${args[*]}; $(uptime)" >>"$log"
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  if ! out=$("${cmd[@]}" "$workload" "${args[@]}" 2>>"$log"); then
    say "$impl $workload failed; see $log"
    tail -5 "$log" >&2
    return 1
  fi
  end=$(date +%s.%N)
  out=$(printf '%s\n' "$out" | grep '^{' | tail -1)
  printf '{"rep": %d, "wall_s": %.3f, "load1_before": %s, "load1_after": %s, "result": %s}\n' "$rep" \
    "$(awk "BEGIN { print $end - $start }")" "$load" "$(cut -d' ' -f1 /proc/loadavg)" "$out" >>"$raw"
}

for workload in $WORKLOADS; do
  for rep in $(seq 1 "$REPS"); do
    if [ $((rep % 2)) -eq 1 ]; then
      run nabla "$workload" "$rep"; run torch "$workload" "$rep"
    else
      run torch "$workload" "$rep"; run nabla "$workload" "$rep"
    fi
  done
done

"$PYTHON" "$root/bench/summarize.py" "$raw" --json "$results/$stamp.json" | tee "$results/$stamp.txt"
echo
echo "raw results: $raw; summary: $results/$stamp.json, $results/$stamp.txt; log: $log"
