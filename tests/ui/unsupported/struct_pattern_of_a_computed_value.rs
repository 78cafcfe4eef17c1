use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Net {
    pub w: Vec<f64>,
    pub c: f64,
}

// A struct pattern of a call's result: destructure `net` itself, or read the fields.
#[differentiable(wrt(net))]
fn predict(net: &Net, x: f64) -> f64 {
    let Net { w, c } = net.clone();
    w[0] * x + c
}

fn main() {}
