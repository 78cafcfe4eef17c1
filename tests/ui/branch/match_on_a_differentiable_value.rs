use tapeless::differentiable;

#[differentiable]
fn sign_scaled(x: f64) -> f64 {
    let t = x * 2.0;
    match t > 1.0 {
        true if t > 4.0 => 4.0 * t,
        true => t * t,
        false => t,
    }
}

fn main() {}
