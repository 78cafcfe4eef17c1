use tapeless::{Differentiable, differentiable};

#[derive(Clone, Copy, Debug, Differentiable)]
struct Particle {
    x: f64,
    v: f64,
}

// First order follows a differentiated slice of structs; second order does not yet.
#[differentiable(wrt(ps), hessian)]
fn energy(ps: &[Particle]) -> f64 {
    let mut e = 0.0;
    for p in ps {
        e += p.x * p.x * p.v;
    }
    e
}

fn main() {}
