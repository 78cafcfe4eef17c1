// A method's own attribute in a generic `impl<T: Float>` block reads the block's bounds from
// the prescan of the file (tests/impls.rs). A block a `macro_rules!` writes is not in the file
// as such: `T` stays the impl's unknown parameter, and the help says how to give its bounds.
use num_traits::Float;
use tapeless::differentiable;

pub struct Problem<T> {
    pub data: Vec<T>,
}

macro_rules! problem_impl {
    () => {
        impl<T: Float> Problem<T> {
            #[differentiable]
            pub fn cost(&self, p: &[T]) -> T {
                let mut s = T::zero();
                for (i, &d) in self.data.iter().enumerate() {
                    s = s + (p[i % p.len()] - d).powi(2);
                }
                s
            }
        }
    };
}

problem_impl!();

fn main() {}
