use tapeless::differentiable;

// The culprit is `to_bits`, where `x` stops being a float; `from_bits` only follows from it.
#[differentiable]
fn next_up_scaled(x: f64) -> f64 {
    f64::from_bits(x.to_bits() + 1) * x
}

fn main() {}
