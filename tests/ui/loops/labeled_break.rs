// `continue 'a` and `break 'a` from nested loops are followed (tests/labels.rs); a `break` with a
// value to a label is not.
use tapeless::differentiable;

#[differentiable]
fn first_over(x: &[f64], limit: f64) -> f64 {
    let found = 'search: loop {
        for &v in x {
            if tapeless::piecewise(v > limit) {
                break 'search v;
            }
        }
        break 0.0;
    };
    found * 2.0
}

fn main() {}
