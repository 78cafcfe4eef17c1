//! Article 000, "Why does tf.GradientTape with outer product return None?", as tapeless code: `cargo run --example outer_product`.
//!
//! The functions are in examples/article/outer_product.rs, each with a comment saying what TensorFlow 2.21
//! really does for that case (shared/tape-cases/TRUTH.md); the rows printed here compute what
//! tapeless does. Cases tapeless rejects show the compiler's message from tests/ui/.

mod article;

fn main() {
    println!("Article 000: Why does tf.GradientTape with outer product return None?\n");
    article::print(&article::outer_product::rows(), "000");
}
