// A Jacobian numbers the scalars of the result: a `Result` has no numbering.
use tapeless::differentiable;

#[differentiable(jacobian)]
fn f(x: f64) -> Result<Vec<f64>, String> {
    Ok(vec![x.sin(), x.cos()])
}

fn main() {}
