//! Every article case, side by side with what TensorFlow 2.21 really does
//! (shared/tape-cases/TRUTH.md): `cargo run --release --example cases`.
//!
//! Cases tapeless accepts are computed here; cases it rejects cannot be compiled into this
//! program, so their row shows the first line of the real compiler error, read from the ui test
//! snapshot in tests/ui/.

mod article;

fn main() {
    println!("tapeless: the article cases, side by side with TensorFlow 2.21 (shared/tape-cases/TRUTH.md)\n");
    let mut rows = Vec::new();
    rows.extend(article::outer_product::rows());
    rows.extend(article::watching_and_scope::rows());
    rows.extend(article::conv_outputs::rows());
    rows.extend(article::numerical_functions::rows());
    rows.extend(article::expected_gradients::rows());
    article::print(&rows, "");
}
