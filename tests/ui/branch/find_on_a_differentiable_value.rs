use tapeless::differentiable;

// `find` gives the element itself, found by a test on the elements: no piecewise form.
#[differentiable]
fn first_large(x: &[f64]) -> f64 {
    x.iter().copied().find(|&v| v > 0.5).unwrap_or(0.0)
}

fn main() {}
