use tapeless::differentiable;

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// A row copied whole into a local: not followed (passed straight to a call, it is).
#[differentiable(wrt(w))]
fn layer(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        let row = w[i].clone();
        s += dot(&row, x).tanh();
    }
    s
}

/// A row returned whole.
#[differentiable(wrt(w))]
fn first_row(w: &[Vec<f64>]) -> Vec<f64> {
    w[0].to_vec()
}

fn main() {}
