use tapeless::differentiable;

#[differentiable]
fn relu_scaled(x: f64, scale: f64) -> f64 {
    let positive = x > 0.0 && scale > 0.0;
    if positive { x * scale } else { 0.0 }
}

fn main() {}
