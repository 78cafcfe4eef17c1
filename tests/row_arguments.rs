//! Rows of a nested array passed by reference to differentiable functions (`energy(&pos[i],
//! &pos[i + 1])` of `pos: &[[f64; 2]]`, also through `windows(2)`), and a method of a local struct
//! without `Clone` called in a loop. Before, the first was our "borrowed row of a nested array"
//! error and the second rustc's "`Spring: Clone` is not satisfied" at the attribute (the struct
//! was saved for the backward loop by a clone). The chain energy of springs against its closed
//! form and central differences, forward against reverse.

mod common;

use common::{assert_close, central_gradient};
use tapeless::differentiable;

/// A spring of rest length 1 and stiffness 10 between two points.
#[differentiable]
fn energy(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    5.0 * (d - 1.0).powi(2)
}

#[differentiable]
fn chain_by_index(pos: &[[f64; 2]]) -> f64 {
    let mut total = 0.0;
    for i in 0..pos.len() - 1 {
        total += energy(&pos[i], &pos[i + 1]);
    }
    total
}

#[differentiable]
fn chain_by_windows(pos: &[[f64; 2]]) -> f64 {
    pos.windows(2).map(|w| energy(&w[0], &w[1])).sum()
}

/// No `Clone`: the backward loop builds it again from its fields.
struct Spring {
    rest: f64,
    stiffness: f64,
}

impl Spring {
    #[differentiable]
    fn energy(&self, a: &[f64; 2], b: &[f64; 2]) -> f64 {
        let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
        0.5 * self.stiffness * (d - self.rest).powi(2)
    }
}

#[differentiable]
fn chain_by_method(pos: &[[f64; 2]]) -> f64 {
    let spring = Spring { rest: 1.0, stiffness: 10.0 };
    pos.windows(2).map(|w| spring.energy(&w[0], &w[1])).sum()
}

/// `Σ 5 (|pᵢ₊₁ - pᵢ| - 1)²` and its gradient: `10 (d - 1) (pᵢ - pᵢ₊₁) / d` onto `pᵢ`, the
/// opposite onto `pᵢ₊₁`.
fn closed_form(pos: &[[f64; 2]]) -> (f64, Vec<f64>) {
    let mut g = vec![0.0; 2 * pos.len()];
    let mut value = 0.0;
    for i in 0..pos.len() - 1 {
        let (dx, dy) = (pos[i][0] - pos[i + 1][0], pos[i][1] - pos[i + 1][1]);
        let d = (dx * dx + dy * dy).sqrt();
        value += 5.0 * (d - 1.0).powi(2);
        let c = 10.0 * (d - 1.0) / d;
        g[2 * i] += c * dx;
        g[2 * i + 1] += c * dy;
        g[2 * i + 2] -= c * dx;
        g[2 * i + 3] -= c * dy;
    }
    (value, g)
}

type Chain = fn(&[[f64; 2]]) -> f64;
type ChainGrad = fn(&[[f64; 2]]) -> (f64, Vec<[f64; 2]>);
type ChainJvp = fn(&[[f64; 2]], Vec<[f64; 2]>) -> (f64, f64);

#[test]
fn rows_passed_by_reference() {
    let rows = |p: &[f64]| p.chunks(2).map(|c| [c[0], c[1]]).collect::<Vec<_>>();
    let cases: [(&str, Chain, ChainGrad, ChainJvp); 3] = [
        ("by index", chain_by_index, chain_by_index_grad, chain_by_index_jvp),
        ("by windows", chain_by_windows, chain_by_windows_grad, chain_by_windows_jvp),
        ("by method", chain_by_method, chain_by_method_grad, chain_by_method_jvp),
    ];
    for flat in [[0.0, 0.0, 1.2, 0.1, 2.0, 0.9, 2.5, 2.5], [0.3, -0.2, -0.5, 0.4, 0.1, 1.9, 1.0, 1.0]] {
        let pos = rows(&flat);
        let (value, exact) = closed_form(&pos);
        for (name, f, grad, jvp) in cases {
            let (v, g) = grad(&pos);
            let g: Vec<f64> = g.iter().flatten().copied().collect();
            assert_eq!(v, f(&pos), "{name}: value");
            assert_close(&[v], &[value], 1e-14, name);
            assert_close(&g, &exact, 1e-13, name);
            assert_close(&g, &central_gradient(|p| f(&rows(p)), &flat), 1e-7, name);
            // Forward against reverse: `<1, J t>` from the JVP, `<∇f, t>` from the gradient.
            let t = [0.5, -1.0, 0.25, 2.0, -0.3, 0.7, 1.1, -0.6];
            let (_, along) = jvp(&pos, rows(&t));
            let dot: f64 = g.iter().zip(&t).map(|(a, b)| a * b).sum();
            assert_close(&[along], &[dot], 1e-13, name);
        }
        // The pullback at a cotangent of 1.5 against the same JVP.
        let (_, pullback) = chain_by_method_vjp(&pos);
        let back: Vec<f64> = pullback(1.5).iter().flatten().copied().collect();
        let t = [0.5, -1.0, 0.25, 2.0, -0.3, 0.7, 1.1, -0.6];
        let (_, along) = chain_by_method_jvp(&pos, rows(&t));
        let dot: f64 = back.iter().zip(&t).map(|(a, b)| a * b).sum();
        assert_close(&[1.5 * along], &[dot], 1e-13, "by method, pullback");
    }
}
