use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Net {
    pub w: Vec<f64>,
    pub c: f64,
}

// A struct pattern of an element's copy: read the element's fields (`nets[0].c`) instead.
#[differentiable(wrt(nets))]
fn predict(nets: &[Net], x: f64) -> f64 {
    let Net { w, c } = nets[0].clone();
    w[0] * x + c
}

fn main() {}
