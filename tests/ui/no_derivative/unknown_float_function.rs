use tapeless::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    f64::next_up(x) * 2.0
}

fn main() {}
