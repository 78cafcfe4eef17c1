// The helper's body uses `T::from(..)` as an `Option`: there is no plain `f64` form of it.
use num_traits::Float;
use tapeless::differentiable;

fn half_or_one<T: Float, F: Fn(T) -> T>(f: F, x: T) -> T {
    f(x) * T::from(0.5).unwrap_or(T::one())
}

#[differentiable]
fn caller(a: f64) -> f64 {
    half_or_one(|v| a * v, 2.0)
}

fn main() {}
