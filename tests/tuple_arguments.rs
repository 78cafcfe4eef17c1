//! Tuples passed whole to a `#[differentiable]` function that takes a tuple of floats: `dist((x,
//! y), c)`, `dist(pts[i], pts[j])` and `dist_ref(&pts[i], &c)` of `pts: &[(f64, f64)]`, a local
//! tuple, a tuple a call returned, and `|&p| dist(p, c)` of a chain. Each was "a tuple in this
//! position" before the fortieth session. Gradients against closed forms and central
//! differences, JVP against VJP, and a Hessian against its closed form and differences of
//! `_grad`.

mod common;

use common::{assert_close, central_gradient, forward_against_reverse, hessian_against};
use tapeless::differentiable;

#[differentiable(hessian)]
fn dist(p: (f64, f64), q: (f64, f64)) -> f64 {
    ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt()
}

#[differentiable(hessian)]
fn dist_ref(p: &(f64, f64), q: &(f64, f64)) -> f64 {
    ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt()
}

#[differentiable]
fn mid(p: (f64, f64), q: (f64, f64)) -> (f64, f64) {
    ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0)
}

/// The length of the polyline through `pts`, element by element and through a borrowed element.
#[differentiable]
fn polyline(pts: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for i in 1..pts.len() {
        s += dist(pts[i - 1], pts[i]) + dist_ref(&pts[i - 1], &pts[i]);
    }
    s
}

/// The distances of `pts` to a centre `c`, by a chain and by a loop.
#[differentiable]
fn spread(pts: &[(f64, f64)], c: (f64, f64)) -> f64 {
    let by_chain: f64 = pts.iter().map(|&p| dist(p, c)).sum();
    let mut by_loop = 0.0;
    for p in pts.iter() {
        by_loop += dist_ref(p, &c);
    }
    by_chain + 2.0 * by_loop
}

/// Tuples built from floats, held in locals, and returned by a call.
#[differentiable]
fn built(x: f64, y: f64) -> f64 {
    let p = (x, y);
    let q = (y, 2.0 * x);
    dist(mid(p, q), (0.0, 0.0)) + dist(p, q)
}

/// Second order through tuples built as arguments.
#[differentiable(hessian)]
fn product_of_distances(x: f64, y: f64) -> f64 {
    dist((x, y), (1.0, 2.0)) * dist((y, x), (0.5, 0.5))
}

/// Borrowed tuples written at the call (`&(x[0], x[1])`) and a borrowed local tuple (`&p`),
/// under second order.
#[differentiable(hessian)]
fn borrowed_tuples(x: [f64; 2]) -> f64 {
    let p = (x[0], x[1]);
    let mut s = dist_ref(&(x[1], x[0]), &(0.0, 0.5));
    for k in 0..3 {
        s += dist_ref(&p, &(k as f64, 1.0));
    }
    s
}

pub struct Scene {
    pub c: (f64, f64),
}

impl Scene {
    #[differentiable(wrt(p))]
    fn sq(&self, p: (f64, f64)) -> f64 {
        (p.0 - self.c.0).powi(2) + (p.1 - self.c.1).powi(2)
    }

    /// A method passing tuples of a slice's entries to a sibling method.
    #[differentiable(wrt(x))]
    fn total(&self, x: &[f64]) -> f64 {
        self.sq((x[0], x[1])) + self.sq((x[1], 2.0 * x[0]))
    }
}

/// A function without the attribute taking a tuple, called on constants.
fn weighted_pair(p: (f64, usize)) -> f64 {
    p.0 * p.1 as f64
}

/// Second order with a constant tuple (a float and an integer) passed to a plain function: the
/// copy passes the float part's value (it was rustc's E0308 inside the copy).
#[differentiable(hessian)]
fn with_a_constant_tuple(x: f64) -> f64 {
    x * x * weighted_pair((2.5, 3)) + dist((x, 0.0), (0.0, 1.0))
}

fn norm(a: f64, b: f64) -> f64 {
    (a * a + b * b).sqrt()
}

#[test]
fn elements_of_a_tuple_slice_passed_whole() {
    let pts = [(0.0, 0.5), (3.0, 4.0), (3.5, 5.0), (1.0, -1.0)];
    let (value, g) = polyline_grad(&pts);
    let segments: Vec<f64> = pts.windows(2).map(|w| norm(w[1].0 - w[0].0, w[1].1 - w[0].1)).collect();
    assert!((value - 2.0 * segments.iter().sum::<f64>()).abs() < 1e-13);
    // Each point is pulled by the unit vectors of its two segments, twice.
    for (i, gi) in g.iter().enumerate() {
        let mut want = (0.0, 0.0);
        if i > 0 {
            let (dx, dy, l) = (pts[i].0 - pts[i - 1].0, pts[i].1 - pts[i - 1].1, segments[i - 1]);
            want = (want.0 + 2.0 * dx / l, want.1 + 2.0 * dy / l);
        }
        if i + 1 < pts.len() {
            let (dx, dy, l) = (pts[i + 1].0 - pts[i].0, pts[i + 1].1 - pts[i].1, segments[i]);
            want = (want.0 - 2.0 * dx / l, want.1 - 2.0 * dy / l);
        }
        assert_close(&[gi.0, gi.1], &[want.0, want.1], 1e-14, "polyline closed form");
    }
    let flat: Vec<f64> = pts.iter().flat_map(|p| [p.0, p.1]).collect();
    let unflat = |v: &[f64]| v.chunks(2).map(|c| (c[0], c[1])).collect::<Vec<_>>();
    let g_flat: Vec<f64> = g.iter().flat_map(|p| [p.0, p.1]).collect();
    assert_close(&g_flat, &central_gradient(|v| polyline(&unflat(v)), &flat), 1e-8, "polyline differences");
    let dir: Vec<f64> = (0..flat.len()).map(|k| 0.3 * k as f64 - 0.7).collect();
    let (_, t) = polyline_jvp(&pts, unflat(&dir));
    forward_against_reverse("polyline", t, &dir, 1.0, &g_flat, 1e-13);
}

#[test]
fn tuples_through_a_chain_and_a_borrow() {
    let pts = [(0.0, 0.5), (3.0, 4.0), (-1.0, 2.0)];
    let c = (0.7, 1.1);
    let (value, (g, gc)) = spread_grad(&pts, c);
    let d: Vec<f64> = pts.iter().map(|p| norm(p.0 - c.0, p.1 - c.1)).collect();
    assert!((value - 3.0 * d.iter().sum::<f64>()).abs() < 1e-13);
    let mut want_c = (0.0, 0.0);
    for (i, p) in pts.iter().enumerate() {
        let u = ((p.0 - c.0) / d[i], (p.1 - c.1) / d[i]);
        assert_close(&[g[i].0, g[i].1], &[3.0 * u.0, 3.0 * u.1], 1e-14, "spread points");
        want_c = (want_c.0 - 3.0 * u.0, want_c.1 - 3.0 * u.1);
    }
    assert_close(&[gc.0, gc.1], &[want_c.0, want_c.1], 1e-14, "spread centre");
    let mut flat: Vec<f64> = pts.iter().flat_map(|p| [p.0, p.1]).collect();
    flat.extend([c.0, c.1]);
    let f = |v: &[f64]| spread(&v[..6].chunks(2).map(|q| (q[0], q[1])).collect::<Vec<_>>(), (v[6], v[7]));
    let mut g_flat: Vec<f64> = g.iter().flat_map(|p| [p.0, p.1]).collect();
    g_flat.extend([gc.0, gc.1]);
    assert_close(&g_flat, &central_gradient(f, &flat), 1e-8, "spread differences");
    let dir = [0.5, -0.2, 0.1, 0.9, -1.0, 0.3, 0.4, 0.6];
    let tangents = vec![(dir[0], dir[1]), (dir[2], dir[3]), (dir[4], dir[5])];
    let (_, t) = spread_jvp(&pts, c, tangents, (dir[6], dir[7]));
    forward_against_reverse("spread", t, &dir, 1.0, &g_flat, 1e-13);
}

#[test]
fn tuples_built_from_floats_and_returned_by_a_call() {
    for (x, y) in [(0.3, 0.7), (-1.2, 0.4), (2.0, -0.5)] {
        let (value, g) = built_grad(x, y);
        let m = ((x + y) / 2.0, (y + 2.0 * x) / 2.0);
        let (a, b) = (norm(m.0, m.1), norm(x - y, y - 2.0 * x));
        assert!((value - (a + b)).abs() < 1e-14);
        // ∂a = (m·∂m)/a with ∂m/∂x = (1/2, 1), ∂m/∂y = (1/2, 1/2); ∂b = ((x-y)(∂) + (y-2x)(∂))/b.
        let gx = (m.0 * 0.5 + m.1) / a + ((x - y) - 2.0 * (y - 2.0 * x)) / b;
        let gy = (m.0 * 0.5 + m.1 * 0.5) / a + (-(x - y) + (y - 2.0 * x)) / b;
        assert_close(&[g.0, g.1], &[gx, gy], 1e-13, "built closed form");
        assert_close(
            &[g.0, g.1],
            &central_gradient(|v| built(v[0], v[1]), &[x, y]),
            1e-8,
            "built differences",
        );
        let (_, t) = built_jvp(x, y, 0.4, -1.1);
        forward_against_reverse("built", t, &[0.4, -1.1], 1.0, &[g.0, g.1], 1e-13);
    }
}

#[test]
fn second_order_through_tuple_arguments() {
    let f = |x: f64, y: f64| norm(x - 1.0, y - 2.0) * norm(y - 0.5, x - 0.5);
    for (x, y) in [(0.3, 0.7), (2.0, -0.5)] {
        let (value, g, h) = product_of_distances_hessian(x, y);
        assert!((value - f(x, y)).abs() < 1e-14);
        let (_, g_first) = product_of_distances_grad(x, y);
        assert_close(&[g.0, g.1], &[g_first.0, g_first.1], 1e-14, "hessian's gradient");
        let fd = central_gradient(|v| product_of_distances(v[0], v[1]), &[x, y]);
        assert_close(&[g.0, g.1], &fd, 1e-8, "product_of_distances differences");
        let (_, t) = product_of_distances_jvp(x, y, 0.4, -0.9);
        forward_against_reverse("product_of_distances", t, &[0.4, -0.9], 1.0, &[g.0, g.1], 1e-14);
        // With a = |(x, y) - (1, 2)| and b = |(x, y) - (0.5, 0.5)|: ∇(ab) = b ∇a + a ∇b and
        // H = b Ha + ∇a ∇bᵀ + ∇b ∇aᵀ + a Hb, where H|v - c| = (I - u uᵀ) / |v - c|.
        let (a, b) = (norm(x - 1.0, y - 2.0), norm(x - 0.5, y - 0.5));
        let ua = [(x - 1.0) / a, (y - 2.0) / a];
        let ub = [(x - 0.5) / b, (y - 0.5) / b];
        let eye = |i: usize, j: usize| if i == j { 1.0 } else { 0.0 };
        let closed = |i: usize, j: usize| {
            b * (eye(i, j) - ua[i] * ua[j]) / a
                + ua[i] * ub[j]
                + ub[i] * ua[j]
                + a * (eye(i, j) - ub[i] * ub[j]) / b
        };
        let grad = |v: &[f64]| {
            let (_, g) = product_of_distances_grad(v[0], v[1]);
            vec![g.0, g.1]
        };
        hessian_against("product_of_distances", &h, &closed, &grad, &[x, y], 1e-12);
    }
}

#[test]
fn a_constant_tuple_passed_to_a_plain_function_under_second_order() {
    for x in [0.3, -1.4] {
        let (value, g, h) = with_a_constant_tuple_hessian(x);
        let r = norm(x, 1.0);
        assert!((value - (7.5 * x * x + r)).abs() < 1e-14);
        assert_close(&[g], &[15.0 * x + x / r], 1e-14, "gradient");
        let (_, g_first) = with_a_constant_tuple_grad(x);
        assert_close(&[g], &[g_first], 1e-15, "hessian's gradient against _grad");
        // d²/dx² (7.5 x² + √(x² + 1)) = 15 + 1 / (x² + 1)^{3/2}.
        let closed = |_: usize, _: usize| 15.0 + 1.0 / r.powi(3);
        let grad = |y: &[f64]| vec![with_a_constant_tuple_grad(y[0]).1];
        hessian_against("with_a_constant_tuple", &h, &closed, &grad, &[x], 1e-13);
        let (_, t) = with_a_constant_tuple_jvp(x, 0.8);
        forward_against_reverse("with_a_constant_tuple", t, &[0.8], 1.0, &[g], 1e-14);
    }
}

#[test]
fn borrowed_tuples_and_tuples_passed_to_a_method() {
    let x = [0.3, 0.4];
    // Σ of distances from (x1, x0) to (0, 0.5) and from (x0, x1) to (k, 1), k = 0, 1, 2.
    let centres = [((1, 0), (0.0, 0.5)), ((0, 1), (0.0, 1.0)), ((0, 1), (1.0, 1.0)), ((0, 1), (2.0, 1.0))];
    let (value, g, h) = borrowed_tuples_hessian(x);
    let (mut want_v, mut want_g) = (0.0, [0.0; 2]);
    let mut want_h = [[0.0; 2]; 2];
    for ((a, b), (cx, cy)) in centres {
        let d = [x[a] - cx, x[b] - cy];
        let r = norm(d[0], d[1]);
        want_v += r;
        let (u, idx) = ([d[0] / r, d[1] / r], [a, b]);
        for i in 0..2 {
            want_g[idx[i]] += u[i];
            for j in 0..2 {
                let eye = if i == j { 1.0 } else { 0.0 };
                want_h[idx[i]][idx[j]] += (eye - u[i] * u[j]) / r;
            }
        }
    }
    assert!((value - want_v).abs() < 1e-14);
    assert_close(&g, &want_g, 1e-14, "borrowed tuples gradient");
    let grad = |y: &[f64]| {
        let (_, g) = borrowed_tuples_grad([y[0], y[1]]);
        g.to_vec()
    };
    hessian_against("borrowed_tuples", &h, &|i, j| want_h[i][j], &grad, &x, 1e-13);
    let (_, t) = borrowed_tuples_jvp(x, [0.6, -0.3]);
    forward_against_reverse("borrowed_tuples", t, &[0.6, -0.3], 1.0, &g, 1e-14);

    let scene = Scene { c: (1.0, 2.0) };
    let (value, g) = scene.total_grad(&x);
    let f = |y: &[f64]| {
        (y[0] - 1.0).powi(2) + (y[1] - 2.0).powi(2) + (y[1] - 1.0).powi(2) + (2.0 * y[0] - 2.0).powi(2)
    };
    assert!((value - f(&x)).abs() < 1e-14);
    let want = [2.0 * (x[0] - 1.0) + 4.0 * (2.0 * x[0] - 2.0), 2.0 * (x[1] - 2.0) + 2.0 * (x[1] - 1.0)];
    assert_close(&g, &want, 1e-14, "scene gradient");
    assert_close(&g, &central_gradient(f, &x), 1e-8, "scene differences");
    let (_, t) = scene.total_jvp(&x, vec![0.6, -0.3]);
    forward_against_reverse("scene", t, &[0.6, -0.3], 1.0, &g, 1e-14);
}
