// `rows(i, n)` of a Matrix3 has a dynamic number of rows and three columns: a mixed shape with
// no tangent type. The error points at the part and names the fixed-size parts to use.
use nalgebra::Matrix3;
use tapeless::differentiable;

#[differentiable]
fn lower_rows(m: Matrix3<f64>) -> f64 {
    let r = m.rows(1, 2);
    r.norm_squared() * m[(0, 0)]
}

fn main() {}
