// A function without the attribute in another module is not written out at the call: its body
// reads that module's private items (`SCALE`, `inner`), which the caller cannot see. The call is
// our error, where writing it out would have been rustc's "cannot find value" in generated code.
use tapeless::differentiable;

mod external {
    const SCALE: f64 = 2.0;

    fn inner(a: f64) -> f64 {
        a * a
    }

    pub fn scaled_square(a: f64) -> f64 {
        SCALE * inner(a)
    }
}

#[differentiable]
fn g(x: f64) -> f64 {
    external::scaled_square(x)
}

fn main() {}
