// A Jacobian numbers the scalars of the result: a `Vec` of rows has no numbering of its own
// (a `Result` around a numbered type is fine).
use tapeless::differentiable;

#[differentiable(jacobian)]
fn f(x: f64) -> Result<Vec<Vec<f64>>, String> {
    Ok(vec![vec![x.sin()], vec![x.cos()]])
}

fn main() {}
