//! Iterator adaptors composed in every order: each adaptor writes its element's index around
//! the index it is given, so `x.iter().rev().skip(1)` must read `x[n - 1 - (i + 1)]`. (Before
//! the fix, `x.iter().rev().skip(1).step_by(2)` read `x[n - 2i]`, out of bounds at `i = 0`:
//! `_grad` panicked where the function did not.) The oracle is the standard library's own
//! iterator run over the indices: each function is `Σ x_i²` over the indices it visits, so its
//! gradient is `2 x_i` at exactly those indices. Also checked: JVP against VJP.

mod common;

use tapeless::differentiable;

#[differentiable]
fn rev_skip_step(x: &[f64]) -> f64 {
    x.iter().rev().skip(1).step_by(2).map(|v| v * v).sum()
}

#[differentiable]
fn step_skip(x: &[f64]) -> f64 {
    x.iter().step_by(2).skip(1).map(|v| v * v).sum()
}

#[differentiable]
fn skip_rev(x: &[f64]) -> f64 {
    x.iter().skip(1).rev().map(|v| v * v).sum()
}

#[differentiable]
fn rev_step(x: &[f64]) -> f64 {
    x.iter().rev().step_by(3).map(|v| v * v).sum()
}

#[differentiable]
fn take_rev_skip(x: &[f64]) -> f64 {
    x.iter().take(4).rev().skip(1).map(|v| v * v).sum()
}

#[differentiable]
fn step_rev_skip_step(x: &[f64]) -> f64 {
    x.iter().step_by(2).rev().skip(1).step_by(2).map(|v| v * v).sum()
}

#[differentiable]
fn chain_of_a_reversed(x: &[f64], y: &[f64]) -> f64 {
    x.iter().chain(y.iter().rev().skip(1)).enumerate().map(|(i, v)| (i + 1) as f64 * v * v).sum()
}

/// `Σ 2 x_i e_i` over the visited indices, as the standard library visits them.
fn expected(x: &[f64], visited: impl Iterator<Item = usize>) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for i in visited {
        g[i] += 2.0 * x[i];
    }
    g
}

type Case = (
    &'static str,
    fn(&[f64]) -> (f64, Vec<f64>),
    fn(&[f64], Vec<f64>) -> (f64, f64),
    fn(usize) -> Vec<usize>,
);

#[test]
fn adaptors_compose_in_any_order() {
    let cases: [Case; 6] = [
        ("rev_skip_step", rev_skip_step_grad, rev_skip_step_jvp, |n| {
            (0..n).rev().skip(1).step_by(2).collect()
        }),
        ("step_skip", step_skip_grad, step_skip_jvp, |n| (0..n).step_by(2).skip(1).collect()),
        ("skip_rev", skip_rev_grad, skip_rev_jvp, |n| (0..n).skip(1).rev().collect()),
        ("rev_step", rev_step_grad, rev_step_jvp, |n| (0..n).rev().step_by(3).collect()),
        ("take_rev_skip", take_rev_skip_grad, take_rev_skip_jvp, |n| (0..n).take(4).rev().skip(1).collect()),
        ("step_rev_skip_step", step_rev_skip_step_grad, step_rev_skip_step_jvp, |n| {
            (0..n).step_by(2).rev().skip(1).step_by(2).collect()
        }),
    ];
    for n in [1, 2, 5, 6, 9] {
        let x: Vec<f64> = (0..n).map(|i| 0.3 + 0.7 * i as f64 - 0.05 * (i * i) as f64).collect();
        let d = common::direction(n, 7);
        for (name, grad, jvp, visits) in cases {
            let (value, g) = grad(&x);
            let want = expected(&x, visits(n).into_iter());
            let sum: f64 = visits(n).iter().map(|&i| x[i] * x[i]).sum();
            assert!(common::close(value, sum, 1e-14), "{name} n={n}: {value} vs {sum}");
            assert_eq!(g.len(), n);
            for i in 0..n {
                assert!(common::close(g[i], want[i], 1e-14), "{name} n={n} d/dx{i}: {} vs {}", g[i], want[i]);
            }
            let (_, t) = jvp(&x, d.clone());
            let gd: f64 = g.iter().zip(&d).map(|(a, b)| a * b).sum();
            assert!(common::close(t, gd, 1e-12), "{name} n={n}: JVP {t} vs <g, d> {gd}");
        }
    }
}

#[test]
fn a_chain_reads_its_second_sequence_reversed() {
    let x = [0.4, -1.2, 0.9];
    let y = [1.5, 0.2, -0.6, 2.0];
    let (value, (gx, gy)) = chain_of_a_reversed_grad(&x, &y);
    let items: Vec<f64> = x.iter().chain(y.iter().rev().skip(1)).copied().collect();
    let sum: f64 = items.iter().enumerate().map(|(i, v)| (i + 1) as f64 * v * v).sum();
    assert!(common::close(value, sum, 1e-14));
    // x_i at position i, y_j at position 3 + (2 - j) for j = 2, 1, 0 (y_3 skipped).
    for i in 0..3 {
        assert!(common::close(gx[i], 2.0 * (i + 1) as f64 * x[i], 1e-14));
    }
    for j in 0..3 {
        let position = 3 + (2 - j);
        assert!(common::close(gy[j], 2.0 * (position + 1) as f64 * y[j], 1e-14), "d/dy{j}");
    }
    assert_eq!(gy[3], 0.0);
    let f = |p: &[f64]| chain_of_a_reversed(&p[..3], &p[3..]);
    let point: Vec<f64> = x.iter().chain(&y).copied().collect();
    for k in 0..7 {
        let g = if k < 3 { gx[k] } else { gy[k - 3] };
        assert!(common::close(g, common::central(&f, &point, k), 1e-8));
    }
    // Forward against reverse: the JVP along (dx, dy) is <g, (dx, dy)>.
    let (dx, dy) = (common::direction(3, 5), common::direction(4, 6));
    let (_, t) = chain_of_a_reversed_jvp(&x, &y, dx.clone(), dy.clone());
    let gd: f64 = gx.iter().zip(&dx).chain(gy.iter().zip(&dy)).map(|(a, b)| a * b).sum();
    assert!(common::close(t, gd, 1e-12), "JVP {t} vs <g, d> {gd}");
}

#[differentiable]
fn compound_arguments(x: &[f64], k: usize) -> f64 {
    let stepped: f64 = x.iter().step_by(k + 1).skip(k - 1).map(|v| v * v).sum();
    let ranged: f64 = (k - 1..x.len()).map(|i| x[i] * x[i]).sum();
    stepped + ranged
}

// Index loops are the form the pushes rewrite reads.
#[allow(clippy::needless_range_loop)]
#[differentiable]
fn pushed_from(x: &[f64], k: usize) -> f64 {
    let mut squares = Vec::new();
    for i in k - 1..x.len() - 1 {
        squares.push(x[i] * x[i]);
    }
    squares.iter().sum()
}

/// Arguments written as sums and differences (`step_by(k + 1)`, `k - 1..n`) keep their meaning
/// inside the indices the adaptors write (`i * (k + 1)`, not `i * k + 1`).
#[test]
fn compound_arguments_of_adaptors_and_ranges() {
    let x: Vec<f64> = (0..9).map(|i| 0.5 - 0.3 * i as f64 + 0.02 * (i * i) as f64).collect();
    let d = common::direction(9, 3);
    for k in [1, 2, 3] {
        let visits: Vec<usize> = (0..9).step_by(k + 1).skip(k - 1).chain(k - 1..9).collect();
        let (value, g) = compound_arguments_grad(&x, k);
        let sum: f64 = visits.iter().map(|&i| x[i] * x[i]).sum();
        assert!(common::close(value, sum, 1e-14), "k={k}: {value} vs {sum}");
        let want = expected(&x, visits.into_iter());
        for i in 0..9 {
            assert!(common::close(g[i], want[i], 1e-14), "k={k} d/dx{i}: {} vs {}", g[i], want[i]);
        }
        let (_, t) = compound_arguments_jvp(&x, k, d.clone());
        let gd: f64 = g.iter().zip(&d).map(|(a, b)| a * b).sum();
        assert!(common::close(t, gd, 1e-12));

        let (value, g) = pushed_from_grad(&x, k);
        let want = expected(&x, k - 1..8);
        assert!(common::close(value, (k - 1..8).map(|i| x[i] * x[i]).sum::<f64>(), 1e-14));
        for i in 0..9 {
            assert!(common::close(g[i], want[i], 1e-14), "pushed k={k} d/dx{i}");
        }
        let (_, t) = pushed_from_jvp(&x, k, d.clone());
        let gd: f64 = g.iter().zip(&d).map(|(a, b)| a * b).sum();
        assert!(common::close(t, gd, 1e-12), "pushed k={k}: JVP {t} vs <g, d> {gd}");
    }
}

// ---- `filter` followed by maps, and the predicate's element borrowed as `filter` borrows it.

#[differentiable(wrt(x))]
fn kept_by_mask(x: &[f64], mask: &[f64]) -> f64 {
    x.iter().zip(mask).filter(|(_, m)| **m > 0.0).map(|(v, _)| v * v).sum()
}

#[differentiable(wrt(x))]
fn kept_by_mask_pattern(x: &[f64], mask: &[f64]) -> f64 {
    x.iter().zip(mask).filter(|&(_, &m)| m > 0.0).map(|(v, _)| v * v).sum()
}

#[differentiable(wrt(x))]
fn positive_weights(x: &[f64], c: &[f64]) -> f64 {
    c.iter().filter(|v| **v > 0.0).map(|v| v * 2.0).sum::<f64>() * x[0]
}

#[differentiable]
fn even_positions(x: &[f64]) -> f64 {
    x.iter().enumerate().filter(|(i, _)| i % 2 == 0).map(|(_, v)| v * v).map(|s| s + 1.0).sum::<f64>()
}

#[differentiable]
fn folded_after_filter(x: &[f64]) -> f64 {
    (0..x.len()).filter(|i| i % 3 != 1).map(|i| x[i].sin()).fold(0.0, |a, b| a + b * b)
}

/// A filter before maps keeps the elements the standard library keeps (the maps run on those
/// only), and a predicate reads its element through the references `filter` gives it (`**m`,
/// `|&(_, &m)|`): these were `map on this value is not supported` and a rustc error (E0614)
/// inside the expansion.
#[test]
fn filters_followed_by_maps() {
    let x = [0.3, -0.7, 1.1, 0.4, -0.2, 0.9];
    let mask = [1.0, -1.0, 2.0, -0.5, 0.1, 0.0];
    let d = common::direction(6, 11);
    let kept: Vec<usize> = (0..6).filter(|&i| mask[i] > 0.0).collect();
    let want = expected(&x, kept.iter().copied());
    for (name, grad, jvp) in [
        (
            "kept_by_mask",
            kept_by_mask_grad as fn(&[f64], &[f64]) -> (f64, Vec<f64>),
            kept_by_mask_jvp as fn(&[f64], &[f64], Vec<f64>) -> (f64, f64),
        ),
        ("kept_by_mask_pattern", kept_by_mask_pattern_grad, kept_by_mask_pattern_jvp),
    ] {
        let (value, g) = grad(&x, &mask);
        assert!(common::close(value, kept.iter().map(|&i| x[i] * x[i]).sum::<f64>(), 1e-15), "{name}");
        assert_eq!(g, want, "{name}");
        let (_, t) = jvp(&x, &mask, d.clone());
        assert!(common::close(t, g.iter().zip(&d).map(|(a, b)| a * b).sum::<f64>(), 1e-13), "{name}");
    }
    let (value, g) = positive_weights_grad(&x, &mask);
    let weight: f64 = mask.iter().filter(|v| **v > 0.0).map(|v| v * 2.0).sum();
    assert!(common::close(value, weight * x[0], 1e-15));
    assert_eq!(g, vec![weight, 0.0, 0.0, 0.0, 0.0, 0.0]);
    let (_, t) = positive_weights_jvp(&x, &mask, d.clone());
    assert!(common::close(t, weight * d[0], 1e-14));

    let (value, g) = even_positions_grad(&x);
    assert!(common::close(value, [0, 2, 4].iter().map(|&i| x[i] * x[i] + 1.0).sum::<f64>(), 1e-15));
    assert_eq!(g, expected(&x, [0, 2, 4].into_iter()));
    let (_, t) = even_positions_jvp(&x, d.clone());
    assert!(common::close(t, g.iter().zip(&d).map(|(a, b)| a * b).sum::<f64>(), 1e-13));

    // Σ sin²(x_i) over i mod 3 ≠ 1: the gradient is sin(2 x_i) there.
    let (value, g) = folded_after_filter_grad(&x);
    assert!(common::close(value, [0, 2, 3, 5].iter().map(|&i| x[i].sin().powi(2)).sum::<f64>(), 1e-14));
    for i in 0..6 {
        let want = if i % 3 != 1 { (2.0 * x[i]).sin() } else { 0.0 };
        assert!(common::close(g[i], want, 1e-14), "d/dx{i}");
        assert!(common::close(g[i], common::central(&|p| folded_after_filter(p), &x, i), 1e-8));
    }
    let (_, t) = folded_after_filter_jvp(&x, d.clone());
    assert!(common::close(t, g.iter().zip(&d).map(|(a, b)| a * b).sum::<f64>(), 1e-13));
}

/// Positive entries of `x` summed squared, the predicate on the differentiated value marked
/// `piecewise` (it was `filter`'s error; the mark inside the closure now accepts the derivative
/// of the elements kept).
#[differentiable]
fn positive_part(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).filter(|(a, _)| tapeless::piecewise(**a > 0.0)).map(|(a, b)| a * a * b).sum()
}

#[test]
fn a_piecewise_filter_on_a_differentiable_value() {
    let (x, y) = ([0.3, -0.7, 1.1, 0.4, -0.2, 0.9], [1.0, 2.0, -1.0, 0.5, 3.0, 2.0]);
    let (value, (gx, gy)) = positive_part_grad(&x, &y);
    let kept: Vec<usize> = (0..6).filter(|&i| x[i] > 0.0).collect();
    assert!(common::close(value, kept.iter().map(|&i| x[i] * x[i] * y[i]).sum::<f64>(), 1e-15));
    for i in 0..6 {
        let (wx, wy) = if x[i] > 0.0 { (2.0 * x[i] * y[i], x[i] * x[i]) } else { (0.0, 0.0) };
        assert!(common::close(gx[i], wx, 1e-15) && common::close(gy[i], wy, 1e-15), "d/dx{i}, d/dy{i}");
        assert!(common::close(gx[i], common::central(&|p| positive_part(p, &y), &x, i), 1e-8));
    }
    let (dx, dy) = (common::direction(6, 3), common::direction(6, 5));
    let (_, t) = positive_part_jvp(&x, &y, dx.clone(), dy.clone());
    let want: f64 = gx.iter().zip(&dx).chain(gy.iter().zip(&dy)).map(|(a, b)| a * b).sum();
    assert!(common::close(t, want, 1e-13));
}
