// An array passed to a differentiable helper through another name (`let r = &h; dot(r, x)`)
// and written after the call: the reverse sweep calls `dot`'s reverse mode again on `h`, which
// would hold the new values by then. Our error at the call. Passed by its own name, `dot(&h, x)`,
// the macro passes a copy made before the statement (tests/borrowed_copies.rs).
use tapeless::differentiable;

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

#[differentiable]
fn aliased(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    let r = &h;
    let s = dot(r, x);
    h[0] = s;
    h.iter().sum()
}

fn main() {}
