use tapeless::differentiable;

#[differentiable]
fn first_two(x: [f64; 4]) -> f64 {
    let [a, b, ..] = x;
    a * b
}

fn main() {}
