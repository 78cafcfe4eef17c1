#!/usr/bin/env bash
# Compile cost of #[differentiable]: builds a crate of 100 numeric functions with and without
# the attribute (debug profile, dependencies prebuilt, the crate itself rebuilt from scratch) and
# prints both times. Usage: bash benches/compile_cost.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/compile-cost"
mkdir -p "$work"

make_crate() { # name, attribute line
  local dir="$work/$1"
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
tapeless = { path = "$root" }
[workspace]
TOML
  {
    echo '#![allow(dead_code, unused)]'
    echo 'use tapeless::differentiable;'
    for i in $(seq 0 99); do
      echo "$2"
      echo "pub fn f$i(x: &[f64], a: f64, b: f64) -> f64 {"
      echo "    let mut s = 0.0;"
      echo "    for j in 0..x.len() {"
      echo "        let t = (a * x[j] + b * $i.0).sin();"
      echo "        s += t * t + (x[j] * x[j] + 1.0).ln();"
      echo "    }"
      echo "    s * a.exp() / (1.0 + b * b)"
      echo "}"
    done
  } > "$dir/src/lib.rs"
}

make_crate with_attribute '#[differentiable]'
make_crate without_attribute ''
for c in without_attribute with_attribute; do
  (cd "$work/$c" && CARGO_TARGET_DIR="$work/target" cargo build --quiet)  # dependencies
  (cd "$work/$c" && CARGO_TARGET_DIR="$work/target" cargo clean --quiet -p "$c")
  start=$(date +%s%N)
  (cd "$work/$c" && CARGO_TARGET_DIR="$work/target" cargo build --quiet)
  end=$(date +%s%N)
  echo "$c: $(( (end - start) / 1000000 )) ms for 100 functions"
done
