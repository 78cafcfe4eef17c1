// Indices pushed in a branch: the macro does not rewrite this `push` into writes by index, and a
// local's binding holds one value in generated code, so the push is our error (it was rustc's
// "cannot borrow as mutable" inside generated code). The help names the forms that work.
use tapeless::differentiable;

#[differentiable]
fn positive_squares(x: &[f64]) -> f64 {
    let mut idx = Vec::new();
    for i in 0..x.len() {
        if tapeless::no_grad(x[i]) > 0.0 {
            idx.push(i);
        }
    }
    let mut s = 0.0;
    for &i in idx.iter() {
        s += x[i] * x[i];
    }
    s
}

fn main() {}
