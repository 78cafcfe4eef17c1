use tapeless::differentiable;

// `cycle` is not an adaptor the macro desugars: repeat the sequence with an index modulo its
// length instead.
#[differentiable]
fn repeated(x: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for v in x.iter().cycle().take(n) {
        s += v * v;
    }
    s
}

fn main() {}
