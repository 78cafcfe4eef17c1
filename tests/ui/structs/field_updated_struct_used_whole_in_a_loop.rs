// A struct local updated field by field is held as its fields; used whole inside the loop
// (`let snapshot = s;`) it would have to be built there, which is not supported.
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Copy, Differentiable)]
struct State {
    x: f64,
    v: f64,
}

#[differentiable]
fn last(x0: f64) -> f64 {
    let mut s = State { x: x0, v: 0.0 };
    let mut total = 0.0;
    for _ in 0..3 {
        s.v -= 0.1 * s.x;
        s.x += 0.1 * s.v;
        let snapshot = s;
        total += snapshot.x;
    }
    total
}

fn main() {}
