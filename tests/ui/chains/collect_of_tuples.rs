// Points collected as tuples of differentiable values (`Vec<(f64, f64)>`) are not followed yet:
// our error at the chain, whose help holds each point as `[f64; 2]`, which is
// (tests/appends.rs `points_held_as_arrays`). Tuples of constants are kept as written.
use tapeless::differentiable;

#[differentiable]
fn paired(x: &[f64]) -> f64 {
    let pts: Vec<(f64, f64)> = x.chunks(2).map(|c| (c[0], c[1])).collect();
    pts.iter().map(|(a, b)| a * b).sum()
}

fn main() {}
