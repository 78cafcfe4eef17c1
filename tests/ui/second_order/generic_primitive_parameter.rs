// A differentiated `f64` parameter of a function generic over its float type: the Hessian runs
// the function at dual numbers through `T`, and `time` would stay a plain `f64`. Listing only
// `rate` in `wrt(..)` (time as data) is accepted.
use num_traits::Float;
use tapeless::differentiable;

#[differentiable(hessian)]
fn decay<T: Float>(rate: T, time: f64) -> T {
    (-rate * T::from(time).unwrap()).exp()
}

#[differentiable(hessian, wrt(rate))]
fn decay_of_data<T: Float>(rate: T, time: f64) -> T {
    (-rate * T::from(time).unwrap()).exp()
}

fn main() {
    let _ = decay_of_data_hessian(0.5, 2.0);
}
