// `fixed_rows::<2>(0)` of a DMatrix has two rows and a dynamic number of columns: a mixed shape
// with no tangent type. The error points at the part and names the dynamic parts to use.
use nalgebra::DMatrix;
use tapeless::differentiable;

#[differentiable]
fn top(m: &DMatrix<f64>) -> f64 {
    m.fixed_rows::<2>(0).sum() + m[(2, 0)]
}

fn main() {}
