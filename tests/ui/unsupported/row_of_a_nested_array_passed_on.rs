use tapeless::differentiable;

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

#[differentiable(wrt(w))]
fn layer(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for row in w {
        s += dot(row, x).tanh();
    }
    s
}

/// Borrowed by index: the same.
#[differentiable(wrt(w))]
fn layer_by_index(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += dot(&w[i], x).tanh();
    }
    s
}

fn main() {}
