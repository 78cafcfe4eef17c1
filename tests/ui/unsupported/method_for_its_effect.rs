// `swap` rearranges a differentiated `Vec` in place, which the macro does not follow: the
// gradient would keep the old order (before this error it came out as [2, 1] instead of [1, 2]).
use tapeless::differentiable;

#[differentiable]
fn swapped(x: &[f64]) -> f64 {
    let mut v = vec![x[0], x[1]];
    v.swap(0, 1);
    v[0] * 2.0 + v[1]
}

fn main() {}
