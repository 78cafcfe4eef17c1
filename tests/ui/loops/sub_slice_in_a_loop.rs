use tapeless::differentiable;

#[differentiable]
fn pair_energy(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum()
}

// A sub-slice passed on is a copy of its elements, made where it is taken; inside a loop that
// would be an array of a run-time length made per iteration, which is not supported.
#[differentiable]
fn chain_energy(x: &[f64]) -> f64 {
    let mut e = 0.0;
    for i in 0..x.len() - 1 {
        e += pair_energy(&x[i..i + 2]);
    }
    e
}

fn main() {}
