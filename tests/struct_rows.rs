//! Rows of a nested array field of a derived struct, taken whole the way an MLP held in a
//! struct is written: `for row in p.w1.iter()`, `p.w1.iter().zip(&p.b1).map(|(row, b)| ..)`,
//! `dot(row, x)`, `p.w1[i].iter()`, and the same on `self` in a method. The field is declared
//! `Vec<Vec<f64>>`, which the prescan reads; before the fortieth session each was "a row of a
//! differentiated struct's nested array field taken whole". Gradients against the closed form
//! and central differences, JVP against VJP.

mod common;

use common::{assert_close, central_gradient};
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Mlp {
    pub w1: Vec<Vec<f64>>,
    pub b1: Vec<f64>,
    pub w2: Vec<f64>,
    pub b2: f64,
}

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `b2 + Σ_i w2_i tanh(w1_i · x + b1_i)`, through a `zip`, a `map` and a `collect`.
#[differentiable(wrt(p))]
fn predict(p: &Mlp, x: &[f64]) -> f64 {
    let hidden: Vec<f64> =
        p.w1.iter()
            .zip(&p.b1)
            .map(|(row, b)| {
                let z: f64 = row.iter().zip(x).map(|(w, xi)| w * xi).sum::<f64>() + b;
                z.tanh()
            })
            .collect();
    hidden.iter().zip(&p.w2).map(|(h, w)| h * w).sum::<f64>() + p.b2
}

/// The same network as loops over the rows.
#[differentiable(wrt(p))]
fn predict_loop(p: &Mlp, x: &[f64]) -> f64 {
    let mut out = p.b2;
    for (row, (b, w2)) in p.w1.iter().zip(p.b1.iter().zip(&p.w2)) {
        let mut z = *b;
        for (w, xi) in row.iter().zip(x) {
            z += w * xi;
        }
        out += w2 * z.tanh();
    }
    out
}

/// The rows passed to a differentiable function, by `enumerate`.
#[differentiable(wrt(p))]
fn predict_dot(p: &Mlp, x: &[f64]) -> f64 {
    let mut out = p.b2;
    for (i, row) in p.w1.iter().enumerate() {
        out += p.w2[i] * (dot(row, x) + p.b1[i]).tanh();
    }
    out
}

/// Rows by index: `&p.w1[i]` passed on, `p.w1[i].iter()` and `p.w1[i].len()` read in place.
#[differentiable(wrt(p))]
fn by_index(p: &Mlp, x: &[f64]) -> f64 {
    let mut out = p.b2;
    for i in 0..p.w1.len() {
        let z = dot(&p.w1[i], x) + p.b1[i];
        let mut s = 0.0;
        for (j, w) in p.w1[i].iter().enumerate() {
            s += w * w * x[j] / p.w1[i].len() as f64;
        }
        out += p.w2[i] * z.tanh() + s;
    }
    out
}

impl Mlp {
    /// `predict_loop` as a method: the rows of `self.w1`.
    #[differentiable(wrt(self))]
    fn forward(&self, x: &[f64]) -> f64 {
        let mut out = self.b2;
        for (row, (b, w2)) in self.w1.iter().zip(self.b1.iter().zip(&self.w2)) {
            let z: f64 = row.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + b;
            out += w2 * z.tanh();
        }
        out
    }
}

/// The network as a method of a block with the attribute, its rows zipped with the biases in a
/// `for` (read as element loads until the fortieth session's fix: the row error).
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Layered {
    pub w1: Vec<Vec<f64>>,
    pub b1: Vec<f64>,
    pub w2: Vec<f64>,
    pub b2: f64,
}

#[differentiable(wrt(self))]
impl Layered {
    fn forward(&self, x: &[f64]) -> f64 {
        let mut hidden = vec![0.0; self.b1.len()];
        for (k, (row, b)) in self.w1.iter().zip(&self.b1).enumerate() {
            hidden[k] = (row.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + b).tanh();
        }
        hidden.iter().zip(&self.w2).map(|(h, w)| h * w).sum::<f64>() + self.b2
    }
}

fn net() -> Mlp {
    Mlp {
        w1: vec![vec![0.1, 0.2], vec![-0.3, 0.4], vec![0.5, -0.6]],
        b1: vec![0.1, 0.0, -0.1],
        w2: vec![0.7, -0.8, 0.9],
        b2: 0.05,
    }
}

fn flat(p: &Mlp) -> Vec<f64> {
    let mut v: Vec<f64> = p.w1.iter().flatten().copied().collect();
    v.extend(&p.b1);
    v.extend(&p.w2);
    v.push(p.b2);
    v
}

fn unflat(v: &[f64]) -> Mlp {
    Mlp {
        w1: vec![v[0..2].to_vec(), v[2..4].to_vec(), v[4..6].to_vec()],
        b1: v[6..9].to_vec(),
        w2: v[9..12].to_vec(),
        b2: v[12],
    }
}

/// The gradient against central differences, and `<u, J v>` by JVP against `<Jᵀ u, v>` by VJP.
fn check(
    name: &str,
    f: impl Fn(&Mlp) -> f64,
    grad: impl Fn(&Mlp) -> (f64, Mlp),
    jvp: impl Fn(&Mlp, Mlp) -> (f64, f64),
    vjp_back: impl Fn(&Mlp, f64) -> Mlp,
) -> Mlp {
    let p = net();
    let (value, g) = grad(&p);
    assert_eq!(value, f(&p), "{name}: value");
    let fd = central_gradient(|v| f(&unflat(v)), &flat(&p));
    assert_close(&flat(&g), &fd, 1e-8, name);
    let dir = unflat(&(0..13).map(|k| ((k * 7 % 5) as f64 - 2.0) * 0.3).collect::<Vec<_>>());
    let (jvp_value, t) = jvp(&p, dir.clone());
    assert_eq!(jvp_value, value, "{name}: JVP value");
    let back = vjp_back(&p, 1.5);
    let dot: f64 = flat(&back).iter().zip(flat(&dir)).map(|(a, b)| a * b).sum();
    assert_close(&[1.5 * t], &[dot], 1e-13, name);
    g
}

#[test]
fn rows_of_a_field_through_a_chain_match_the_closed_form() {
    let x = [0.3, -0.2];
    let g = check(
        "predict",
        |p| predict(p, &x),
        |p| predict_grad(p, &x),
        |p, d| predict_jvp(p, &x, d),
        |p, u| predict_vjp(p, &x).1(u),
    );
    // ∂/∂b2 = 1, ∂/∂w2_i = tanh z_i, ∂/∂b1_i = w2_i (1 - tanh² z_i), ∂/∂w1_ij = that x_j.
    let p = net();
    for i in 0..3 {
        let z = p.w1[i][0] * x[0] + p.w1[i][1] * x[1] + p.b1[i];
        let db = p.w2[i] * (1.0 - z.tanh().powi(2));
        assert_close(&[g.w2[i], g.b1[i]], &[z.tanh(), db], 1e-15, "closed form");
        assert_close(&g.w1[i], &[db * x[0], db * x[1]], 1e-15, "closed form rows");
    }
    assert_eq!(g.b2, 1.0);
}

#[test]
fn rows_of_a_field_in_loops_and_passed_on() {
    let x = [0.3, -0.2];
    let reference = predict_grad(&net(), &x).1;
    let g = check(
        "predict_loop",
        |p| predict_loop(p, &x),
        |p| predict_loop_grad(p, &x),
        |p, d| predict_loop_jvp(p, &x, d),
        |p, u| predict_loop_vjp(p, &x).1(u),
    );
    assert_close(&flat(&g), &flat(&reference), 1e-15, "loop against chain");
    let g = check(
        "predict_dot",
        |p| predict_dot(p, &x),
        |p| predict_dot_grad(p, &x),
        |p, d| predict_dot_jvp(p, &x, d),
        |p, u| predict_dot_vjp(p, &x).1(u),
    );
    assert_close(&flat(&g), &flat(&reference), 1e-15, "dot against chain");
    let g = check(
        "by_index",
        |p| by_index(p, &x),
        |p| by_index_grad(p, &x),
        |p, d| by_index_jvp(p, &x, d),
        |p, u| by_index_vjp(p, &x).1(u),
    );
    // The extra term Σ_ij w1_ij² x_j / 2 adds w1_ij x_j to each row's gradient.
    let p = net();
    for i in 0..3 {
        let want: Vec<f64> = (0..2).map(|j| reference.w1[i][j] + p.w1[i][j] * x[j]).collect();
        assert_close(&g.w1[i], &want, 1e-14, "by_index rows");
    }
}

#[test]
fn rows_of_a_field_of_self() {
    let x = [0.3, -0.2];
    let reference = predict_grad(&net(), &x).1;
    let g = check(
        "forward",
        |p| p.forward(&x),
        |p| p.forward_grad(&x),
        |p, d| p.forward_jvp(&x, d),
        |p, u| p.forward_vjp(&x).1(u),
    );
    assert_close(&flat(&g), &flat(&reference), 1e-15, "method against function");
}

#[test]
fn rows_zipped_in_a_for_of_a_block_method() {
    let x = [0.3, -0.2];
    let reference = predict_grad(&net(), &x).1;
    let layered = |p: &Mlp| Layered { w1: p.w1.clone(), b1: p.b1.clone(), w2: p.w2.clone(), b2: p.b2 };
    let back = |l: Layered| Mlp { w1: l.w1, b1: l.b1, w2: l.w2, b2: l.b2 };
    let g = check(
        "Layered::forward",
        |p| layered(p).forward(&x),
        |p| {
            let (v, g) = layered(p).forward_grad(&x);
            (v, back(g))
        },
        |p, d| layered(p).forward_jvp(&x, layered(&d)),
        |p, u| back(layered(p).forward_vjp(&x).1(u)),
    );
    assert_close(&flat(&g), &flat(&reference), 1e-15, "block method against function");
}
