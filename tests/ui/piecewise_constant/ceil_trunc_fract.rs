use tapeless::differentiable;

#[differentiable]
fn parts(x: f64) -> f64 {
    x.ceil() + x.trunc() + x.fract()
}

fn main() {}
