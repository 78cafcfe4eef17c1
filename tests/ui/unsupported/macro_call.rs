use tapeless::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let label = format!("{}", x);
    x * 2.0 + label.len() as f64
}

fn main() {}
