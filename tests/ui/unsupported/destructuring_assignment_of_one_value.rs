use tapeless::differentiable;

#[differentiable(wrt(x))]
fn f(x: f64, start: &(f64, f64)) -> f64 {
    let a;
    let b;
    (a, b) = *start;
    a * b * x
}

fn main() {}
