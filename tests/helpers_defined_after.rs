//! Helpers defined after their callers in the same file: the macro reads the file once before
//! its first function expands (`signature::prescan`), so a call passes exactly the slots the
//! helper differentiates, whatever the order. Before, a helper with a `wrt(..)` subset, or with
//! an integer parameter given a value the caller cannot type (`cfg.order`), defined after its
//! caller, got rustc's argument-count error in generated code. The shapes are those of a
//! geodesy crate (an ellipsoid passed as a constant enum), of a series with its order in a
//! configuration struct, and of associated functions called as `Self::power(x, self.order)`.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use tapeless::differentiable;

/// A reference ellipsoid, passed as a constant.
#[derive(Clone, Copy)]
pub enum Ellipsoid {
    Wgs84,
    Sphere,
}

impl Ellipsoid {
    /// Semi-major axis and squared eccentricity.
    fn parameters(self) -> (f64, f64) {
        match self {
            Ellipsoid::Wgs84 => (6378137.0, 6.694379990141317e-3),
            Ellipsoid::Sphere => (6371000.0, 0.0),
        }
    }
}

/// The distance from the centre of a point given by latitude, longitude and altitude: calls
/// `to_ecef`, defined below, which calls `radius_normal`, defined below it.
#[differentiable(wrt(lat, lon, alt))]
fn distance_from_centre(lat: f64, lon: f64, alt: f64, ellipsoid: Ellipsoid) -> f64 {
    let (x, y, z) = to_ecef(lat, lon, alt, ellipsoid);
    (x * x + y * y + z * z).sqrt()
}

/// Earth-centred coordinates.
#[differentiable(wrt(lat, lon, alt))]
fn to_ecef(lat: f64, lon: f64, alt: f64, ellipsoid: Ellipsoid) -> (f64, f64, f64) {
    let n = radius_normal(lat, ellipsoid);
    let (_, e2) = ellipsoid.parameters();
    let x = (n + alt) * lat.cos() * lon.cos();
    let y = (n + alt) * lat.cos() * lon.sin();
    let z = (n * (1.0 - e2) + alt) * lat.sin();
    (x, y, z)
}

/// The prime vertical radius of curvature.
#[differentiable(wrt(lat))]
fn radius_normal(lat: f64, ellipsoid: Ellipsoid) -> f64 {
    let (a, e2) = ellipsoid.parameters();
    a / (1.0 - e2 * lat.sin().powi(2)).sqrt()
}

#[test]
fn a_chain_of_helpers_each_defined_after_its_caller() {
    let (a, e2) = Ellipsoid::Wgs84.parameters();
    for (lat, lon, alt) in [(0.6, -1.2, 350.0), (-0.3, 2.5, 10.0), (1.1, 0.2, 2500.0)] {
        let (value, pullback) = distance_from_centre_vjp(lat, lon, alt, Ellipsoid::Wgs84);
        assert_eq!(value, distance_from_centre(lat, lon, alt, Ellipsoid::Wgs84));
        let g = pullback(1.0);
        let g = [g.0, g.1, g.2];
        // On a sphere the distance is `a + alt`: its gradient is (0, 0, 1) exactly.
        let (_, sphere) = distance_from_centre_vjp(lat, lon, alt, Ellipsoid::Sphere);
        let s = sphere(1.0);
        assert!(s.0.abs() < 1e-9 && s.1.abs() < 1e-12 && close(s.2, 1.0, 1e-14), "{s:?}");
        // The innermost helper against its closed form: dN/dlat = a e² sin cos / (1 - e² sin²)^1.5.
        let (_, dn) = radius_normal_jvp(lat, Ellipsoid::Wgs84, 1.0);
        let w = 1.0 - e2 * lat.sin().powi(2);
        assert!(close(dn, a * e2 * lat.sin() * lat.cos() / w.powf(1.5), 1e-13), "dN/dlat {dn}");
        // The distance does not depend on the longitude (the ellipsoid is symmetric about its axis).
        assert!(g[1].abs() < 1e-9, "d/dlon {}", g[1]);
        let f = |p: &[f64]| distance_from_centre(p[0], p[1], p[2], Ellipsoid::Wgs84);
        // Central differences at the scale of the inputs (metres against radians).
        let (h_angle, h_alt) = (1e-4, 1e-2);
        let d_lat = (f(&[lat + h_angle, lon, alt]) - f(&[lat - h_angle, lon, alt])) / (2.0 * h_angle);
        let d_alt = (f(&[lat, lon, alt + h_alt]) - f(&[lat, lon, alt - h_alt])) / (2.0 * h_alt);
        assert!(close(g[0], d_lat, 1e-6), "d/dlat {} against {d_lat}", g[0]);
        assert!(close(g[2], d_alt, 1e-6), "d/dalt {} against {d_alt}", g[2]);
        let v = [0.3, -0.7, 12.0];
        let (_, t) = distance_from_centre_jvp(lat, lon, alt, Ellipsoid::Wgs84, v[0], v[1], v[2]);
        forward_against_reverse("distance_from_centre", t, &v, 1.0, &g, 1e-12);
        // The tuple-valued helper, forward against reverse with a cotangent of each output.
        let (_, (tx, ty, tz)) = to_ecef_jvp(lat, lon, alt, Ellipsoid::Wgs84, v[0], v[1], v[2]);
        let (_, pullback) = to_ecef_vjp(lat, lon, alt, Ellipsoid::Wgs84);
        let u = (0.4, -1.1, 0.9);
        let back = pullback(u);
        let lhs = u.0 * tx + u.1 * ty + u.2 * tz;
        let rhs = back.0 * v[0] + back.1 * v[1] + back.2 * v[2];
        assert!(close(lhs, rhs, 1e-12), "<u, J v> {lhs} against <Jᵀ u, v> {rhs}");
    }
}

/// A series whose order is in a configuration struct.
pub struct Config {
    pub order: u32,
    pub scale: f64,
}

/// An integer parameter is never differentiated: defined before its caller.
#[differentiable]
fn power_before(x: f64, n: u32) -> f64 {
    x.powi(n as i32)
}

/// `power_before` and `power_after` called with the order read from `cfg`, a value whose type
/// the caller cannot see: both get exactly one tangent, for `x`.
#[differentiable(wrt(x))]
fn series(x: f64, cfg: &Config) -> f64 {
    cfg.scale * power_after(x, cfg.order)
        + power_before(x, cfg.order)
        + later::damped(x, cfg.scale, cfg.order)
}

/// As `power_before`, defined after its caller.
#[differentiable]
fn power_after(x: f64, n: u32) -> f64 {
    x.powi(n as i32) / (n as f64)
}

mod later {
    /// In a module below the caller, with a `wrt(..)` subset and an integer parameter.
    #[tapeless::differentiable(wrt(x))]
    pub fn damped(x: f64, k: f64, n: u32) -> f64 {
        (k * x).sin() * n as f64
    }
}

#[test]
fn integer_parameters_given_values_of_a_struct() {
    for (x, order, scale) in [(1.5, 3, 0.5), (0.7, 5, 2.0), (-1.2, 2, 1.3)] {
        let cfg = Config { order, scale };
        let (value, pullback) = series_vjp(x, &cfg);
        assert_eq!(value, series(x, &cfg));
        let g = pullback(1.0);
        let n = f64::from(order);
        let exact =
            scale * x.powi(order as i32 - 1) + n * x.powi(order as i32 - 1) + scale * (scale * x).cos() * n;
        assert!(close(g, exact, 1e-13), "d/dx {g} against {exact}");
        gradient_central("series", &|p| series(p[0], &cfg), &[x], &[g], 1e-7);
        let (_, t) = series_jvp(x, &cfg, 0.6);
        forward_against_reverse("series", t, &[0.6], 1.3, &[series_vjp(x, &cfg).1(1.3)], 1e-12);
    }
}

/// A spring whose stiffness is a constant of the method, and a helper method defined after.
pub struct Spring {
    pub k: f64,
}

impl Spring {
    #[differentiable(wrt(x))]
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * x * x + self.scale(x)
    }

    #[differentiable(wrt(x))]
    fn scale(&self, x: f64) -> f64 {
        self.k * x.sin()
    }
}

#[test]
fn a_method_defined_after_its_caller() {
    let spring = Spring { k: 2.5 };
    for x in [0.3, -1.4, 2.2] {
        let (value, g) = spring.energy_grad(x);
        assert_eq!(value, spring.energy(x));
        let exact = spring.k * x + spring.k * x.cos();
        assert!(close(g, exact, 1e-14), "{g} against {exact}");
        gradient_central("energy", &|p| spring.energy(p[0]), &[x], &[g], 1e-8);
        let (_, t) = spring.energy_jvp(x, -0.4);
        forward_against_reverse("energy", t, &[-0.4], 0.8, &[spring.energy_vjp(x).1(0.8)], 1e-12);
    }
}

/// An `impl` block with the attribute: an associated function with an integer parameter,
/// called as `Self::power(x, self.order)` and `Series::power(x, 2)`; and the same in a block
/// generic over its float type.
pub struct Series {
    pub order: u32,
    pub scale: f64,
}

#[differentiable(wrt(x))]
impl Series {
    fn energy(&self, x: f64) -> f64 {
        self.scale * Self::power(x, self.order) + Series::power(x, 2)
    }

    fn power(x: f64, n: u32) -> f64 {
        x.powi(n as i32)
    }
}

pub struct GenericSeries<T> {
    pub order: u32,
    pub scale: T,
}

#[differentiable(wrt(x))]
impl<T: num_traits::Float> GenericSeries<T> {
    fn energy(&self, x: T) -> T {
        self.scale * Self::power(x, self.order)
    }

    fn power(x: T, n: u32) -> T {
        x.powi(n as i32)
    }
}

#[test]
fn associated_functions_called_through_self() {
    for (x, order, scale) in [(1.5, 3, 0.5), (0.7, 5, 2.0), (-1.2, 4, 1.3)] {
        let series = Series { order, scale };
        let (value, g) = series.energy_grad(x);
        assert_eq!(value, series.energy(x));
        let exact = scale * f64::from(order) * x.powi(order as i32 - 1) + 2.0 * x;
        assert!(close(g, exact, 1e-13), "{g} against {exact}");
        gradient_central("energy", &|p| series.energy(p[0]), &[x], &[g], 1e-7);
        let (_, t) = series.energy_jvp(x, 0.3);
        forward_against_reverse("energy", t, &[0.3], 1.0, &[g], 1e-13);
        let generic = GenericSeries { order, scale };
        let (value, g) = generic.energy_grad(x);
        assert_eq!(value, generic.energy(x));
        let exact = scale * f64::from(order) * x.powi(order as i32 - 1);
        assert!(close(g, exact, 1e-13), "generic: {g} against {exact}");
        let (_, t) = generic.energy_jvp(x, -0.6);
        forward_against_reverse("generic energy", t, &[-0.6], 1.0, &[g], 1e-13);
    }
}

/// A routine whose derivatives are written by hand, by the naming convention (`softplus_jvp`,
/// `softplus_vjp`), below its caller: it composes, and is not taken for a function without a
/// derivative.
#[differentiable]
fn uses_hand_written(x: f64) -> f64 {
    softplus(2.0 * x) * x
}

fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn softplus_jvp(x: f64, dx: f64) -> (f64, f64) {
    (softplus(x), dx / (1.0 + (-x).exp()))
}

fn softplus_vjp(x: f64) -> (f64, impl FnOnce(f64) -> f64) {
    (softplus(x), move |ct: f64| ct / (1.0 + (-x).exp()))
}

#[test]
fn a_routine_with_derivatives_written_by_hand() {
    for x in [0.3, -1.1, 2.4] {
        let (value, g) = uses_hand_written_grad(x);
        assert!(close(value, softplus(2.0 * x) * x, 1e-15));
        let sigma = 1.0 / (1.0 + (-2.0 * x).exp());
        let exact = 2.0 * sigma * x + softplus(2.0 * x);
        assert!(close(g, exact, 1e-14), "{g} against {exact}");
        gradient_central("uses_hand_written", &|p| uses_hand_written(p[0]), &[x], &[g], 1e-8);
        let (_, t) = uses_hand_written_jvp(x, 0.5);
        forward_against_reverse("uses_hand_written", t, &[0.5], 1.0, &[g], 1e-14);
    }
}
