use tapeless::differentiable;

#[differentiable]
fn pair_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for w in x.windows(2) {
        s += w[0] * w[1];
    }
    s
}

fn main() {}
