//! Pushes the rewrite into writes by index (`lower::pushes`) now also follows: a `Vec` started
//! with elements (`vec![x0]`, a trajectory), pushes in a branch or a `match` arm, after a
//! `continue` or before a `break` (the `Vec` is sized for the most pushes and cut to what was
//! pushed), and the same in a generic function, where the `Vec`'s zeros are `T::zero()` (they
//! were `0.0`, rustc's type mismatch inside generated code). In a `while` or `loop`, or in a
//! loop inside the `for` loop, the `Vec` grows by doubling as it fills and is cut after. Rows
//! pushed in a `for` loop (`pts.push([x, y])`, points) are stored entry by entry into a `Vec` of
//! `[T; N]`, `N` the first row's length (they were the push error until the forty-fourth
//! session), also into a `Vec` started with its first rows, a trajectory's initial state
//! (`vec![[y0, v0]]`, `vec![start]`: the push error until the fiftieth session).
//! Each function is checked against its analytic gradient, central differences, and forward
//! against reverse mode (`common::check`); two of them also in second order, against their
//! analytic Hessians and central differences of `_grad`.

mod common;

use common::check;
use num_traits::Float;
use tapeless::differentiable;

/// `Σ x_n²` over the states of `x ← x - 0.1 k x²` from `x_0 = p[0]`, `k = p[1]`, five steps,
/// each state pushed onto a `Vec` started with `x_0`.
#[differentiable]
fn trajectory(p: &[f64]) -> f64 {
    let (mut x, k) = (p[0], p[1]);
    let mut traj = vec![x];
    for _ in 0..5 {
        x = x - 0.1 * k * x * x;
        traj.push(x);
    }
    traj.iter().map(|v| v * v).sum()
}

/// The gradient of [`trajectory`] by the chain rule along the steps: `∂x' /∂x = 1 - 0.2 k x`,
/// `∂x'/∂k = -0.1 x²`.
fn trajectory_gradient(p: &[f64]) -> [f64; 2] {
    let (mut x, k) = (p[0], p[1]);
    let (mut dx0, mut dk) = (1.0, 0.0);
    let mut g = [2.0 * x * dx0, 2.0 * x * dk];
    for _ in 0..5 {
        let step = 1.0 - 0.2 * k * x;
        (dx0, dk) = (step * dx0, step * dk - 0.1 * x * x);
        x = x - 0.1 * k * x * x;
        g[0] += 2.0 * x * dx0;
        g[1] += 2.0 * x * dk;
    }
    g
}

/// Started with two elements, the value they read changed before the loop: `x_0 + 2 x_0 +
/// Σ_{i≥1} 3 x_0 x_i`.
#[differentiable]
fn started_then_changed(x: &[f64]) -> f64 {
    let mut a = x[0];
    let mut seen = vec![a, 2.0 * a];
    a *= 3.0;
    for &v in x.iter().skip(1) {
        seen.push(v * a);
    }
    seen.iter().sum()
}

/// `Σ (2 x_i)²` over the even indices: the push in a branch.
#[differentiable(hessian)]
fn even_squares(x: &[f64]) -> f64 {
    let mut keep = Vec::new();
    for (i, &v) in x.iter().enumerate() {
        if i % 2 == 0 {
            keep.push(v * 2.0);
        }
    }
    keep.iter().map(|v| v * v).sum()
}

/// `L Σ e_i` over the first five elements: `e_i = x_i²` where `i % 3 == 0`, `sin x_i` where
/// `i % 3 == 1`, none where a `continue` skips the push; `L` the number pushed.
#[differentiable(hessian)]
fn arms_of_a_match<T: Float>(x: &[T]) -> T {
    let mut out = Vec::new();
    for (i, &v) in x.iter().enumerate() {
        if i == 5 {
            break;
        }
        match i % 3 {
            0 => out.push(v * v),
            1 => out.push(v.sin()),
            _ => continue,
        }
    }
    out.iter().fold(T::zero(), |a, &b| a + b) * T::from(out.len()).unwrap()
}

/// The number of elements [`arms_of_a_match`] pushes for `n` inputs.
fn pushed(n: usize) -> usize {
    (0..n.min(5)).filter(|i| i % 3 != 2).count()
}

/// `Σ x_i²`, one push per element in a generic function.
#[differentiable]
fn generic_squares<T: Float>(x: &[T]) -> T {
    let mut r = Vec::new();
    for &v in x {
        r.push(v * v);
    }
    r.iter().fold(T::zero(), |a, &b| a + b)
}

/// `Σ_{k=1..4} x_0 a^k` (`a = p[1]`), each state pushed in a `while` loop on a time that is
/// not differentiated (`0.25` steps are exact), then `x_0` pushed after a `loop`'s `break`-less
/// pushes: `+ Σ_{k=0..2} k x_0`.
#[differentiable(hessian)]
fn while_and_loop(p: &[f64]) -> f64 {
    let (mut x, a) = (p[0], p[1]);
    let mut t = 0.0;
    let mut states = Vec::new();
    while t < 1.0 {
        x *= a;
        states.push(x);
        t += 0.25;
    }
    let mut more = Vec::new();
    let mut k = 0;
    loop {
        if k == 3 {
            break;
        }
        more.push(k as f64 * p[0]);
        k += 1;
    }
    states.iter().sum::<f64>() + more.iter().sum::<f64>()
}

/// `Σ_{i>j} sin(x_i x_j) + n(n-1)/2`: products pushed in a loop inside the loop.
#[differentiable(hessian)]
fn pair_sines(x: &[f64]) -> f64 {
    let mut v = Vec::new();
    for i in 0..x.len() {
        for j in 0..i {
            v.push(x[i] * x[j]);
        }
    }
    v.iter().map(|p| p.sin()).sum::<f64>() + v.len() as f64
}

#[test]
fn pushes_in_while_and_loop() {
    let points: [&[f64]; 3] = [&[0.5, 1.3], &[-0.8, 0.4], &[1.2, -0.6]];
    check(
        &slice_fns!(while_and_loop, while_and_loop_jvp, while_and_loop_vjp, while_and_loop_grad),
        &points,
        1e-7,
    );
    for p in points {
        let (x, a) = (p[0], p[1]);
        let powers = a + a * a + a.powi(3) + a.powi(4);
        let (v, g) = while_and_loop_grad(p);
        assert!(common::close(v, x * powers + 3.0 * x, 1e-13));
        let slope = 1.0 + 2.0 * a + 3.0 * a * a + 4.0 * a.powi(3);
        common::assert_close(&g, &[powers + 3.0, x * slope], 1e-13, "while_and_loop");
        let (_, _, h) = while_and_loop_hessian(p);
        let curvature = |i: usize, j: usize| match (i, j) {
            (0, 0) => 0.0,
            (1, 1) => x * (2.0 + 6.0 * a + 12.0 * a * a),
            _ => slope,
        };
        common::hessian_against("while_and_loop", &h, &curvature, &|q| while_and_loop_grad(q).1, p, 1e-13);
    }
}

#[test]
fn pushes_in_a_loop_inside_the_loop() {
    let points: [&[f64]; 3] = [&[0.5, 1.3, -0.2, 0.9], &[-0.8], &[1.2, -0.6, 0.3]];
    check(&slice_fns!(pair_sines, pair_sines_jvp, pair_sines_vjp, pair_sines_grad), &points, 1e-7);
    for x in points {
        let n = x.len();
        let others = |k: usize| (0..n).filter(move |&j| j != k);
        let want: Vec<f64> = (0..n).map(|k| others(k).map(|j| (x[k] * x[j]).cos() * x[j]).sum()).collect();
        common::assert_close(&pair_sines_grad(x).1, &want, 1e-13, "pair_sines");
        let (_, _, h) = pair_sines_hessian(x);
        let curvature = |k: usize, l: usize| {
            if k == l {
                -others(k).map(|j| (x[k] * x[j]).sin() * x[j] * x[j]).sum::<f64>()
            } else {
                let q = x[k] * x[l];
                q.cos() - q.sin() * q
            }
        };
        common::hessian_against("pair_sines", &h, &curvature, &|q| pair_sines_grad(q).1, x, 1e-12);
    }
}

#[test]
fn a_trajectory_started_with_its_first_state() {
    let points: [&[f64]; 3] = [&[0.5, 1.3], &[-0.8, 0.4], &[1.2, -0.6]];
    check(&slice_fns!(trajectory, trajectory_jvp, trajectory_vjp, trajectory_grad), &points, 1e-7);
    for p in points {
        let (_, g) = trajectory_grad(p);
        common::assert_close(&g, &trajectory_gradient(p), 1e-12, "trajectory");
    }
}

#[test]
fn first_elements_read_where_the_vec_is_declared() {
    let points: [&[f64]; 3] = [&[0.5, 1.3, -0.2], &[-0.8], &[1.2, -0.6, 2.0, 0.7]];
    check(
        &slice_fns!(
            started_then_changed,
            started_then_changed_jvp,
            started_then_changed_vjp,
            started_then_changed_grad
        ),
        &points,
        1e-7,
    );
    for x in points {
        let (v, g) = started_then_changed_grad(x);
        let rest: f64 = x[1..].iter().sum();
        assert!(common::close(v, 3.0 * x[0] + 3.0 * x[0] * rest, 1e-13));
        let mut want = vec![3.0 + 3.0 * rest];
        want.extend(x[1..].iter().map(|_| 3.0 * x[0]));
        common::assert_close(&g, &want, 1e-13, "started_then_changed");
    }
}

#[test]
fn a_push_in_a_branch() {
    let points: [&[f64]; 3] = [&[0.5, 1.3, -0.2], &[-0.8], &[1.2, -0.6, 2.0, 0.7, 0.1]];
    check(&slice_fns!(even_squares, even_squares_jvp, even_squares_vjp, even_squares_grad), &points, 1e-7);
    for x in points {
        let (_, g) = even_squares_grad(x);
        let want: Vec<f64> =
            x.iter().enumerate().map(|(i, v)| if i.is_multiple_of(2) { 8.0 * v } else { 0.0 }).collect();
        common::assert_close(&g, &want, 1e-13, "even_squares");
        let (_, _, h) = even_squares_hessian(x);
        let want = |i: usize, j: usize| if i == j && i.is_multiple_of(2) { 8.0 } else { 0.0 };
        common::hessian_against("even_squares", &h, &want, &|q| even_squares_grad(q).1, x, 1e-13);
    }
}

#[test]
fn pushes_in_match_arms_with_continue_and_break() {
    let points: [&[f64]; 3] =
        [&[0.5, 1.3, -0.2, 0.9, 0.4, 3.0, 2.0], &[-0.8, 0.3], &[1.2, -0.6, 2.0, 0.7, 0.1]];
    check(
        &slice_fns!(arms_of_a_match, arms_of_a_match_jvp, arms_of_a_match_vjp, arms_of_a_match_grad),
        &points,
        1e-7,
    );
    for x in points {
        let (v, g) = arms_of_a_match_grad(x);
        let l = pushed(x.len()) as f64;
        let term = |i: usize| match i % 3 {
            0 => x[i] * x[i],
            1 => x[i].sin(),
            _ => 0.0,
        };
        let sum: f64 = (0..x.len().min(5)).map(term).sum();
        assert!(common::close(v, l * sum, 1e-13));
        let slope = |i: usize| match (i < 5, i % 3) {
            (true, 0) => 2.0 * x[i] * l,
            (true, 1) => x[i].cos() * l,
            _ => 0.0,
        };
        let want: Vec<f64> = (0..x.len()).map(slope).collect();
        common::assert_close(&g, &want, 1e-13, "arms_of_a_match");
        let (_, _, h) = arms_of_a_match_hessian(x);
        let curvature = |i: usize, j: usize| match (i == j && i < 5, i % 3) {
            (true, 0) => 2.0 * l,
            (true, 1) => -x[i].sin() * l,
            _ => 0.0,
        };
        common::hessian_against("arms_of_a_match", &h, &curvature, &|q| arms_of_a_match_grad(q).1, x, 1e-12);
    }
}

#[test]
fn pushes_in_a_generic_function() {
    let points: [&[f64]; 3] = [&[0.5, 1.3, -0.2], &[-0.8], &[2.0, 0.25]];
    check(
        &slice_fns!(generic_squares, generic_squares_jvp, generic_squares_vjp, generic_squares_grad),
        &points,
        1e-7,
    );
    for x in points {
        let want: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
        common::assert_close(&generic_squares_grad(x).1, &want, 1e-13, "generic_squares");
    }
    // The same in `f32`.
    let (v, g) = generic_squares_grad(&[1.5f32, -2.0]);
    assert_eq!((v, g), (6.25f32, vec![3.0f32, -4.0]));
}

/// Points `(x_{2i}, x_{2i+1})` pushed as rows, then `Σ_i p_i.x p_i.y + |p_1 - p_0|`.
#[differentiable(hessian)]
fn point_rows(x: &[f64]) -> f64 {
    let mut pts = Vec::new();
    for i in 0..x.len() / 2 {
        pts.push([x[2 * i], x[2 * i + 1]]);
    }
    let d = ((pts[1][0] - pts[0][0]).powi(2) + (pts[1][1] - pts[0][1]).powi(2)).sqrt();
    pts.iter().map(|p| p[0] * p[1]).sum::<f64>() + d
}

/// Every other point pushed, from a branch, into a `Vec` typed `Vec<[f64; 2]>`:
/// `Σ_{j even} 2 x_{2j} sin(x_{2j+1})`.
#[differentiable]
fn every_other_point(x: &[f64]) -> f64 {
    let mut pts: Vec<[f64; 2]> = Vec::new();
    for j in 0..x.len() / 2 {
        if j % 2 == 0 {
            pts.push([x[2 * j] * 2.0, x[2 * j + 1].sin()]);
        }
    }
    pts.iter().map(|p| p[0] * p[1]).sum()
}

#[test]
fn rows_pushed() {
    let points: [&[f64]; 3] = [
        &[0.3, 0.6, 2.0, 0.7, 1.5, -0.2],
        &[-1.0, 0.4, 0.8, 1.1],
        &[0.5, 1.5, -0.3, 0.2, 0.9, 0.1, 1.2, -0.7],
    ];
    check(&slice_fns!(point_rows, point_rows_jvp, point_rows_vjp, point_rows_grad), &points, 1e-7);
    check(
        &slice_fns!(every_other_point, every_other_point_jvp, every_other_point_vjp, every_other_point_grad),
        &points,
        1e-7,
    );
    for x in points {
        let n = x.len();
        let (dx, dy) = (x[2] - x[0], x[3] - x[1]);
        let r = (dx * dx + dy * dy).sqrt();
        let mut want: Vec<f64> = (0..n).map(|k| x[k ^ 1]).collect();
        for (k, sign, d) in [(0, -1.0, dx), (1, -1.0, dy), (2, 1.0, dx), (3, 1.0, dy)] {
            want[k] += sign * d / r;
        }
        common::assert_close(&point_rows_grad(x).1, &want, 1e-14, "point_rows");
        let mut want = vec![0.0; n];
        for j in (0..n / 2).step_by(2) {
            want[2 * j] = 2.0 * x[2 * j + 1].sin();
            want[2 * j + 1] = 2.0 * x[2 * j] * x[2 * j + 1].cos();
        }
        common::assert_close(&every_other_point_grad(x).1, &want, 1e-14, "every_other_point");
        // The products' Hessian (1 between the coordinates of a point) and the distance's,
        // (I - u uᵀ) / r on the first two points' differences, u the unit difference.
        let (_, _, h) = point_rows_hessian(x);
        let u = [dx / r, dy / r];
        let curvature = |i: usize, j: usize| {
            let pair = if i ^ 1 == j { 1.0 } else { 0.0 };
            if i >= 4 || j >= 4 {
                return pair;
            }
            let sign = if (i < 2) == (j < 2) { 1.0 } else { -1.0 };
            let (a, b) = (i % 2, j % 2);
            let block = (if a == b { 1.0 } else { 0.0 } - u[a] * u[b]) / r;
            pair + sign * block
        };
        common::hessian_against("point_rows", &h, &curvature, &|q| point_rows_grad(q).1, x, 1e-13);
    }
}

/// Explicit Euler steps of the oscillator `y'' = -w² y` from `(y, v) = (p[0], p[1])`, `w =
/// p[2]`, each state pushed as a row onto a `Vec` started with the initial state: `y_N v_N`.
#[differentiable(hessian)]
fn oscillator_rows(p: &[f64]) -> f64 {
    let (dt, w) = (0.05, p[2]);
    let mut states = vec![[p[0], p[1]]];
    for k in 0..40 {
        let [y, v] = states[k];
        states.push([y + dt * v, v - dt * w * w * y]);
    }
    let [y, v] = states[states.len() - 1];
    y * v
}

/// The same steps in a generic function, the `Vec` typed and started with a named row, each
/// step reading the last row: `Σ_k y_k²`.
#[differentiable]
fn oscillator_rows_generic<T: Float>(p: &[T]) -> T {
    let dt = T::from(0.05).unwrap();
    let start = [p[0], p[1]];
    let mut states: Vec<[T; 2]> = vec![start];
    for _ in 0..40 {
        let [y, v] = *states.last().unwrap();
        states.push([y + dt * v, v - dt * p[2] * p[2] * y]);
    }
    states.iter().fold(T::zero(), |acc, s| acc + s[0] * s[0])
}

/// The trajectory of [`oscillator_rows`] with its first and second derivatives in `p`, by the
/// recurrences of the linear step `s' = A(w) s` (`A = [[1, dt], [-dt w², 1]]`): `S' = A S +
/// A_w s e_w`, `T' = A T + A_w (S e_w)ᵢ + A_w (S e_w)ⱼ + A_ww s`. Returns, per state, the state,
/// its sensitivities `S[r][j]` and second sensitivities `T[r][i][j]`.
#[allow(clippy::type_complexity)]
fn oscillator_hand(p: &[f64]) -> Vec<([f64; 2], [[f64; 3]; 2], [[[f64; 3]; 3]; 2])> {
    let (dt, w) = (0.05, p[2]);
    let step = |s: [f64; 2]| [s[0] + dt * s[1], s[1] - dt * w * w * s[0]];
    // A_w s = (0, -2 dt w s_0), A_ww s = (0, -2 dt s_0).
    let (mut s, mut d, mut dd) = ([p[0], p[1]], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [[[0.0; 3]; 3]; 2]);
    let mut out = vec![(s, d, dd)];
    for _ in 0..40 {
        let mut d2 = [[0.0; 3]; 2];
        let mut dd2 = [[[0.0; 3]; 3]; 2];
        for j in 0..3 {
            let col = step([d[0][j], d[1][j]]);
            d2[0][j] = col[0];
            d2[1][j] = col[1] + if j == 2 { -2.0 * dt * w * s[0] } else { 0.0 };
            for i in 0..3 {
                let col = step([dd[0][i][j], dd[1][i][j]]);
                let mut extra = 0.0;
                if i == 2 {
                    extra += -2.0 * dt * w * d[0][j];
                }
                if j == 2 {
                    extra += -2.0 * dt * w * d[0][i];
                }
                if i == 2 && j == 2 {
                    extra += -2.0 * dt * s[0];
                }
                dd2[0][i][j] = col[0];
                dd2[1][i][j] = col[1] + extra;
            }
        }
        (s, d, dd) = (step(s), d2, dd2);
        out.push((s, d, dd));
    }
    out
}

#[test]
fn rows_pushed_onto_a_started_trajectory() {
    let points: [&[f64]; 3] = [&[1.0, 0.0, 2.0], &[0.3, -0.8, 1.1], &[-0.5, 1.5, 0.4]];
    check(
        &slice_fns!(oscillator_rows, oscillator_rows_jvp, oscillator_rows_vjp, oscillator_rows_grad),
        &points,
        1e-7,
    );
    check(
        &slice_fns!(
            oscillator_rows_generic,
            oscillator_rows_generic_jvp,
            oscillator_rows_generic_vjp,
            oscillator_rows_generic_grad
        ),
        &points,
        1e-7,
    );
    for p in points {
        let states = oscillator_hand(p);
        let (s, d, dd) = *states.last().unwrap();
        // y v: its gradient S_y v + y S_v, its Hessian T_y v + y T_v + S_y S_vᵀ + S_v S_yᵀ.
        let want: Vec<f64> = (0..3).map(|j| d[0][j] * s[1] + s[0] * d[1][j]).collect();
        let (value, gradient) = oscillator_rows_grad(p);
        assert!((value - s[0] * s[1]).abs() < 1e-14);
        common::assert_close(&gradient, &want, 1e-13, "oscillator_rows");
        let (_, _, h) = oscillator_rows_hessian(p);
        let curvature = |i: usize, j: usize| {
            dd[0][i][j] * s[1] + s[0] * dd[1][i][j] + d[0][i] * d[1][j] + d[1][i] * d[0][j]
        };
        common::hessian_against("oscillator_rows", &h, &curvature, &|q| oscillator_rows_grad(q).1, p, 1e-12);
        // Σ y_k²: its gradient Σ 2 y_k S_y,k.
        let want: Vec<f64> =
            (0..3).map(|j| states.iter().map(|(s, d, _)| 2.0 * s[0] * d[0][j]).sum::<f64>()).collect();
        common::assert_close(&oscillator_rows_generic_grad(p).1, &want, 1e-12, "oscillator_rows_generic");
    }
}
