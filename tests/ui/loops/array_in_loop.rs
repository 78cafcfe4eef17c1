use tapeless::differentiable;

#[differentiable]
fn pairs(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let pair = [x[i], 2.0 * x[i]];
        s += pair[0] * pair[1];
    }
    s
}

fn main() {}
