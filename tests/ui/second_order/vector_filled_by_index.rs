// A nalgebra vector written by index is held as an array in first order; its dual copy would
// need nalgebra's `RealField` for the runtime's dual number, which it does not implement.
use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable(hessian)]
fn cubes(x: &[f64]) -> f64 {
    let mut squares = DVector::<f64>::zeros(x.len());
    for i in 0..x.len() {
        squares[i] = x[i] * x[i];
    }
    let mut s = 0.0;
    for i in 0..x.len() {
        s += squares[i] * x[i];
    }
    s
}

fn main() {}
