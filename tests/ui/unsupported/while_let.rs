// `while let` is not lowered: the help names the `for` loop that reads the same elements.
use tapeless::differentiable;

#[differentiable]
fn squares(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut k = 0;
    while let Some(v) = x.get(k) {
        s += v * v;
        k += 1;
    }
    s
}

fn main() {}
