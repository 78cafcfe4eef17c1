// A point built from floats works to first order (its tangent a vector); the dual copy of second
// order has no points: our error at the point, with what to write instead.
use nalgebra::Point3;
use tapeless::differentiable;

#[differentiable(hessian)]
fn squared_distance(x: &[f64]) -> f64 {
    let a = Point3::new(x[0], x[1], x[2]);
    (a - Point3::origin()).norm_squared()
}

fn main() {}
