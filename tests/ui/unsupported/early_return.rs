use tapeless::differentiable;

#[differentiable]
fn f(x: f64, clamp: bool) -> f64 {
    if clamp {
        return 0.0;
    }
    x * 2.0
}

fn main() {}
