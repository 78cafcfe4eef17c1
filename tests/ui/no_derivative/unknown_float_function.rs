use tapeless::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    f64::midpoint(x, 1.0) * 2.0
}

fn main() {}
