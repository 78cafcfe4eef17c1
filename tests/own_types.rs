//! A vector type of the crate's own, with its operators and methods (`impl Sub for Vec2`,
//! `fn norm(self)`), used on differentiated values: the operators and methods are written out
//! where they are used (`lower::typed`). Checked against central differences and forward mode
//! against reverse mode.

use std::ops::{Add, AddAssign, Mul, Sub};

use tapeless::differentiable;

mod common;

use common::close;

/// A point of the plane; `#[no_ops]`: it has operators of its own.
#[derive(Clone, Copy, Debug, PartialEq, tapeless::Differentiable)]
#[no_ops]
pub struct Vec2 {
    x: f64,
    y: f64,
}

impl Add for Vec2 {
    type Output = Vec2;
    fn add(self, o: Vec2) -> Vec2 {
        Vec2 { x: self.x + o.x, y: self.y + o.y }
    }
}

impl Sub for Vec2 {
    type Output = Vec2;
    fn sub(self, o: Vec2) -> Vec2 {
        Vec2 { x: self.x - o.x, y: self.y - o.y }
    }
}

impl Mul<f64> for Vec2 {
    type Output = Vec2;
    fn mul(self, k: f64) -> Vec2 {
        Vec2 { x: self.x * k, y: self.y * k }
    }
}

impl Mul<Vec2> for f64 {
    type Output = Vec2;
    fn mul(self, v: Vec2) -> Vec2 {
        Vec2 { x: self * v.x, y: self * v.y }
    }
}

impl AddAssign for Vec2 {
    fn add_assign(&mut self, o: Vec2) {
        self.x += o.x;
        self.y += o.y;
    }
}

impl Vec2 {
    fn dot(self, o: Vec2) -> f64 {
        self.x * o.x + self.y * o.y
    }

    fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }
}

/// A chain of springs of rest length 1, a pull of the centroid to the origin, and the first
/// bond's length and the first bond's midpoint: operators on elements, a method of an operator's
/// result, `+=` on a local, a float times a point.
#[differentiable(wrt(pos))]
fn chain_energy(pos: &[Vec2], k: f64) -> f64 {
    let mut e = 0.0;
    for i in 0..pos.len() - 1 {
        let d = pos[i + 1] - pos[i];
        e += 0.5 * k * (d.norm() - 1.0).powi(2);
    }
    let mut c = Vec2 { x: 0.0, y: 0.0 };
    for p in pos {
        c += *p * (1.0 / pos.len() as f64);
    }
    let mid = 0.5 * (pos[0] + pos[1]);
    e + c.dot(c) + (pos[0] - pos[1]).norm() + 0.25 * mid.dot(mid)
}

fn flat(pos: &[Vec2]) -> Vec<f64> {
    pos.iter().flat_map(|p| [p.x, p.y]).collect()
}

fn unflat(x: &[f64]) -> Vec<Vec2> {
    x.chunks(2).map(|c| Vec2 { x: c[0], y: c[1] }).collect()
}

#[test]
fn operators_and_methods_of_an_own_vector_type() {
    let shapes = [
        vec![Vec2 { x: 0.0, y: 0.0 }, Vec2 { x: 1.2, y: 0.1 }, Vec2 { x: 2.0, y: 1.0 }],
        vec![Vec2 { x: -0.3, y: 0.4 }, Vec2 { x: 0.5, y: -0.6 }],
        vec![
            Vec2 { x: 0.1, y: 0.2 },
            Vec2 { x: 0.9, y: 0.7 },
            Vec2 { x: 1.1, y: 1.9 },
            Vec2 { x: 2.5, y: 2.0 },
        ],
    ];
    let k = 3.0;
    for pos in &shapes {
        let (value, g) = chain_energy_grad(pos, k);
        assert!(close(value, chain_energy(pos, k), 1e-15));
        // Central differences over every coordinate.
        let x = flat(pos);
        let f = |x: &[f64]| chain_energy(&unflat(x), k);
        let fd = common::central_gradient(f, &x);
        common::assert_close(&flat(&g), &fd, 1e-8, "chain_energy");
        // Forward against reverse along a direction.
        let dir: Vec<Vec2> =
            (0..pos.len()).map(|i| Vec2 { x: 0.3 - 0.2 * i as f64, y: 0.1 + 0.15 * i as f64 }).collect();
        let (_, t) = chain_energy_jvp(pos, k, dir.clone());
        let dot: f64 = g.iter().zip(&dir).map(|(a, b)| a.dot(*b)).sum();
        assert!(close(t, dot, 1e-13), "{t} vs {dot}");
        let (_, pullback) = chain_energy_vjp(pos, k);
        let back = pullback(0.5);
        for (a, b) in back.iter().zip(&g) {
            assert!(close(a.x, 0.5 * b.x, 1e-15) && close(a.y, 0.5 * b.y, 1e-15));
        }
    }
}
