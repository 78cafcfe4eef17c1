// `while let Some(v) = it.next()` over an iterator kept in a local: one error, at the `while
// let`; the iterator's making is not reported again as unused.
use tapeless::differentiable;

#[differentiable]
fn squares(x: &[f64]) -> f64 {
    let mut it = x.iter();
    let mut s = 0.0;
    while let Some(v) = it.next() {
        s += v * v;
    }
    s
}

fn main() {}
