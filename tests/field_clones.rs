//! `.clone()` of a differentiated struct's fields, by their declared types: a float's and a
//! static nalgebra value's clone is the field's value, a `DVector`'s the field read in place, a
//! `Vec`'s or an array's (and `to_vec()`) a copy that may then be written; and `let Model { .. }
//! = p.clone();` binds each field so. (Until the fifty-third session every field's clone was
//! the "type the macro cannot see" error, and the pattern `STRUCT_PATTERN_COMPUTED_VALUE`'s.)
//! Checked against the analytic gradient, central differences and forward against reverse.

// The clones of `Copy` fields are what is tested (code generic over `RealField` writes them).
#![allow(clippy::clone_on_copy)]

mod common;

use common::{Fns, check, close};
use nalgebra::{DVector, Vector3};
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Model {
    pub a: f64,
    pub w: Vec<f64>,
    pub arr: [f64; 2],
    pub pos: Vector3<f64>,
    pub m: DVector<f64>,
}

/// `a e^(w₀ a + w₁) + arr₁ a + w₀² + a |pos|² + m·m`, the first term through a copy of `w`
/// written in place (`w₀ a`), the `w₀²` through a second copy, which must still hold `w₀`.
#[differentiable]
pub fn cloned_fields(p: &Model) -> f64 {
    let a = p.a.clone();
    let mut w = p.w.clone();
    w[0] *= a;
    let arr = p.arr.clone();
    let v = p.w.to_vec();
    let pos = p.pos.clone();
    let m = p.m.clone();
    a * w.iter().sum::<f64>().exp() + arr[1] * a + v[0] * v[0] + a * pos.norm_squared() + m.dot(&m)
}

/// The same function through `let Model { .. } = p.clone();`, of a struct passed by value.
#[differentiable]
pub fn pattern_of_a_clone(p: Model) -> f64 {
    let Model { a, mut w, arr, pos, m } = p.clone();
    let v = w.clone();
    w[0] *= a;
    a * w.iter().sum::<f64>().exp() + arr[1] * a + v[0] * v[0] + a * pos.norm_squared() + m.dot(&m)
}

/// `[a, w₀, w₁, arr₀, arr₁, pos.., m₀, m₁]` as a model.
fn model(q: &[f64]) -> Model {
    Model {
        a: q[0],
        w: vec![q[1], q[2]],
        arr: [q[3], q[4]],
        pos: Vector3::new(q[5], q[6], q[7]),
        m: DVector::from_vec(vec![q[8], q[9]]),
    }
}

fn flat(p: &Model) -> Vec<f64> {
    let mut q = vec![p.a, p.w[0], p.w[1], p.arr[0], p.arr[1]];
    q.extend(p.pos.iter());
    q.extend(p.m.iter());
    q
}

fn analytic(q: &[f64]) -> Vec<f64> {
    let (a, w0, w1, arr1) = (q[0], q[1], q[2], q[4]);
    let e = (w0 * a + w1).exp();
    let pos2 = q[5] * q[5] + q[6] * q[6] + q[7] * q[7];
    vec![
        e + a * w0 * e + arr1 + pos2,
        a * a * e + 2.0 * w0,
        a * e,
        0.0,
        a,
        2.0 * a * q[5],
        2.0 * a * q[6],
        2.0 * a * q[7],
        2.0 * q[8],
        2.0 * q[9],
    ]
}

const POINTS: [&[f64]; 3] = [
    &[0.7, 0.3, -0.2, 1.1, 2.0, 0.5, -1.0, 0.25, 0.4, -0.6],
    &[-0.4, 1.2, 0.1, -0.3, 0.5, 1.5, 0.2, -0.7, -1.1, 0.9],
    &[1.3, -0.5, 0.6, 0.0, -1.4, 0.0, 0.8, 1.0, 0.3, 0.2],
];

#[test]
fn fields_cloned_by_their_declared_types() {
    let fns = Fns {
        name: "cloned_fields",
        f: &|q| cloned_fields(&model(q)),
        jvp: &|q, v| cloned_fields_jvp(&model(q), model(v)),
        vjp: &|q, ct| {
            let p = model(q);
            let (value, pullback) = cloned_fields_vjp(&p);
            (value, flat(&pullback(ct)))
        },
        grad: &|q| {
            let (value, g) = cloned_fields_grad(&model(q));
            (value, flat(&g))
        },
    };
    check(&fns, &POINTS, 1e-7);
    for q in POINTS {
        let g = flat(&cloned_fields_grad(&model(q)).1);
        for (i, (got, want)) in g.iter().zip(analytic(q)).enumerate() {
            assert!(close(*got, want, 1e-12), "cloned_fields ∂{i}: {got} vs {want}");
        }
    }
}

#[test]
fn struct_pattern_of_a_clone() {
    let fns = Fns {
        name: "pattern_of_a_clone",
        f: &|q| pattern_of_a_clone(model(q)),
        jvp: &|q, v| pattern_of_a_clone_jvp(model(q), model(v)),
        vjp: &|q, ct| {
            let (value, pullback) = pattern_of_a_clone_vjp(model(q));
            (value, flat(&pullback(ct)))
        },
        grad: &|q| {
            let (value, g) = pattern_of_a_clone_grad(model(q));
            (value, flat(&g))
        },
    };
    check(&fns, &POINTS, 1e-7);
    for q in POINTS {
        let (value, g) = pattern_of_a_clone_grad(model(q));
        assert!(close(value, cloned_fields(&model(q)), 1e-14));
        for (i, (got, want)) in flat(&g).iter().zip(analytic(q)).enumerate() {
            assert!(close(*got, want, 1e-12), "pattern_of_a_clone ∂{i}: {got} vs {want}");
        }
    }
}
