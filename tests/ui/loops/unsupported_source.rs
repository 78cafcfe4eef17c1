use tapeless::differentiable;

#[differentiable]
fn head_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x[..3].iter() {
        s += v;
    }
    s
}

fn main() {}
