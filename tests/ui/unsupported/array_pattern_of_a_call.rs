use tapeless::differentiable;

#[differentiable]
fn halves(x: f64) -> [f64; 2] {
    [0.5 * x, 0.5 * x]
}

#[differentiable]
fn product_of_halves(x: f64) -> f64 {
    let [a, b] = halves(x);
    a * b
}

fn main() {}
