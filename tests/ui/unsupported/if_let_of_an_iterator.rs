// `if let` takes an element looked up by `first`, `last` or `get` of a slice, `Vec`, array or
// nalgebra vector; an `Option` from elsewhere (here an iterator's `next`) is our error.
use tapeless::differentiable;

#[differentiable]
fn head(x: &[f64]) -> f64 {
    if let Some(v) = x.iter().next() { v * 2.0 } else { 0.0 }
}

fn main() {}
