//! Weights as nested arrays, `w: &[Vec<f64>]` and `[[f64; 3]; 2]`, read by row as hand-rolled
//! networks write them: `for row in w.iter()`, `for (k, row) in w.iter().enumerate()`,
//! `row.iter().zip(x)`, `row.len()`, `w[i].len()`. Checked against the analytic gradient,
//! central differences, and forward against reverse mode.

mod common;

use common::{Fns, check, close};
use tapeless::differentiable;

/// `Σ_k (k + 1) tanh(w_k · x)` over the rows `w_k`.
#[differentiable(wrt(w))]
fn layer(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (k, row) in w.iter().enumerate() {
        let z: f64 = row.iter().zip(x).map(|(a, b)| a * b).sum();
        s += z.tanh() * (k as f64 + 1.0);
    }
    s
}

/// The same sum by indices and by rows, with the rows' lengths.
#[allow(clippy::needless_range_loop)]
#[differentiable(wrt(w))]
fn layer_by_index(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        let mut z = 0.0;
        for j in 0..w[i].len() {
            z += w[i][j] * x[j];
        }
        s += z.tanh() * (i as f64 + 1.0);
    }
    s
}

#[differentiable(wrt(w))]
fn layer_by_row(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut k = 1.0;
    for row in w {
        let mut z = 0.0;
        for j in 0..row.len() {
            z += row[j] * x[j];
        }
        s += z.tanh() * k;
        k += 1.0;
    }
    s
}

/// The rows of a `3 x 2` weight matrix as nested `Vec`s from a flat slice, and back.
fn rows(flat: &[f64]) -> Vec<Vec<f64>> {
    flat.chunks(2).map(<[f64]>::to_vec).collect()
}

/// A function of weight rows `w` (and the input `x`)'s four generated views over the
/// flattened weights, `_vjp` through its own pullback.
macro_rules! weight_fns {
    ($x:expr, $f:ident, $jvp:ident, $vjp:ident, $grad:ident) => {
        Fns {
            name: stringify!($f),
            f: &|w| $f(&rows(w), &$x),
            jvp: &|w, t| $jvp(&rows(w), &$x, rows(t)),
            vjp: &|w, u| {
                let w = rows(w);
                let (v, pullback) = $vjp(&w, &$x);
                (v, pullback(u).concat())
            },
            grad: &|w| {
                let (v, g) = $grad(&rows(w), &$x);
                (v, g.concat())
            },
        }
    };
}

#[test]
fn a_layer_of_nested_vecs_by_row_by_index_and_by_chain() {
    let x = [0.7, -1.3];
    let points: [&[f64]; 3] =
        [&[0.1, 0.2, -0.3, 0.4, 0.5, 0.6], &[1.0, -1.0, 0.0, 0.3, -0.2, 0.9], &[0.0; 6]];
    // Each function's four generated views over the flattened weights (`_vjp` through its own
    // pullback), and its gradient for the analytic check.
    macro_rules! layer_fns {
        ($f:ident, $jvp:ident, $vjp:ident, $grad:ident) => {
            (weight_fns!(x, $f, $jvp, $vjp, $grad), $grad as fn(&[Vec<f64>], &[f64]) -> (f64, Vec<Vec<f64>>))
        };
    }
    let variants = [
        layer_fns!(layer, layer_jvp, layer_vjp, layer_grad),
        layer_fns!(layer_by_index, layer_by_index_jvp, layer_by_index_vjp, layer_by_index_grad),
        layer_fns!(layer_by_row, layer_by_row_jvp, layer_by_row_vjp, layer_by_row_grad),
    ];
    for (fns, grad) in variants {
        let name = fns.name;
        check(&fns, &points, 1e-9);
        // Analytic: ∂/∂w_kj = (k + 1) (1 - tanh²(w_k · x)) x_j.
        let w = rows(points[0]);
        let (_, g) = grad(&w, &x);
        for (k, row) in w.iter().enumerate() {
            let z: f64 = row.iter().zip(&x).map(|(a, b)| a * b).sum();
            for j in 0..2 {
                let want = (k as f64 + 1.0) * (1.0 - z.tanh().powi(2)) * x[j];
                assert!(close(g[k][j], want, 1e-15), "{name}: {} vs {want}", g[k][j]);
            }
        }
    }
}

/// Rows of a fixed `2 x 3` array by value.
#[differentiable]
fn fixed_rows(m: [[f64; 3]; 2]) -> f64 {
    let mut s = 0.0;
    for row in &m {
        s += row[0] * row[1] - row[2].sin();
    }
    s
}

#[test]
fn rows_of_a_fixed_array() {
    let m = [[1.0, 2.0, 3.0], [0.5, 0.1, -1.0]];
    let (value, g) = fixed_rows_grad(m);
    assert!(close(value, 2.0 - 3.0_f64.sin() + 0.05 + 1.0_f64.sin(), 1e-15));
    assert_eq!(g, [[2.0, 1.0, -(3.0_f64.cos())], [0.1, 0.5, -(-1.0_f64).cos()]]);
    let t = [[0.3, -0.2, 0.5], [1.0, 0.0, -0.7]];
    let (_, jv) = fixed_rows_jvp(m, t);
    let want: f64 = (0..2).map(|r| (0..3).map(|c| g[r][c] * t[r][c]).sum::<f64>()).sum();
    assert!(close(jv, want, 1e-15));
    // Reverse mode through `_vjp`'s pullback: `<Jᵀu, t>` equals `u <J, t>`.
    let (_, pullback) = fixed_rows_vjp(m);
    let back = pullback(1.5);
    let dot: f64 = (0..2).map(|r| (0..3).map(|c| back[r][c] * t[r][c]).sum::<f64>()).sum();
    assert!(close(dot, 1.5 * jv, 1e-15));
}

/// `Σ_k (w_k · x)²` with the rows taken by a closure of `map` (`w.iter().map(|row| ..)`), which
/// was "a row of a nested array taken whole".
#[differentiable(wrt(w))]
fn squares_by_map(w: &[Vec<f64>], x: &[f64]) -> f64 {
    w.iter().map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum::<f64>().powi(2)).sum()
}

/// The same in `x`, with a typed closure parameter and the constant rows.
#[differentiable(wrt(x))]
fn squares_by_map_in_x(w: &[Vec<f64>], x: &[f64]) -> f64 {
    w.iter().map(|row: &Vec<f64>| row.iter().zip(x).map(|(a, b)| a * b).sum::<f64>().powi(2)).sum()
}

#[test]
fn rows_taken_by_a_closure_of_map() {
    let x = [0.7, -1.3];
    let points: [&[f64]; 3] = [
        &[0.1, 0.2, -0.3, 0.4, 0.5, 0.6],
        &[1.0, -1.0, 0.0, 0.3, -0.2, 0.9],
        &[-0.4, 0.0, 0.8, 1.1, 0.2, -0.6],
    ];
    let fns = weight_fns!(x, squares_by_map, squares_by_map_jvp, squares_by_map_vjp, squares_by_map_grad);
    check(&fns, &points, 1e-9);
    for p in points {
        let w = rows(p);
        let (value, gw) = squares_by_map_grad(&w, &x);
        let (value_x, gx) = squares_by_map_in_x_grad(&w, &x);
        let dots: Vec<f64> = w.iter().map(|row| row[0] * x[0] + row[1] * x[1]).collect();
        let want: f64 = dots.iter().map(|d| d * d).sum();
        assert!(close(value, want, 1e-15) && close(value_x, want, 1e-15));
        // ∂/∂w_kj = 2 (w_k · x) x_j and ∂/∂x_j = Σ_k 2 (w_k · x) w_kj.
        for (k, d) in dots.iter().enumerate() {
            for j in 0..2 {
                assert!(close(gw[k][j], 2.0 * d * x[j], 1e-15), "d/dw{k}{j}");
            }
        }
        for j in 0..2 {
            let want: f64 = dots.iter().zip(&w).map(|(d, row)| 2.0 * d * row[j]).sum();
            assert!(close(gx[j], want, 1e-14), "d/dx{j}: {} vs {want}", gx[j]);
        }
        let (_, t) = squares_by_map_in_x_jvp(&w, &x, vec![0.3, -0.8]);
        assert!(close(t, 0.3 * gx[0] - 0.8 * gx[1], 1e-14));
    }
}

/// Logistic loss with the examples as rows zipped with their labels, as a hand-rolled
/// classifier writes it: the rows are bound by a pattern next to another element
/// (`for (x, &y) in xs.iter().zip(ys)`), and a row is zipped as it is (`w.iter().zip(x)`). This
/// form was a rustc error in generated code ("cannot move out of a slice").
#[differentiable]
fn logistic_by_zip(w: &[f64], xs: &[Vec<f64>], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        let z: f64 = w.iter().zip(x).map(|(a, b)| a * b).sum();
        let p = 1.0 / (1.0 + (-z).exp());
        loss -= y * p.ln() + (1.0 - y) * (1.0 - p).ln();
    }
    loss / ys.len() as f64
}

/// The same with a closure over the zipped rows, and with `for_each`.
#[differentiable]
fn logistic_by_map(w: &[f64], xs: &[Vec<f64>], ys: &[f64]) -> f64 {
    let total: f64 = xs
        .iter()
        .zip(ys)
        .map(|(x, &y)| {
            let z: f64 = x.iter().zip(w).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
        })
        .sum();
    total / ys.len() as f64
}

#[allow(clippy::unused_enumerate_index)]
#[differentiable]
fn logistic_by_for_each(w: &[f64], xs: &[Vec<f64>], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    xs.iter().zip(ys.iter()).enumerate().for_each(|(_, (x, y))| {
        let z = x[0] * w[0] + x[1] * w[1];
        let p = 1.0 / (1.0 + (-z).exp());
        loss -= y * p.ln() + (1.0 - y) * (1.0 - p).ln();
    });
    loss / ys.len() as f64
}

#[test]
fn rows_zipped_with_labels() {
    let xs = vec![vec![0.5, -1.0], vec![1.5, 0.3], vec![-0.7, 0.8], vec![0.2, 0.2]];
    let ys = [1.0, 0.0, 1.0, 0.0];
    let points: [&[f64]; 3] = [&[0.3, -0.2], &[-1.1, 0.9], &[0.0, 0.0]];
    type Grad = fn(&[f64], &[Vec<f64>], &[f64]) -> (f64, Vec<f64>, Vec<Vec<f64>>, Vec<f64>);
    macro_rules! fns {
        ($f:ident, $jvp:ident, $vjp:ident, $grad:ident) => {
            (
                Fns {
                    name: stringify!($f),
                    f: &|w| $f(w, &xs, &ys),
                    jvp: &|w, t| $jvp(w, &xs, &ys, t.to_vec(), vec![vec![0.0; 2]; 4], vec![0.0; 4]),
                    vjp: &|w, u| {
                        let (v, pullback) = $vjp(w, &xs, &ys);
                        (v, pullback(u).0)
                    },
                    grad: &|w| {
                        let (v, (g, _, _)) = $grad(w, &xs, &ys);
                        (v, g)
                    },
                },
                (|w, xs, ys| {
                    let (v, (a, b, c)) = $grad(w, xs, ys);
                    (v, a, b, c)
                }) as Grad,
            )
        };
    }
    let variants = [
        fns!(logistic_by_zip, logistic_by_zip_jvp, logistic_by_zip_vjp, logistic_by_zip_grad),
        fns!(logistic_by_map, logistic_by_map_jvp, logistic_by_map_vjp, logistic_by_map_grad),
        fns!(
            logistic_by_for_each,
            logistic_by_for_each_jvp,
            logistic_by_for_each_vjp,
            logistic_by_for_each_grad
        ),
    ];
    for (fns, grad) in variants {
        let name = fns.name;
        check(&fns, &points, 1e-8);
        for w in points {
            // Analytic: ∂/∂w = Σ (σ(w·x) - y) x / n, ∂/∂x_k = (σ_k - y_k) w / n, and
            // ∂/∂y_k = -logit(σ_k) / n.
            let (value, gw, gx, gy) = grad(w, &xs, &ys);
            let n = ys.len() as f64;
            let mut want = [0.0; 2];
            let mut loss = 0.0;
            for (k, (x, &y)) in xs.iter().zip(&ys).enumerate() {
                let z = w[0] * x[0] + w[1] * x[1];
                let p = 1.0 / (1.0 + (-z).exp());
                loss -= y * p.ln() + (1.0 - y) * (1.0 - p).ln();
                for j in 0..2 {
                    want[j] += (p - y) * x[j] / n;
                    assert!(close(gx[k][j], (p - y) * w[j] / n, 1e-13), "{name}: d/dx{k}{j}");
                }
                assert!(close(gy[k], -(p / (1.0 - p)).ln() / n, 1e-12), "{name}: d/dy{k}");
            }
            assert!(close(value, loss / n, 1e-14), "{name}: value");
            for j in 0..2 {
                assert!(close(gw[j], want[j], 1e-13), "{name}: d/dw{j}: {} vs {}", gw[j], want[j]);
            }
        }
    }
}

/// Coulomb energy `Σ_{i<j} 1/|p_i - p_j|` with each point borrowed by name (`let a = &xs[i];`),
/// as particle codes write it, and a row of `Vec`s borrowed, zipped and measured.
#[allow(clippy::needless_range_loop)]
#[differentiable]
fn coulomb(xs: &[[f64; 3]]) -> f64 {
    let mut e = 0.0;
    for i in 0..xs.len() {
        let a = &xs[i];
        for j in (i + 1)..xs.len() {
            let b = &xs[j];
            let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt();
            e += 1.0 / d;
        }
    }
    e
}

#[allow(clippy::needless_range_loop)]
#[differentiable(wrt(w))]
fn borrowed_rows(w: &[f64], xs: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        let x = &xs[i];
        s += x[0] * w[0] + x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>().sin() * x.len() as f64;
    }
    s
}

#[test]
fn rows_borrowed_by_name() {
    let points3 = |flat: &[f64]| -> Vec<[f64; 3]> { flat.chunks(3).map(|c| [c[0], c[1], c[2]]).collect() };
    let flat = |rows: Vec<[f64; 3]>| -> Vec<f64> { rows.concat() };
    let points: [&[f64]; 3] = [
        &[0.0, 0.1, 0.3, 1.0, 0.5, -0.2, 0.3, -1.0, 0.4],
        &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        &[0.2, -0.3, 0.1, -0.8, 0.9, 0.5, 0.4, 0.4, -1.2],
    ];
    let fns = Fns {
        name: "coulomb",
        f: &|x| coulomb(&points3(x)),
        jvp: &|x, t| coulomb_jvp(&points3(x), points3(t)),
        vjp: &|x, u| {
            let xs = points3(x);
            let (v, pullback) = coulomb_vjp(&xs);
            (v, flat(pullback(u)))
        },
        grad: &|x| {
            let (v, g) = coulomb_grad(&points3(x));
            (v, flat(g))
        },
    };
    check(&fns, &points, 1e-8);
    // Analytic: ∂/∂p_i = -Σ_{j≠i} (p_i - p_j) / |p_i - p_j|³.
    for p in points {
        let xs = points3(p);
        let (_, g) = coulomb_grad(&xs);
        for i in 0..3 {
            for k in 0..3 {
                let mut want = 0.0;
                for j in (0..3).filter(|&j| j != i) {
                    let d: f64 = (0..3).map(|c| (xs[i][c] - xs[j][c]).powi(2)).sum::<f64>().sqrt();
                    want -= (xs[i][k] - xs[j][k]) / d.powi(3);
                }
                assert!(close(g[i][k], want, 1e-13), "d/dp{i}{k}: {} vs {want}", g[i][k]);
            }
        }
    }

    let xs = vec![vec![0.5, -1.0, 0.2], vec![1.5, 0.3, -0.4]];
    let w = [0.3, -0.2, 0.7];
    let (value, g) = borrowed_rows_grad(&w, &xs);
    let mut want_value = 0.0;
    let mut want = [0.0; 3];
    for x in &xs {
        let z: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
        want_value += x[0] * w[0] + z.sin() * 3.0;
        for j in 0..3 {
            want[j] += 3.0 * z.cos() * x[j] + if j == 0 { x[0] } else { 0.0 };
        }
    }
    assert!(close(value, want_value, 1e-15));
    let t = [0.4, 1.0, -0.6];
    let (_, jv) = borrowed_rows_jvp(&w, &xs, t.to_vec());
    let (_, pullback) = borrowed_rows_vjp(&w, &xs);
    let back = pullback(1.0);
    let dot: f64 = back.iter().zip(&t).map(|(a, b)| a * b).sum();
    assert!(close(dot, jv, 1e-14));
    for j in 0..3 {
        assert!(close(g[j], want[j], 1e-14), "d/dw{j}: {} vs {}", g[j], want[j]);
    }
}

/// A row of a local `Vec` of `Vec`s replaced by a new `Vec`, then read (moving the new row into
/// the table was rustc's E0382 inside generated code).
#[differentiable]
fn replaced_row(x: &[f64]) -> f64 {
    let mut m = vec![vec![0.0; 2]; 2];
    m[0][1] = x[0] * x[1];
    m[1] = vec![x[1].sin(), 2.0];
    m[0][1] + m[1][0] + m[1][1] * x[0]
}

#[test]
fn a_row_replaced_by_a_new_vec() {
    let x = [0.5, 2.0];
    let (value, g) = replaced_row_grad(&x);
    assert!(close(value, x[0] * x[1] + x[1].sin() + 2.0 * x[0], 1e-15));
    let want = [x[1] + 2.0, x[0] + x[1].cos()];
    assert!(close(g[0], want[0], 1e-15) && close(g[1], want[1], 1e-15), "{g:?} vs {want:?}");
    check(
        &slice_fns!(replaced_row, replaced_row_jvp, replaced_row_vjp, replaced_row_grad),
        &[&x, &[-1.0, 0.3], &[2.0, -1.5]],
        1e-7,
    );
}

/// Rows of a local copy of a nested array (`let rows = w.to_vec();`), iterated by value, by
/// reference and by index, and a copy made in the loop's head. Moving a row out of the copy
/// was rustc's E0507 inside generated code.
#[allow(clippy::needless_range_loop, clippy::unnecessary_to_owned)]
#[differentiable(wrt(w))]
fn copied_rows(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let rows = w.to_vec();
    let mut s = 0.0;
    for row in rows.into_iter() {
        s += (row[0] * x[0]).sin() * row[1];
    }
    let again = w.to_vec();
    for row in again.iter() {
        s += row[1] * row[1] * x[1];
    }
    for i in 0..again.len() {
        let row = &again[i];
        s += row[0] * again[i][1].exp();
    }
    for (k, row) in w.to_vec().into_iter().enumerate() {
        s += row[0] * k as f64;
    }
    s
}

#[test]
fn rows_of_a_local_copy() {
    let x = [0.7, -1.3];
    let fns = weight_fns!(x, copied_rows, copied_rows_jvp, copied_rows_vjp, copied_rows_grad);
    check(&fns, &[&[0.1, 0.2, -0.3, 0.4, 0.5, 0.6], &[1.0, -1.0, 0.0, 0.3, -0.2, 0.9], &[0.0; 6]], 1e-9);
    // Analytic, row k = (a, b): d/da = x0 cos(a x0) b + e^b + k, d/db = sin(a x0) + 2 b x1 + a e^b.
    let w = rows(&[0.1, 0.2, -0.3, 0.4, 0.5, 0.6]);
    let (_, g) = copied_rows_grad(&w, &x);
    for (k, row) in w.iter().enumerate() {
        let (a, b) = (row[0], row[1]);
        let da = x[0] * (a * x[0]).cos() * b + b.exp() + k as f64;
        let db = (a * x[0]).sin() + 2.0 * b * x[1] + a * b.exp();
        assert!(close(g[k][0], da, 1e-15) && close(g[k][1], db, 1e-15), "row {k}: {:?}", g[k]);
    }
}

/// Rows of `[f64; 2]` taken apart by their patterns, as point-cloud code writes them:
/// `for &[x, y] in ps`, `for (k, [x, y]) in ps.iter().enumerate()`, `map(|&[x, y]| ..)`,
/// `zip` with `(&[x, y], c)`, and `let [x, y] = *p;` of a row bound by name. Each was "an array
/// pattern of a value that is not a parameter or local array" or "a dereference of a
/// differentiable value".
#[differentiable(wrt(ps))]
fn destructured_rows(ps: &[[f64; 2]], c: &[f64]) -> f64 {
    let mut s = 0.0;
    for &[x, y] in ps {
        s += x * y.exp();
    }
    for (k, [x, y]) in ps.iter().enumerate() {
        s += (k as f64 + 1.0) * x * y;
    }
    s += ps.iter().map(|&[x, y]| (x - y).powi(2)).sum::<f64>();
    for (&[x, _], ck) in ps.iter().zip(c) {
        s += ck * x.sin();
    }
    for p in ps {
        let [x, y] = *p;
        s += x / (1.0 + y * y);
    }
    s
}

#[test]
fn rows_taken_apart_by_patterns() {
    let c = [0.5, -2.0, 1.5];
    let pairs = |flat: &[f64]| -> Vec<[f64; 2]> { flat.chunks(2).map(|p| [p[0], p[1]]).collect() };
    let fns = Fns {
        name: "destructured_rows",
        f: &|x| destructured_rows(&pairs(x), &c),
        jvp: &|x, t| destructured_rows_jvp(&pairs(x), &c, pairs(t)),
        vjp: &|x, u| {
            let ps = pairs(x);
            let (v, pullback) = destructured_rows_vjp(&ps, &c);
            (v, pullback(u).concat())
        },
        grad: &|x| {
            let (v, g) = destructured_rows_grad(&pairs(x), &c);
            (v, g.concat())
        },
    };
    let points: [&[f64]; 3] =
        [&[0.1, 0.2, -0.3, 0.4, 0.5, 0.6], &[1.0, -1.0, 0.0, 0.3, -0.2, 0.9], &[0.0; 6]];
    check(&fns, &points, 1e-9);
    // Analytic, row k = (x, y): d/dx = e^y + (k + 1) y + 2 (x - y) + c_k cos x + 1 / (1 + y²),
    // d/dy = x e^y + (k + 1) x - 2 (x - y) - 2 x y / (1 + y²)².
    let ps = pairs(points[1]);
    let (_, g) = destructured_rows_grad(&ps, &c);
    for (k, &[x, y]) in ps.iter().enumerate() {
        let w = k as f64 + 1.0;
        let dx = y.exp() + w * y + 2.0 * (x - y) + c[k] * x.cos() + 1.0 / (1.0 + y * y);
        let dy = x * y.exp() + w * x - 2.0 * (x - y) - 2.0 * x * y / (1.0 + y * y).powi(2);
        assert!(close(g[k][0], dx, 1e-15) && close(g[k][1], dy, 1e-15), "row {k}: {:?}", g[k]);
    }
}

/// Second order over rows: `Σ_k x_k² y_k + x₀ y₁` of `ps: &[[f64; 2]]`, taken apart by patterns.
/// (Second order refused nested parameters: "does not support a parameter of type".)
#[differentiable(hessian)]
fn rows_second_order(ps: &[[f64; 2]]) -> f64 {
    ps.iter().map(|&[x, y]| x * x * y).sum::<f64>() + ps[0][0] * ps[1][1]
}

/// The layer above with its Hessian in the rows of `w: &[Vec<f64>]`.
#[differentiable(hessian, wrt(w))]
fn layer_second_order(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (k, row) in w.iter().enumerate() {
        let z: f64 = row.iter().zip(x).map(|(a, b)| a * b).sum();
        s += z.tanh() * (k as f64 + 1.0);
    }
    s
}

#[test]
fn hessians_of_nested_parameters_row_by_row() {
    let pairs = |flat: &[f64]| -> Vec<[f64; 2]> { flat.chunks(2).map(|p| [p[0], p[1]]).collect() };
    let flat = [0.3, 1.0, 1.2, 2.9, -0.5, 0.7];
    let ps = pairs(&flat);
    let (value, g, h) = rows_second_order_hessian(&ps);
    assert_eq!(value, rows_second_order(&ps));
    assert_eq!(g, rows_second_order_grad(&ps).1);
    // First order: ∂/∂x_k = 2 x_k y_k (+ y₁ for k = 0), ∂/∂y_k = x_k² (+ x₀ for k = 1); central
    // differences and forward against reverse mode at three points.
    for (k, [x, y]) in ps.iter().enumerate() {
        let dx = 2.0 * x * y + if k == 0 { ps[1][1] } else { 0.0 };
        let dy = x * x + if k == 1 { ps[0][0] } else { 0.0 };
        assert!(close(g[k][0], dx, 1e-15) && close(g[k][1], dy, 1e-15), "row {k}: {:?}", g[k]);
    }
    let points: [&[f64]; 3] = [&flat, &[1.0, -1.0, 0.0, 0.3, -0.2, 0.9], &[0.5, 0.5, 2.0, -1.0, 0.1, 0.2]];
    let fns = Fns {
        name: "rows_second_order",
        f: &|x| rows_second_order(&pairs(x)),
        jvp: &|x, t| rows_second_order_jvp(&pairs(x), pairs(t)),
        vjp: &|x, u| {
            let ps = pairs(x);
            let (v, pullback) = rows_second_order_vjp(&ps);
            (v, pullback(u).concat())
        },
        grad: &|x| {
            let (v, g) = rows_second_order_grad(&pairs(x));
            (v, g.concat())
        },
    };
    check(&fns, &points, 1e-9);
    // Scalars numbered row by row: x_k is 2k, y_k is 2k + 1.
    let mut want = nalgebra::DMatrix::<f64>::zeros(6, 6);
    for k in 0..3 {
        let (x, y) = (ps[k][0], ps[k][1]);
        want[(2 * k, 2 * k)] = 2.0 * y;
        (want[(2 * k, 2 * k + 1)], want[(2 * k + 1, 2 * k)]) = (2.0 * x, 2.0 * x);
    }
    (want[(0, 3)], want[(3, 0)]) = (1.0, 1.0);
    for r in 0..6 {
        let grad_r = |p: &[f64]| rows_second_order_grad(&pairs(p)).1.concat()[r];
        for c in 0..6 {
            assert!(close(h[(r, c)], want[(r, c)], 1e-14), "H[{r},{c}] = {}", h[(r, c)]);
            assert!(close(h[(r, c)], common::central(&grad_r, &flat, c), 1e-8), "H[{r},{c}] against _grad");
        }
    }
    let v = [0.4, -1.0, 0.3, 0.2, 1.5, -0.6];
    let (_, _, hv) = rows_second_order_hvp(&ps, pairs(&v));
    let want_hv = &want * nalgebra::DVector::from_column_slice(&v);
    assert!(hv.concat().iter().zip(want_hv.iter()).all(|(a, b)| close(*a, *b, 1e-14)), "{hv:?}");

    let x = [0.7, -1.3];
    let wf = [0.1, 0.2, -0.3, 0.4, 0.5, 0.6];
    let fns = weight_fns!(
        x,
        layer_second_order,
        layer_second_order_jvp,
        layer_second_order_vjp,
        layer_second_order_grad
    );
    check(&fns, &[&wf, &[1.0, -1.0, 0.0, 0.3, -0.2, 0.9], &[0.0; 6]], 1e-9);
    let (_, _, h) = layer_second_order_hessian(&rows(&wf), &x);
    // Row k's block is (k + 1) tanh''(z_k) x xᵀ; rows do not mix.
    for r in 0..6 {
        let grad_r = |p: &[f64]| layer_second_order_grad(&rows(p), &x).1.concat()[r];
        for c in 0..6 {
            let (k, kc) = (r / 2, c / 2);
            let z = wf[2 * k] * x[0] + wf[2 * k + 1] * x[1];
            let t = z.tanh();
            let second = -2.0 * t * (1.0 - t * t);
            let want = if k == kc { (k as f64 + 1.0) * second * x[r % 2] * x[c % 2] } else { 0.0 };
            assert!(close(h[(r, c)], want, 1e-13), "layer H[{r},{c}] = {} vs {want}", h[(r, c)]);
            assert!(
                close(h[(r, c)], common::central(&grad_r, &wf, c), 1e-8),
                "layer H[{r},{c}] against _grad"
            );
        }
    }
}

/// The length of the polyline through the points `(x[0], x[1])`, `(x[2], x[3])`, ..: the
/// points collected as rows of fixed size (`collect::<Vec<[f64; 2]>>()`, through the `let`'s
/// type; before the forty-first session, "`map` on this value").
#[differentiable]
fn polyline(x: &[f64]) -> f64 {
    let pts: Vec<[f64; 2]> = x.chunks(2).map(|c| [c[0], c[1]]).collect();
    let mut s = 0.0;
    for w in pts.windows(2) {
        s += ((w[1][0] - w[0][0]).powi(2) + (w[1][1] - w[0][1]).powi(2)).sqrt();
    }
    s
}

#[test]
fn points_collected_as_rows_of_fixed_size() {
    let x = [0.0, 0.0, 3.0, 4.0, 3.0, 5.0];
    let (value, g) = polyline_grad(&x);
    assert!(close(value, 6.0, 1e-15), "{value}");
    // Each segment's unit vector pulls its end and pushes its start.
    let want = [-0.6, -0.8, 0.6, 0.8 - 1.0, 0.0, 1.0];
    for (a, b) in g.iter().zip(want) {
        assert!(close(*a, b, 1e-14), "{g:?} against {want:?}");
    }
    for (i, gi) in g.iter().enumerate() {
        assert!(close(*gi, common::central(&polyline, &x, i), 1e-8), "{g:?}");
    }
    let v = vec![0.3, -0.1, 0.5, 0.2, -0.4, 0.9];
    let (_, t) = polyline_jvp(&x, v.clone());
    let (_, pullback) = polyline_vjp(&x);
    common::forward_against_reverse("polyline", t, &v, 1.3, &pullback(1.3), 1e-12);
}
