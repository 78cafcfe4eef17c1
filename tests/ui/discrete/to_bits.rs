// Article 002, example 3: `.numpy()` inside the tape cuts the graph and the tape answers None.
// The Rust analogue: turning the value into something that is not a float.
use tapeless::differentiable;

#[differentiable]
fn bits(x: f64) -> f64 {
    let raw = x.to_bits();
    f64::from_bits(raw)
}

fn main() {}
