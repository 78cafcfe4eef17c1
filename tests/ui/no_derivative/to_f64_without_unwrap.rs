use num_traits::Float;
use tapeless::differentiable;

// `to_f64()` gives an `Option<f64>`: kept as an option, its derivative would be lost.
#[differentiable]
fn through_option<T: Float>(x: T) -> T {
    let a = x.to_f64();
    T::from(a.unwrap_or(0.0).sin()).unwrap()
}

fn main() {}
