//! Labelled loops: `continue 'outer` and `break 'outer` from nested loops (a flag set, the inner
//! loop left, the jump made after it), and labelled blocks left early (`break 'a v`), checked
//! against analytic gradients, central differences and forward mode against reverse mode
//! (`common::check`).

use tapeless::differentiable;

#[macro_use]
mod common;

use common::{check, close};

/// A lower-triangular sum that skips the rest of a row once the column passes it.
#[differentiable]
fn triangle(x: &[f64]) -> f64 {
    let mut s = 0.0;
    'rows: for i in 0..x.len() {
        for j in 0..x.len() {
            if j > i {
                continue 'rows;
            }
            s += x[i] * x[j].sin();
        }
    }
    s
}

/// A search over pairs that stops everything at the first pair over a limit (a constant test),
/// three loops deep, with work after each inner loop that the jump skips.
#[differentiable]
fn first_pairs(x: &[f64], limit: usize) -> f64 {
    let mut s = 0.0;
    let mut count = 0;
    'search: for i in 0..x.len() {
        for j in i..x.len() {
            for k in 0..2 {
                count += 1;
                if count > limit {
                    break 'search;
                }
                s += (x[i] * x[j]).exp() * (k as f64 + 1.0);
            }
            s += 0.5 * x[j];
        }
        s *= 1.1;
    }
    s
}

/// A labelled loop left from inside a nested `while` under a `piecewise` test of a
/// differentiable value.
#[differentiable]
fn damped(x: &[f64]) -> f64 {
    let mut y = 0.0;
    'walk: for &v in x {
        let mut k = 0;
        while k < 2 {
            y = 0.5 * y + v;
            k += 1;
            if tapeless::piecewise(y > 3.0) {
                break 'walk;
            }
        }
    }
    y
}

fn triangle_want(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n {
        for j in 0..=i {
            g[i] += x[j].sin();
            g[j] += x[i] * x[j].cos();
        }
    }
    g
}

#[test]
fn continue_to_an_outer_loop() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1], &[1.2, 0.4], &[-2.0, 1.1, 0.5, 0.8]];
    check(&slice_fns!(triangle, triangle_jvp, triangle_vjp, triangle_grad), &points, 1e-8);
    for x in points {
        let (value, g) = triangle_grad(x);
        assert_eq!(value, triangle(x));
        let want = triangle_want(x);
        for i in 0..x.len() {
            assert!(close(g[i], want[i], 1e-14), "{x:?}: d/dx{i} = {} vs {}", g[i], want[i]);
        }
    }
}

#[test]
fn break_out_of_three_loops() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1], &[1.2, 0.4], &[-0.2, 0.1, 0.5, 0.8]];
    for limit in [0, 3, 5, 100] {
        check(
            &slice_fns_with!(first_pairs, first_pairs_jvp, first_pairs_vjp, first_pairs_grad; limit),
            &points,
            1e-8,
        );
        for x in points {
            // The same loops written with a `done` flag by hand.
            let n = x.len();
            let (mut s_dot, mut count, mut done) = (vec![0.0; n], 0, false);
            for i in 0..n {
                for j in i..n {
                    for k in 0..2 {
                        count += 1;
                        if count > limit {
                            done = true;
                            break;
                        }
                        let e = (x[i] * x[j]).exp() * (k as f64 + 1.0);
                        s_dot[i] += e * x[j];
                        s_dot[j] += e * x[i];
                    }
                    if done {
                        break;
                    }
                    s_dot[j] += 0.5;
                }
                if done {
                    break;
                }
                s_dot.iter_mut().for_each(|g| *g *= 1.1);
            }
            let g = first_pairs_grad(x, limit).1;
            for i in 0..n {
                assert!(
                    close(g[i], s_dot[i], 1e-13),
                    "limit {limit}, {x:?}: d/dx{i} = {} vs {}",
                    g[i],
                    s_dot[i]
                );
            }
        }
    }
}

#[test]
fn break_out_of_a_labelled_while() {
    let points: [&[f64]; 3] = [&[0.3, 0.7, 1.1, 0.2], &[2.2, 1.4, 0.1], &[-2.0, 1.1, 0.5, 0.8]];
    check(&slice_fns!(damped, damped_jvp, damped_vjp, damped_grad), &points, 1e-8);
    for x in points {
        // y is linear in x along the path taken: the gradient is the weight of each entry.
        let g = damped_grad(x).1;
        let h = 1e-6;
        for i in 0..x.len() {
            let mut up = x.to_vec();
            up[i] += h;
            let mut down = x.to_vec();
            down[i] -= h;
            let fd = (damped(&up) - damped(&down)) / (2.0 * h);
            assert!((g[i] - fd).abs() < 1e-8, "{x:?}: d/dx{i} = {} vs {fd}", g[i]);
        }
    }
}

/// Labelled blocks, as a value and as a statement, left by `break 'a v` at the end of an `if`
/// (the rest of the block is that `if`'s `else`), in a function generic over its float type.
#[differentiable(hessian)]
fn sinc_terms<T: num_traits::Float>(x: &[T], k: T) -> T {
    let mut s = T::zero();
    for (i, &v) in x.iter().enumerate() {
        'term: {
            if i % 2 == 1 {
                s = s + k * v;
                break 'term;
            }
            s = s + (k * v).sin();
        }
        let w = 'w: {
            if tapeless::piecewise(v.abs() < T::epsilon()) {
                break 'w T::one();
            }
            if i == 0 {
                let c = k * k;
                break 'w c;
            }
            v.sin() / v
        };
        s = s + w * k;
    }
    s
}

/// A labelled block left from a `match` arm: the block is the `loop` that runs it once.
#[differentiable]
fn from_an_arm(x: &[f64], mode: usize) -> f64 {
    let y = 'pick: {
        let t = x[0] * x[1];
        match mode {
            0 => break 'pick t.exp(),
            1 => {}
            _ => break 'pick -t,
        }
        t * t + x[1]
    };
    y * x[0]
}

#[test]
fn labelled_blocks_left_early() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 0.0, 1.1], &[1.2, 0.4, 2.0], &[-2.0, 1.1, 0.5, 0.8]];
    for k in [0.8, -1.3] {
        for x in points {
            // Forward against reverse: <u, J v> = <Jᵀ u, v>.
            let (dx, dk, u) = (vec![0.7; x.len()], -0.4, 1.3);
            let (_, t) = sinc_terms_jvp(x, k, dx.clone(), dk);
            let (bx, bk) = sinc_terms_vjp(x, k).1(u);
            let back: f64 = bx.iter().zip(&dx).map(|(a, b)| a * b).sum::<f64>() + bk * dk;
            assert!(close(u * t, back, 1e-14), "{x:?}: <u, J v> = {} vs <Jᵀ u, v> = {back}", u * t);
            let (mut g, mut h_kk) = (vec![0.0; x.len()], 0.0);
            let mut h_diag = vec![0.0; x.len()];
            for (i, &v) in x.iter().enumerate() {
                let sinc_d = if v.abs() < f64::EPSILON { 0.0 } else { (v * v.cos() - v.sin()) / (v * v) };
                let sinc_dd = if v.abs() < f64::EPSILON {
                    0.0
                } else {
                    -v.sin() / v - 2.0 * v.cos() / (v * v) + 2.0 * v.sin() / (v * v * v)
                };
                if i % 2 == 1 {
                    g[i] += k;
                } else {
                    g[i] += k * (k * v).cos();
                    h_diag[i] -= k * k * (k * v).sin();
                    h_kk -= v * v * (k * v).sin();
                }
                if i == 0 && v.abs() >= f64::EPSILON {
                    h_kk += 6.0 * k;
                } else if v.abs() >= f64::EPSILON {
                    g[i] += k * sinc_d;
                    h_diag[i] += k * sinc_dd;
                }
            }
            let (_, (ours, _)) = sinc_terms_grad(x, k);
            common::assert_close(&ours, &g, 1e-13, "sinc_terms gradient");
            let (_, _, h) = sinc_terms_hessian(x, k);
            let n = x.len();
            for i in 0..n {
                assert!(
                    close(h[(i, i)], h_diag[i], 1e-12),
                    "{x:?}: H[{i},{i}] = {} vs {}",
                    h[(i, i)],
                    h_diag[i]
                );
            }
            assert!(close(h[(n, n)], h_kk, 1e-12), "{x:?}: H[k,k] = {} vs {h_kk}", h[(n, n)]);
            for i in 0..=n {
                let gi = |q: &[f64]| {
                    let (_, (gx, gk)) = sinc_terms_grad(&q[..n], q[n]);
                    if i < n { gx[i] } else { gk }
                };
                let mut at = x.to_vec();
                at.push(k);
                // At an entry exactly 0 the `piecewise` arm (`1`) runs, whose derivatives are
                // the arm's, not sinc's: central differences step off it.
                for j in (0..=n).filter(|&j| j == n || x[j] != 0.0) {
                    let fd = common::central(&gi, &at, j);
                    assert!(close(h[(i, j)], fd, 1e-6), "{x:?}: H[{i},{j}] = {} vs {fd}", h[(i, j)]);
                }
            }
        }
    }
    let points: [&[f64]; 3] = [&[0.3, -0.7], &[1.2, 0.4], &[-2.0, 1.1]];
    for mode in 0..3 {
        check(
            &slice_fns_with!(from_an_arm, from_an_arm_jvp, from_an_arm_vjp, from_an_arm_grad; mode),
            &points,
            1e-8,
        );
        for x in points {
            let (a, b) = (x[0], x[1]);
            let t = a * b;
            let want = match mode {
                0 => [t.exp() + a * b * t.exp(), a * a * t.exp()],
                1 => [3.0 * t * t + b, 2.0 * t * a * a + a],
                _ => [-2.0 * t, -a * a],
            };
            common::assert_close(&from_an_arm_grad(x, mode).1, &want, 1e-13, "from_an_arm gradient");
        }
    }
}
