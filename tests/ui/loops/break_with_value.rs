// `break v` out of a `loop` (a fixed-point iteration's result) is not lowered: the help shows
// the variable and plain `break` that say the same. The `let` of the loop's value is not
// reported a second time.
use tapeless::differentiable;

#[differentiable]
fn fixed_point(x: f64) -> f64 {
    let mut y = x;
    let mut k = 0;
    let r = loop {
        let next = (y * 0.5).cos() + x;
        k += 1;
        if k == 20 {
            break next;
        }
        y = next;
    };
    r * r
}

fn main() {}
