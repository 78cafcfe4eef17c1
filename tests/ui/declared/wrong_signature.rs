use tapeless::differentiable;

#[differentiable(jvp = cube_tangent, vjp = cube_adjoint)]
fn cube(x: f64) -> f64 {
    x * x * x
}

// Forgot the value: a `_jvp` returns `(value, tangent)`.
fn cube_tangent(x: f64, dx: f64) -> f64 {
    3.0 * x * x * dx
}

fn cube_adjoint(x: f64, ct: f64) -> f64 {
    3.0 * x * x * ct
}

fn main() {
    let _ = cube_grad(2.0);
}
