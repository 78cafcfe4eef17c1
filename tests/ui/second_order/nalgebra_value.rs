// nalgebra operations have no second-order rule yet.
use tapeless::differentiable;

#[differentiable(hessian)]
fn norm(x: f64, y: f64) -> f64 {
    nalgebra::Vector2::new(x, y).norm()
}

fn main() {}
