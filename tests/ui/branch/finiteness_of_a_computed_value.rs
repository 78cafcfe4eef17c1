use tapeless::differentiable;

// A finiteness test of an input switches only at NaN or infinity; of a computed value it
// switches at a real input (here x = 0), like any comparison.
#[differentiable]
fn indicator(x: f64) -> f64 {
    if (1.0 / x).is_finite() { x.sin() } else { 0.0 }
}

fn main() {}
