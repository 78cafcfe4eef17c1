use tapeless::differentiable;

// An iterator bound to a name and consumed later is not followed: the chain is read where it
// ends (`x.iter().map(..).sum()`).
#[differentiable]
fn doubled_sum(x: &[f64]) -> f64 {
    let doubled = x.iter().map(|v| v * 2.0);
    doubled.sum::<f64>()
}

fn main() {}
