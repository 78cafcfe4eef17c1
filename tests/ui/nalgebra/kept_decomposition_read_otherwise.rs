use nalgebra::Matrix2;
use tapeless::differentiable;

// A decomposition kept in a variable is read through its `solve`: its `determinant` is not
// followed (the matrix's own is).
#[differentiable]
fn scaled_determinant(a: Matrix2<f64>, s: f64) -> f64 {
    let lu = a.lu();
    s * lu.determinant()
}

fn main() {
    let _ = scaled_determinant(Matrix2::identity(), 2.0);
}
