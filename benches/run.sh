#!/usr/bin/env bash
# Regenerates every figure of BENCHMARKS.md in one go: the criterion benches (generated gradients
# against hand-written ones, then against the peers num-dual and echidna), the compile cost and
# the expansion time, then prints one table of criterion medians with the ratios BENCHMARKS.md
# reports. Usage: bash benches/run.sh [--summary-only]
#
# Compare ratios within one run, not absolute times across runs: the machines are shared.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--summary-only" ]]; then
  cargo bench --bench gradients
  cargo bench --bench peers
  bash benches/compile_cost.sh
  cargo run --release -p diff-expand --example expansion_time
fi

# The median of one criterion benchmark, in nanoseconds ("" if it did not run).
median() {
  local f="target/criterion/$1/$2/new/estimates.json"
  [[ -f "$f" ]] || return 0
  grep -o '"median":{"confidence_interval":{[^}]*},"point_estimate":[0-9.e+-]*' "$f" | sed 's/.*point_estimate"://'
}

# Prints `a / b` with two decimals, or "" when either is missing.
ratio() {
  [[ -n "$1" && -n "$2" ]] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || true
}

# Nanoseconds as a readable time.
human() {
  [[ -n "$1" ]] || return 0
  awk -v t="$1" 'BEGIN { if (t < 1e3) printf "%.0f ns", t; else if (t < 1e6) printf "%.1f µs", t / 1e3; else printf "%.2f ms", t / 1e6 }'
}

echo
echo "| group | primal | hand-written | tapeless _grad | _jvp | _grad / hand | _grad / primal | _jvp / primal | hand-written JVP / primal |"
echo "|---|---|---|---|---|---|---|---|---|"
for dir in target/criterion/*/; do
  group=$(basename "$dir")
  [[ "$group" == peers_* || "$group" == report ]] && continue
  p=$(median "$group" primal); h=$(median "$group" hand_written)
  g=$(median "$group" tapeless_grad); j=$(median "$group" tapeless_jvp)
  hj=$(median "$group" hand_written_jvp)
  echo "| $group | $(human "$p") | $(human "$h") | $(human "$g") | $(human "$j") | $(ratio "$g" "$h") | $(ratio "$g" "$p") | $(ratio "$j" "$p") | $(ratio "$hj" "$p") |"
done

echo
echo "| group (peers run) | hand-written | tapeless _grad | echidna | num-dual | _grad / hand | echidna / tapeless | num-dual / tapeless |"
echo "|---|---|---|---|---|---|---|---|"
for dir in target/criterion/peers_*/; do
  group=$(basename "$dir")
  h=$(median "$group" hand_written); g=$(median "$group" tapeless_grad)
  e=$(median "$group" echidna); d=$(median "$group" num_dual)
  echo "| ${group#peers_} | $(human "$h") | $(human "$g") | $(human "$e") | $(human "$d") | $(ratio "$g" "$h") | $(ratio "$e" "$g") | $(ratio "$d" "$g") |"
done
