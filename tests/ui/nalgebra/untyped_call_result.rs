// A call's result bound without its type, of a function whose declared result the macro cannot
// read as a collection (a type alias): a reference to it is our error, with the type to write.
// (`-> DVector<f64>` written out is read, `signature::results`.)
use nalgebra::DVector;
use tapeless::differentiable;

type Values = DVector<f64>;

#[differentiable]
fn sines(v: DVector<f64>) -> Values {
    v.map(|e| e.sin())
}

#[differentiable]
fn total(x: DVector<f64>) -> f64 {
    let y = sines(x.clone());
    (&y + &x).sum()
}

fn main() {}
