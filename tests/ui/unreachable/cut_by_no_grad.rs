use tapeless::{differentiable, no_grad};

#[differentiable]
fn frozen(w: f64, x: f64) -> f64 {
    no_grad(w) * x
}

fn main() {}
