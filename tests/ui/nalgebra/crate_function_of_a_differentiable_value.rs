// A function of nalgebra's root (`nalgebra::wrap`, `na::clamp`) has no derivative the macro
// knows: our error at the call, on a differentiable value. (It was rustc's "cannot find function
// `wrap_jvp` in crate `nalgebra`" until the forty-second session.) `nalgebra::distance` and
// `nalgebra::center` of points are written out (tests/points.rs).
use tapeless::differentiable;

#[differentiable]
fn wrapped(x: f64, lo: f64) -> f64 {
    let w = nalgebra::wrap(x * 3.0, lo, 1.0);
    w * w
}

fn main() {}
