// A loop that runs until a differentiated value is small: the number of iterations depends on
// it, so the derivative jumps wherever that number changes.
use tapeless::differentiable;

#[differentiable]
fn halve_until_small(x: f64) -> f64 {
    let mut y = x;
    while y > 1.0 {
        y *= 0.5;
    }
    y
}

fn main() {}
