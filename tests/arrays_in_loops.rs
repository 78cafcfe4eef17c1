//! Arrays written in a loop and read again in the same iteration, by an inner loop or chain:
//! the backward sweep must read each iteration's contents, not the last iteration's. (Until the
//! seventh session the inner loop's backward iteration re-read the array as the outer loop had
//! left it: `hand_inner` below gave [40, 40] instead of [10, 40] at (1, 4).) And array literals
//! of floats inside a loop (`let d = [a - b, c - e];`), which are such arrays. Each function is
//! checked against its analytic gradient, central differences and forward against reverse
//! (`common::check`); one also in second order.

#![allow(clippy::needless_range_loop)]

mod common;

use common::check;
use tapeless::differentiable;

/// `Σ_i (2 x_i)² + x_i²`, the pair written into `d` and read in the same iteration.
#[differentiable]
fn direct(x: &[f64]) -> f64 {
    let mut e = 0.0;
    let mut d = [0.0; 2];
    for i in 0..x.len() {
        d[0] = x[i] * 2.0;
        d[1] = x[i];
        e += d[0] * d[0] + d[1] * d[1];
    }
    e
}

/// The same, read by an inner loop.
#[differentiable(hessian)]
fn hand_inner(x: &[f64]) -> f64 {
    let mut e = 0.0;
    let mut d = [0.0; 2];
    for i in 0..x.len() {
        d[0] = x[i] * 2.0;
        d[1] = x[i].sin();
        let mut r2 = 0.0;
        for k in 0..2 {
            r2 += d[k] * d[k];
        }
        e += r2;
    }
    e
}

/// The same, read by a chain.
#[differentiable]
fn hand_chain(x: &[f64]) -> f64 {
    let mut e = 0.0;
    let mut d = [0.0; 2];
    for i in 0..x.len() {
        d[0] = x[i] * 2.0;
        d[1] = x[i].sin();
        let r2: f64 = d.iter().map(|c| c * c).sum();
        e += r2;
    }
    e
}

/// The same with an array literal inside the loop.
#[differentiable]
fn literal(x: &[f64]) -> f64 {
    let mut e = 0.0;
    for i in 0..x.len() {
        let d = [x[i] * 2.0, x[i].sin()];
        let r2: f64 = d.iter().map(|c| c * c).sum();
        e += r2;
    }
    e
}

/// `Σ 4 x_i² + sin² x_i`: the gradient of the three above.
fn pair_gradient(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| 8.0 * v + 2.0 * v.sin() * v.cos()).collect()
}

/// Lennard-Jones energy of points in 3D, the separation an array literal in a double loop.
#[differentiable]
fn lennard_jones(x: &[f64]) -> f64 {
    let n = x.len() / 3;
    let mut e = 0.0;
    for i in 0..n {
        for j in (i + 1)..n {
            let d = [x[3 * i] - x[3 * j], x[3 * i + 1] - x[3 * j + 1], x[3 * i + 2] - x[3 * j + 2]];
            let r2: f64 = d.iter().map(|c| c * c).sum();
            let s6 = (1.0 / r2).powi(3);
            e += 4.0 * (s6 * s6 - s6);
        }
    }
    e
}

/// Its gradient by hand: `dE/dx_i = Σ_j 4 (-12 s6² + 6 s6) / r² (x_i - x_j)`.
fn lennard_jones_gradient(x: &[f64]) -> Vec<f64> {
    let n = x.len() / 3;
    let mut g = vec![0.0; x.len()];
    for i in 0..n {
        for j in (i + 1)..n {
            let d: Vec<f64> = (0..3).map(|c| x[3 * i + c] - x[3 * j + c]).collect();
            let r2: f64 = d.iter().map(|c| c * c).sum();
            let s6 = (1.0 / r2).powi(3);
            let f = 4.0 * (-12.0 * s6 * s6 + 6.0 * s6) / r2;
            for c in 0..3 {
                g[3 * i + c] += f * d[c];
                g[3 * j + c] -= f * d[c];
            }
        }
    }
    g
}

#[test]
fn an_array_rewritten_per_iteration_and_read_in_it() {
    let points: [&[f64]; 3] = [&[1.0, 4.0], &[0.3, -0.7, 1.2], &[2.0, -1.5, 0.1, 0.8]];
    check(&slice_fns!(direct, direct_jvp, direct_vjp, direct_grad), &points, 1e-8);
    check(&slice_fns!(hand_inner, hand_inner_jvp, hand_inner_vjp, hand_inner_grad), &points, 1e-8);
    check(&slice_fns!(hand_chain, hand_chain_jvp, hand_chain_vjp, hand_chain_grad), &points, 1e-8);
    check(&slice_fns!(literal, literal_jvp, literal_vjp, literal_grad), &points, 1e-8);
    for x in points {
        let want = pair_gradient(x);
        let direct_want: Vec<f64> = x.iter().map(|v| 10.0 * v).collect();
        assert_eq!(direct_grad(x).1, direct_want);
        for (name, g) in
            [("inner", hand_inner_grad(x).1), ("chain", hand_chain_grad(x).1), ("literal", literal_grad(x).1)]
        {
            for (i, (a, b)) in g.iter().zip(&want).enumerate() {
                assert!(common::close(*a, *b, 1e-14), "{name}: d/dx{i} = {a} vs {b}");
            }
        }
    }
}

#[test]
fn second_order_of_an_array_rewritten_per_iteration() {
    let x = [0.3, -0.7, 1.2];
    let (_, _, h) = hand_inner_hessian(&x);
    for i in 0..3 {
        for j in 0..3 {
            // d²/dx² (4 x² + sin² x) = 8 + 2 cos 2x, diagonal.
            let want = if i == j { 8.0 + 2.0 * (2.0 * x[i]).cos() } else { 0.0 };
            assert!(common::close(h[(i, j)], want, 1e-13), "H[{i},{j}] = {} vs {want}", h[(i, j)]);
            let fd = common::central(&|p: &[f64]| hand_inner_grad(p).1[i], &x, j);
            assert!(common::close(h[(i, j)], fd, 1e-7), "H[{i},{j}] vs fd {fd}");
        }
    }
}

#[test]
fn lennard_jones_with_separation_arrays() {
    let x = [0.0, 0.0, 0.0, 1.1, 0.1, -0.2, 0.3, 1.2, 0.1, -0.9, 0.4, 0.8];
    let y = [0.2, -0.1, 0.0, 1.3, 0.0, 0.1, -0.1, 1.0, 0.4];
    let z = [0.0, 0.0, 0.0, 1.05, 0.0, 0.0];
    check(
        &slice_fns!(lennard_jones, lennard_jones_jvp, lennard_jones_vjp, lennard_jones_grad),
        &[&x, &y, &z],
        1e-7,
    );
    for p in [&x[..], &y[..], &z[..]] {
        let (_, g) = lennard_jones_grad(p);
        for (i, (a, b)) in g.iter().zip(lennard_jones_gradient(p)).enumerate() {
            assert!(common::close(*a, b, 1e-12), "d/dx{i} = {a} vs {b}");
        }
    }
}

/// The same energy over points given as `&[[f64; 3]]`, the separation read per coordinate.
#[differentiable]
fn lennard_jones_points(pos: &[[f64; 3]]) -> f64 {
    let mut e = 0.0;
    for i in 0..pos.len() {
        for j in (i + 1)..pos.len() {
            let d = [pos[i][0] - pos[j][0], pos[i][1] - pos[j][1], pos[i][2] - pos[j][2]];
            let r2: f64 = d.iter().map(|c| c * c).sum();
            let s6 = (1.0 / r2).powi(3);
            e += 4.0 * (s6 * s6 - s6);
        }
    }
    e
}

#[test]
fn points_as_a_slice_of_arrays_and_grad_into() {
    let x = [0.0, 0.0, 0.0, 1.1, 0.1, -0.2, 0.3, 1.2, 0.1, -0.9, 0.4, 0.8];
    let points: Vec<[f64; 3]> = x.chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
    let (value, g) = lennard_jones_points_grad(&points);
    assert!(common::close(value, lennard_jones(&x), 1e-14));
    let want = lennard_jones_gradient(&x);
    for (i, gi) in g.iter().enumerate() {
        for c in 0..3 {
            assert!(common::close(gi[c], want[3 * i + c], 1e-12), "point {i}, coordinate {c}");
        }
    }
    // Forward against reverse along a direction.
    let v = common::direction(12, 7);
    let dirs: Vec<[f64; 3]> = v.chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
    let (_, jv) = lennard_jones_points_jvp(&points, dirs.clone());
    let (_, pullback) = lennard_jones_points_vjp(&points);
    let jt = pullback(1.0);
    let dot: f64 = jt.iter().zip(&dirs).map(|(a, b)| a[0] * b[0] + a[1] * b[1] + a[2] * b[2]).sum();
    assert!(common::close(jv, dot, 1e-12), "<J v> = {jv}, <Jᵀ 1, v> = {dot}");
    // `_grad_into` writes the same gradient into a buffer that held something else.
    let mut buffer = vec![[9.0; 3]; 7];
    assert_eq!(lennard_jones_points_grad_into(&points, &mut buffer), value);
    assert_eq!(buffer, g);
}

/// A recurrent state copied at the start of each step (`let prev = state.clone();`).
#[differentiable]
fn recurrent(x: &[f64]) -> f64 {
    let mut state = vec![0.5; 3];
    let mut total = 0.0;
    for t in 0..x.len() {
        let prev = state.clone();
        for k in 0..3 {
            state[k] = (prev[k] * 0.9 + prev[(k + 1) % 3] * 0.2 + x[t] * (k as f64)).tanh();
        }
        total += state.iter().sum::<f64>();
    }
    total
}

/// A fixed array copied by `let` in each step.
#[differentiable]
fn fixed_copy(x: &[f64]) -> f64 {
    let mut p = [0.1, 0.2];
    let mut total = 0.0;
    for t in 0..x.len() {
        let q = p;
        p[0] = (q[1] + x[t]).sin();
        p[1] = q[0] * x[t];
        total += p[0] + p[1] * q[1];
    }
    total
}

/// A parameter copied (`x.to_vec()`) and changed in each step:
/// `Σ_t (t + 1) (|x|² + 3 x_t²)` for `t < 3`.
#[differentiable]
fn slice_copy(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for t in 0..3 {
        let mut w = x.to_vec();
        w[t] *= 2.0;
        total += w.iter().map(|v| v * v).sum::<f64>() * (t as f64 + 1.0);
    }
    total
}

#[test]
fn arrays_copied_inside_a_loop() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.2, 0.5], &[1.0, 0.2, -0.4], &[-0.6, 0.9, 0.1, 2.0, -1.3]];
    check(&slice_fns!(recurrent, recurrent_jvp, recurrent_vjp, recurrent_grad), &points, 1e-8);
    check(&slice_fns!(fixed_copy, fixed_copy_jvp, fixed_copy_vjp, fixed_copy_grad), &points, 1e-8);
    check(&slice_fns!(slice_copy, slice_copy_jvp, slice_copy_vjp, slice_copy_grad), &points, 1e-8);
    for x in points {
        let (_, g) = slice_copy_grad(x);
        for (j, (gj, xj)) in g.iter().zip(x).enumerate() {
            let want = 12.0 * xj + if j < 3 { 6.0 * (j as f64 + 1.0) * xj } else { 0.0 };
            assert!(common::close(*gj, want, 1e-13), "slice_copy: d/dx{j} = {gj} vs {want}");
        }
    }
}

/// `Σ_i |f_i|²` with `f_i = Σ_{j≠i} tanh(p_i - p_j)` per coordinate, `f_i` a `[0.0; 2]` made
/// inside the loop over `i` and accumulated by the loop over `j`.
#[differentiable]
fn forces(x: &[f64]) -> f64 {
    let n = x.len() / 2;
    let mut e = 0.0;
    for i in 0..n {
        let mut f = [0.0; 2];
        for j in 0..n {
            if j == i {
                continue;
            }
            for c in 0..2 {
                f[c] += (x[2 * i + c] - x[2 * j + c]).tanh();
            }
        }
        e += f[0] * f[0] + f[1] * f[1];
    }
    e
}

fn forces_gradient(x: &[f64]) -> Vec<f64> {
    let n = x.len() / 2;
    let sech2 = |d: f64| 1.0 - d.tanh().powi(2);
    let mut g = vec![0.0; x.len()];
    for i in 0..n {
        for c in 0..2 {
            let fic: f64 = (0..n).filter(|&j| j != i).map(|j| (x[2 * i + c] - x[2 * j + c]).tanh()).sum();
            for k in 0..n {
                let d = if k == i {
                    (0..n).filter(|&j| j != i).map(|j| sech2(x[2 * i + c] - x[2 * j + c])).sum()
                } else {
                    -sech2(x[2 * i + c] - x[2 * k + c])
                };
                g[2 * k + c] += 2.0 * fic * d;
            }
        }
    }
    g
}

#[test]
fn a_zeroed_array_made_inside_a_loop() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.2, 0.5, -0.2, 0.9], &[1.0, 0.2, -0.4, 0.8], &[0.1, 0.2]];
    check(&slice_fns!(forces, forces_jvp, forces_vjp, forces_grad), &points, 1e-8);
    for x in points {
        let (_, g) = forces_grad(x);
        for (k, (a, b)) in g.iter().zip(forces_gradient(x)).enumerate() {
            assert!(common::close(*a, b, 1e-13), "forces: d/dx{k} = {a} vs {b}");
        }
    }
}

/// Ten classical Runge-Kutta steps of the oscillator `y'' = -w² y`, the state a `[f64; 2]`
/// replaced whole each step (`y = [..]`), as integrators write it.
#[differentiable(jacobian)]
fn rk4(y0: [f64; 2], w: f64) -> [f64; 2] {
    let f = |y: [f64; 2]| [y[1], -w * w * y[0]];
    let h = 0.1;
    let mut y = y0;
    for _ in 0..10 {
        let k1 = f(y);
        let k2 = f([y[0] + 0.5 * h * k1[0], y[1] + 0.5 * h * k1[1]]);
        let k3 = f([y[0] + 0.5 * h * k2[0], y[1] + 0.5 * h * k2[1]]);
        let k4 = f([y[0] + h * k3[0], y[1] + h * k3[1]]);
        y = [
            y[0] + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
            y[1] + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
        ];
    }
    y
}

#[test]
fn a_state_array_replaced_whole_in_a_loop() {
    use nalgebra::{DMatrix, Matrix2};
    for (y0, w) in [([1.0, 0.0], 2.0), ([0.3, -0.8], 0.7), ([-1.2, 0.5], 3.1)] {
        // One step of RK4 on `y' = A y` is `P = I + hA + (hA)²/2 + (hA)³/6 + (hA)⁴/24`: ten steps
        // are `P¹⁰`, the Jacobian in `y0`.
        let ha = Matrix2::new(0.0, 1.0, -w * w, 0.0) * 0.1;
        let p = Matrix2::identity() + ha + ha * ha / 2.0 + ha * ha * ha / 6.0 + ha * ha * ha * ha / 24.0;
        let p10 = p.pow(10);
        let (value, j) = rk4_jacobian(y0, w);
        let want = p10 * nalgebra::Vector2::new(y0[0], y0[1]);
        assert!(common::close(value[0], want[0], 1e-13) && common::close(value[1], want[1], 1e-13));
        let f = |x: &[f64]| rk4([x[0], x[1]], x[2]).to_vec();
        let x = [y0[0], y0[1], w];
        // The `w` column from central differences of the primal.
        let dw: Vec<f64> = {
            let h = 1e-6 * w.abs().max(1.0);
            let (up, down) = (f(&[y0[0], y0[1], w + h]), f(&[y0[0], y0[1], w - h]));
            (0..2).map(|r| (up[r] - down[r]) / (2.0 * h)).collect()
        };
        let exact = DMatrix::from_row_slice(
            2,
            3,
            &[p10[(0, 0)], p10[(0, 1)], j[(0, 2)], p10[(1, 0)], p10[(1, 1)], j[(1, 2)]],
        );
        common::check_jacobian("rk4", &j, &exact, &f, &x);
        for r in 0..2 {
            assert!(common::close(j[(r, 2)], dw[r], 1e-6), "d/dw row {r}: {} vs {}", j[(r, 2)], dw[r]);
        }
        // Forward against reverse: `<u, J v>` by `_jvp` equals `<Jᵀu, v>` by `_vjp`.
        let (u, v, vw) = ([0.7, -1.1], [0.2, 0.9], -0.4);
        let (_, jv) = rk4_jvp(y0, w, v, vw);
        let (_, pullback) = rk4_vjp(y0, w);
        let (jty, jtw) = pullback(u);
        let left = u[0] * jv[0] + u[1] * jv[1];
        let right = jty[0] * v[0] + jty[1] * v[1] + jtw * vw;
        assert!(common::close(left, right, 1e-13), "{left} vs {right}");
    }
}
