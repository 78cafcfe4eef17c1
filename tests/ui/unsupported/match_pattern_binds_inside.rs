use tapeless::differentiable;

#[differentiable(wrt(x))]
fn scaled(x: f64, factor: Option<f64>) -> f64 {
    match factor {
        Some(ref k) => *k * x,
        None => x,
    }
}

fn main() {}
