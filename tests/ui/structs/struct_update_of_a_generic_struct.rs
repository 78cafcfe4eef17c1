use tapeless::differentiable;

// `..base` is written out field by field for a struct whose one definition the macro reads
// (tests/struct_locals.rs); a generic one's fields are not known to be those: our error, with
// the fix.
#[derive(Clone, Copy)]
pub struct Pair<T> {
    pub a: T,
    pub b: T,
}

#[differentiable]
fn swapped(x: f64, y: f64) -> f64 {
    let p = Pair { a: x, b: y };
    let q = Pair { a: p.b * 2.0, ..p };
    q.a * q.b
}

fn main() {}
