use tapeless::differentiable;

// Which element wins changes with `x`: the derivative jumps where it does.
#[differentiable]
fn largest(x: &[f64]) -> f64 {
    x.iter().copied().max_by(|a, b| a.partial_cmp(b).unwrap()).unwrap()
}

fn main() {}
