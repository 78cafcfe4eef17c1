// A Hessian needs a scalar result: a pair (here inside a `Result`, which second order takes)
// has two.
use tapeless::differentiable;

#[differentiable(hessian)]
fn polar(r: f64, theta: f64) -> Result<(f64, f64), String> {
    if r < 0.0 {
        return Err("negative radius".to_string());
    }
    Ok((r * theta.cos(), r * theta.sin()))
}

fn main() {}
