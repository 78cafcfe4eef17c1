// `vec![x; n]` written inside a call's arguments: the macro's body is not a list of
// expressions, so the call kept as written cannot rename what it reads. The help (it was an
// empty "see ..." line) says to bind it to a local first, which works.
use tapeless::differentiable;

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[differentiable]
fn weighted(x: &[f64]) -> f64 {
    dot(x, &vec![0.5; x.len()])
}

fn main() {}
