//! conv2d written as plain nested loops (SAME padding, stride 1, cross-correlation, HWC input,
//! HWIO filter), `loss = mean(conv²)`, differentiated with respect to the filter and the input:
//! the article-002 case, against the float64 reference of shared/tape-cases/TRUTH.md.

// Index loops are how numerical code is written, and what the macro must handle.
#![allow(clippy::needless_range_loop, clippy::type_complexity)]

mod common;

use tapeless::differentiable;

use common::functions::{conv_loss, conv_loss_grad, conv_loss_jvp};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

#[test]
fn sobel_4x4_exact() {
    let x: Vec<f64> = (1..=16).map(f64::from).collect();
    let k = [1.0, 0.0, -1.0, 2.0, 0.0, -2.0, 1.0, 0.0, -1.0];
    let (loss, (gx, gk)) = conv_loss_grad(&x, &k, 4, 4, 1, 1, 3);
    assert_eq!(loss, 543.125);
    assert_eq!(gk, vec![77.125, 15.0, -122.75, 114.25, 0.0, -203.5, 78.125, -15.0, -172.75]);
    assert_eq!(
        gx,
        vec![
            -2.5, 3.0, 9.25, 2.5, -3.75, 8.5, 17.875, 3.75, -3.75, 14.0, 23.375, 3.75, -2.5, 12.0, 18.25, 2.5
        ]
    );
}

#[test]
fn article_002_float64_reference() {
    // TRUTH.md's deterministic inputs, rounded through f32 as TensorFlow saw them.
    let x: Vec<f64> = (0..28 * 28 * 3).map(|i| ((((i % 11) as f64) - 5.0) / 5.0) as f32 as f64).collect();
    let f: Vec<f64> = (0..3 * 3 * 3 * 10).map(|j| (((j % 7) as f64) - 3.0) / 4.0).collect();
    let (loss, (gx, gf)) = conv_loss_grad(&x, &f, 28, 28, 3, 10, 3);
    assert!(close(loss, 1.08731921, 1e-8), "{loss}");
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let sum_abs = |v: &[f64]| v.iter().map(|a| a.abs()).sum::<f64>();
    assert!(close(sum(&gf), -0.0148928535, 1e-8), "{}", sum(&gf));
    assert!(close(sum_abs(&gf), 8.76402572, 1e-8), "{}", sum_abs(&gf));
    assert!(close(sum(&gx), 0.00120535709, 1e-8), "{}", sum(&gx));
    assert!(close(sum_abs(&gx), 6.2602743, 1e-7), "{}", sum_abs(&gx));
    let f000 = [-0.0819056, 0.00478572, 0.00533418, -0.00286735, -0.00794388, 0.0784082, 0.00418878];
    for (o, r) in f000.iter().enumerate() {
        assert!(close(gf[o], *r, 1e-5), "dF[0,0,0,{o}] = {} vs {r}", gf[o]);
    }
    let f111 = [-0.0839592, 0.00840561, 0.00646684, -0.00622194, -0.00794643, 0.0835255, -0.000270408];
    let base = ((3 + 1) * 3 + 1) * 10;
    for (o, r) in f111.iter().enumerate() {
        assert!(close(gf[base + o], *r, 1e-5), "dF[1,1,1,{o}] = {} vs {r}", gf[base + o]);
    }
    for (c, r) in [-0.00216837, -0.000637755, -0.000245536].iter().enumerate() {
        assert!(close(gx[c], *r, 1e-5), "dX[0,0,{c}]");
    }
    let base = (13 * 28 + 13) * 3;
    for (c, r) in [0.00430485, 0.00397003, -0.00373087].iter().enumerate() {
        assert!(close(gx[base + c], *r, 1e-5), "dX[13,13,{c}]");
    }

    // Forward against reverse along a random direction, and central differences on a few
    // filter coordinates.
    let v = common::direction(f.len(), 3);
    let (_, t) = conv_loss_jvp(&x, &f, 28, 28, 3, 10, 3, vec![0.0; x.len()], v.clone());
    let r: f64 = gf.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(common::close(t, r, 1e-11), "{t} vs {r}");
    let loss_of_f = |p: &[f64]| conv_loss(&x, p, 28, 28, 3, 10, 3);
    for j in [0, 17, 133, 269] {
        let fd = common::central(&loss_of_f, &f, j);
        assert!(common::close(gf[j], fd, 1e-8), "dF[{j}] = {} vs {fd}", gf[j]);
    }
}

/// Gradients with respect to an intermediate (article 002, example 1): split the function at
/// the intermediate. The pullback of the loss gives dL/dconv; composing gives dL/dfilter.
#[differentiable]
fn mean_square(c: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in c.iter() {
        s += v * v;
    }
    s / c.len() as f64
}

#[test]
fn gradient_with_respect_to_the_intermediate() {
    assert_eq!(mean_square(&[1.0, 3.0]), 5.0);
    let c = [0.5, -1.0, 0.25, 2.0];
    let (loss, dc) = mean_square_grad(&c);
    assert_eq!(loss, (0.25 + 1.0 + 0.0625 + 4.0) / 4.0);
    assert_eq!(dc, vec![0.25, -0.5, 0.125, 1.0]);
}
