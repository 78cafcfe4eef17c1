//! The messages of syntax the macro does not support (yet), each with its help: what
//! `Lowerer::unsupported` and the checks report, at the construct. Grouped by the file that
//! reports them.

use super::Unsupported;

// lower/arrays.rs
pub const CREATING_ARRAY_INSIDE_LOOP_BRANCH: Unsupported = Unsupported {
    what: "creating this array inside a loop or branch",
    help: "create it before the loop and write its elements there (`let mut v = vec![0.0; n];`, then `v[i] = ..` in the loop); an array literal of floats, `[a, b]` or `vec![a, b]` (outside a function generic over its float type), `[0.0; N]`, a copy (`v.clone()`), `vec![0.0; n]` and `collect()` (of any length, also one that changes from one iteration to the next) may stay where they are",
};
pub const COPY_OF_A_RESIZED_VEC: Unsupported = Unsupported {
    what: "a copy, inside a loop, of a `Vec` that the loop replaces by one of another length",
    help: "collect the copy with its element type (`let prev: Vec<f64> = h.iter().copied().collect();`), or read the `Vec` itself until it is replaced (`h = layer.w.iter().map(|row| .. h[j] ..).collect();` reads the old `h` throughout)",
};
pub const VECTOR_FORM: Unsupported = Unsupported { what: "this vector", help: "" };
pub const ROWS_OF_DIFFERENTIABLE_VALUES: Unsupported = Unsupported {
    what: "reading a row of a `Vec` of `Vec`s made in the body that holds differentiable values",
    help: "hold the rows in fixed-size arrays (`[[a, b], [c, d]]` or `vec![[a, b], [c, d]]`), or in one flat `Vec` read at `i * n + j`; a `Vec` of `Vec`s of constants, and a parameter `&[Vec<f64>]`, work",
};
// lower/statements.rs
pub const TYPED_CONSTANT_SECOND_ORDER: Unsupported = Unsupported {
    what: "a typed constant holding a reference or a trait object (`let w: Option<&[f64]> = Some(&[..]);`) under `hessian`",
    help: "read the data directly (`const W: [f64; 3] = [..];`, then `W.iter()`); first order takes it as written",
};
pub const VEC_MACRO: Unsupported =
    Unsupported { what: "this `vec!`", help: "write `vec![value; n]` or `vec![a, b, ..]`" };
// lower/solves.rs
pub const SOLVE_OPTION_READ: Unsupported = Unsupported {
    what: "reading the `Option` of a linear solve other than by `.unwrap()`, `.expect(..)`, `?`, `if let Some(x) = ..`, `match` or `.unwrap_or(..)`",
    help: "unwrap it (`a.lu().solve(&b).unwrap()`), take it apart (`if let Some(x) = a.lu().solve(&b) { .. } else { .. }`), or in a function returning `Option` leave with `a.lu().solve(&b)?` (in one returning `Result`, `.ok_or(e)?`); to test solvability alone, `tapeless::no_grad(a.lu().solve(&b).is_some())`",
};
// lower/rotations.rs
pub const ROTATION_USE: Unsupported = Unsupported {
    what: "this use of a rotation built from angles (`Rotation2::new`, `UnitComplex::new`, `from_euler_angles`, `from_axis_angle`), which is read as its rotation matrix",
    help: "multiply it by a vector, point or matrix or by another rotation built from angles (`r * v`, `r * p`, `r1 * r2`), invert it (`r.inverse()`), use `transform_vector`/`transform_point` and their inverses, `r[(i, j)]`, `r.matrix()` or a 2-D rotation's `angle()`; return or pass on `r.matrix()` (or `r * v`) rather than the rotation, and build it again after a loop or branch; a rotation parameter `q` meets it as its matrix, `q.to_rotation_matrix().into_inner()`",
};
// lower/higher_order.rs
pub const RECURSIVE_HELPER_WITH_CLOSURE: Unsupported = Unsupported {
    what: "a helper that takes a closure and calls itself (or nests more than 16 deep)",
    help: "write the recursion as a loop in the helper",
};
pub const HELPER_WITH_CLOSURE_BODY: Unsupported = Unsupported {
    what: "calling a helper that takes a closure whose signature has `self`, `async` or `...`",
    help: "write it as a free function taking the closure and the values it needs",
};
pub const HELPER_WITH_CLOSURE_GENERIC: Unsupported = Unsupported {
    what: "calling a helper that takes a closure whose body names its type or const parameter in a form with no plain float equivalent",
    help: "the forms written for the caller's float type are `T::zero()`, `T::one()`, `T::from(..).unwrap()`, constants such as `T::epsilon()` and float functions such as `T::sqrt(x)`: write the use in one of them, or the helper for the caller's float type",
};
pub const HELPER_WITH_CLOSURE_SHADOWED_HELP: &str =
    "rename the variable here: written out at this call, the helper's body would read it";
pub const HELPER_WITH_CLOSURE_LEAVES: Unsupported = Unsupported {
    what: "calling a helper that takes a closure whose body uses `?`, or `return` inside a loop within a loop",
    help: "in the helper, leave the inner loop with `break` and return from the outer one (a `return` in a loop, or outside loops, is fine)",
};
// lower/calls.rs
pub const RECURSIVE_CALL: Unsupported = Unsupported {
    what: "a recursive call",
    help: "write the recursion as a loop (`for`/`while` carrying the state)",
};
pub const CALLING_EXPRESSION: Unsupported =
    Unsupported { what: "calling this expression", help: "call a function by its path" };
pub const FROM_FN_FROM_ITERATOR_MATRIX_WHOSE_SIZE: Unsupported = Unsupported {
    what: "`from_fn` or `from_iterator` of a matrix whose size the macro cannot read",
    help: "write the size in the type: `SVector::<f64, 16>::from_fn(..)` or \
           `OVector::<f64, U3>::from_iterator(..)` (a matrix of at most 6 by 6); a `DVector` takes its \
           length: `DVector::from_fn(n, |i, _| ..)`, `DVector::from_iterator(n, ..)`",
};
pub const FROM_ITERATOR_ITERATOR: Unsupported = Unsupported {
    what: "`from_iterator` of this iterator",
    help: "build it from a chain over local arrays or ranges (`x.iter().map(..)`), \
                                     or with `from_fn(|i, j| ..)`",
};
pub const MAP_VALUE: Unsupported = Unsupported {
    what: "`map` on this value",
    help: "`map` takes a closure over a nalgebra value's entries or an iterator chain the macro \
                 reads (a source such as `x.iter()`, adaptors, and an end such as `sum()` or \
                 `collect::<Vec<f64>>()`); an iterator kept as a value, or an adaptor it does not \
                 read, is not followed: end the chain where it is built",
};
pub const CLOSURE_PARAMETER: Unsupported =
    Unsupported { what: "this closure parameter", help: "name it: `|e| ..`" };
pub const CLOSURE_MAP_WITHOUT_EXACTLY_NAMED: Unsupported = Unsupported {
    what: "a closure of `map` without exactly one named parameter",
    help: "write `m.map(|e| ..)`",
};
pub const CLOSURE_BODY: Unsupported = Unsupported { what: "this closure body", help: "" };
pub const DESTRUCTURING_RESULT_PRIMITIVE: Unsupported =
    Unsupported { what: "destructuring the result of a primitive", help: "" };
pub const CONVERTING_VALUE: Unsupported =
    Unsupported { what: "converting this value", help: "convert each float on its own" };
pub const FIXED_PART_OF_DYNAMIC: Unsupported = Unsupported {
    what: "a part of fixed size of a dynamically sized matrix",
    help: "take `rows(i, n)` or `columns(j, n)`, which stay dynamically sized, or \
           `fixed_view::<R, C>(i, j)`, which is static (a matrix with a fixed number of rows and a \
           dynamic number of columns has no tangent type yet)",
};
pub const DYNAMIC_PART_OF_STATIC: Unsupported = Unsupported {
    what: "a part of dynamic size of a statically sized matrix",
    help: "take `fixed_rows::<N>(i)`, `fixed_columns::<N>(j)` or `fixed_view::<R, C>(i, j)`, which \
           stay statically sized (a matrix of mixed static and dynamic dimensions has no tangent \
           type yet)",
};
// lower/closures.rs
pub const CLOSURE_CALLED_DIFFERENT_NUMBER_ARGUMENTS: Unsupported =
    Unsupported { what: "a closure called with a different number of arguments", help: "" };
pub const ROW_OF_A_STRUCT_FIELD: Unsupported = Unsupported {
    what: "a row of a differentiated struct's field whose type the macro cannot see",
    help: "declare the field as `Vec<Vec<f64>>` (or `[[f64; N]; M]`, `Vec<[f64; N]>`) in a struct of this crate, not through an alias, and its rows are read in place; or index the field, `net.w1[i][j]`, or pass the rows as a parameter (`w1: &[Vec<f64>]`)",
};
// lower/control.rs
pub const LOOP_LABEL: Unsupported = Unsupported {
    what: "this loop label",
    help: "`continue 'a` and `break 'a` without a value, from loops that are statements of their blocks, are followed; for a value, assign a variable before `break 'a` and read it after the loop",
};
pub const LOOP_SOURCE: Unsupported = Unsupported {
    what: "this loop source",
    help: "loop over a range `a..b`, the elements of an array, `Vec`, slice or nalgebra value (`v.iter()`, \
                 `&v`), or a chain of them (`enumerate`, `zip`, `chain`, `map`, `skip`, `take`, `rev`, `step_by`, \
                 `windows`, `chunks`, and a last `filter` with `map`s after it)",
};
pub const READ_AFTER_FIRST_ASSIGNED_IN_LOOP: Unsupported = Unsupported {
    what: "reading after the loop a variable that is first assigned inside it",
    help: "give it a value before the loop",
};
pub const WHILE_LET: Unsupported = Unsupported {
    what: "`while let`",
    help: "write the loop over the collection itself (`for v in x.iter()`, `for (i, v) in x.iter().enumerate()`), or as `loop` with a condition on constants",
};
pub const UNTRACKED_LOOP_VARIABLE: Unsupported = Unsupported {
    what: "this loop (a variable it changes could not be tracked)",
    help: "assign the variable with `=` or `+=` in the loop's own body (not through a reference or a closure), or compute its new value into a fresh local",
};
pub const LOOP_CHANGES_SHAPE: Unsupported = Unsupported {
    what: "a loop that changes a variable's shape",
    help: "keep each variable the same shape across iterations (a float stays a float, a tuple keeps its length); build a new value in a fresh local instead",
};
pub const BREAK_CONTINUE_OUTSIDE_LOOP: Unsupported =
    Unsupported { what: "`break`/`continue` outside a loop", help: "" };
pub const LOOP_PATTERN_INDEX: Unsupported =
    Unsupported { what: "this loop pattern", help: "bind the index to a name" };
pub const LOOP_PATTERN_ELEMENT: Unsupported = Unsupported {
    what: "this loop pattern",
    help: "bind each element to a name (`for v in x.iter()`, `for (i, v) in x.iter().enumerate()`, `for (a, b) in x.iter().zip(y)`) and take it apart in the body",
};
pub const IF_LET: Unsupported = Unsupported {
    what: "`if let`",
    help: "bind the value before the `if`; `if let Some(v) = x.get(i)` (or `x.first()`, `x.last()`) is supported",
};
pub const MATCH_PATTERN_BINDS_NAME_REF: Unsupported = Unsupported {
    what: "a `match` pattern that binds a name with `ref`, `mut`, `@` or through `&`",
    help: "bind names plainly (`Some(k) => ..`: by value from a value, by reference from a reference), or bind the whole value (`k => ..`)",
};
// lower/expressions.rs
pub const CLOSURE_USED_OTHER_CALLING_RETURNED: Unsupported = Unsupported {
    what: "a closure used other than by calling it (returned, stored or passed on)",
    help: "call it where it is needed (`f(x)`) or pass it to a helper of this crate that takes a closure (whose body is then written out at the call), or write it as a `#[differentiable]` function",
};
pub const TUPLE_FIELD_OUT_RANGE: Unsupported = Unsupported { what: "a tuple field out of range", help: "" };
pub const ROW_NESTED_ARRAY_TAKEN_WHOLE: Unsupported = Unsupported {
    what: "a row of a nested array taken whole",
    help: "read its entries (`w[i][j]`, `w[i].len()`, `w[i].iter()`, `for row in w.iter()` with \
                 `row[j]`), or pass it straight to a `#[differentiable]` function (`dot(&w[i], x)`, \
                 `dot(row, x)`)",
};
pub const MUTABLE_BORROW_MUT: Unsupported = Unsupported {
    what: "a mutable borrow (`&mut ..`)",
    help: "pass the value and use what the function returns (`let v = scaled(&v);`)",
};
pub const STRUCT_LITERAL_BASE: Unsupported = Unsupported {
    what: "a struct literal with `..base`",
    help: "write every field: `Name { a: x, b: base.b }` (a struct of the crate, not generic, is written out so by the macro)",
};
pub const BREAK_LABEL: Unsupported = Unsupported {
    what: "`break` or `continue` with a label",
    help: "use a plain `break` or `continue` of the innermost loop, with a flag the outer loop tests to leave it too",
};
pub const LABELLED_BLOCK: Unsupported = Unsupported {
    what: "a labelled block left from inside a `match`, a loop or an `if` with an `else`, in a function generic over its float type",
    help: "leave it only from the end of an `if` with no `else` at the block's own level (`if c { ..; break 'a v; }`), or write the block as an `if`/`else`",
};
pub const BREAK_VALUE: Unsupported = Unsupported {
    what: "`break` with a value in a function generic over its float type",
    help: "assign the value to a variable declared before the loop and use a plain `break`: `let mut r = x; loop { .. r = v; break; }`",
};
pub const CLOSURE_HERE: Unsupported = Unsupported {
    what: "a closure here",
    help: "bind it with `let f = |x| ..;` and call it, or write it as a `#[differentiable]` function; a closure may also be passed to a helper of this crate whose parameter takes it (`f: F` with `F: Fn(f64) -> f64`, `impl Fn`, `&dyn Fn`): the helper's body is written out at the call",
};
pub const UNSAFE_BLOCK: Unsupported = Unsupported {
    what: "an `unsafe` block",
    help: "move the unsafe code into a function of constants, or give it a derivative by hand (`f_jvp`/`f_vjp`) and call it",
};
pub const ASYNC_AWAIT: Unsupported = Unsupported {
    what: "`async`/`.await`",
    help: "await outside the differentiated function and pass the values in",
};
pub const LET_CONDITION: Unsupported =
    Unsupported { what: "`let` in a condition", help: "bind the value before the `if`" };
pub const OPERATOR_FUNCTION_DOES_NOT_RETURN: Unsupported = Unsupported {
    what: "the `?` operator in a function that does not return `Result` or `Option`",
    help: "return `Result<f64, E>` or `Option<f64>` from the function, or handle the case with `match`",
};
pub const EXPRESSION_FORM: Unsupported = Unsupported {
    what: "this expression",
    help: "compute it into a local with the arithmetic, calls, loops and branches the macro reads, or in a helper function of constants",
};
pub const OPERATOR_FORM: Unsupported = Unsupported {
    what: "this operator",
    help: "write it with the arithmetic operators (`+ - * /`), comparisons and `!`, or the method it stands for",
};
pub const DESTRUCTURING_ASSIGNMENT: Unsupported = Unsupported {
    what: "this destructuring assignment",
    help: "assign a tuple of as many values (`(a, b) = (b, a + b)`) or a call's results",
};
pub const INDEXED_ASSIGNMENT: Unsupported = Unsupported {
    what: "this indexed assignment",
    help: "write into a local array or `Vec`, or into a local static nalgebra vector or matrix (`q[1] = ..`)",
};
pub const REASSIGNING_WHOLE_ARRAY_INSIDE_LOOP: Unsupported = Unsupported {
    what: "rebinding a slice to another array inside a loop",
    help: "read the arrays by index where they are needed (`if k % 2 == 0 { y[i] } else { x[i] }`), or copy into a `Vec` made before the loop (`let mut s = x.to_vec();`), which may be replaced whole there (`s = y.to_vec();`, keeping its length)",
};
pub const REASSIGNING_WHOLE_STRUCT_INSIDE_LOOP: Unsupported = Unsupported {
    what: "replacing inside a loop a whole struct that has a field other than a float or a static \
           nalgebra value",
    help: "a struct replaced whole in a loop (`s = step(s, dt)`) is carried field by field, which \
           takes fields of `f64` and static nalgebra types (`Vector3<f64>`, `SVector<f64, N>`): \
           hold an array field (`[f64; N]`, `Vec<f64>`) as one of those, or in a variable of its \
           own",
};
pub const STRUCT_REPLACED_BY_UNREAD_VALUE: Unsupported = Unsupported {
    what: "replacing a struct held by its fields with a value the macro cannot read field by field",
    help: "assign a struct literal (`s = State { x, v }`), the result of a differentiable function \
           returning the struct (`s = step(s, dt)`), or the fields one by one (`s.x = ..`)",
};
pub const ASSIGNMENT_ANYTHING_BUT_LOCAL_VARIABLE: Unsupported = Unsupported {
    what: "assignment to anything but a local variable",
    help: "compute the new value into a local variable (an element of a local array, `v[i] = ..`, a part of a local tuple, `t.0 = ..`, a field of a struct built in the body, `s.x = ..`, and a coordinate of a local static nalgebra vector, `q.y = ..`, may be written)",
};
// lower/iterators.rs
// lower/mod.rs
pub const RESULT_WHOSE_TUPLE_SHAPE_DIFFERS: Unsupported =
    Unsupported { what: "a result whose tuple shape differs from the declared result type", help: "" };
// lower/ssa.rs
pub const TUPLE_POSITION: Unsupported = Unsupported {
    what: "a tuple in this position",
    help: "read its parts (`t.0`), or pass it whole to a `#[differentiable]` function; an array, `Vec` or `Option` of tuples of differentiable values is not modelled: keep one array per part (`xs[i]`, `ys[i]`)",
};
// lower/statements.rs
pub const FUNCTION_WITHOUT_RESULT: Unsupported =
    Unsupported { what: "a function without a result", help: "return the value to differentiate" };
pub const EARLY_RETURN_FUNCTION_RESULT_TYPE: Unsupported = Unsupported {
    what: "an early `return` in a function with this result type",
    help: "return `f32`, `f64`, a tuple of them or a `Vec` (its default fills the untaken path)",
};
pub const FUNCTION_BODY_WITHOUT_FINAL_VALUE: Unsupported = Unsupported {
    what: "a function body without a final value",
    help: "end the body with the result expression",
};
pub const STRUCT_PATTERN_COMPUTED_VALUE: Unsupported = Unsupported {
    what: "a struct pattern of a computed value",
    help: "destructure the parameter or local it is computed from (`let Params { a, b } = p;`), or read the fields (`p.a`)",
};
pub const LET_ELSE: Unsupported = Unsupported {
    what: "`let ... else`",
    help: "`let Some(v) = x.get(i) else { .. };` (or `x.first()`, `x.last()`), and a pattern taking apart a constant named by a variable (`let Some(k) = factor else { .. };`), are supported; otherwise `match` the value",
};
pub const TUPLE_PATTERN_DIFFERENT_LENGTH_VALUE: Unsupported =
    Unsupported { what: "a tuple pattern of a different length than its value", help: "" };
pub const PATTERN_FORM: Unsupported =
    Unsupported { what: "this pattern", help: "bind a name, `_` or a tuple of names" };
pub const RETURN_FORM: Unsupported = Unsupported { what: "this `return`", help: "" };
/// A part of an expression kept as written that cannot be renamed: the help
/// `lower::expressions::opaque_help` gives when it has none more precise.
pub const COMPUTE_INTO_A_LOCAL_HELP: &str = "compute this part into a local first (`let w = ..;`, with the loops, branches and calls the macro reads) and use the local here";
pub const MACRO_CALL: Unsupported = Unsupported {
    what: "a macro call",
    help: "macros cannot be looked into; compute the value outside, or call a function \
                 (`assert!`, `println!`, `format!`, `panic!` and their kin are kept as written)",
};
pub const THESE_MACRO_ARGUMENTS: Unsupported =
    Unsupported { what: "these macro arguments", help: "pass expressions separated by commas" };
pub const FALLIBLE_CALL_FORM: Unsupported = Unsupported {
    what: "unwrapping the result of a call read as an elementary function (its path is a rule's, such as `libm::exp`)",
    help: "the call is read as the function with a derivative rule of that path, which returns a plain value: \
           rename the function with the attribute, or call it by a path of its own",
};
pub const ARRAY_PATTERN_VALUE_NOT_PARAMETER: Unsupported = Unsupported {
    what: "an array pattern of a value that is not a parameter or local array",
    help: "destructure a parameter or a local array (`let [a, b] = x;`); a call's result cannot be destructured yet",
};
pub const ARRAY_PATTERN: Unsupported =
    Unsupported { what: "`..` in an array pattern", help: "name every element: `let [a, b, c] = x;`" };
// lower/iterators.rs, lower/places.rs
pub const ITER_MUT_ELEMENT_PASSED_ON: Unsupported = Unsupported {
    what: "this use of an `iter_mut()` element",
    help: "write the element through `*o` (`*o = ..`, `*o += ..`, `.. * *o`) or call a method on it; \
     it is not followed when passed on or rebound",
};
pub const ITER_MUT_ELEMENT_FIELD: Unsupported = Unsupported {
    what: "a field of an `iter_mut()` element",
    help: "an element is followed whole, not field by field: write it whole (`*o = ..`), or keep \
     each field of a struct in a `Vec` of its own (`pos: Vec<Vector2<f64>>`, written `pos[i] += ..`)",
};
// lower/solves.rs
pub const DECOMPOSITION_READ: Unsupported = Unsupported {
    what: "this use of a decomposition kept in a variable",
    help: "a decomposition is followed through its `solve` (`lu.solve(&b).unwrap()`, \
           `chol.solve(&b)`); for a determinant write `a.determinant()`, for an inverse \
           `a.try_inverse().unwrap()`",
};
// lower/windows.rs
pub const WINDOW_PASSED_ON: Unsupported = Unsupported {
    what: "this use of a window",
    help: "read a window `w` of `windows`/`chunks` as `w[j]`, `w.len()` and `w.iter()`, each \
           window bound by its own name (`|(a, b)|` over `a.windows(2).zip(b.windows(2))`); \
           passing `w` on is not followed yet: pass the array and the window's start",
};
// lower/closures.rs
pub const ASYNC_CLOSURE: Unsupported =
    Unsupported { what: "an `async` closure", help: "use a plain closure, or await outside the function" };
/// A `return` or `?` that would leave an inlined closure.
pub const LEAVES_A_CLOSURE: Unsupported = Unsupported {
    what: "`return` or `?` inside a closure",
    help: "compute the closure's value with `if`/`else`",
};
pub const CLOSURE_ASSIGNS: Unsupported = Unsupported {
    what: "a `move` closure that assigns (it changes its own copies of what it captured)",
    help: "drop `move` (the closure then updates the variables themselves), or compute the value in the closure and assign it outside",
};
pub const CLOSURE_ASSIGNS_REBOUND: Unsupported = Unsupported {
    what: "a call of a closure that assigns, after a name it reads was bound again by `let`",
    help: "call it before the new binding, or rename one of the two",
};
pub const ITERATOR_ADAPTOR: Unsupported = Unsupported {
    what: "this iterator adaptor",
    help: "a chain is followed from a source (`x.iter()`, `x.windows(k)`, `a..b`) through `map`, `filter`, `zip`, `enumerate`, `skip`, `take`, `step_by`, `rev`, `chain`, `copied`, `cloned` to an end (`sum`, `product`, `fold`, `reduce`, `max_by`, `min_by`, `for_each`, `collect`); `filter_map(|v| if c { Some(e) } else { None })` (or `c.then(|| e)`) and `take_while(p)` just before the maps of a `sum`, `product`, `fold`, `count`, `any` or `all`; `scan` whose closure reads its state as `*s` and ends with `Some(..)` (no other `Some`/`None`), followed only by `map`, `zip`, `enumerate` and the end; and `flat_map(f)` or `flatten()` followed only by `map`, `filter`, `filter_map`, `copied`, `cloned` and a `sum`, `product`, `count`, `any`, `all` or `fold`, or as the source of a `for` loop without `break`; write this one as a `for` loop",
};
pub const OUTPUT_NOT_A_LOCAL_ARRAY: Unsupported = Unsupported {
    what: "this `&mut` argument of a function writing its results through it",
    help: "pass a whole local array (`let mut dy = vec![0.0; n];` or `[0.0; N]`, then `rhs(&y, &mut dy, k)`) and read the part you need from it",
};
pub const COLLECT_VEC_GENERIC: Unsupported = Unsupported {
    what: "`collect::<Vec<_>>()` in a function generic over its float type",
    help: "write the element type: `collect::<Vec<T>>()`, or `let v: Vec<T> = ..collect();`",
};
pub const ROW_BORROWED_AND_REBOUND: Unsupported = Unsupported {
    what: "a borrowed row of a nested array that cannot be read in place",
    help: "`let x = &w[i];` is read as `w[i]` wherever `x` is used, which needs `x` bound by itself, not bound again, and the index not assigned in the statements after it: rename the later binding, or read `w[i][j]`",
};

/// A local a `map` closure reads that is not a float or an integer parameter.
pub const MAP_CAPTURE_HELP: &str = "the closure of a computed matrix's `map` may read floats and integer \
    parameters besides its own parameter: read a float made before it (`let nf = n as f64;`), or \
    compute with other values outside it, as in `(v * scale).map(|e| e.exp())` (the `map` of a \
    `DVector` parameter may read any value)";

// check.rs
/// A rule of floats (`sin`, `powi`) of a `DVector` or `DMatrix`.
pub const ELEMENTWISE_OF_MATRIX_HELP: &str =
    "it is a function of floats: apply it to the entries with `m.map(|e| ..)`";
/// A function passed as a value (`map(f)`) on a differentiable value.
pub const LOCAL_FUNCTION_HELP: &str = "its derivative is unknown: call `#[differentiable]` functions by name, choosing between them where the local was chosen (`if k { g(x) } else { h(x) }`), or write the closure itself in the local (`let g = |t: f64| t * t;` is inlined and differentiated), or cut the derivative on purpose with `tapeless::no_grad(..)`";
pub const PASSED_FUNCTION_HELP: &str = "its derivative is unknown: call a `#[differentiable]` function by name instead (`g(x)`, differentiated with this one), or cut the derivative on purpose with `tapeless::no_grad(..)`; or remove `#[differentiable]` from this function: a function that takes a closure, without the attribute, is written out where a `#[differentiable]` function calls it with one, and differentiated there";
/// A nalgebra rotation or rigid motion built otherwise than from its angles.
pub const MOTION_FUNCTION_HELP: &str = "of the constructors of rotations, `Rotation2::new`, `UnitComplex::new`, and `from_euler_angles` \
                       and `from_axis_angle` of `Rotation3` and `UnitQuaternion` are read from their angles: build this \
                       one from those (a rigid motion as a rotation and a translation vector, `r * p + t`), or build its \
                       matrix from the angle, `let (s, c) = theta.sin_cos(); Matrix2::new(c, -s, s, c)`, and multiply by that";
/// A nalgebra function without a rule.
pub const NALGEBRA_FUNCTION_HELP: &str = "no derivative is known for this nalgebra function: build the value from its entries (`Matrix3::new(..)`, `Vector3::from_fn(..)`), or cut the derivative on purpose with `tapeless::no_grad(..)`";
/// A `libm` function without a rule.
pub const LIBM_FUNCTION_HELP: &str = "no derivative is known for this libm function (those of `f64`'s methods are: `libm::log1p` is `ln_1p`'s): write it with the `f64` methods, give it a derivative in a `#[differentiable]` helper, or cut the derivative on purpose with `tapeless::no_grad(..)`";
/// A method called for its effect on a differentiable value (`check::called_for_effect`).
pub const CALLED_FOR_EFFECT_HELP: &str = "a method whose result is not used may store its argument or rearrange its receiver \
               (`push`, `insert`, `rotate_left`, `retain`, `dedup`), which is not followed, so the \
               derivative would be lost (`swap`, `reverse`, `fill`, `copy_from_slice` and the sorts \
               by a comparison or a key of a local array are): write the elements by index \
               (`v[i] = ..` into `vec![0.0; n]`), collect a chain \
               (`x.iter().map(..).collect::<Vec<f64>>()`), push floats (or rows `[x, y]`, in a `for` loop) in a loop (not in a closure) right \
               after `let mut v = Vec::new();` or `vec![a, b]` that the loop reads only as `v[i]`, `v.len()`, `v.is_empty()`, `v.last()` or `v.iter()`, or, outside loops, `push`, `extend` \
               or `extend_from_slice` floats onto a local `Vec`";
/// A field of a struct name that two structs of the crate declare, one marking it `#[no_grad]`.
pub const NO_GRAD_DIFFERS_HELP: &str = "the attribute knows a struct by its name, so rename one of the two structs (or mark \
               the field alike in both)";
/// A method storing into a local collection (`idx.push(i)`) that `lower::pushes` does not
/// rewrite.
pub const REMOVED_FROM_LOCAL_HELP: &str = "generated code holds each local in one binding, which it does not change in \
               place: read the elements by index instead (`for i in (0..v.len()).rev() { let e = v[i]; .. }` for a stack, \
               `v[..n]` for a truncation), or compute the collection with the elements left out \
               (`v.iter().filter(..)`, `v[..v.len() - 1].to_vec()`)";
pub const STORED_INTO_LOCAL_HELP: &str = "a local collection is followed when it is written by index \
               (`v[i] = ..` into `vec![0.0; n]`), collected from a chain \
               (`x.iter().map(..).collect::<Vec<f64>>()`), filled with floats (or rows `[x, y]`, in a `for` loop) pushed in a loop (not in a \
               closure) right after `let mut v = Vec::new();` or `vec![a, b]` that the loop reads \
               only as `v[i]`, `v.len()`, `v.is_empty()`, `v.last()` or `v.iter()`, or appended to outside loops (`push`, `extend`, \
               `extend_from_slice` of floats); build other data, such as indices or structs, before the \
               call and pass it as a parameter (`idx: &[usize]`, `obs: &[Obs]`)";
pub const UNTYPED_CALL_RESULT: Unsupported = Unsupported {
    what: "a reference to a call's result whose type is not written",
    help: "write the type where the result is bound: `let y: DVector<f64> = g(..);`",
};
pub const UNTYPED_CALL_ENTRY: Unsupported = Unsupported {
    what: "an entry of a call's result whose type is not written",
    help: "write the type where the result is bound: `let k: [f64; 2] = g(..);` (the result of a function or method with the attribute in this crate is typed from its signature)",
};
pub const ARRAY_WRITTEN_AFTER_CALL: Unsupported = Unsupported {
    what: "passing `&array` to a differentiated call and writing the array afterwards",
    help: "pass the array by its own name, `g(&h)`, which passes a copy made just before the statement, or make the copy yourself before the writes (`let prev = h.clone();`, then `g(&prev)`); in a loop, writes before the call in the same iteration are fine",
};

// expand.rs
/// A `&mut` parameter of a function with `hessian` or `jacobian`.
pub const MUT_PARAMETER_PER_DIRECTION_HELP: &str = "these items evaluate the function once per direction, and each evaluation would advance the `&mut` parameter anew (a random source would give each column other samples): draw the samples first and pass them as a slice";
/// Declared derivatives (`jvp = f`) with `hessian`, and with `jacobian`.
pub const DECLARED_SECOND_ORDER_HELP: &str = "differentiate the body instead";
pub const DECLARED_JACOBIAN_HELP: &str = "build it from the declared `_jvp`";

// emit/reverse/loops.rs (found while emitting the loop's reverse, so reported there)
pub const WHOLE_ARRAY_READ_BEFORE_WRITTEN: Unsupported = Unsupported {
    what: "a whole array read in a loop that writes it later in the same iteration",
    help: "read it after the loop's writes in the iteration, or read a copy made before them (`let before = r.clone();`): the derivative needs the array as it is at the read in each iteration",
};

// second/check.rs
pub const SECOND_ORDER_SELF: Unsupported = Unsupported {
    what: "a method that differentiates `self`",
    help: "differentiate the parameters only (`wrt(x)`), reading `self` as a constant",
};
pub const SECOND_ORDER_GENERICS: Unsupported = Unsupported {
    what: "a generic function other than one over a single `T: Float`",
    help: "make it generic over one float type (bounds from `num_traits`), or write it for `f64`",
};
pub const SECOND_ORDER_IMPL_FLOAT: Unsupported = Unsupported {
    what: "a method generic over its `impl` block's float type with a bound `Dual<f64>` does not meet, or a field it cannot lift to dual numbers,",
    help: "bound the block's float by `num_traits::Float` (its struct's fields of that type, of `Vec`s, arrays or `Option`s of it, or of integers) or by nalgebra's `RealField`, or write the block for `f64` (`impl Linear<f64> { .. }`, with `x: f64`): second order takes the methods of each",
};
pub const SECOND_ORDER_IMPL_FLOAT_UNMARKED: Unsupported = Unsupported {
    what: "a method generic over its `impl` block's float type, in a block without the attribute,",
    help: "put `#[differentiable(hessian)]` on the `impl` block (the methods keep their own attributes): the method's `_hvp` and `_hessian` take `f64`s, so they go in a block for the `f64` type beside it, which only the block's attribute can write",
};
pub const SECOND_ORDER_BOUND_HELP: &str = "second order runs a generic function at the runtime's `Dual<f64>`, which implements \
             `num_traits`' `Float`, `FromPrimitive`, `FloatConst`, `NumAssign` and `Sum`, and `tapeless::Real`";
pub const SECOND_ORDER_FIELD_HELP: &str = "second order copies a function generic over `RealField` at dual numbers, writing out \
             `T::zero()`, `T::one()`, constants such as `T::pi()`, `T::from_f64(a)` and the other conversions, \
             `T::from_subset(&a)`, `nalgebra::convert(a)` and float methods such as `T::sqrt(x)`: write this one with \
             those, or make the function generic over `T: Float` from `num_traits`";
pub const SECOND_ORDER_FIELD_CALLS: Unsupported = Unsupported {
    what: "a function generic over `RealField` that calls another differentiable function",
    help: "second order copies a `RealField` function at dual numbers, and the copy cannot call its callee's: \
           make both generic over `T: Float` from `num_traits`, or write the callee's body in place",
};
pub const SECOND_ORDER_RESULT: Unsupported =
    Unsupported { what: "a result that is not one `f64`", help: "a Hessian needs a scalar `f64` result" };
pub const SECOND_ORDER_FUNCTION_PARAMETER_HELP: &str = "second order computes in dual numbers, which this function does not take: pass a `#[differentiable(hessian)]` function by name instead";
pub const SECOND_ORDER_ROTATION_PARAMETER_HELP: &str = "second order does not apply nalgebra's rotations to dual numbers: pass the rotation's \
                 matrix, `Matrix3<f64>` (`q.to_rotation_matrix().into_inner()`), whose products it takes";
pub const SECOND_ORDER_PARAMETER_TYPE_HELP: &str = "second order takes `f64`, `&[f64]`, `Vec<f64>`, `[f64; N]`, rows of those (`&[[f64; 3]]`, \
                 `Vec<Vec<f64>>`), nalgebra's static vectors and matrices of `f64` (`Vector3<f64>`, `SMatrix<f64, R, C>`) and slices, `Vec`s \
                 and arrays of them (`&[Vector3<f64>]`), references to them, and integer or `bool` constants";
pub const SECOND_ORDER_F32: Unsupported =
    Unsupported { what: "`f32`", help: "second order computes in `f64`: write the function in `f64` only" };
pub const SECOND_ORDER_CAST: Unsupported = Unsupported {
    what: "a conversion of a differentiated value between the float type and a primitive float in a generic function",
    help: "compute in the function's float type",
};
pub const SECOND_ORDER_PRIMITIVE_PARAM: Unsupported = Unsupported {
    what: "a differentiated parameter of a primitive float type in a function generic over its float type",
    help: "the Hessian runs the function at dual numbers through its type parameter, which this parameter's type does not name: give it that type (`t: T`), or list only the other parameters in `wrt(..)` if it is data",
};
pub const SECOND_ORDER_POINT: Unsupported = Unsupported {
    what: "a nalgebra point",
    help: "second order computes with vectors: write `Vector3::new(..)` and read the differences of points as differences of vectors",
};
pub const SECOND_ORDER_NO_RULE_HELP: &str = "it has no second-order rule yet: compute it with `sum`, `norm`, `dot` or an iterator chain over the entries";
pub const SECOND_ORDER_RECURSION: Unsupported = Unsupported {
    what: "a recursive call",
    help: "write the recursion as a loop (`for`/`while` carrying the state)",
};
pub const SECOND_ORDER_CALLEE_HELP: &str = "second order composes through the callee's own second-order copy: write `hessian` in the attribute of the function called";
pub const SECOND_ORDER_METHOD_CALL_HELP: &str = "compute it outside the function and pass the value in";
pub const SECOND_ORDER_PATH_CALL_HELP: &str =
    "use the call's result, or compute it outside the function and pass it in";
pub const SECOND_ORDER_CONSTRUCT: Unsupported = Unsupported {
    what: "a struct built in the function (a struct literal, or a struct local passed whole to a call)",
    help: "pass its fields as `f64`s or arrays instead (a helper taking `x: f64, v: f64`), or build the struct outside the function and pass it in as a parameter",
};

// jacobian/mod.rs
pub const JACOBIAN_STRUCT_HELP: &str = "differentiate the fields as parameters";
pub const JACOBIAN_GENERICS_HELP: &str =
    "make it generic over one `T: Float` (its Jacobian is at `f64`), or write it for `f64`";
pub const JACOBIAN_IMPL_FLOAT_UNMARKED_HELP: &str = "put `#[differentiable]` on the `impl` block (the methods keep their own attributes): the method's `_jacobian` takes `f64`s, so it goes in a block for the `f64` type beside it, which only the block's attribute can write";
pub const JACOBIAN_RESULT_HELP: &str = "a Jacobian numbers the scalars of the result: return a `Vec<f64>`, `[f64; N]`, a nalgebra vector or matrix of `f64`, or a tuple of those (in a `Result` or `Option` if you like)";
pub const JACOBIAN_PARAMETERS_HELP: &str = "a Jacobian numbers the scalars of the differentiated parameters: differentiate `f64`s, slices, `Vec`s, arrays or nalgebra vectors of `f64`";
pub const JACOBIAN_BY_VALUE_HELP: &str =
    "pass it by reference: the Jacobian calls the function once per column or row";

// signature/mod.rs
pub const SIGNATURE_ASYNC: Unsupported = Unsupported {
    what: "an `async fn`",
    help: "an `async fn` returns a future, not a number: differentiate a plain `fn` that computes the value and call it from the async code",
};
pub const SIGNATURE_UNSAFE: Unsupported = Unsupported {
    what: "an `unsafe fn`",
    help: "differentiate a safe `fn`: keep the unsafe operations in a function of constants, or give them a derivative by hand (`f_jvp`/`f_vjp`) and call it",
};
pub const SIGNATURE_CONST: Unsupported = Unsupported {
    what: "a `const fn`",
    help: "remove `const`: the derivatives are ordinary functions, computed at run time (keep a separate `const fn` for constant evaluation)",
};
pub const SIGNATURE_VARIADIC: Unsupported =
    Unsupported { what: "a variadic parameter list", help: "take the arguments as a slice (`xs: &[f64]`)" };
pub const SIGNATURE_NO_RESULT: Unsupported =
    Unsupported { what: "a function without a result", help: "return the value to differentiate" };
pub const SIGNATURE_DISCRETE_RESULT: Unsupported = Unsupported {
    what: "a result of an integer, `bool` or `char` type, which has no derivative,",
    help: "return the float the count or test is computed from, or leave the attribute off this function",
};
pub const SIGNATURE_MUT_SELF: Unsupported =
    Unsupported { what: "a `&mut self` receiver", help: "take `&self` and return the new state" };
pub const SIGNATURE_MUT_REFERENCE: Unsupported = Unsupported {
    what: "a `&mut` parameter",
    help: "return the new value instead of writing through a reference",
};
