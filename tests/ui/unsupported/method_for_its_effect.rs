// `rotate_left` rearranges a differentiated `Vec` in place, which the macro does not follow: the
// gradient would keep the old order. (`swap`, `reverse`, `fill` and `copy_from_slice` of a local
// array are followed, tests/mutations.rs, and so are the sorts, tests/sorting.rs.)
use tapeless::differentiable;

#[differentiable]
fn rotated(x: &[f64]) -> f64 {
    let mut v = vec![x[0], x[1]];
    v.rotate_left(1);
    v[0] * 2.0 + v[1]
}

fn main() {}
