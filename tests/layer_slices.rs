//! A network's layers as a differentiated slice of structs with `Vec` fields, trained as
//! hand-rolled networks are written: `#[derive(Differentiable)] struct Layer { w: Vec<Vec<f64>>,
//! b: Vec<f64> }`, `layers: &[Layer]`, read by `for layer in layers` with a chain per layer (the
//! layers of different widths), or by index, `layers[k].w[i][j]`, in three nested loops. Before
//! the forty-first session an element's `Vec` field was our error. Gradients against a
//! hand-written backpropagation and central differences, JVP against VJP.

// The functions are written as users write them.
#![allow(clippy::needless_range_loop)]

mod common;

use common::{assert_close, central, forward_against_reverse};
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Layer {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

/// `(h - y)²` of the first output after `tanh` layers.
#[differentiable(wrt(layers))]
fn loss(layers: &[Layer], x: &[f64], y: f64) -> f64 {
    let mut h = x.to_vec();
    for layer in layers {
        h = layer
            .w
            .iter()
            .zip(&layer.b)
            .map(|(row, b)| {
                let z: f64 = row.iter().zip(&h).map(|(a, c)| a * c).sum();
                (z + b).tanh()
            })
            .collect();
    }
    (h[0] - y).powi(2)
}

/// `Σ sin(w x) + b w` over every weight, by index in three loops.
#[differentiable(wrt(layers))]
fn by_index(layers: &[Layer], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for k in 0..layers.len() {
        for i in 0..layers[k].w.len() {
            for j in 0..layers[k].w[i].len() {
                s += (layers[k].w[i][j] * x[j]).sin() + layers[k].b[i] * layers[k].w[i][j];
            }
        }
    }
    s
}

/// A layer of one weight per unit, as the ui case `structs/array_field_of_an_element` had it.
#[derive(Clone, Debug, Differentiable)]
pub struct Unit {
    pub w: Vec<f64>,
    pub b: f64,
}

#[differentiable(wrt(units))]
fn chain_of_units(units: &[Unit], x: f64) -> f64 {
    let mut h = x;
    for u in units {
        h = (u.w[0] * h + u.b).tanh();
    }
    h
}

fn layer(rows: usize, cols: usize, s: f64) -> Layer {
    Layer {
        w: (0..rows).map(|i| (0..cols).map(|j| ((i * 3 + j) as f64 * s).sin()).collect()).collect(),
        b: (0..rows).map(|i| 0.1 * i as f64 - s).collect(),
    }
}

/// Every weight and bias, layer by layer (`w` row by row, then `b`).
fn flatten(layers: &[Layer]) -> Vec<f64> {
    layers.iter().flat_map(|l| l.w.iter().flatten().chain(&l.b).copied().collect::<Vec<_>>()).collect()
}

/// `layers` with the entries of `flat` in the order of [`flatten`].
fn unflatten(layers: &[Layer], flat: &[f64]) -> Vec<Layer> {
    let mut at = 0;
    let mut next = || {
        at += 1;
        flat[at - 1]
    };
    layers
        .iter()
        .map(|l| Layer {
            w: l.w.iter().map(|row| row.iter().map(|_| next()).collect()).collect(),
            b: l.b.iter().map(|_| next()).collect(),
        })
        .collect()
}

/// The gradient of [`loss`] by a hand-written backpropagation.
fn backpropagation(layers: &[Layer], x: &[f64], y: f64) -> Vec<Layer> {
    let mut activations = vec![x.to_vec()];
    for l in layers {
        let h = activations.last().unwrap();
        let next =
            l.w.iter()
                .zip(&l.b)
                .map(|(row, b)| (row.iter().zip(h).map(|(a, c)| a * c).sum::<f64>() + b).tanh());
        activations.push(next.collect());
    }
    let out = activations.last().unwrap();
    let mut adjoint = vec![0.0; out.len()];
    adjoint[0] = 2.0 * (out[0] - y);
    let mut grads: Vec<Layer> = Vec::new();
    for (k, l) in layers.iter().enumerate().rev() {
        let (input, output) = (&activations[k], &activations[k + 1]);
        let dz: Vec<f64> = adjoint.iter().zip(output).map(|(a, o)| a * (1.0 - o * o)).collect();
        let w = dz.iter().map(|d| input.iter().map(|h| d * h).collect()).collect();
        let mut back = vec![0.0; input.len()];
        for (row, d) in l.w.iter().zip(&dz) {
            for (b, w) in back.iter_mut().zip(row) {
                *b += w * d;
            }
        }
        grads.insert(0, Layer { w, b: dz });
        adjoint = back;
    }
    grads
}

#[test]
fn layers_of_different_widths_trained_through_a_chain() {
    let layers = vec![layer(4, 3, 0.7), layer(2, 4, 0.3), layer(3, 2, 1.1)];
    let (x, y) = ([0.3, -0.2, 0.9], 0.5);
    let (value, g) = loss_grad(&layers, &x, y);
    assert_eq!(value, loss(&layers, &x, y));
    let want = backpropagation(&layers, &x, y);
    assert_close(&flatten(&g), &flatten(&want), 1e-12, "loss against backpropagation");
    let p = flatten(&layers);
    let f = |q: &[f64]| loss(&unflatten(&layers, q), &x, y);
    let fd: Vec<f64> = (0..p.len()).map(|i| central(&f, &p, i)).collect();
    assert_close(&flatten(&g), &fd, 1e-8, "loss against central differences");
    let v: Vec<f64> = (0..p.len()).map(|i| ((i * 7 % 5) as f64 - 2.0) * 0.3).collect();
    let (_, jvp) = loss_jvp(&layers, &x, y, unflatten(&layers, &v));
    let (_, pullback) = loss_vjp(&layers, &x, y);
    forward_against_reverse("loss", jvp, &v, 0.6, &flatten(&pullback(0.6)), 1e-12);
}

#[test]
fn layers_read_by_index_in_nested_loops() {
    let layers = vec![layer(4, 3, 0.7), layer(2, 4, 0.3)];
    let x = [0.3, -0.2, 0.9, 0.4];
    let (value, g) = by_index_grad(&layers, &x);
    assert_eq!(value, by_index(&layers, &x));
    // d/dw = x cos(w x) + b, d/db_i = Σ_j w_ij.
    let want: Vec<Layer> = layers
        .iter()
        .map(|l| Layer {
            w: l.w
                .iter()
                .zip(&l.b)
                .map(|(row, b)| row.iter().zip(&x).map(|(w, xj)| xj * (w * xj).cos() + b).collect())
                .collect(),
            b: l.w.iter().map(|row| row.iter().sum()).collect(),
        })
        .collect();
    assert_close(&flatten(&g), &flatten(&want), 1e-14, "by index against the closed form");
    let p = flatten(&layers);
    let f = |q: &[f64]| by_index(&unflatten(&layers, q), &x);
    let fd: Vec<f64> = (0..p.len()).map(|i| central(&f, &p, i)).collect();
    assert_close(&flatten(&g), &fd, 1e-8, "by index against central differences");
    let v: Vec<f64> = (0..p.len()).map(|i| ((i * 3 % 7) as f64 - 3.0) * 0.2).collect();
    let (_, jvp) = by_index_jvp(&layers, &x, unflatten(&layers, &v));
    let (_, pullback) = by_index_vjp(&layers, &x);
    forward_against_reverse("by index", jvp, &v, -1.2, &flatten(&pullback(-1.2)), 1e-12);
}

#[test]
fn units_with_a_vec_field() {
    let units = vec![Unit { w: vec![0.8], b: 0.1 }, Unit { w: vec![-1.3], b: 0.4 }];
    let x = 0.7;
    let (value, g) = chain_of_units_grad(&units, x);
    // h1 = tanh(w0 x + b0), h2 = tanh(w1 h1 + b1).
    let h1 = (0.8 * x + 0.1_f64).tanh();
    let h2 = (-1.3 * h1 + 0.4_f64).tanh();
    assert!((value - h2).abs() < 1e-15);
    let d2 = 1.0 - h2 * h2;
    let d1 = d2 * -1.3 * (1.0 - h1 * h1);
    let got = [g[0].w[0], g[0].b, g[1].w[0], g[1].b];
    assert_close(&got, &[d1 * x, d1, d2 * h1, d2], 1e-14, "units");
    let flat = |q: &[f64]| vec![Unit { w: vec![q[0]], b: q[1] }, Unit { w: vec![q[2]], b: q[3] }];
    let p = [0.8, 0.1, -1.3, 0.4];
    let fd: Vec<f64> = (0..4).map(|i| central(&|q: &[f64]| chain_of_units(&flat(q), x), &p, i)).collect();
    assert_close(&got, &fd, 1e-8, "units against central differences");
    let v = [0.5, -0.2, 0.3, 1.0];
    let (_, jvp) = chain_of_units_jvp(&units, x, flat(&v));
    let (_, pullback) = chain_of_units_vjp(&units, x);
    let back = pullback(-0.8);
    let reverse = [back[0].w[0], back[0].b, back[1].w[0], back[1].b];
    forward_against_reverse("units", jvp, &v, -0.8, &reverse, 1e-12);
}
