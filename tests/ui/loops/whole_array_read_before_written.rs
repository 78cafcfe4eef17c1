// A vector read whole (`r.norm()`) in a loop that writes it later in the same iteration: the
// reverse sweep keeps one copy per iteration, taken at the iteration's end, which is not what
// the read saw. Our error at the read; reading a copy made before the writes
// (`let before = r.clone();`) works (tests/loop_arrays.rs).
use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable]
fn norms(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    let mut r = DVector::from_element(n, 1.0);
    for k in 0..m {
        s += r.norm();
        for i in 0..n {
            r[i] = x[i] * (k as f64 + 1.0);
        }
    }
    s
}

fn main() {}
