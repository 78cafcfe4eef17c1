//! Labelled loops: `continue 'outer` and `break 'outer` from nested loops (a flag set, the inner
//! loop left, the jump made after it), checked against analytic gradients, central differences
//! and forward mode against reverse mode (`common::check`).

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
