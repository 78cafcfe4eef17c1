use tapeless::differentiable;

type Real = f64;

#[differentiable]
fn convert(x: f64) -> f64 {
    let y = x as Real;
    y * 2.0
}

fn main() {}
