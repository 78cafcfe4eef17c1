use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable]
fn averaged(v: DVector<f64>) -> f64 {
    // `n` is an integer local, whose type the macro cannot see (an integer parameter may be read).
    let n = v.len();
    let u = &v * 2.0;
    u.map(|e| e / n as f64).norm()
}

fn main() {}
