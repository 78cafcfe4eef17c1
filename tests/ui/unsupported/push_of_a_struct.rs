// Structs pushed once per iteration: the rewrite into writes by index holds floats only
// (`vec![0.0; n]`), so it leaves a pushed struct literal alone (rustc's type mismatch inside
// generated code before), and the push is our error.
use tapeless::differentiable;

#[derive(Clone, Copy)]
pub struct Obs {
    pub t: f64,
    pub y: f64,
}

#[differentiable(wrt(k))]
fn fit(k: f64, ts: &[f64], ys: &[f64]) -> f64 {
    let mut obs = Vec::new();
    for i in 0..ts.len() {
        obs.push(Obs { t: ts[i], y: ys[i] });
    }
    let mut s = 0.0;
    for o in obs.iter() {
        s += (o.y - (-k * o.t).exp()).powi(2);
    }
    s
}

fn main() {}
