// `let x = &xs[i];` is read as `xs[i]` where `x` is used; a later `let x = ..` in its scope
// would read another value under the name, so the borrow is not followed: our error, which says
// to rename. (Before, "a reference of a differentiable value".)
use tapeless::differentiable;

#[differentiable]
fn rows(xs: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        let x = &xs[i];
        let first = x[0] * 2.0;
        {
            let x = first + 1.0;
            s += x;
        }
    }
    s
}

fn main() {}
