// The entries of a map are not at indices: a loop over one is our error, not generated code
// rustc rejects.
use std::collections::HashMap;
use tapeless::differentiable;

#[differentiable(wrt(a))]
fn weighted(a: f64, table: &HashMap<usize, f64>) -> f64 {
    let mut s = 0.0;
    for (_, v) in table.iter() {
        s += a * v;
    }
    s
}

fn main() {}
