//! Unit vectors made by nalgebra's `Unit::new_normalize(v)` (`UnitVector3::new_normalize`), as
//! geometry code writes directions: held as `v.normalize()`, read through `Deref`
//! (`u.dot(&w)`), `*u`, `u.into_inner()` and `u.as_ref()`, also bound with their type
//! (`let k: UnitVector3<f64> = ..`). Before, "`Unit::new_normalize` of a differentiable value
//! is not supported". Checked against closed forms, central differences, forward against
//! reverse, and the Hessian against central differences of `_grad`.

mod common;

use common::{central, close};
use nalgebra::{Unit, UnitVector3, Vector3};
use tapeless::differentiable;

/// `û · w` with `û = v / |v|`.
#[differentiable(hessian)]
fn projection(v: Vector3<f64>, w: Vector3<f64>) -> f64 {
    let u = Unit::new_normalize(v);
    u.dot(&w)
}

/// Every way of reading a unit vector: `2 û_x + |û × k̂| + k̂_z`, `k̂` the direction of `w + v`.
#[differentiable]
fn readings(v: Vector3<f64>, w: Vector3<f64>) -> f64 {
    let u = Unit::new_normalize(v);
    let k: UnitVector3<f64> = UnitVector3::new_normalize(w + v);
    let direction: Vector3<f64> = *u;
    direction.x * 2.0 + u.into_inner().cross(&k).norm() + k.as_ref().z
}

fn flat(v: Vector3<f64>, w: Vector3<f64>) -> [f64; 6] {
    [v.x, v.y, v.z, w.x, w.y, w.z]
}

fn split(p: &[f64]) -> (Vector3<f64>, Vector3<f64>) {
    (Vector3::new(p[0], p[1], p[2]), Vector3::new(p[3], p[4], p[5]))
}

const POINTS: [([f64; 3], [f64; 3]); 3] = [
    ([0.3, -0.4, 0.7], [1.0, 0.5, -0.2]),
    ([2.0, 0.1, 0.2], [-0.3, 0.8, 0.4]),
    ([-1.0, 1.5, 0.5], [0.2, 0.2, 1.0]),
];

#[test]
fn a_projection_on_a_direction_first_and_second_order() {
    for (v, w) in POINTS {
        let (v, w) = (Vector3::from(v), Vector3::from(w));
        let (y, (gv, gw)) = projection_grad(v, w);
        let (n, u) = (v.norm(), v / v.norm());
        assert!(close(y, u.dot(&w), 1e-15));
        assert!((gw - u).norm() < 1e-15);
        let want = (w - u * u.dot(&w)) / n;
        assert!((gv - want).norm() < 1e-14, "{gv} vs {want}");
        let p = flat(v, w);
        let f = |q: &[f64]| {
            let (a, b) = split(q);
            projection(a, b)
        };
        for (i, g) in flat(gv, gw).into_iter().enumerate() {
            assert!(close(g, central(&f, &p, i), 1e-8));
        }
        let (dv, dw) = (Vector3::new(0.2, -0.1, 0.4), Vector3::new(-0.5, 0.3, 0.1));
        let (_, t) = projection_jvp(v, w, dv, dw);
        let (_, pullback) = projection_vjp(v, w);
        let (bv, bw) = pullback(0.7);
        assert!(close(0.7 * t, bv.dot(&dv) + bw.dot(&dw), 1e-14));
        // The Hessian against central differences of `_grad`; ∂²/∂w² = 0.
        let (_, _, h) = projection_hessian(v, w);
        for r in 0..6 {
            let column: Vec<f64> = (0..6)
                .map(|c| {
                    central(
                        &|q: &[f64]| {
                            let (a, b) = split(q);
                            let (ga, gb) = projection_grad(a, b).1;
                            flat(ga, gb)[r]
                        },
                        &p,
                        c,
                    )
                })
                .collect();
            for c in 0..6 {
                assert!(close(h[(r, c)], column[c], 1e-7), "H[{r},{c}] = {} vs {}", h[(r, c)], column[c]);
                assert!(close(h[(r, c)], h[(c, r)], 1e-12));
                if r >= 3 && c >= 3 {
                    assert_eq!(h[(r, c)], 0.0);
                }
            }
        }
    }
}

#[test]
fn a_unit_vector_read_every_way() {
    for (v, w) in POINTS {
        let (v, w) = (Vector3::from(v), Vector3::from(w));
        let (y, (gv, gw)) = readings_grad(v, w);
        let (u, k) = (v.normalize(), (w + v).normalize());
        assert!(close(y, 2.0 * u.x + u.cross(&k).norm() + k.z, 1e-14));
        let p = flat(v, w);
        let f = |q: &[f64]| {
            let (a, b) = split(q);
            readings(a, b)
        };
        for (i, g) in flat(gv, gw).into_iter().enumerate() {
            let fd = central(&f, &p, i);
            assert!(close(g, fd, 1e-8), "d{i}: {g} vs {fd}");
        }
        let (dv, dw) = (Vector3::new(0.2, -0.1, 0.4), Vector3::new(-0.5, 0.3, 0.1));
        let (_, t) = readings_jvp(v, w, dv, dw);
        assert!(close(t, gv.dot(&dv) + gw.dot(&dw), 1e-13));
    }
}
