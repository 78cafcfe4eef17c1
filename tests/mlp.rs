//! F5, the 784-128-10 tanh MLP with softmax cross-entropy over a batch of 32, its parameters in
//! a `#[derive(Differentiable)]` struct of nalgebra `DMatrix`/`RowDVector` fields: the generated
//! gradient against the hand-written one, central differences on entries of every parameter,
//! forward mode against reverse mode, and gradient descent lowering the loss.

mod common;

use common::functions::{
    Mlp, f5_inputs, mlp_loss, mlp_loss_grad, mlp_loss_grad_into, mlp_loss_hand, mlp_loss_jvp, mlp_loss_vjp,
};
use tapeless::Tangent;

fn max_relative_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs() / y.abs().max(1e-3)).fold(0.0, f64::max)
}

#[test]
fn gradient_equals_the_hand_written_one() {
    let (p, x, labels, onehot) = f5_inputs();
    let (loss, g) = mlp_loss_grad(&p, &x, &onehot);
    let (hand_loss, h) = mlp_loss_hand(&p, &x, &labels);
    assert!(common::close(loss, hand_loss, 1e-13), "{loss} vs {hand_loss}");
    assert!(common::close(loss, mlp_loss(&p, &x, &onehot), 0.0));
    // ln 10 ≈ 2.30 for a network that has not learned anything yet.
    assert!((2.0..2.7).contains(&loss), "{loss}");
    for (name, a, b) in [
        ("W1", g.w1.as_slice(), h.w1.as_slice()),
        ("b1", g.b1.as_slice(), h.b1.as_slice()),
        ("W2", g.w2.as_slice(), h.w2.as_slice()),
        ("b2", g.b2.as_slice(), h.b2.as_slice()),
    ] {
        let d = max_relative_difference(a, b);
        assert!(d <= 1e-10, "{name}: max relative difference {d}");
    }
    // `_grad_into` writes the same gradient into a buffer that held another one.
    let mut buffer = h.clone();
    assert_eq!(mlp_loss_grad_into(&p, &x, &onehot, &mut buffer), loss);
    assert_eq!((&buffer.w1, &buffer.b1, &buffer.w2, &buffer.b2), (&g.w1, &g.b1, &g.w2, &g.b2));
}

#[test]
fn entries_of_every_parameter_against_central_differences() {
    let (p, x, _, onehot) = f5_inputs();
    let (_, g) = mlp_loss_grad(&p, &x, &onehot);
    // (parameter, index into its storage, gradient entry)
    type Pick = fn(&mut Mlp) -> &mut [f64];
    let picks: [(&str, Pick, &[f64], &[usize]); 4] = [
        ("W1", |m| m.w1.as_mut_slice(), g.w1.as_slice(), &[0, 1000, 50_000, 100_351]),
        ("b1", |m| m.b1.as_mut_slice(), g.b1.as_slice(), &[0, 64, 127]),
        ("W2", |m| m.w2.as_mut_slice(), g.w2.as_slice(), &[0, 333, 1279]),
        ("b2", |m| m.b2.as_mut_slice(), g.b2.as_slice(), &[0, 4, 9]),
    ];
    for (name, pick, grad, indices) in picks {
        for &i in indices {
            let f = |v: &[f64]| {
                let mut q = p.clone();
                pick(&mut q)[i] = v[0];
                mlp_loss(&q, &x, &onehot)
            };
            let at = [pick(&mut p.clone())[i]];
            let fd = common::central(&f, &at, 0);
            // The loss is about 2.3 and the steps about 1e-5: rounding limits the differences
            // to about 1e-11 absolute.
            assert!(
                (grad[i] - fd).abs() <= 1e-6 * grad[i].abs() + 1e-10,
                "d/d{name}[{i}]: {} vs {fd}",
                grad[i]
            );
        }
    }
}

#[test]
fn forward_mode_agrees_with_reverse_mode() {
    let (p, x, _, onehot) = f5_inputs();
    let (_, g) = mlp_loss_grad(&p, &x, &onehot);
    let mut d = p.clone();
    for (k, s) in [d.w1.as_mut_slice(), d.b1.as_mut_slice(), d.w2.as_mut_slice(), d.b2.as_mut_slice()]
        .into_iter()
        .enumerate()
    {
        s.copy_from_slice(&common::direction(s.len(), k as u64 + 11));
    }
    let (value, t) = mlp_loss_jvp(&p, &x, &onehot, d.clone());
    assert!(common::close(value, mlp_loss(&p, &x, &onehot), 0.0));
    assert!(common::close(t, g.dot_tangent(&d), 1e-11), "{t} vs {}", g.dot_tangent(&d));
    // The pullback with cotangent 2 is twice the gradient.
    let (_, pullback) = mlp_loss_vjp(&p, &x, &onehot);
    let twice = pullback(2.0);
    assert!(common::close(twice.dot_tangent(&d), 2.0 * g.dot_tangent(&d), 1e-12));
}

#[test]
fn gradient_descent_lowers_the_loss() {
    let (mut p, x, _, onehot) = f5_inputs();
    let mut losses = Vec::new();
    for _ in 0..5 {
        let (loss, g) = mlp_loss_grad(&p, &x, &onehot);
        losses.push(loss);
        p = p - 0.1 * g;
    }
    assert!(losses.windows(2).all(|w| w[1] < w[0]), "{losses:?}");
}
