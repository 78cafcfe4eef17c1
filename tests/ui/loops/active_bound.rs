// The number of iterations may not depend on a differentiated value: the result would jump.
use tapeless::differentiable;

#[differentiable]
fn partial_sum(x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..(x as usize) {
        s += x / (i as f64 + 1.0);
    }
    s
}

fn main() {}
