// Two structs named `Params`, one marking `k` `#[no_grad]`: the attribute knows a struct by its
// name, so reading `p.k` as a constant would cut its derivative silently (a zero gradient for
// `k` until the forty-seventh session), and reading it as differentiated would look for it in a
// tangent that may have no such field.
use tapeless::differentiable;

mod fitted {
    use tapeless::Differentiable;
    #[derive(Clone, Debug, Differentiable)]
    pub struct Params {
        pub w: f64,
        #[no_grad]
        pub k: f64,
    }
}

mod free {
    use tapeless::Differentiable;
    #[derive(Clone, Debug, Differentiable)]
    pub struct Params {
        pub w: f64,
        pub k: f64,
    }
}

#[differentiable(wrt(p))]
pub fn energy(p: &free::Params) -> f64 {
    p.w * p.k
}

fn main() {
    let _ = fitted::Params { w: 1.0, k: 1.0 };
    let _ = energy(&free::Params { w: 2.0, k: 3.0 });
}
