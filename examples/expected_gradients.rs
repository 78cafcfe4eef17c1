//! Article 004, "Why isn't gradient tape producing the expected gradients?", as tapeless code: `cargo run --example expected_gradients`.
//!
//! The functions are in examples/article/expected_gradients.rs, each with a comment saying what TensorFlow 2.21
//! really does for that case (shared/tape-cases/TRUTH.md); the rows printed here compute what
//! tapeless does. Cases tapeless rejects show the compiler's message from tests/ui/.

mod article;

fn main() {
    println!("Article 004: Why isn't gradient tape producing the expected gradients?\n");
    article::print(&article::expected_gradients::rows(), "004");
}
