// A Jacobian numbers the scalars of the result: a `Vec` of rows has no numbering of its own
// (a `Result` around a numbered type is fine). The call of `f_jacobian` finds a stub: no
// "cannot find function" beside our error.
use tapeless::differentiable;

#[differentiable(jacobian)]
fn f(x: f64) -> Result<Vec<Vec<f64>>, String> {
    Ok(vec![vec![x.sin()], vec![x.cos()]])
}

fn main() {
    let (_, j) = f_jacobian(1.0).unwrap_or_default();
    println!("{}", j.len());
}
