// A `Vec` created inside a loop is not followed (its adjoint would need a new array per
// iteration); an array literal of floats is (tests/arrays_in_loops.rs).
use tapeless::differentiable;

#[differentiable]
fn pairs(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let pair = vec![x[i], 2.0 * x[i]];
        s += pair[0] * pair[1];
    }
    s
}

fn main() {}
