//! The benchmark functions of shared/bench-functions.md: each generated gradient equals the
//! careful hand-written one (checked here, so the benchmarks compare equal work).

mod common;

use common::functions::*;

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-12)
}

#[test]
fn f1_rosenbrock_forward_mode_by_hand() {
    for n in [2, 100, 10_000] {
        let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.001 * (i % 1000) as f64).collect();
        let v = common::direction(n, 3);
        let ((value, t), (hand, hand_t)) = (rosenbrock_jvp(&x, v.clone()), rosenbrock_jvp_hand(&x, &v));
        assert!(close(value, hand, 1e-13), "{value} vs {hand}");
        assert!(close(t, hand_t, 1e-12), "n = {n}: generated {t} vs hand-written {hand_t}");
        // And both against the hand-written gradient: <grad, v>.
        let g = rosenbrock_hand(&x).1;
        assert!(close(hand_t, g.iter().zip(&v).map(|(a, b)| a * b).sum(), 1e-12));
    }
}

#[test]
fn f2_logistic_regression() {
    let (x, y, w) = f2_inputs();
    let (value, g) = logistic_nll_grad(&w, &x, &y);
    let (hand, hg) = logistic_nll_hand(&w, &x, &y);
    assert!(close(value, hand, 1e-13), "{value} vs {hand}");
    for (a, b) in g.iter().zip(&hg) {
        assert!(close(*a, *b, 1e-11), "{a} vs {b}");
    }
    let v = common::direction(100, 2);
    let (_, t) = logistic_nll_jvp(&w, &x, &y, v.clone());
    assert!(close(t, g.iter().zip(&v).map(|(a, b)| a * b).sum(), 1e-11));
}

#[test]
fn f4_outer_product() {
    let x: Vec<f64> = (0..1000).map(|i| 0.5 + 0.001 * i as f64).collect();
    let y: Vec<f64> = (0..1000).map(|j| 1.0 - 0.0005 * j as f64).collect();
    let (value, (gx, gy)) = outer_product_sum_grad(&x, &y);
    let (hand, hx, hy) = outer_product_sum_hand(&x, &y);
    assert!(close(value, hand, 1e-13));
    assert!(gx.iter().zip(&hx).chain(gy.iter().zip(&hy)).all(|(a, b)| close(*a, *b, 1e-12)));
}

#[test]
fn f6_black_scholes() {
    let (price, g) = black_scholes_grad(100.0, 105.0, 0.75, 0.03, 0.2);
    let (hand, greeks) = black_scholes_hand(100.0, 105.0, 0.75, 0.03, 0.2);
    assert!(close(price, hand, 1e-14));
    let g = [g.0, g.1, g.2, g.3, g.4];
    for (a, b) in g.iter().zip(&greeks) {
        assert!(close(*a, *b, 1e-12), "{a} vs {b}");
    }
    let f = |p: &[f64]| black_scholes(p[0], p[1], p[2], p[3], p[4]);
    let p = [100.0, 105.0, 0.75, 0.03, 0.2];
    for (i, gi) in g.iter().enumerate() {
        let fd = common::central(&f, &p, i);
        assert!(close(*gi, fd, 1e-8), "{i}: {gi} vs {fd}");
    }
}

/// F1 and F2 written with iterator chains give the loop-written functions' values and gradients
/// (the chains are desugared to the same loops; the order of additions is the same too), and F1
/// through a helper called in its loop.
#[test]
fn f1_f2_as_iterator_chains() {
    for n in [2, 100, 10_000] {
        let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.001 * (i % 1000) as f64).collect();
        let ((value, g), (hand, hg)) = (rosenbrock_chain_grad(&x), rosenbrock_hand(&x));
        assert!(close(value, hand, 1e-13), "{value} vs {hand}");
        assert!(g.iter().zip(&hg).all(|(a, b)| close(*a, *b, 1e-12)), "n = {n}");
        let v = common::direction(n, 5);
        let (_, t) = rosenbrock_chain_jvp(&x, v.clone());
        assert!(close(t, hg.iter().zip(&v).map(|(a, b)| a * b).sum(), 1e-12));
        // Through a helper called in the loop (its pullback made again in the reverse sweep).
        let (value, g) = rosenbrock_terms_grad(&x);
        assert!(close(value, hand, 1e-13), "{value} vs {hand}");
        assert!(g.iter().zip(&hg).all(|(a, b)| close(*a, *b, 1e-12)), "terms, n = {n}");
        let (_, t) = rosenbrock_terms_jvp(&x, v.clone());
        assert!(close(t, hg.iter().zip(&v).map(|(a, b)| a * b).sum(), 1e-12));
        let back = rosenbrock_terms_vjp(&x).1(1.0);
        assert!(back.iter().zip(&hg).all(|(a, b)| close(*a, *b, 1e-12)), "terms VJP, n = {n}");
    }
    let (x, y, w) = f2_inputs();
    let ((value, g), (hand, hg)) = (logistic_nll_chain_grad(&w, &x, &y), logistic_nll_hand(&w, &x, &y));
    assert!(close(value, hand, 1e-13), "{value} vs {hand}");
    assert!(g.iter().zip(&hg).all(|(a, b)| close(*a, *b, 1e-11)));
    let v = common::direction(100, 2);
    let (_, t) = logistic_nll_chain_jvp(&w, &x, &y, v.clone());
    assert!(close(t, hg.iter().zip(&v).map(|(a, b)| a * b).sum(), 1e-11));
}
