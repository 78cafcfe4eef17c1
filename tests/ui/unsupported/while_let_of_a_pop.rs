// `while let Some(v) = stack.pop()` over a local `Vec`: one error, at the `while let`. (Over a
// local iterator, `while let Some(v) = it.next()`, the loop is read as `for v in ..`.)
use tapeless::differentiable;

#[differentiable]
fn squares(x: &[f64]) -> f64 {
    let mut stack = x.to_vec();
    let mut s = 0.0;
    while let Some(v) = stack.pop() {
        s += v * v;
    }
    s
}

fn main() {}
