// `retain` with a closure drops entries of a differentiated `Vec` in place, which the macro does
// not follow: what is read back would carry the derivative of the entries before the call.
// Until the twenty-fifth session such a call (a method with a closure argument, its result
// unused) was kept as written and the gradient was silently wrong. (Sorting is followed:
// tests/sorting.rs.)
use tapeless::differentiable;

#[differentiable]
fn positive_part(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.retain(|&e| e > 0.0);
    v[0] * 2.0 + v[1]
}

fn main() {}
