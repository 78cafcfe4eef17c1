use tapeless::{Differentiable, differentiable};

#[derive(Clone, Copy, Debug, Differentiable)]
struct Particle {
    x: f64,
    v: f64,
}

// First order follows a differentiated slice of structs; `jacobian` numbers scalar inputs only.
#[differentiable(wrt(ps), jacobian)]
fn momenta(ps: &[Particle]) -> [f64; 2] {
    [ps[0].x * ps[0].v, ps[1].x * ps[1].v]
}

fn main() {}
