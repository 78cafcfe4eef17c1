//! The article cases (examples/article/mod.rs), asserted against the reference values of
//! shared/tape-cases/TRUTH.md, with forward mode checked against reverse mode.

#[path = "../examples/article/mod.rs"]
mod article;
mod common;

use article::*;

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
fn c003_opaque_function_with_hand_written_derivative() {
    let (y, (ga, gb)) = lse_grad(1.0, 2.0);
    assert!((y - 2.313261687518223).abs() < 1e-14);
    assert!((ga - 0.2689414213699951).abs() < 1e-15);
    assert!((gb - 0.7310585786300049).abs() < 1e-15);
    // The hand-written derivative, checked by the library's gradient checker.
    let f = |p: &[f64]| external::logsumexp2(p[0], p[1]);
    tapeless::check::check_gradient(f, &[ga, gb], &[1.0, 2.0], tapeless::check::DEFAULT_STEP, 1e-8)
        .expect("hand-written logsumexp derivative");
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
