// A typed constant whose annotation coerces a reference inside it: first order keeps it as
// written; the dual copy of second order cannot (its floats become dual numbers the annotation
// does not name), so it is our error rather than rustc's inside generated code.
use tapeless::differentiable;

#[differentiable(hessian)]
fn weighted(x: &[f64]) -> f64 {
    let w: Option<&[f64]> = Some(&[1.0, 2.0, 3.0]);
    match w {
        Some(w) => x.iter().zip(w).map(|(a, b)| a * a * b).sum(),
        None => 0.0,
    }
}

fn main() {}
