//! Iterator chains as numeric Rust writes them (issue 13), each desugared to the loop a careful
//! hand writes: sources, adaptors and ends, windows, chunks, `for_each`, `collect`, `fold` with
//! `max`, `reduce` and `max_by` on constants, closures calling closures. Each function is checked
//! against its analytic gradient, against central differences and forward against reverse mode
//! (`common::check`). (Split out of tests/idioms.rs.)

mod common;

use common::{Fns, check};

/// Iterator chains, each desugared to the loop a careful hand writes.
mod chains {
    use tapeless::differentiable;

    /// F1, Rosenbrock, as published crates write it.
    #[differentiable]
    pub fn rosenbrock(x: &[f64]) -> f64 {
        x.iter()
            .zip(x.iter().skip(1))
            .map(|(&a, &b)| 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2))
            .sum::<f64>()
    }

    /// A closure used inside two chains, one over a sub-slice.
    #[differentiable]
    pub fn spread(x: &[f64]) -> f64 {
        let one = 1.0;
        let squash = |v: f64| one + (v - one) / 4.0;
        x.iter().zip(x.iter().skip(1)).map(|(&u, &v)| (squash(v) - u).powi(2)).sum::<f64>()
            + x[1..x.len() - 1].iter().map(|v| (std::f64::consts::PI * squash(*v)).sin().powi(2)).sum::<f64>()
    }

    /// `product`, `fold` with `enumerate`, `rev` + `step_by` + `copied`, a range source, `take`,
    /// `filter` on a constant predicate, `count`.
    #[differentiable]
    pub fn assorted(x: &[f64], w: f64) -> f64 {
        let affine = |v: &f64| 1.0 + v * w;
        let p: f64 = x.iter().map(affine).product();
        let f = x.iter().enumerate().fold(0.0, |acc, (i, &v)| acc + (i as f64 + 1.0) * v * w);
        let r: f64 = x.iter().rev().step_by(2).copied().sum();
        let t: f64 = (0..x.len()).map(|i| x[i] * i as f64).sum();
        let n = (0..x.len()).filter(|i| i % 2 == 0).count();
        let kept: f64 = x.iter().copied().filter(|_| n > 1).sum();
        p + f + r + t + n as f64 + kept + x.iter().take(2).sum::<f64>()
    }

    /// A dot product of two slices and a weighted norm through `zip` of `zip`.
    #[differentiable]
    pub fn weighted(x: &[f64], y: &[f64]) -> f64 {
        let dot: f64 = x.iter().zip(y.iter()).map(|(a, b)| a * b).sum();
        let norm: f64 = x.iter().zip(y).zip(x.iter().skip(1)).map(|((a, b), c)| (a - b) * c).sum();
        dot + norm.powi(2)
    }
}

/// `Fns` from positional arguments (closures of slices infer their types from the parameters).
#[allow(clippy::type_complexity)]
fn fns_of_slice<'a>(
    name: &'a str,
    f: &'a dyn Fn(&[f64]) -> f64,
    jvp: &'a dyn Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: &'a dyn Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: &'a dyn Fn(&[f64]) -> (f64, Vec<f64>),
) -> Fns<'a> {
    Fns { name, f, jvp, vjp, grad }
}

#[test]
fn iterator_chains_are_loops() {
    let points: [&[f64]; 3] =
        [&[0.3, -0.2, 0.9, 1.4, -0.6], &[1.0, 1.0, 1.0, 1.0, 1.0], &[-1.2, 0.5, 2.0, -0.7, 0.1]];
    check(
        &fns_of_slice(
            "rosenbrock",
            &chains::rosenbrock,
            &|x, v| chains::rosenbrock_jvp(x, v.to_vec()),
            &|x, ct| {
                let (value, pullback) = chains::rosenbrock_vjp(x);
                (value, pullback(ct))
            },
            &chains::rosenbrock_grad,
        ),
        &points,
        1e-8,
    );
    // The same gradient as the loop-written Rosenbrock, to the last bit of rounding.
    for x in points {
        let (_, g) = chains::rosenbrock_grad(x);
        let mut want = vec![0.0; x.len()];
        for i in 0..x.len() - 1 {
            want[i] += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
            want[i + 1] += 200.0 * (x[i + 1] - x[i] * x[i]);
        }
        for i in 0..x.len() {
            assert!(common::close(g[i], want[i], 1e-14), "{g:?} vs {want:?}");
        }
    }
    check(
        &fns_of_slice(
            "spread",
            &chains::spread,
            &|x, v| chains::spread_jvp(x, v.to_vec()),
            &|x, ct| {
                let (value, pullback) = chains::spread_vjp(x);
                (value, pullback(ct))
            },
            &chains::spread_grad,
        ),
        &points,
        1e-8,
    );
    let assorted = |x: &[f64]| chains::assorted(&x[..x.len() - 1], x[x.len() - 1]);
    check(
        &fns_of_slice(
            "assorted",
            &assorted,
            &|x, v| {
                let n = x.len() - 1;
                chains::assorted_jvp(&x[..n], x[n], v[..n].to_vec(), v[n])
            },
            &|x, ct| {
                let (value, pullback) = chains::assorted_vjp(&x[..x.len() - 1], x[x.len() - 1]);
                let (mut g, gw) = pullback(ct);
                g.push(gw);
                (value, g)
            },
            &|x| {
                let (value, (mut g, gw)) = chains::assorted_grad(&x[..x.len() - 1], x[x.len() - 1]);
                g.push(gw);
                (value, g)
            },
        ),
        &[&[0.3, -0.2, 0.9, 1.4, 0.7], &[1.0, 2.0, 0.5], &[-1.2, 0.5, 2.0, -0.7, 0.1, 1.3]],
        1e-8,
    );
    let weighted = |p: &[f64]| chains::weighted(&p[..3], &p[3..]);
    check(
        &fns_of_slice(
            "weighted",
            &weighted,
            &|p, v| chains::weighted_jvp(&p[..3], &p[3..], v[..3].to_vec(), v[3..].to_vec()),
            &|p, ct| {
                let (value, pullback) = chains::weighted_vjp(&p[..3], &p[3..]);
                let (mut g, gy) = pullback(ct);
                g.extend(gy);
                (value, g)
            },
            &|p| {
                let (value, (mut g, gy)) = chains::weighted_grad(&p[..3], &p[3..]);
                g.extend(gy);
                (value, g)
            },
        ),
        &[
            &[0.3, -0.2, 0.9, 1.4, 0.7, -1.0],
            &[1.0, 2.0, 0.5, 0.1, 0.2, 0.3],
            &[-1.2, 0.5, 2.0, -0.7, 0.1, 1.3],
        ],
        1e-8,
    );
    // Analytic for `weighted` at x = (1, 2, 3), y = (4, 5, 6): dot' = y (x) and x (y);
    // norm = Σ_{i<2} (x_i - y_i) x_{i+1} = (1-4)2 + (2-5)3 = -15.
    let (_, (gx, gy)) = chains::weighted_grad(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]);
    let n = -15.0;
    let want_x = [4.0 + 2.0 * n * 2.0, 5.0 + 2.0 * n * (3.0 + (1.0 - 4.0)), 6.0 + 2.0 * n * (2.0 - 5.0)];
    let want_y = [1.0 - 2.0 * n * 2.0, 2.0 - 2.0 * n * 3.0, 3.0];
    for i in 0..3 {
        assert!(
            common::close(gx[i], want_x[i], 1e-14) && common::close(gy[i], want_y[i], 1e-14),
            "{gx:?} {gy:?}"
        );
    }
}

/// Slices of slices, `for_each` and `collect`: the chain forms that are not reductions.
mod windows_and_ends {
    use tapeless::differentiable;

    /// Total variation: squared differences of neighbours through `windows(2)`.
    #[differentiable]
    pub fn variation(x: &[f64]) -> f64 {
        x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum()
    }

    /// Pairs through `chunks_exact(2)`; a trailing odd element is ignored.
    #[differentiable]
    pub fn pair_products(x: &[f64]) -> f64 {
        x.chunks_exact(2).map(|c| c[0] * c[1].sin()).sum::<f64>()
    }

    /// `chunks(3)` with a shorter last chunk, read through `len()`.
    #[differentiable]
    pub fn chunk_heads(x: &[f64]) -> f64 {
        x.chunks(3).map(|c| c[0].exp() * c.len() as f64 + c[c.len() - 1]).sum::<f64>()
    }

    /// Pairs of 3-D points: each point's chunk against the chunks after it, through `skip`.
    #[differentiable]
    pub fn pair_energy(pos: &[f64]) -> f64 {
        let mut e = 0.0;
        for (i, p) in pos.chunks_exact(3).enumerate() {
            for q in pos.chunks_exact(3).skip(i + 1) {
                let r2: f64 = p.iter().zip(q.iter()).map(|(a, b)| (a - b) * (a - b)).sum();
                e += 1.0 / r2;
            }
        }
        e
    }

    /// Windows backward, weighted by their position from the end (`rev` then `enumerate`).
    #[differentiable]
    pub fn reversed_windows(x: &[f64]) -> f64 {
        x.windows(2).rev().enumerate().map(|(i, w)| (i as f64 + 1.0) * w[0] * w[1].sin()).sum()
    }

    /// Every other window (`step_by`) and the first two chunks (`take`).
    #[differentiable]
    pub fn strided(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for w in x.windows(3).step_by(2) {
            s += w[0] * w[2] - w[1];
        }
        for c in x.chunks(2).take(2) {
            s += c.iter().map(|v| v * v).sum::<f64>() * c.len() as f64;
        }
        s
    }

    /// `for_each` whose closure updates a variable of the function.
    #[differentiable]
    pub fn weighted_squares(x: &[f64]) -> f64 {
        let mut s = 0.0;
        x.iter().enumerate().for_each(|(i, &v)| {
            s += v * v * (i as f64 + 1.0);
        });
        s
    }

    /// `collect` into a typed `Vec`, then indexed and summed.
    #[differentiable]
    pub fn collected(x: &[f64]) -> f64 {
        let e: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        let d = x.iter().map(|v| v * 2.0).collect::<Vec<f64>>();
        e[0] * d[1] + e.iter().sum::<f64>()
    }

    /// The largest element, by `fold` with `f64::max`.
    #[differentiable]
    pub fn peak(x: &[f64]) -> f64 {
        x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    /// `reduce(f64::min)`, and `max_by` over constants picking a weight.
    #[differentiable(wrt(x))]
    pub fn reduced(x: &[f64], weights: &[f64]) -> f64 {
        let low = x.iter().copied().reduce(f64::min).unwrap();
        let heaviest = weights.iter().copied().max_by(|a, b| a.partial_cmp(b).unwrap()).expect("weights");
        low * heaviest + x[0]
    }

    /// Closures calling closures, one captured by another.
    #[differentiable]
    pub fn nested_closures(x: &[f64], k: f64) -> f64 {
        let scale = |v: f64| k * v;
        let bump = |v: f64| (scale(v) - 1.0).powi(2);
        x.iter().map(|&v| bump(v) + scale(v).sin()).sum::<f64>()
    }
}

/// `check` on a function of one slice and its three generated items.
macro_rules! check_slice_fn {
    ($f:path, $jvp:path, $vjp:path, $grad:path, $points:expr) => {
        check(
            &fns_of_slice(
                stringify!($f),
                &$f,
                &|x, v| $jvp(x, v.to_vec()),
                &|x, ct| {
                    let (value, pullback) = $vjp(x);
                    (value, pullback(ct))
                },
                &$grad,
            ),
            $points,
            1e-8,
        )
    };
}

#[test]
fn windows_chunks_for_each_and_collect() {
    use windows_and_ends as w;
    let points: [&[f64]; 3] =
        [&[0.3, -0.2, 0.9, 1.4, -0.6], &[1.0, 2.0, 4.0, 0.5], &[-1.2, 0.5, 2.0, -0.7, 0.1, 0.8]];
    check_slice_fn!(w::variation, w::variation_jvp, w::variation_vjp, w::variation_grad, &points);
    check_slice_fn!(
        w::pair_products,
        w::pair_products_jvp,
        w::pair_products_vjp,
        w::pair_products_grad,
        &points
    );
    check_slice_fn!(w::chunk_heads, w::chunk_heads_jvp, w::chunk_heads_vjp, w::chunk_heads_grad, &points);
    check_slice_fn!(
        w::weighted_squares,
        w::weighted_squares_jvp,
        w::weighted_squares_vjp,
        w::weighted_squares_grad,
        &points
    );
    check_slice_fn!(w::collected, w::collected_jvp, w::collected_vjp, w::collected_grad, &points);

    // Analytic values of each at x = (1, 2, 4, 0.5, 9).
    let x = [1.0f64, 2.0, 4.0, 0.5, 9.0];
    let (_, g) = w::variation_grad(&x);
    let want = [-2.0, 2.0 * 1.0 - 2.0 * 2.0, 2.0 * 2.0 - 2.0 * -3.5, 2.0 * -3.5 - 2.0 * 8.5, 2.0 * 8.5];
    assert!(g.iter().zip(want).all(|(a, b)| common::close(*a, b, 1e-15)), "{g:?}");
    let (_, g) = w::pair_products_grad(&x);
    let want = [2f64.sin(), 2f64.cos(), 0.5f64.sin(), 4.0 * 0.5f64.cos(), 0.0];
    assert!(g.iter().zip(want).all(|(a, b)| common::close(*a, b, 1e-15)), "{g:?}");
    // Chunks (1, 2, 4) and (0.5, 9): 3 e^1 + 4 + 2 e^0.5 + 9.
    let (value, g) = w::chunk_heads_grad(&x);
    assert!(common::close(value, 3.0 * 1f64.exp() + 4.0 + 2.0 * 0.5f64.exp() + 9.0, 1e-15));
    let want = [3.0 * 1f64.exp(), 0.0, 1.0, 2.0 * 0.5f64.exp(), 1.0];
    assert!(g.iter().zip(want).all(|(a, b)| common::close(*a, b, 1e-15)), "{g:?}");
    let (_, g) = w::weighted_squares_grad(&x);
    assert!(
        g.iter().enumerate().all(|(i, a)| common::close(*a, 2.0 * x[i] * (i as f64 + 1.0), 1e-15)),
        "{g:?}"
    );
    // e0 d1 + Σ e: ∂/∂x0 = e^x0 (2 x1) + e^x0, ∂/∂x1 = 2 e^x0 + e^x1, else e^xi.
    let (_, g) = w::collected_grad(&x);
    let e = x.map(f64::exp);
    let want = [e[0] * 2.0 * x[1] + e[0], 2.0 * e[0] + e[1], e[2], e[3], e[4]];
    assert!(g.iter().zip(want).all(|(a, b)| common::close(*a, b, 1e-14)), "{g:?}");
}

/// `skip`, `rev`, `step_by` and `take` of windows and chunks: each window is read where the
/// adaptor puts it.
#[test]
fn windows_through_skip_rev_step_by_and_take() {
    use windows_and_ends as w;
    let points: [&[f64]; 3] = [
        &[0.3, -0.2, 0.9, 1.4, -0.6, 0.2, 2.0, 1.1, -0.4],
        &[1.0, 2.0, 4.0, 0.5, 9.0, -1.0],
        &[-1.2, 0.5, 2.0, -0.7, 0.1, 0.8, 0.6],
    ];
    check_slice_fn!(w::pair_energy, w::pair_energy_jvp, w::pair_energy_vjp, w::pair_energy_grad, &points);
    check_slice_fn!(
        w::reversed_windows,
        w::reversed_windows_jvp,
        w::reversed_windows_vjp,
        w::reversed_windows_grad,
        &points
    );
    check_slice_fn!(w::strided, w::strided_jvp, w::strided_vjp, w::strided_grad, &points);

    // Σ_{i<j} 1/|p_i - p_j|², whose gradient in p_i is Σ_j -2 (p_i - p_j) / |p_i - p_j|⁴.
    let pos = points[0];
    let (value, g) = w::pair_energy_grad(pos);
    let (mut want_value, mut want) = (0.0, [0.0; 9]);
    for i in 0..3 {
        for j in 0..3 {
            let d: Vec<f64> = (0..3).map(|k| pos[3 * i + k] - pos[3 * j + k]).collect();
            let r2: f64 = d.iter().map(|v| v * v).sum();
            if i != j {
                want_value += 0.5 / r2;
                (0..3).for_each(|k| want[3 * i + k] += -2.0 * d[k] / (r2 * r2));
            }
        }
    }
    assert!(common::close(value, want_value, 1e-14), "{value} against {want_value}");
    assert!(g.iter().zip(want).all(|(a, b)| common::close(*a, b, 1e-13)), "{g:?}");

    // Windows (x3, x4), (x2, x3), (x1, x2), (x0, x1) weighted 1 to 4.
    let x = [1.0f64, 2.0, 4.0, 0.5, 9.0];
    let (_, g) = w::reversed_windows_grad(&x);
    let want = [
        4.0 * x[1].sin(),
        4.0 * x[0] * x[1].cos() + 3.0 * x[2].sin(),
        3.0 * x[1] * x[2].cos() + 2.0 * x[3].sin(),
        2.0 * x[2] * x[3].cos() + x[4].sin(),
        x[3] * x[4].cos(),
    ];
    assert!(g.iter().zip(want).all(|(a, b)| common::close(*a, b, 1e-15)), "{g:?}");
    // Windows at 0 and 2: x0 x2 - x1 + x2 x4 - x3; chunks (x0, x1) and (x2, x3), each twice its
    // sum of squares.
    let (value, g) = w::strided_grad(&x);
    assert!(common::close(value, 4.0 - 2.0 + 36.0 - 0.5 + 2.0 * 5.0 + 2.0 * 16.25, 1e-15), "{value}");
    let want = [4.0 + 4.0, -1.0 + 8.0, 1.0 + 9.0 + 16.0, -1.0 + 2.0, 4.0];
    assert!(g.iter().zip(want).all(|(a, b)| common::close(*a, b, 1e-15)), "{g:?}");
}

/// `filter_map` in its three spellings (`if c { Some(e) } else { None }`, `c.then(|| e)`,
/// `c.then_some(e)`), the predicate on constants or indices. (The `use` inside the body stays
/// in each generated function, where the calls of `no_grad` are gone: not a warning there.)
#[allow(clippy::filter_map_bool_then)]
#[tapeless::differentiable]
fn kept_and_mapped(x: &[f64]) -> f64 {
    use tapeless::no_grad;
    let a: f64 = x.iter().filter_map(|&v| if no_grad(v) > 0.0 { Some(v * v) } else { None }).sum();
    let b: f64 = x.iter().enumerate().filter_map(|(i, v)| (i % 2 == 1).then(|| v.sin())).sum();
    let c = x
        .iter()
        .filter_map(|v| (no_grad(*v) < 1.0).then_some(v.exp()))
        .map(|e| e * 2.0)
        .fold(1.0, |acc, e| acc * e);
    a + b + c
}

/// `take_while` on constants: the elements before the first one refused, summed and counted.
#[tapeless::differentiable]
fn taken_while(x: &[f64]) -> f64 {
    use tapeless::no_grad;
    let a = x.iter().take_while(|&&v| no_grad(v) < 5.0).map(|v| v.exp()).sum::<f64>();
    let n = x.iter().take_while(|v| no_grad(**v) > 0.0).count();
    a * n as f64
}

#[test]
fn filter_map_and_take_while() {
    let points: [&[f64]; 3] = [&[0.3, -1.6, 0.9, 2.0, -1.0], &[1.2, 6.0, 0.5], &[-0.2, 0.4, 7.5, 0.1]];
    check_slice_fn!(kept_and_mapped, kept_and_mapped_jvp, kept_and_mapped_vjp, kept_and_mapped_grad, &points);
    check_slice_fn!(taken_while, taken_while_jvp, taken_while_vjp, taken_while_grad, &points);
    for x in points {
        let n = x.len();
        // Σ_{v>0} v² + Σ_{i odd} sin x_i + Π_{v<1} 2 e^v.
        let c: f64 = x.iter().filter(|v| **v < 1.0).map(|v| 2.0 * v.exp()).product();
        let (value, g) = kept_and_mapped_grad(x);
        let want_value = x.iter().filter(|v| **v > 0.0).map(|v| v * v).sum::<f64>()
            + (1..n).step_by(2).map(|i| x[i].sin()).sum::<f64>()
            + c;
        assert!(common::close(value, want_value, 1e-14), "{value} vs {want_value}");
        for i in 0..n {
            let want = if x[i] > 0.0 { 2.0 * x[i] } else { 0.0 }
                + if i % 2 == 1 { x[i].cos() } else { 0.0 }
                + if x[i] < 1.0 { c } else { 0.0 };
            assert!(common::close(g[i], want, 1e-13), "{x:?}: d/dx{i} = {} vs {want}", g[i]);
        }
        // (Σ_{i<k} e^{x_i}) m, k the first index with x ≥ 5, m the first with x ≤ 0.
        let k = x.iter().position(|v| *v >= 5.0).unwrap_or(n);
        let m = x.iter().position(|v| *v <= 0.0).unwrap_or(n) as f64;
        let (value, g) = taken_while_grad(x);
        assert!(common::close(value, x[..k].iter().map(|v| v.exp()).sum::<f64>() * m, 1e-14));
        for i in 0..n {
            let want = if i < k { x[i].exp() * m } else { 0.0 };
            assert!(common::close(g[i], want, 1e-14), "{x:?}: d/dx{i} = {} vs {want}", g[i]);
        }
    }
}

/// `skip` and `take` after a filter count the elements it keeps: `filter(p).skip(1).take(2)`
/// reads the second and third kept, in either order of `skip` and `take`, after maps too.
#[tapeless::differentiable]
fn kept_windows(x: &[f64]) -> f64 {
    let a: f64 = x.iter().filter(|v| tapeless::piecewise(**v > 0.0)).skip(1).take(2).map(|v| v.exp()).sum();
    let b = x
        .iter()
        .map(|v| v * 2.0)
        .filter(|v| tapeless::piecewise(*v < 1.0))
        .take(3)
        .fold(0.0, |s, v| s + v * v);
    let c: f64 = x.iter().filter(|v| tapeless::piecewise(**v > -1.5)).take(4).skip(2).map(|v| v.sin()).sum();
    a + b + c
}

#[test]
fn skip_and_take_after_a_filter() {
    let points: [&[f64]; 4] =
        [&[0.3, -1.6, 0.9, 2.0, -1.0, 0.2], &[1.2, 6.0, 0.45], &[-0.2, 0.4, 7.5, 0.1, 0.3], &[-2.0, -3.0]];
    check_slice_fn!(kept_windows, kept_windows_jvp, kept_windows_vjp, kept_windows_grad, &points);
    for x in points {
        // The standard library's iterators over the indices: which entries each part reads.
        let idx: Vec<usize> = (0..x.len()).collect();
        let a: Vec<usize> = idx.iter().copied().filter(|&i| x[i] > 0.0).skip(1).take(2).collect();
        let b: Vec<usize> = idx.iter().copied().filter(|&i| 2.0 * x[i] < 1.0).take(3).collect();
        let c: Vec<usize> = idx.iter().copied().filter(|&i| x[i] > -1.5).take(4).skip(2).collect();
        let mut want = vec![0.0; x.len()];
        let mut value = 0.0;
        for &i in &a {
            want[i] += x[i].exp();
            value += x[i].exp();
        }
        for &i in &b {
            want[i] += 8.0 * x[i];
            value += 4.0 * x[i] * x[i];
        }
        for &i in &c {
            want[i] += x[i].cos();
            value += x[i].sin();
        }
        let (ours, g) = kept_windows_grad(x);
        assert!(common::close(ours, value, 1e-14), "{x:?}: {ours} vs {value}");
        for i in 0..x.len() {
            assert!(common::close(g[i], want[i], 1e-14), "{x:?}: d/dx{i} = {} vs {}", g[i], want[i]);
        }
    }
}

/// Consecutive filters (each test its own, the second seeing what the first kept), and a filter
/// over `enumerate` reading its index through the reference (`mask[*i]`).
#[tapeless::differentiable(wrt(x))]
fn filtered_twice(x: &[f64], mask: &[bool]) -> f64 {
    let a: f64 = x
        .iter()
        .filter(|v| tapeless::piecewise(**v > -1.0))
        .filter(|v| tapeless::piecewise(**v < 1.0))
        .take(3)
        .map(|v| v.sin())
        .sum();
    let b: f64 = x.iter().enumerate().filter(|(i, _)| mask[*i]).map(|(_, v)| v.exp()).sum();
    a + b
}

#[test]
fn two_filters_and_an_index_through_the_reference() {
    let mask = [true, false, true, true, false, true];
    let points: [&[f64]; 3] = [
        &[0.3, -1.6, 0.9, 2.0, -0.5, 0.2],
        &[1.2, 0.4, -0.45, 0.1, 0.3, -2.0],
        &[-0.2, 0.4, 0.7, 0.1, 0.3, 0.6],
    ];
    check(
        &fns_of_slice(
            "filtered_twice",
            &|x| filtered_twice(x, &mask),
            &|x, v| filtered_twice_jvp(x, &mask, v.to_vec()),
            &|x, ct| {
                let (value, pullback) = filtered_twice_vjp(x, &mask);
                (value, pullback(ct))
            },
            &|x| filtered_twice_grad(x, &mask),
        ),
        &points,
        1e-8,
    );
    for x in points {
        let idx: Vec<usize> = (0..x.len()).collect();
        let a: Vec<usize> =
            idx.iter().copied().filter(|&i| x[i] > -1.0).filter(|&i| x[i] < 1.0).take(3).collect();
        let mut want = vec![0.0; x.len()];
        for &i in &a {
            want[i] += x[i].cos();
        }
        for i in 0..x.len() {
            if mask[i] {
                want[i] += x[i].exp();
            }
        }
        let (_, g) = filtered_twice_grad(x, &mask);
        for i in 0..x.len() {
            assert!(common::close(g[i], want[i], 1e-14), "{x:?}: d/dx{i} = {} vs {}", g[i], want[i]);
        }
    }
}

#[test]
fn fold_with_max() {
    use windows_and_ends as w;
    let points: [&[f64]; 3] =
        [&[0.3, -0.2, 0.9, 1.4, -0.6], &[1.0, 2.0, 4.0, 0.5], &[-1.2, 0.5, 2.0, -0.7, 0.1, 0.8]];
    check_slice_fn!(w::peak, w::peak_jvp, w::peak_vjp, w::peak_grad, &points);
    let (value, g) = w::peak_grad(&[1.0, 4.0, 2.0]);
    assert_eq!((value, g), (4.0, vec![0.0, 1.0, 0.0]));
}

#[test]
fn reduce_and_max_by_on_constants() {
    use windows_and_ends as w;
    let weights = [0.5, 3.0, 2.0];
    let f = |x: &[f64]| w::reduced(x, &weights);
    let jvp = |x: &[f64], v: &[f64]| w::reduced_jvp(x, &weights, v.to_vec());
    let vjp = |x: &[f64], ct: f64| {
        let (value, pullback) = w::reduced_vjp(x, &weights);
        (value, pullback(ct))
    };
    let grad = |x: &[f64]| w::reduced_grad(x, &weights);
    let fns = fns_of_slice("reduced", &f, &jvp, &vjp, &grad);
    check(&fns, &[&[0.3, -0.2, 0.9], &[1.0, 2.0, 4.0], &[-1.2, 0.5, 2.0]], 1e-8);
    // min at index 1 (-0.2), largest weight 3: ∂/∂x = (1, 3, 0).
    let (value, g) = w::reduced_grad(&[0.3, -0.2, 0.9], &weights);
    assert!(common::close(value, -0.6 + 0.3, 1e-15));
    assert_eq!(g, vec![1.0, 3.0, 0.0]);
}

#[test]
fn closures_calling_closures() {
    use windows_and_ends as w;
    let fns = Fns {
        name: "nested_closures",
        f: &|p| w::nested_closures(&p[..3], p[3]),
        jvp: &|p, v| w::nested_closures_jvp(&p[..3], p[3], v[..3].to_vec(), v[3]),
        vjp: &|p, ct| {
            let (value, pullback) = w::nested_closures_vjp(&p[..3], p[3]);
            let (mut g, gk) = pullback(ct);
            g.push(gk);
            (value, g)
        },
        grad: &|p| {
            let (value, (mut g, gk)) = w::nested_closures_grad(&p[..3], p[3]);
            g.push(gk);
            (value, g)
        },
    };
    check(&fns, &[&[0.3, -0.2, 0.9, 1.4], &[1.0, 2.0, 4.0, 0.5], &[-1.2, 0.5, 2.0, -0.7]], 1e-8);
    // ∂/∂x_i = 2 k (k x_i - 1) + k cos(k x_i).
    let (x, k) = ([0.5f64, -1.0], 1.5f64);
    let (_, (g, _)) = w::nested_closures_grad(&x, k);
    for i in 0..2 {
        let want = 2.0 * k * (k * x[i] - 1.0) + k * (k * x[i]).cos();
        assert!(common::close(g[i], want, 1e-15), "{g:?}");
    }
}

/// Sources written as functions or driven by hand: `std::iter::zip(a, b)`, `iter::repeat(v)
/// .take(n)` and `while let Some(v) = it.next()` over a local iterator.
mod sources {
    use tapeless::differentiable;

    /// `Σ (x_i - x_{i+1})² + Σ x_i w_i` with `w = (1, 2, ..)`.
    #[differentiable]
    pub fn zipped(x: &[f64]) -> f64 {
        let w: Vec<f64> = (0..x.len()).map(|i| (i + 1) as f64).collect();
        std::iter::zip(x, x.iter().skip(1)).map(|(a, b)| (a - b).powi(2)).sum::<f64>()
            + std::iter::zip(&w, x).map(|(a, b)| a * b).sum::<f64>()
    }

    /// `3 sin(x₀) + Σ (sin(x_i) + x_i²)`: the first entry repeated (`repeat_n`, `repeat` and
    /// `take`), then loops over local iterators.
    #[differentiable]
    pub fn repeated_and_driven(x: &[f64]) -> f64 {
        let first = x[0];
        let mut total: f64 = std::iter::repeat_n(first, 2).map(|v| v.sin()).sum();
        #[allow(clippy::manual_repeat_n)]
        let once: f64 = std::iter::repeat(first).take(1).map(|v| v.sin()).sum();
        let mut it = x.iter();
        #[allow(clippy::while_let_on_iterator)]
        while let Some(v) = it.next() {
            total += v.sin();
        }
        let squares = x.iter().map(|v| v * v);
        for s in squares {
            total += s;
        }
        total + once
    }
}

#[test]
fn sources_written_as_functions_or_driven_by_hand() {
    use sources::*;
    let points: [&[f64]; 3] = [&[0.3, 0.7, 1.4], &[1.5, -0.2, 0.4, 0.9], &[-0.6, 0.25]];
    check(&slice_fns!(zipped, zipped_jvp, zipped_vjp, zipped_grad), &points, 1e-8);
    check(
        &slice_fns!(
            repeated_and_driven,
            repeated_and_driven_jvp,
            repeated_and_driven_vjp,
            repeated_and_driven_grad
        ),
        &points,
        1e-8,
    );
    for x in points {
        let n = x.len();
        let (_, g) = zipped_grad(x);
        for i in 0..n {
            let left = if i > 0 { 2.0 * (x[i] - x[i - 1]) } else { 0.0 };
            let right = if i + 1 < n { -2.0 * (x[i + 1] - x[i]) } else { 0.0 };
            assert!(common::close(g[i], left + right + (i + 1) as f64, 1e-14), "zipped d/dx{i}");
        }
        let (_, g) = repeated_and_driven_grad(x);
        for i in 0..n {
            let times = if i == 0 { 4.0 } else { 1.0 };
            assert!(common::close(g[i], times * x[i].cos() + 2.0 * x[i], 1e-14), "repeated d/dx{i}");
        }
    }
}

/// `v.as_slice().windows(2)` of a `DVector` (a parameter and one built in the body):
/// `Σ vᵢ vᵢ₊₁ + Σ (wᵢ₊₁ - wᵢ)²` with `w = 2v`.
#[tapeless::differentiable]
fn dvector_windows(v: &nalgebra::DVector<f64>) -> f64 {
    let w = v * 2.0;
    v.as_slice().windows(2).map(|p| p[0] * p[1]).sum::<f64>()
        + w.as_slice().windows(2).map(|p| (p[1] - p[0]).powi(2)).sum::<f64>()
}

#[test]
fn windows_of_a_dvectors_slice() {
    let as_vector = |x: &[f64]| nalgebra::DVector::from_row_slice(x);
    let fns = dvector_fns!(dvector_windows, dvector_windows_jvp, dvector_windows_vjp, dvector_windows_grad);
    let points: [&[f64]; 3] = [&[0.3, 0.7, 1.4], &[1.5, -0.2, 0.4, 0.9], &[-0.6, 0.25]];
    check(&fns, &points, 1e-8);
    for x in points {
        let n = x.len();
        let (_, g) = dvector_windows_grad(&as_vector(x));
        for i in 0..n {
            let left = if i > 0 { x[i - 1] + 8.0 * (x[i] - x[i - 1]) } else { 0.0 };
            let right = if i + 1 < n { x[i + 1] - 8.0 * (x[i + 1] - x[i]) } else { 0.0 };
            assert!(common::close(g[i], left + right, 1e-13), "d/dx{i} = {} vs {}", g[i], left + right);
        }
    }
}

/// `fold` over windows and chunks, as `num_traits` code writes Rosenbrock: the closure's window is
/// read as a slice (it was the "method call with a closure" error), also enumerated and with a
/// tuple accumulator.
mod folded_windows {
    use num_traits::Float;
    use tapeless::differentiable;

    #[differentiable]
    pub fn rosenbrock<T: Float>(x: &[T]) -> T {
        let hundred = T::from(100.0).unwrap();
        x.windows(2).fold(T::zero(), |acc, w| {
            acc + hundred * (w[1] - w[0] * w[0]).powi(2) + (T::one() - w[0]).powi(2)
        })
    }

    /// `Σ (i + 1) c₀ c₁` over chunks of two, with the product of chunk sums carried beside it.
    #[differentiable]
    pub fn weighted_chunks(x: &[f64]) -> f64 {
        let (s, p) = x.chunks(2).enumerate().fold((0.0, 1.0), |(s, p), (i, c)| {
            let head = c[0] * c[c.len() - 1];
            (s + (i as f64 + 1.0) * head, p * c.iter().sum::<f64>())
        });
        s + p
    }
}

#[test]
fn fold_over_windows() {
    use folded_windows as f;
    let points: [&[f64]; 3] = [&[0.3, -0.2, 0.9, 1.4, -0.6], &[1.0, 2.0, 4.0, 0.5], &[-1.2, 0.5, 2.0]];
    check_slice_fn!(f::rosenbrock, f::rosenbrock_jvp, f::rosenbrock_vjp, f::rosenbrock_grad, &points);
    check_slice_fn!(
        f::weighted_chunks,
        f::weighted_chunks_jvp,
        f::weighted_chunks_vjp,
        f::weighted_chunks_grad,
        &points
    );
    // Rosenbrock's gradient in closed form.
    for x in points {
        let (value, g) = f::rosenbrock_grad(x);
        let n = x.len();
        let mut want = vec![0.0; n];
        for i in 0..n - 1 {
            want[i] += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
            want[i + 1] += 200.0 * (x[i + 1] - x[i] * x[i]);
        }
        assert!(common::close(value, f::rosenbrock(x), 1e-15));
        assert!(g.iter().zip(&want).all(|(a, b)| common::close(*a, *b, 1e-13)), "{g:?} vs {want:?}");
    }
    // Chunks (1, 2), (4, 0.5), (9): s = 1·2 + 2·4·0.5 + 3·9·9, p = 3 · 4.5 · 9.
    let x = [1.0, 2.0, 4.0, 0.5, 9.0];
    let (value, g) = f::weighted_chunks_grad(&x);
    assert!(common::close(value, 2.0 + 4.0 + 243.0 + 121.5, 1e-15));
    let want = [2.0 + 40.5, 1.0 + 40.5, 2.0 * 0.5 + 27.0, 2.0 * 4.0 + 27.0, 3.0 * 2.0 * 9.0 + 13.5];
    assert!(g.iter().zip(want).all(|(a, b)| common::close(*a, b, 1e-14)), "{g:?}");
}
