//! The article cases (examples/article/mod.rs), asserted against the reference values of
//! shared/tape-cases/TRUTH.md, with forward mode checked against reverse mode.

// Reference values are quoted with every digit the reference printed.
#![allow(clippy::excessive_precision)]

#[path = "../examples/article/mod.rs"]
mod article;
mod common;

use article::REJECTED;
use article::conv_outputs::*;
use article::expected_gradients::*;
use article::numerical_functions::*;
use article::outer_product::*;
use article::watching_and_scope::*;

#[test]
fn c000_outer_product_jvp_vjp_and_sum() {
    let (z, tangent) = outer2_jvp(1.0, 2.0, 3.0, 4.0, 1.0, 0.0, 0.0, 0.0);
    assert_eq!(z, ((3.0, 4.0), (6.0, 8.0)));
    assert_eq!(tangent, ((3.0, 4.0), (0.0, 0.0)));
    let (_, pullback) = outer2_vjp(1.0, 2.0, 3.0, 4.0);
    assert_eq!(pullback(((1.0, 1.0), (1.0, 1.0))), (7.0, 7.0, 3.0, 3.0));
    let (loss, grad) = outer2_sum_grad(1.0, 2.0, 3.0, 4.0);
    assert_eq!((loss, grad), (21.0, (7.0, 7.0, 3.0, 3.0)));
    // Any number of derivative queries: there is no tape to consume.
    assert_eq!(outer2_sum_grad(1.0, 2.0, 3.0, 4.0), (loss, grad));
    let (_, t) = outer2_sum_jvp(1.0, 2.0, 3.0, 4.0, 0.5, -1.0, 2.0, 0.25);
    assert_eq!(t, 0.5 * 7.0 - 7.0 + 2.0 * 3.0 + 0.25 * 3.0);
}

#[test]
fn c001_product_rule_and_affine() {
    assert_eq!(product_grad(1.0, 2.0), (2.0, (2.0, 1.0)));
    assert_eq!(product_jvp(1.0, 2.0, 1.0, 0.0), (2.0, 2.0));
    assert_eq!(affine_grad(1.0), (3.0, 2.0));
    assert_eq!(affine_jvp(1.0, 1.0), (3.0, 2.0));
}

#[test]
fn c001_branch_under_piecewise_takes_the_branch_that_runs() {
    for (x, value, slope) in [(1.0, 3.0, 2.0), (0.0, 1.0, 1.0), (-1.0, 0.0, 1.0)] {
        assert_eq!(branch_001_grad(x), (value, slope), "at {x}");
        assert_eq!(branch_001_jvp(x, 1.0), (value, slope), "at {x}");
    }
    // 001-ex3': where the branch does not run, the derivative is 0, never None.
    assert_eq!(set_in_branch_grad(-1.0), (1.0, 0.0));
    assert_eq!(set_in_branch_grad(1.0), (3.0, 2.0));
}

#[test]
fn c003_kinked_under_piecewise() {
    for (x, value, slope) in [(2.0, 4.0, 4.0), (0.5, 0.5, 1.0), (1.0, 1.0, 1.0)] {
        assert_eq!(kinked_grad(x), (value, slope), "at {x}");
        assert_eq!(kinked_jvp(x, 1.0), (value, slope), "at {x}");
    }
}

#[test]
fn c003_opaque_function_with_a_declared_derivative() {
    let (y, (ga, gb)) = lse_grad(1.0, 2.0);
    assert!((y - 2.313261687518223).abs() < 1e-14);
    assert!((ga - 0.2689414213699951).abs() < 1e-15);
    assert!((gb - 0.7310585786300049).abs() < 1e-15);
    // The declared derivative, checked by the library's gradient checker.
    let f = |p: &[f64]| external::logsumexp2(p[0], p[1]);
    tapeless::check::check_gradient(f, &[ga, gb], &[1.0, 2.0], tapeless::check::DEFAULT_STEP, 1e-8)
        .expect("declared logsumexp derivative");
    let (_, t) = lse_jvp(1.0, 2.0, 0.5, -2.0);
    assert!((t - (0.5 * ga - 2.0 * gb)).abs() < 1e-15);
}

#[test]
fn c004_expected_gradients() {
    assert_eq!(scale_grad(2.0, 3.0), (6.0, 3.0));
    assert_eq!(doubled_grad(2.0, 3.0), (12.0, 6.0));
    assert_eq!(widen_grad(2.7), (2.7f32 as f64, 1.0));
    assert_eq!(widen_jvp(2.7, 1.0).1, 1.0);
    assert_eq!(times_rounded_grad(2.7), (2.7 * 3.0, 3.0));
    assert_eq!(assigned_grad(2.0), (36.0, 36.0));
    assert_eq!(overwrite_grad(1.0, 2.0, 3.0), (413.0, (404.0, 6.0)));
    let (_, pullback) = overwrite_vjp(1.0, 2.0, 3.0);
    assert_eq!(pullback(0.5), (202.0, 3.0));
}

#[test]
fn rejected_cases_have_their_snapshot() {
    for r in REJECTED {
        assert!(r.stderr.starts_with("error"), "{}: snapshot is not an error", r.id);
        assert!(!r.headline().is_empty(), "{}", r.id);
    }
}

#[test]
fn central_differences_agree() {
    type Case<'a> = (&'a str, &'a dyn Fn(&[f64]) -> f64, &'a dyn Fn(&[f64]) -> Vec<f64>, &'a [f64]);
    let cases: [Case; 3] = [
        (
            "outer2_sum",
            &|p| outer2_sum(p[0], p[1], p[2], p[3]),
            &|p| {
                let g = outer2_sum_grad(p[0], p[1], p[2], p[3]).1;
                vec![g.0, g.1, g.2, g.3]
            },
            &[1.0, 2.0, 3.0, 4.0],
        ),
        (
            "lse",
            &|p| lse(p[0], p[1]),
            &|p| {
                let g = lse_grad(p[0], p[1]).1;
                vec![g.0, g.1]
            },
            &[1.0, 2.0],
        ),
        ("assigned", &|p| assigned(p[0]), &|p| vec![assigned_grad(p[0]).1], &[2.0]),
    ];
    for (name, f, g, x) in cases {
        let grad = g(x);
        for (i, g) in grad.iter().enumerate() {
            let fd = common::central(f, x, i);
            assert!(common::close(*g, fd, 1e-9), "{name}: {g} vs {fd}");
        }
    }
}

#[test]
fn c000_outer_product_of_vectors() {
    let (x, y) = ([1.0, 2.0], [3.0, 4.0]);
    let (z, t) = outer_jvp(&x, &y, vec![1.0, 0.0], vec![0.0, 0.0]);
    assert_eq!(z, vec![3.0, 4.0, 6.0, 8.0]);
    assert_eq!(t, vec![3.0, 4.0, 0.0, 0.0]);
    let (_, pullback) = outer_vjp(&x, &y);
    assert_eq!(pullback(vec![1.0; 4]), (vec![7.0, 7.0], vec![3.0, 3.0]));
    assert_eq!(outer_sum_grad(&x, &y), (21.0, (vec![7.0, 7.0], vec![3.0, 3.0])));
    // Length 1000: dL/dx_i = sum(y), dL/dy_j = sum(x).
    let x: Vec<f64> = (0..1000).map(|i| 0.5 + 0.001 * i as f64).collect();
    let y: Vec<f64> = (0..1000).map(|j| 1.0 - 0.0005 * j as f64).collect();
    let (sx, sy) = (x.iter().sum::<f64>(), y.iter().sum::<f64>());
    let (loss, (gx, gy)) = outer_sum_grad(&x, &y);
    assert!(common::close(loss, sx * sy, 1e-12));
    assert!(gx.iter().all(|g| common::close(*g, sy, 1e-12)));
    assert!(gy.iter().all(|g| common::close(*g, sx, 1e-12)));
    let v = common::direction(1000, 1);
    let (_, t) = outer_sum_jvp(&x, &y, v.clone(), vec![0.0; 1000]);
    let r: f64 = gx.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(common::close(t, r, 1e-11));
}

#[test]
fn c002_gradients_of_the_intermediate_and_the_filter_from_one_forward_pass() {
    // Float64 reference: shared/tape-cases/ref_002_float64.py, printed with 17 significant digits.
    let (x, f) = conv_inputs();
    let (loss, dconv, dx, df) = conv_gradients(&x, &f);
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let abs = |v: &[f64]| v.iter().map(|a| a.abs()).sum::<f64>();
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
    assert!(rel(loss, 1.0873192133934486) < 1e-9, "{loss}");
    assert!(rel(sum(&dconv), -0.00034438774597885197) < 1e-9, "{}", sum(&dconv));
    assert!(rel(sum(&df), -0.014892853522141345) < 1e-9, "{}", sum(&df));
    assert!(rel(abs(&df), 8.7640257247067144) < 1e-9, "{}", abs(&df));
    assert!(rel(sum(&dx), 0.0012053570933449713) < 1e-9, "{}", sum(&dx));
    assert!(rel(abs(&dx), 6.2602742992403293) < 1e-9, "{}", abs(&dx));
    let dconv_000 = [
        0.00014030612834102038,
        -0.00025510203986599738,
        6.3775510204081638e-05,
        0.00029336735131028961,
        7.6530607683318e-05,
        -0.00049744898510374581,
        0.00017857142743103358,
    ];
    for (o, r) in dconv_000.iter().enumerate() {
        assert!(rel(dconv[o], *r) < 1e-9, "dL/dconv[0,0,0,{o}]");
    }
    // dL/dconv = 2 conv / N (TF's first gradient() call returns the same tensor), up to rounding.
    let c = conv2d(&x, &f, 28, 28, 3, 10, 3);
    for (d, v) in dconv.iter().zip(&c) {
        assert!((d - 2.0 * v / 7840.0).abs() <= 1e-15 * d.abs());
    }
    let df_111 = [-0.083959185874393799, 0.0084056132490157014, 0.006466836103105114];
    let base = ((3 + 1) * 3 + 1) * 10;
    for (o, r) in df_111.iter().enumerate() {
        assert!(rel(df[base + o], *r) < 1e-9, "dL/dF[1,1,1,{o}]");
    }
    let dx_000 = [-0.0021683673771117264, -0.0006377550930126894, -0.00024553575619523009];
    for (k, r) in dx_000.iter().enumerate() {
        assert!(rel(dx[k], *r) < 1e-9, "dL/dX[0,0,{k}]");
    }
}

#[test]
fn c003_opaque_vector_function_and_partial_detachment() {
    let (y, g) = lse_vec_grad(&[1.0, 2.0]);
    assert!((y - 2.313261687518223).abs() < 1e-14);
    assert!((g[0] - 0.2689414213699951).abs() < 1e-15 && (g[1] - 0.7310585786300049).abs() < 1e-15);
    let (_, t) = lse_vec_jvp(&[1.0, 2.0], vec![1.0, -1.0]);
    assert!((t - (g[0] - g[1])).abs() < 1e-15);
    tapeless::check::check_gradient(library::logsumexp, &g, &[1.0, 2.0], tapeless::check::DEFAULT_STEP, 1e-8)
        .expect("declared softmax");
    // sin(x) x at 3.7: sin x + x cos x = -3.66781 (TF with np.sin: -0.529836, silently).
    let (_, d) = sine_times_grad(3.7);
    assert!((d - (3.7f64.sin() + 3.7 * 3.7f64.cos())).abs() < 1e-14);
    assert!((d - -3.66781).abs() < 1e-5);
    assert_eq!(sine_times_jvp(3.7, 1.0).1, d);
}

#[test]
fn c004_mask_and_array_overwrite() {
    let (z, g) = masked_sum_grad(&[1.0, 2.0, 3.0], &[false, true, false]);
    assert_eq!((z, g), (2.0, vec![0.0, 1.0, 0.0]));
    assert_eq!(masked_sum_jvp(&[1.0, 2.0, 3.0], &[false, true, false], vec![5.0, 7.0, 9.0]).1, 7.0);
    let (y, g) = overwrite_array_grad([1.0, 2.0, 3.0]);
    assert_eq!((y, g), (413.0, [0.0, 404.0, 6.0]));
    let (_, pullback) = overwrite_array_vjp([1.0, 2.0, 3.0]);
    assert_eq!(pullback(0.5), [0.0, 202.0, 3.0]);
    assert_eq!(overwrite_array_jvp([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]).1, 410.0);
}

#[test]
fn c002_sobel_exact_through_the_intermediate() {
    let x: Vec<f64> = (1..=16).map(f64::from).collect();
    let k = [1.0, 0.0, -1.0, 2.0, 0.0, -2.0, 1.0, 0.0, -1.0];
    let (c, conv_pullback) = conv2d_vjp(&x, &k, 4, 4, 1, 1, 3);
    assert_eq!(
        c,
        vec![
            -10.0, -6.0, -6.0, 13.0, -24.0, -8.0, -8.0, 28.0, -40.0, -8.0, -8.0, 44.0, -38.0, -6.0, -6.0,
            41.0
        ]
    );
    let (loss, loss_pullback) = mean_square_vjp(&c);
    assert_eq!(loss, 543.125);
    let dconv = loss_pullback(1.0);
    assert_eq!(dconv, c.iter().map(|v| v / 8.0).collect::<Vec<_>>());
    let (dx, dk) = conv_pullback(dconv);
    assert_eq!(dk, vec![77.125, 15.0, -122.75, 114.25, 0.0, -203.5, 78.125, -15.0, -172.75]);
    assert_eq!(
        dx,
        vec![
            -2.5, 3.0, 9.25, 2.5, -3.75, 8.5, 17.875, 3.75, -3.75, 14.0, 23.375, 3.75, -2.5, 12.0, 18.25, 2.5
        ]
    );
}
