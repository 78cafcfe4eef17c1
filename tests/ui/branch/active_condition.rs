// Article 003, example 2. TensorFlow returns the derivative of the branch that ran (4.0 at x = 2),
// which is correct there; tapeless asks for `piecewise(..)` as a policy, because at x = 1 the
// derivative jumps from 1 to 2.
use tapeless::differentiable;

#[differentiable]
fn kinked(x: f64) -> f64 {
    if x > 1.0 { x * x } else { x }
}

fn main() {}
