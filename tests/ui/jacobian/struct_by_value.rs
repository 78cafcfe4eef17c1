// `_jacobian` calls the function once per column or row: a struct passed by value cannot be
// passed again.
use tapeless::differentiable;

pub struct Data {
    pub scale: f64,
}

#[differentiable(jacobian, wrt(x))]
fn f(x: &[f64], data: Data) -> Vec<f64> {
    vec![x[0] * data.scale, x[1]]
}

fn main() {}
