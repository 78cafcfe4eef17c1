use tapeless::differentiable;

#[differentiable]
fn norm2(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for e in v.iter() {
        s += e * e;
    }
    s
}

#[differentiable]
fn running(x: &[f64]) -> f64 {
    let mut w = vec![0.0; x.len()];
    let mut s = 0.0;
    for i in 0..x.len() {
        w[i] = x[i];
        s += norm2(&w);
    }
    s
}

fn main() {}
