// An azimuth wrapped into [0, 2π) (a geodesy crate's `atan2(..).rem_euclid(2π)`): the slope of
// `rem_euclid` in the angle is 1 between the jumps, which the error says how to keep.
use tapeless::differentiable;

#[differentiable]
fn azimuth(east: f64, north: f64) -> f64 {
    east.atan2(north).rem_euclid(2.0 * std::f64::consts::PI)
}

fn main() {}
