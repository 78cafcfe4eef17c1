use num_traits::Float;
use tapeless::differentiable;

pub struct Model<T> {
    pub w: Vec<T>,
}

// `T` is the impl's: the attribute on the method cannot see its `Float` bound, also when the
// parameters to differentiate are listed.
impl<T: Float + std::iter::Sum> Model<T> {
    #[differentiable(wrt(x))]
    pub fn predict(&self, x: &[T]) -> T {
        self.w.iter().zip(x).map(|(&w, &xi)| w * xi).sum::<T>().tanh()
    }
}

fn main() {}
