use tapeless::{Differentiable, differentiable};

#[derive(Clone, Differentiable)]
pub struct Pair {
    pub q: [f64; 2],
}

#[differentiable(wrt(a, k))]
fn rotate(a: Pair, k: f64) -> Pair {
    Pair { q: [a.q[0] + 0.1 * a.q[1], a.q[1] - 0.1 * k * a.q[0]] }
}

// A struct replaced whole in a loop is carried field by field, which its array field cannot be.
#[differentiable(wrt(k))]
fn rotated(k: f64) -> f64 {
    let mut a = Pair { q: [1.0, 0.0] };
    for _ in 0..10 {
        a = rotate(a, k);
    }
    a.q[0]
}

fn main() {}
