// `let ... else` takes an element looked up by `x.get(i)`, `x.first()` or `x.last()`, or takes
// apart a constant named by a variable; of another value it is our error, which says what works.
use tapeless::differentiable;

#[differentiable]
fn head(x: &[f64]) -> f64 {
    let Some(v) = x.iter().next() else {
        return 0.0;
    };
    v * 2.0
}

fn main() {}
