// Second order runs the gradient in dual numbers: a function passed in that takes floats would
// be handed dual numbers. (One that takes integers, `fn(usize) -> f64`, works: tests/idioms.rs.)
use tapeless::differentiable;

#[differentiable(hessian)]
fn shaped(x: f64, shape: &dyn Fn(f64) -> f64) -> f64 {
    x.sin() * shape(2.0)
}

fn main() {}
