//! Patterns that take apart constants: a `match` or `if let` on an `Option<f64>` parameter or
//! an enum of settings, binding its parts (`Some(k)`, `Loss::Huber(d)`, `Loss::Scaled { k, p }`),
//! by value and by reference. Each function is checked against its analytic gradient, central
//! differences, and forward against reverse mode (`common::check`).

mod common;

use common::{Fns, check};
use tapeless::differentiable;

/// `k x` for `Some(k)`, `x` for `None`.
#[differentiable(wrt(x))]
fn scaled(x: f64, factor: Option<f64>) -> f64 {
    match factor {
        Some(k) => k * x.sin(),
        None => x,
    }
}

/// A loss chosen by a setting, with an optional ridge term read through a reference.
#[derive(Clone, Copy, Debug)]
enum Loss {
    Squared,
    Huber(f64),
    Scaled { k: f64, p: i32 },
}

#[differentiable(wrt(r))]
fn loss(r: &[f64], kind: Loss, ridge: &Option<f64>) -> f64 {
    let mut total = 0.0;
    for &ri in r {
        total += match kind {
            Loss::Squared => 0.5 * ri * ri,
            Loss::Huber(d) => d * d * ((1.0 + (ri / d).powi(2)).sqrt() - 1.0),
            Loss::Scaled { k, p } => k * ri.powi(p),
        };
    }
    if let Some(l) = ridge {
        total += *l * r.iter().map(|v| v * v).sum::<f64>();
    }
    total
}

/// The derivative of one term of `loss` by hand.
fn loss_term_derivative(ri: f64, kind: Loss) -> f64 {
    match kind {
        Loss::Squared => ri,
        Loss::Huber(d) => ri / (1.0 + (ri / d).powi(2)).sqrt(),
        Loss::Scaled { k, p } => k * p as f64 * ri.powi(p - 1),
    }
}

#[test]
fn an_option_parameter_in_a_match() {
    for factor in [Some(3.0), Some(-0.5), None] {
        let f = move |x: &[f64]| scaled(x[0], factor);
        let fns = Fns {
            name: "scaled",
            f: &f,
            jvp: &|x, t| scaled_jvp(x[0], factor, t[0]),
            vjp: &|x, u| {
                let (v, pullback) = scaled_vjp(x[0], factor);
                (v, vec![pullback(u)])
            },
            grad: &|x| {
                let (v, g) = scaled_grad(x[0], factor);
                (v, vec![g])
            },
        };
        check(&fns, &[&[0.3], &[-1.2], &[2.5]], 1e-8);
        for x in [0.3, -1.2, 2.5] {
            let want = factor.map_or(1.0, |k| k * f64::cos(x));
            assert!(common::close(scaled_grad(x, factor).1, want, 1e-14), "{factor:?} at {x}");
        }
    }
}

#[test]
fn an_enum_of_settings_and_an_option_by_reference() {
    let kinds = [Loss::Squared, Loss::Huber(0.5), Loss::Scaled { k: 2.0, p: 3 }];
    for kind in kinds {
        for ridge in [Some(0.1), None] {
            let fns = slice_fns_with!(loss, loss_jvp, loss_vjp, loss_grad; kind, &ridge);
            let points: [&[f64]; 3] = [&[1.0, -2.0], &[0.3, 0.7, -1.1], &[2.0]];
            check(&fns, &points, 1e-8);
            for x in points {
                let (_, g) = loss_grad(x, kind, &ridge);
                for (i, &xi) in x.iter().enumerate() {
                    let want = loss_term_derivative(xi, kind) + 2.0 * ridge.unwrap_or(0.0) * xi;
                    assert!(
                        common::close(g[i], want, 1e-13),
                        "{kind:?}, {ridge:?}: d/dx{i} = {} vs {want}",
                        g[i]
                    );
                }
            }
        }
    }
}

/// `let Some(k) = factor else { return .. };` and `let Loss::Huber(d) = kind else { .. };`.
#[differentiable(wrt(x))]
fn let_else(x: &[f64], factor: Option<f64>, kind: Loss) -> f64 {
    let Some(k) = factor else {
        return x[0];
    };
    let Loss::Huber(d) = kind else {
        return k * x[0] * x[1];
    };
    k * d * x[1].sin()
}

#[test]
fn let_else_of_constants() {
    for (factor, kind) in
        [(Some(2.0), Loss::Huber(0.5)), (Some(-1.5), Loss::Squared), (None, Loss::Huber(0.5))]
    {
        let fns = slice_fns_with!(let_else, let_else_jvp, let_else_vjp, let_else_grad; factor, kind);
        let points: [&[f64]; 3] = [&[0.3, -0.7], &[1.2, 0.4], &[-2.0, 1.1]];
        check(&fns, &points, 1e-8);
        for x in points {
            let want = match (factor, kind) {
                (None, _) => vec![1.0, 0.0],
                (Some(k), Loss::Huber(d)) => vec![0.0, k * d * x[1].cos()],
                (Some(k), _) => vec![k * x[1], k * x[0]],
            };
            assert_eq!(let_else_grad(x, factor, kind).1, want, "{factor:?}, {kind:?} at {x:?}");
        }
    }
}

/// A `match` on a tuple of settings, and on a local tuple holding an `Option` (`(None, _)`).
#[differentiable(wrt(x))]
fn by_settings(x: &[f64], order: u8, symmetric: bool, scale: Option<f64>) -> f64 {
    let base = match (order, symmetric) {
        (0, _) => 1.0,
        (1, true) => x[0],
        (1, false) => 1.0 + x[0],
        (n, _) => x[0].powi(n as i32),
    };
    let chosen = (scale, order);
    match chosen {
        (Some(s), 1) => s * base * x[1],
        (None, _) => base + x[1] * x[1],
        (Some(s), _) => s + base * x[1].sin(),
    }
}

#[test]
fn a_match_on_a_tuple_of_constants() {
    for (order, symmetric, scale) in [
        (0, true, Some(2.0)),
        (1, true, Some(-1.5)),
        (1, false, None),
        (3, false, Some(0.5)),
        (2, true, None),
    ] {
        let fns = slice_fns_with!(by_settings, by_settings_jvp, by_settings_vjp, by_settings_grad; order, symmetric, scale);
        let points: [&[f64]; 3] = [&[0.3, -0.7], &[1.2, 0.4], &[-2.0, 1.1]];
        check(&fns, &points, 1e-8);
        for x in points {
            let (base, dbase) = match (order, symmetric) {
                (0, _) => (1.0, 0.0),
                (1, true) => (x[0], 1.0),
                (1, false) => (1.0 + x[0], 1.0),
                (n, _) => (x[0].powi(n as i32), n as f64 * x[0].powi(n as i32 - 1)),
            };
            let want = match (scale, order) {
                (Some(s), 1) => [s * dbase * x[1], s * base],
                (None, _) => [dbase, 2.0 * x[1]],
                (Some(_), _) => [dbase * x[1].sin(), base * x[1].cos()],
            };
            let g = by_settings_grad(x, order, symmetric, scale).1;
            for i in 0..2 {
                assert!(
                    common::close(g[i], want[i], 1e-14),
                    "{order}, {symmetric}, {scale:?} at {x:?}: {g:?} vs {want:?}"
                );
            }
        }
    }
}

/// A `match` on a tuple whose differentiated parts the arms only bind (`(0, a, _)`), chosen by
/// the constant part and by a `piecewise` guard on the bound parts.
#[differentiable(hessian, wrt(x))]
fn by_order(x: &[f64], order: usize) -> f64 {
    match (order, x[0] * 2.0, x[1]) {
        (0, a, _) => a.sin() * x[1],
        (1 | 2, a, b) if tapeless::piecewise(a > b) => a * a - b,
        (n, mut a, b) => {
            a += n as f64;
            a * b.exp()
        }
    }
}

#[test]
fn a_match_on_a_tuple_binding_its_differentiated_parts() {
    for order in 0..4 {
        let fns = slice_fns_with!(by_order, by_order_jvp, by_order_vjp, by_order_grad; order);
        let points: [&[f64]; 4] = [&[0.3, -0.7], &[1.2, 0.4], &[-2.0, 1.1], &[0.1, 0.9]];
        check(&fns, &points, 1e-8);
        for x in points {
            let a = 2.0 * x[0];
            // The gradient and the Hessian of the arm that runs, in (x0, x1).
            let (g, h) = match order {
                0 => (
                    [2.0 * a.cos() * x[1], a.sin()],
                    [-4.0 * a.sin() * x[1], 2.0 * a.cos(), 2.0 * a.cos(), 0.0],
                ),
                1 | 2 if a > x[1] => ([4.0 * a, -1.0], [8.0, 0.0, 0.0, 0.0]),
                n => {
                    let (e, s) = (x[1].exp(), a + n as f64);
                    ([2.0 * e, s * e], [0.0, 2.0 * e, 2.0 * e, s * e])
                }
            };
            let (_, ours) = by_order_grad(x, order);
            common::assert_close(&ours, &g, 1e-14, "by_order gradient");
            let (_, _, hessian) = by_order_hessian(x, order);
            let hessian = [hessian[(0, 0)], hessian[(0, 1)], hessian[(1, 0)], hessian[(1, 1)]];
            common::assert_close(&hessian, &h, 1e-13, "by_order Hessian");
            for i in 0..2 {
                let gi = |q: &[f64]| by_order_grad(q, order).1[i];
                let row: Vec<f64> = (0..2).map(|j| common::central(&gi, x, j)).collect();
                common::assert_close(&row, &h[2 * i..2 * i + 2], 1e-7, "by_order Hessian against _grad");
            }
        }
    }
}

/// Running sums kept in a tuple, updated part by part (`acc.0 += v`).
#[differentiable]
fn moments(x: &[f64]) -> f64 {
    let mut acc = (0.0, 0.0, (1.0, 0.0_f64));
    for &v in x {
        acc.0 += v;
        acc.1 += v * v;
        (acc.2).0 *= v;
        acc.2.1 = acc.2.1.max(v);
    }
    let n = x.len() as f64;
    acc.1 / n - (acc.0 / n).powi(2) + acc.2.0 + acc.2.1
}

#[test]
fn parts_of_a_local_tuple_assigned() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1], &[1.2, 0.4], &[-2.0, 1.1, 0.5, 0.8]];
    check(&slice_fns!(moments, moments_jvp, moments_vjp, moments_grad), &points, 1e-8);
    for x in points {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let product: f64 = x.iter().product();
        let top = x.iter().cloned().fold(0.0, f64::max);
        let g = moments_grad(x).1;
        for (i, &xi) in x.iter().enumerate() {
            let want = 2.0 * (xi - mean) / n + product / xi + if xi == top { 1.0 } else { 0.0 };
            assert!(common::close(g[i], want, 1e-13), "{x:?}: d/dx{i} = {} vs {want}", g[i]);
        }
    }
}

/// Slice patterns over a differentiated slice: `if let [a, b, ..] = *x`, `if let [.., y, z] =
/// x` and `let [a, .., z] = x[..] else { .. }`, each a length test and reads by index.
#[differentiable]
fn ends(x: &[f64]) -> f64 {
    let [first, .., last] = x[..] else {
        return 0.0;
    };
    let head = if let [a, b, ..] = *x { a * b } else { first };
    let tail = if let [.., y, z] = x { y.exp() * z } else { last };
    first * last + head + tail
}

#[test]
fn slice_patterns_of_a_differentiated_slice() {
    let points: [&[f64]; 4] = [&[0.3, -0.4, 0.7], &[1.2, 0.4], &[-2.0, 1.1, 0.5, 0.8], &[0.9]];
    check(&slice_fns!(ends, ends_jvp, ends_vjp, ends_grad), &points, 1e-8);
    for x in points {
        let n = x.len();
        // Fewer than two elements: the `let .. else` returns 0.
        let mut want = vec![0.0; n];
        if n >= 2 {
            want[0] += x[n - 1] + x[1];
            want[n - 1] += x[0];
            want[1] += x[0];
            want[n - 2] += x[n - 2].exp() * x[n - 1];
            want[n - 1] += x[n - 2].exp();
        }
        let g = ends_grad(x).1;
        for i in 0..n {
            assert!(common::close(g[i], want[i], 1e-13), "{x:?}: d/dx{i} = {} vs {}", g[i], want[i]);
        }
    }
}

/// A piecewise cubic with one row of coefficients per knot interval: the row of the interval
/// taken apart by an array pattern (`let [a, b, c, d] = coefficients[i];`).
#[differentiable]
fn spline(coefficients: &[[f64; 4]], t: f64) -> f64 {
    let i = (tapeless::no_grad(t).floor() as usize).min(coefficients.len() - 1);
    let s = t - i as f64;
    let [a, b, c, d] = coefficients[i];
    a + s * (b + s * (c + s * d))
}

#[test]
fn an_array_pattern_of_a_row_read_by_index() {
    let rows = [[1.0, 2.0, 3.0, 4.0], [0.5, 0.1, 0.2, 0.3], [-1.0, 0.4, -0.3, 0.2]];
    for t in [0.4, 1.3, 2.75] {
        let (value, (g_rows, g_t)) = spline_grad(&rows, t);
        let i = t.floor() as usize;
        let s = t - i as f64;
        let [a, b, c, d] = rows[i];
        assert!(common::close(value, a + s * (b + s * (c + s * d)), 1e-15));
        // ∂/∂(a, b, c, d) of row i = (1, s, s², s³); the other rows 0; ∂/∂t = b + 2cs + 3ds².
        for (r, row) in g_rows.iter().enumerate() {
            let want = if r == i { [1.0, s, s * s, s * s * s] } else { [0.0; 4] };
            for k in 0..4 {
                assert!(common::close(row[k], want[k], 1e-15), "row {r}, entry {k}: {}", row[k]);
            }
        }
        assert!(common::close(g_t, b + 2.0 * c * s + 3.0 * d * s * s, 1e-14));
        let h = 1e-6;
        let fd = (spline(&rows, t + h) - spline(&rows, t - h)) / (2.0 * h);
        assert!(common::close(g_t, fd, 1e-8), "{g_t} against {fd}");
        // Forward against reverse along a direction in every coefficient and in t.
        let dir: Vec<[f64; 4]> = (0..3).map(|r| [0.1 * r as f64, -0.2, 0.3, 0.05]).collect();
        let (_, tangent) = spline_jvp(&rows, t, dir.clone(), 0.7);
        let dot: f64 =
            g_rows.iter().zip(&dir).flat_map(|(g, d)| g.iter().zip(d).map(|(a, b)| a * b)).sum::<f64>()
                + g_t * 0.7;
        assert!(common::close(tangent, dot, 1e-14), "{tangent} against {dot}");
    }
}

/// A `match` over the shapes of a differentiated slice, with a guard, a `rest @ ..` sub-slice, `*x`
/// and `&[..]` binding values: a chain of length tests, each arm's names read by index.
#[differentiable]
fn by_shape(x: &[f64]) -> f64 {
    let edge = match x {
        [] => 0.0,
        [a] => a.sin(),
        [a, b] if x.len() > 5 => a * b,
        [first, middle @ .., last] => first * last + middle.iter().map(|v| v * v).sum::<f64>(),
    };
    let head = match *x {
        [a, b, c] => a * b * c,
        [a, ..] => a.exp(),
        _ => 1.0,
    };
    let rest = if let [a, b, rest @ ..] = x { a * b + rest.iter().sum::<f64>() } else { 0.5 };
    let rest = if let &[_, b, ..] = x { rest + 0.0 * b } else { rest };
    edge + head + rest
}

#[test]
fn a_match_over_slice_shapes() {
    let points: [&[f64]; 4] = [&[0.3, -0.4, 0.7], &[1.2, 0.4], &[-2.0, 1.1, 0.5, 0.8], &[0.9]];
    check(&slice_fns!(by_shape, by_shape_jvp, by_shape_vjp, by_shape_grad), &points, 1e-8);
    for x in points {
        let n = x.len();
        let mut want = vec![0.0; n];
        // edge: sin for one element; otherwise first * last + Σ middle².
        if n == 1 {
            want[0] += x[0].cos();
        } else {
            want[0] += x[n - 1];
            want[n - 1] += x[0];
            for i in 1..n - 1 {
                want[i] += 2.0 * x[i];
            }
        }
        // head: a product of three, or exp of the first.
        if n == 3 {
            want[0] += x[1] * x[2];
            want[1] += x[0] * x[2];
            want[2] += x[0] * x[1];
        } else {
            want[0] += x[0].exp();
        }
        // rest: a * b + Σ rest, from two elements on.
        if n >= 2 {
            want[0] += x[1];
            want[1] += x[0];
            for w in want.iter_mut().skip(2) {
                *w += 1.0;
            }
        }
        let (value, g) = by_shape_grad(x);
        assert_eq!(value, by_shape(x));
        for i in 0..n {
            assert!(common::close(g[i], want[i], 1e-13), "{x:?}: d/dx{i} = {} vs {}", g[i], want[i]);
        }
    }
}

/// Names a slice pattern binds by reference, read through `*` as Rust requires where they are
/// not operands of arithmetic (`[a] => *a`, `Some(*b)`-style uses), and `let v = &x[i]; *v`.
/// `*a` was "a dereference of a differentiable value".
#[differentiable]
fn dereferenced_parts(x: &[f64]) -> f64 {
    let single = match x {
        [] => 0.0,
        [a] => *a,
        [a, b, ..] => (*a).max(*b) * 2.0,
    };
    let last = if let [.., z] = x { *z } else { 0.0 };
    let v = &x[0];
    single + last * last + (*v).sin()
}

#[test]
fn parts_of_a_slice_pattern_dereferenced() {
    let points: [&[f64]; 4] = [&[0.3, -0.4, 0.7], &[1.2, 0.4], &[-2.0, 1.1, 0.5, 0.8], &[0.9]];
    check(
        &slice_fns!(
            dereferenced_parts,
            dereferenced_parts_jvp,
            dereferenced_parts_vjp,
            dereferenced_parts_grad
        ),
        &points,
        1e-8,
    );
    for x in points {
        let n = x.len();
        let mut want = vec![0.0; n];
        if n == 1 {
            want[0] += 1.0;
        } else {
            // The larger of the first two, twice (no ties at these points).
            want[if x[0] >= x[1] { 0 } else { 1 }] += 2.0;
        }
        want[n - 1] += 2.0 * x[n - 1];
        want[0] += x[0].cos();
        let (value, g) = dereferenced_parts_grad(x);
        assert_eq!(value, dereferenced_parts(x));
        for i in 0..n {
            assert!(common::close(g[i], want[i], 1e-13), "{x:?}: d/dx{i} = {} vs {}", g[i], want[i]);
        }
    }
}

/// `if let` on a pattern that binds nothing, a test of a constant: a literal, `None`, a unit
/// variant (`if let 3 = k`, `if let None = opt`, `if let Loss::Squared = loss`). They were the
/// `if let` error until the fiftieth session.
#[allow(clippy::redundant_pattern_matching)]
#[differentiable(wrt(x, y))]
fn tested_by_patterns(x: f64, y: f64, k: i32, shift: Option<f64>, loss: Loss) -> f64 {
    let a = if let 3 = k {
        x.sin()
    } else if let 0..=2 = k {
        x * y
    } else {
        y.exp()
    };
    let b = if let None = shift { a } else { a + x * x };
    if let Loss::Squared = loss { b * b } else { b }
}

/// A tuple struct's fields by position, `let Pair(a, b) = p;` (and `Pair(a, ..)`), as a named
/// struct's are by name. They were the pattern error until the fiftieth session.
#[derive(Clone, Copy, Debug, tapeless::Differentiable)]
pub struct Pair(pub f64, pub f64);

#[differentiable]
fn pair_product(p: Pair, q: &Pair) -> f64 {
    let Pair(a, b) = p;
    let Pair(c, ..) = *q;
    a * b.sin() + c * a
}

#[test]
fn if_let_tests_and_tuple_struct_patterns() {
    let points: [&[f64]; 3] = [&[0.3, 1.2], &[-1.0, 0.5], &[2.0, -0.7]];
    for (k, shift, loss) in [
        (3, None, Loss::Squared),
        (1, Some(0.5), Loss::Huber(1.0)),
        (7, None, Loss::Huber(1.0)),
        (0, Some(1.0), Loss::Squared),
    ] {
        let f = |x: f64, y: f64| tested_by_patterns(x, y, k, shift, loss);
        let fns = Fns {
            name: "tested_by_patterns",
            f: &|p| f(p[0], p[1]),
            jvp: &|p, v| tested_by_patterns_jvp(p[0], p[1], k, shift, loss, v[0], v[1]),
            vjp: &|p, ct| {
                let (value, pullback) = tested_by_patterns_vjp(p[0], p[1], k, shift, loss);
                let (a, b) = pullback(ct);
                (value, vec![a, b])
            },
            grad: &|p| {
                let (value, (a, b)) = tested_by_patterns_grad(p[0], p[1], k, shift, loss);
                (value, vec![a, b])
            },
        };
        check(&fns, &points, 1e-8);
        for p in points {
            let (x, y) = (p[0], p[1]);
            // a, with its partials; then b = a (+ x²); then b² for `Squared`.
            let (a, da) = match k {
                3 => (x.sin(), [x.cos(), 0.0]),
                0..=2 => (x * y, [y, x]),
                _ => (y.exp(), [0.0, y.exp()]),
            };
            let (b, db) = match shift {
                None => (a, da),
                Some(_) => (a + x * x, [da[0] + 2.0 * x, da[1]]),
            };
            let want = match loss {
                Loss::Squared => [2.0 * b * db[0], 2.0 * b * db[1]],
                _ => db,
            };
            let (_, (gx, gy)) = tested_by_patterns_grad(x, y, k, shift, loss);
            assert!(
                common::close(gx, want[0], 1e-14) && common::close(gy, want[1], 1e-14),
                "{k} {shift:?} {loss:?}"
            );
        }
    }
    let fns = Fns {
        name: "pair_product",
        f: &|p| pair_product(Pair(p[0], p[1]), &Pair(p[2], p[3])),
        jvp: &|p, v| {
            pair_product_jvp(Pair(p[0], p[1]), &Pair(p[2], p[3]), Pair(v[0], v[1]), Pair(v[2], v[3]))
        },
        vjp: &|p, ct| {
            let q = Pair(p[2], p[3]);
            let (value, pullback) = pair_product_vjp(Pair(p[0], p[1]), &q);
            let (a, b) = pullback(ct);
            (value, vec![a.0, a.1, b.0, b.1])
        },
        grad: &|p| {
            let (value, (a, b)) = pair_product_grad(Pair(p[0], p[1]), &Pair(p[2], p[3]));
            (value, vec![a.0, a.1, b.0, b.1])
        },
    };
    let points: [&[f64]; 3] = [&[0.3, 1.2, 2.0, 5.0], &[-1.0, 0.5, 0.1, -3.0], &[2.0, -0.7, -1.5, 0.0]];
    check(&fns, &points, 1e-8);
    for p in points {
        let (a, b, c) = (p[0], p[1], p[2]);
        let (_, g) = (fns.grad)(p);
        let want = [b.sin() + c, a * b.cos(), a, 0.0];
        for (got, want) in g.iter().zip(want) {
            assert!(common::close(*got, want, 1e-14), "{g:?}");
        }
    }
}

/// Tuple struct patterns of elements: `for Pair(x, y) in data` (by reference, `*x` reads it) and
/// a closure's `|&Pair(a, _)|`, over a differentiated collection: `Σ x_k y_k w + Σ a_k sin a_k`.
#[differentiable]
fn pairs_by_pattern(data: &[Pair], w: f64) -> f64 {
    let mut s = 0.0;
    for Pair(x, y) in data {
        s += *x * y * w;
    }
    s + data.iter().map(|&Pair(a, _)| a.sin() * a).sum::<f64>()
}

/// A point with named fields, differentiated.
#[derive(Clone, Copy, Debug, tapeless::Differentiable)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Struct patterns of elements: `for Point { x, y } in pts` and `|&Point { x, .. }|`:
/// `Σ x_k y_k w + Σ sin x_k` (the pattern error until the fiftieth session).
#[differentiable]
fn points_by_pattern(pts: &[Point], w: f64) -> f64 {
    let mut s = 0.0;
    for Point { x, y } in pts {
        s += x * y * w;
    }
    s + pts.iter().map(|&Point { x, .. }| x.sin()).sum::<f64>()
}

/// The [`Fns`] of `f(elements, w)` over two elements made by `make` from `p[0..4]`, `w = p[4]`,
/// the gradient flattened by `flat`.
macro_rules! element_fns {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $make:expr, $flat:expr) => {
        Fns {
            name: stringify!($f),
            f: &|p| $f(&$make(p), p[4]),
            jvp: &|p, v| $jvp(&$make(p), p[4], $make(v), v[4]),
            vjp: &|p, ct| {
                let data = $make(p);
                let (value, pullback) = $vjp(&data, p[4]);
                let (g, w) = pullback(ct);
                (value, $flat(&g, w))
            },
            grad: &|p| {
                let (value, (g, w)) = $grad(&$make(p), p[4]);
                (value, $flat(&g, w))
            },
        }
    };
}

#[test]
fn struct_and_tuple_struct_patterns_of_elements() {
    let pairs = |p: &[f64]| vec![Pair(p[0], p[1]), Pair(p[2], p[3])];
    let pts = |p: &[f64]| vec![Point { x: p[0], y: p[1] }, Point { x: p[2], y: p[3] }];
    let pairs_flat = |g: &[Pair], w: f64| vec![g[0].0, g[0].1, g[1].0, g[1].1, w];
    let pts_flat = |g: &[Point], w: f64| vec![g[0].x, g[0].y, g[1].x, g[1].y, w];
    let of_pairs = element_fns!(
        pairs_by_pattern,
        pairs_by_pattern_jvp,
        pairs_by_pattern_vjp,
        pairs_by_pattern_grad,
        pairs,
        pairs_flat
    );
    let of_points = element_fns!(
        points_by_pattern,
        points_by_pattern_jvp,
        points_by_pattern_vjp,
        points_by_pattern_grad,
        pts,
        pts_flat
    );
    let points: [&[f64]; 3] =
        [&[1.0, 2.0, 0.5, -1.0, 3.0], &[-0.3, 0.4, 2.0, 1.5, -1.0], &[0.0, 1.0, 1.0, 0.0, 0.5]];
    check(&of_pairs, &points, 1e-8);
    check(&of_points, &points, 1e-8);
    for p in points {
        // `Σ x y w` and then `Σ a sin a` (pairs) or `Σ sin x` (points).
        let w = p[4];
        let products = [p[1] * w, p[0] * w, p[3] * w, p[2] * w, p[0] * p[1] + p[2] * p[3]];
        let (d_pairs, d_points) = (|a: f64| a.cos() * a + a.sin(), f64::cos);
        for (fns, d) in [(&of_pairs, &d_pairs as &dyn Fn(f64) -> f64), (&of_points, &d_points)] {
            let mut want = products;
            want[0] += d(p[0]);
            want[2] += d(p[2]);
            let (_, g) = (fns.grad)(p);
            for (got, want) in g.iter().zip(want) {
                assert!(common::close(*got, want, 1e-14), "{}: {g:?} vs {want:?}", fns.name);
            }
        }
    }
}

/// A point rotated by `θ`, returned whole.
#[differentiable]
fn rotated(p: Point, theta: f64) -> Point {
    let (s, c) = theta.sin_cos();
    Point { x: c * p.x - s * p.y, y: s * p.x + c * p.y }
}

/// `(x, x²)` as a tuple struct.
#[differentiable]
fn with_square(x: f64) -> Pair {
    Pair(x, x * x)
}

/// Struct patterns of a call's result: `let Point { x, y } = rotated(p, θ);`, `let Pair(a, b) =
/// with_square(t);` (they were `STRUCT_PATTERN_COMPUTED_VALUE`'s error until the fiftieth
/// session): `x y + a b`, with `(x, y)` the rotated point and `(a, b) = (t, t²)`.
#[differentiable]
fn parts_of_results(p: Point, theta: f64, t: f64) -> f64 {
    let Point { x, y } = rotated(p, theta);
    let Pair(a, b) = with_square(t);
    x * y + a * b
}

#[test]
fn struct_patterns_of_call_results() {
    let fns = Fns {
        name: "parts_of_results",
        f: &|q| parts_of_results(Point { x: q[0], y: q[1] }, q[2], q[3]),
        jvp: &|q, v| {
            parts_of_results_jvp(
                Point { x: q[0], y: q[1] },
                q[2],
                q[3],
                Point { x: v[0], y: v[1] },
                v[2],
                v[3],
            )
        },
        vjp: &|q, ct| {
            let (value, pullback) = parts_of_results_vjp(Point { x: q[0], y: q[1] }, q[2], q[3]);
            let (gp, gt, gs) = pullback(ct);
            (value, vec![gp.x, gp.y, gt, gs])
        },
        grad: &|q| {
            let (value, (gp, gt, gs)) = parts_of_results_grad(Point { x: q[0], y: q[1] }, q[2], q[3]);
            (value, vec![gp.x, gp.y, gt, gs])
        },
    };
    let points: [&[f64]; 3] = [&[1.0, 0.5, 0.3, 2.0], &[-0.4, 1.5, 2.0, -1.0], &[0.0, 1.0, -1.2, 0.5]];
    check(&fns, &points, 1e-8);
    for q in points {
        let (px, py, th, t) = (q[0], q[1], q[2], q[3]);
        let (s, c) = th.sin_cos();
        let (x, y) = (c * px - s * py, s * px + c * py);
        // d(x y) = y dx + x dy, with dx/dpx = c, dx/dpy = -s, dy/dpx = s, dy/dpy = c, dx/dθ = -y,
        // dy/dθ = x; d(t³)/dt = 3 t².
        let want = [y * c + x * s, -y * s + x * c, -y * y + x * x, 3.0 * t * t];
        let (_, g) = (fns.grad)(q);
        for (got, want) in g.iter().zip(want) {
            assert!(common::close(*got, want, 1e-13), "{g:?} vs {want:?}");
        }
    }
}
