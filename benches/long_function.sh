#!/usr/bin/env bash
# Prints a long function for benches/compile_cost.sh: bash benches/long_function.sh SHAPE N
#   straight  N statements `a = (a * 0.999 + b * 0.001).sin();` (alternating a and b)
#   loop      one `for` loop over a slice whose body holds N such statements
#   branches  N `if` blocks on an integer parameter, each assigning in both branches
# The function is `big`, without its attribute.
set -euo pipefail
shape=$1 n=$2
stmt() { # statement number i
  if (( $1 % 2 == 0 )); then echo "    a = (a * 0.999 + b * 0.001).sin();"
  else echo "    b = (b * 0.999 + a * 0.001).cos();"; fi
}
case "$shape" in
  straight)
    echo "pub fn big(x: f64, y: f64) -> f64 {"
    echo "    let mut a = x;"
    echo "    let mut b = y;"
    for ((i = 0; i < n; i++)); do stmt "$i"; done
    echo "    a + b"
    echo "}" ;;
  loop)
    echo "pub fn big(x: &[f64], y: f64) -> f64 {"
    echo "    let mut a = y;"
    echo "    let mut b = 0.5;"
    echo "    for c in x.iter() {"
    echo "        a = a + 0.01 * c;"
    for ((i = 0; i < n; i++)); do echo "    $(stmt "$i")"; done
    echo "    }"
    echo "    a + b"
    echo "}" ;;
  branches)
    echo "pub fn big(x: f64, y: f64, k: usize) -> f64 {"
    echo "    let mut a = x;"
    echo "    let mut b = y;"
    for ((i = 0; i < n; i++)); do
      echo "    if k % 3 == $((i % 3)) {"
      echo "    $(stmt 0)"
      echo "    } else {"
      echo "    $(stmt 1)"
      echo "    }"
    done
    echo "    a + b"
    echo "}" ;;
  *) echo "unknown shape $shape" >&2; exit 2 ;;
esac
