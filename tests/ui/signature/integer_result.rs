// A count returned from a function with the attribute: an integer has no derivative. (It was
// rustc's "`usize` is not a differentiable type" inside the generated items.)
use tapeless::differentiable;

#[differentiable]
fn positives(x: &[f64]) -> usize {
    x.iter().filter(|v| tapeless::piecewise(**v > 0.0)).count()
}

fn main() {}
