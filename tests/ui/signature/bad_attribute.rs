use tapeless::differentiable;

#[differentiable(with_respect_to(x))]
fn f(x: f64) -> f64 {
    x
}

fn main() {}
