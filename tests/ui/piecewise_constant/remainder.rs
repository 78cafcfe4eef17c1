use tapeless::differentiable;

#[differentiable]
fn wrap(angle: f64) -> f64 {
    angle % 6.283185307179586
}

fn main() {}
