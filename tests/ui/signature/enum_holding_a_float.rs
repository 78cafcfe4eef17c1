use tapeless::differentiable;

// `Squared` holds nothing, but `Huber` holds a float that could be meant to be differentiated:
// the type is not taken as a constant by itself (`Options` of integers would be).
enum Loss {
    Squared,
    Huber(f64),
}

#[differentiable]
fn loss(r: f64, kind: Loss) -> f64 {
    match kind {
        Loss::Squared => r * r,
        Loss::Huber(d) => d * r.abs(),
    }
}

fn main() {}
