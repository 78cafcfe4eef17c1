use tapeless::differentiable;

#[differentiable]
fn f(n: i32) -> f64 {
    f64::from(n)
}

fn main() {}
