//! Differentiable functions of another file, imported by `use` in `tests/imports.rs`.

use num_traits::Float;
use tapeless::differentiable;

/// `sin² x`.
#[differentiable(hessian)]
pub fn wobble(x: f64) -> f64 {
    x.sin().powi(2)
}

/// `Σ v_i²`, generic.
#[differentiable]
pub fn norm2<T: Float>(v: &[T]) -> T {
    v.iter().fold(T::zero(), |a, &b| a + b * b)
}
