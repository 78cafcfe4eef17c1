#!/usr/bin/env bash
# Compile cost of #[differentiable].
#
#   bash benches/compile_cost.sh            both parts below
#   bash benches/compile_cost.sh many       a crate of 100 numeric functions with and without the
#                                           attribute (debug, dependencies prebuilt, the crate
#                                           itself rebuilt from scratch)
#   bash benches/compile_cost.sh long [SHAPE:N ...]
#                                           one long function (benches/long_function.sh) per
#                                           SHAPE:N (default straight:1000 .. straight:8000,
#                                           loop:1000, branches:200): the expansion time in a
#                                           debug build of the macro (cargo builds proc macros
#                                           without optimisation by default), and the debug and
#                                           release build times of a crate calling `big` alone
#                                           and one calling `big_jvp`, `big_vjp` and `big_grad`
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/compile-cost"
mkdir -p "$work"
part="${1:-all}"

manifest() { # crate name: its directory with a Cargo.toml depending on tapeless
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
}

make_crate() { # name, attribute line: 100 functions in src/lib.rs
  local dir="$work/$1"
  manifest "$1"
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

if [[ "$part" == all || "$part" == many ]]; then
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
fi

# The calls of `main` for a shape: the primal alone, or the three generated items.
calls() { # shape, with (1) or without (0) the attribute
  local args tangents
  case "$1" in
    straight) args="0.3, 0.7"; tangents="1.0, 0.0" ;;
    loop) args="&[0.1, 0.2, 0.3], 0.7"; tangents="vec![1.0, 0.0, 0.0], 1.0" ;;
    branches) args="0.3, 0.7, 5"; tangents="1.0, 0.0" ;;
  esac
  if [[ "$2" == 1 ]]; then
    echo "    let (v, t) = big_jvp($args, $tangents);"
    echo "    let (_, pullback) = big_vjp($args);"
    echo "    let (_, g) = big_grad($args);"
    echo "    println!(\"{v} {t:?} {:?} {g:?}\", pullback(1.0));"
  else
    echo "    println!(\"{}\", big($args));"
  fi
}

# Seconds taken by `cargo build` (profile flag in $2) of the crate in $1, its own code only,
# from scratch: `cargo clean -p` drops its artifacts and its incremental cache (after a mere
# `touch`, a debug build would reuse the cached type checking and code generation and measure
# little more than the macro expansion).
build_time() {
  (cd "$1" && CARGO_TARGET_DIR="$work/target" cargo build --quiet $2)  # dependencies, warm
  (cd "$1" && CARGO_TARGET_DIR="$work/target" cargo clean --quiet -p "$(basename "$1")" $2)
  local start end
  start=$(date +%s%N)
  if ! (cd "$1" && CARGO_TARGET_DIR="$work/target" cargo build --quiet $2 2> "$1/build.log"); then
    echo "FAILED"
    return
  fi
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.1f", ns / 1e9 }'
}

if [[ "$part" == all || "$part" == long ]]; then
  shift || true
  cases=("$@")
  (( ${#cases[@]} )) || cases=(straight:1000 straight:2000 straight:4000 straight:8000 loop:1000 branches:200)
  (cd "$root" && cargo build --quiet -p diff-expand --example expand)
  printf "%-16s %10s %12s %12s %12s %12s\n" function "expand (s)" "debug plain" "debug diff" "rel. plain" "rel. diff"
  for c in "${cases[@]}"; do
    shape=${c%%:*} n=${c##*:}
    source="$(bash "$root/benches/long_function.sh" "$shape" "$n")"
    expand=$("$root/target/debug/examples/expand" --time '' <<< "$source" 2>&1 >/dev/null)
    row=()
    for with in 0 1; do
      dir="$work/long_${shape}_${n}_${with}"
      manifest "long_${shape}_${n}_${with}"
      {
        echo '#![allow(unused)]'
        echo 'use tapeless::differentiable;'
        [[ "$with" == 1 ]] && echo '#[differentiable]'
        echo "$source"
        echo 'fn main() {'
        calls "$shape" "$with"
        echo '}'
      } > "$dir/src/main.rs"
    done
    d0=$(build_time "$work/long_${shape}_${n}_0" "")
    d1=$(build_time "$work/long_${shape}_${n}_1" "")
    r0=$(build_time "$work/long_${shape}_${n}_0" --release)
    r1=$(build_time "$work/long_${shape}_${n}_1" --release)
    printf "%-16s %10s %12s %12s %12s %12s\n" "$shape $n" "$expand" "$d0" "$d1" "$r0" "$r1"
  done
fi
