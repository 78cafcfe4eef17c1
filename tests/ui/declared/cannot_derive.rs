use tapeless::differentiable;

// Forward mode cannot be derived from reverse mode for a vector result: declare both.
#[differentiable(vjp = spin_adjoint)]
fn spin(x: f64) -> (f64, f64) {
    (x.cos(), x.sin())
}

fn spin_adjoint(x: f64, ct: (f64, f64)) -> f64 {
    -x.sin() * ct.0 + x.cos() * ct.1
}

fn main() {}
