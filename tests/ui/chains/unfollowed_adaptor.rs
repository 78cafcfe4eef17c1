// An adaptor no chain follows (`cycle`, `peekable`, `flat_map` before `skip`, ..) over
// differentiable values: our error at the adaptor, with the adaptors that are followed. (It
// was "no derivative is known for method `iter`", at the source.)
use tapeless::differentiable;

#[differentiable]
fn repeated(x: &[f64]) -> f64 {
    x.iter().cycle().take(5).sum()
}

fn main() {}
