use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Net {
    pub w: Vec<f64>,
    pub c: f64,
}

// The fields would bind by reference; destructure a copy or read the fields.
#[differentiable(wrt(net))]
fn predict(net: &Net, x: f64) -> f64 {
    let Net { w, c } = net;
    w[0] * x + *c
}

fn main() {}
