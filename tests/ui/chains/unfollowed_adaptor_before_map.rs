// An adaptor no chain follows, then `map`: the error is at the adaptor, not at `map`.
use tapeless::differentiable;

#[differentiable]
fn doubled(x: &[f64]) -> f64 {
    x.iter().peekable().map(|v| v * 2.0).sum()
}

fn main() {}
