// `?` on the result of a function without the attribute, called on a differentiated value:
// the derivative cannot follow the value through its `Result`.
use tapeless::differentiable;

fn checked_double(x: f64) -> Result<f64, String> {
    if x.is_nan() {
        return Err("not a number".to_string());
    }
    Ok(x * 2.0)
}

#[differentiable]
fn outer(x: f64) -> Result<f64, String> {
    let y = checked_double(x)?;
    Ok(y.sin())
}

fn main() {}
