//! Every article case, side by side with what TensorFlow 2.21 really does
//! (shared/tape-cases/TRUTH.md): `cargo run --release --example cases`.
//!
//! Cases tapeless accepts are computed here; cases it rejects cannot be compiled into this
//! program, so their row shows the first line of the real compiler error, read from the ui test
//! snapshot in tests/ui/.

mod article;

use article::*;

fn fmt(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|v| format!("{}", (v * 1e6).round() / 1e6)).collect();
    if items.len() == 1 { items[0].clone() } else { format!("[{}]", items.join(", ")) }
}

fn main() {
    let mut rows: Vec<(&str, &str, String, String)> = Vec::new();

    let (z, (t, _)) = outer2_jvp(1.0, 2.0, 3.0, 4.0, 1.0, 0.0, 0.0, 0.0);
    let (_, pullback) = outer2_vjp(1.0, 2.0, 3.0, 4.0);
    let (x0, x1, y0, y1) = pullback(((1.0, 1.0), (1.0, 1.0)));
    rows.push((
        "000-ex1",
        "[7. 7.] (sums z silently)",
        format!("z = {:?}; JVP dx=[1,0]: row 0 = {:?}; VJP(ones): [{x0}, {x1}], [{y0}, {y1}]", z, t),
        "outer product, non-scalar result".into(),
    ));
    let (loss, (a, b, c, d)) = outer2_sum_grad(1.0, 2.0, 3.0, 4.0);
    rows.push((
        "000-ex2/3",
        "RuntimeError on the 2nd gradient() call",
        format!("loss {loss}; dx = {}, dy = {} (any number of queries)", fmt(&[a, b]), fmt(&[c, d])),
        "sum of the outer product".into(),
    ));
    let (_, (gx, gy)) = product_grad(1.0, 2.0);
    rows.push(("001-ex1", "2.0 1.0 (article claims None None)", fmt(&[gx, gy]), "product rule".into()));
    let (_, g) = affine_grad(1.0);
    rows.push(("001-ex2", "2.0 (article claims None)", fmt(&[g]), "variable created anywhere".into()));
    let g: Vec<f64> = [1.0, 0.0, -1.0].iter().map(|&x| branch_001_grad(x).1).collect();
    rows.push((
        "001-ex3",
        "2.0 / 1.0 / 1.0 at x = 1, 0, -1",
        format!("{} with piecewise(x > 0)", fmt(&g)),
        "branch on x".into(),
    ));
    let g = set_in_branch_grad(-1.0).1;
    rows.push((
        "001-ex3'",
        "None at x = -1 (silent)",
        format!("{} with piecewise", fmt(&[g])),
        "value set in one branch".into(),
    ));
    let g: Vec<f64> = [2.0, 0.5, 1.0].iter().map(|&x| kinked_grad(x).1).collect();
    rows.push((
        "003-ex2",
        "4.0 / 1.0 / 1.0 at x = 2, 0.5, 1 (correct)",
        format!("{} with piecewise", fmt(&g)),
        "x² if x > 1 else x".into(),
    ));
    let (y, (ga, gb)) = lse_grad(1.0, 2.0);
    rows.push((
        "003-ex3",
        "AttributeError; None when re-wrapped",
        format!("{} ; grad {} via hand-written _jvp/_vjp", fmt(&[y]), fmt(&[ga, gb])),
        "opaque logsumexp".into(),
    ));
    rows.push((
        "004-ex1",
        "None for a tf.constant (silent)",
        fmt(&[scale_grad(2.0, 3.0).1]),
        "w * x wrt w".into(),
    ));
    rows.push(("004-ex2b", "6.0", fmt(&[doubled_grad(2.0, 3.0).1]), "2 w x wrt w".into()));
    rows.push((
        "004-text1",
        "1.0 (float cast)",
        fmt(&[f64::from(widen_grad(2.7).1)]),
        "cast f32 -> f64".into(),
    ));
    rows.push(("004-text1", "3.0", fmt(&[times_rounded_grad(2.7).1]), "v * no_grad(round v)".into()));
    rows.push((
        "004-text2",
        "None for w (assign cuts it)",
        fmt(&[assigned_grad(2.0).1]),
        "v = 3w; v * v".into(),
    ));
    let (_, (g1, g2)) = overwrite_grad(1.0, 2.0, 3.0);
    rows.push((
        "004-text2",
        "[40. 4. 6.] (mutated state)",
        format!("d/d(a1, a2) = {}", fmt(&[g1, g2])),
        "a0 = 10 a1; sum a²".into(),
    ));

    println!("tapeless: the article cases, side by side with TensorFlow 2.21 (shared/tape-cases/TRUTH.md)\n");
    println!("{:<13} | {:<38} | {:<44} | tapeless", "case", "construct", "TensorFlow 2.21");
    println!("{}", "-".repeat(150));
    for (id, tape, ours, what) in &rows {
        println!("{id:<13} | {what:<38} | {tape:<44} | {ours}");
    }
    for r in REJECTED {
        println!(
            "{:<10} | {:<30} | {:<44} | rejected at compile time: {}",
            r.id,
            r.construct,
            r.tape,
            r.headline()
        );
    }
    println!("\nNot yet in the tour (they need arrays and loops): 002 (conv2d), 004-ex3 (boolean mask).");
}
