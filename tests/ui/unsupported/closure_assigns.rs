use tapeless::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut total = 0.0;
    let mut add = |t: f64| total += t * x;
    add(1.0);
    add(2.0);
    total
}

fn main() {}
