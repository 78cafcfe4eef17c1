// Article 000, example 1: the gradient of a non-scalar target. TensorFlow silently sums the
// outputs first. tapeless generates no `_grad` for a tuple result: use `_jvp` or `_vjp`.
use tapeless::differentiable;

#[differentiable]
fn outer2(x0: f64, x1: f64, y0: f64, y1: f64) -> ((f64, f64), (f64, f64)) {
    ((x0 * y0, x0 * y1), (x1 * y0, x1 * y1))
}

fn main() {
    let _ = outer2_grad(1.0, 2.0, 3.0, 4.0);
}
