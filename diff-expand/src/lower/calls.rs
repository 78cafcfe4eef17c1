//! Calls: methods and functions (rules of the table, differentiable callees, nalgebra
//! constructors), and `map` closures made functions.

use super::*;

/// Methods that search by a closure, and whether what they find is an index (a piecewise
/// predicate is then accepted: the elements read at the index keep their derivative).
const SEARCHES: &[(&str, bool)] = &[
    ("position", true),
    ("rposition", true),
    ("partition_point", true),
    ("find", false),
    ("find_map", false),
    ("binary_search_by", false),
    ("binary_search_by_key", false),
];

impl Lowerer<'_> {
    /// A call or method call, destructured into `results` values when more than one.
    pub(super) fn call_expr(&mut self, e: &Expr, results: &TupleShape) -> Tree {
        let span = Loc::of_expr(e);
        if let Some(t) = self.fallible_call(e, results) {
            return t;
        }
        match e {
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if let Some(t) = self.conversion(e) {
                    return t;
                }
                if let Some(t) = self.unwrap_lookup(m) {
                    return t;
                }
                if let Some(t) = self.rotation_method(m) {
                    return t;
                }
                if let Some(t) = self.geometry_method(m) {
                    return t;
                }
                // `m.try_inverse().unwrap()`, `a.lu().solve(&b).unwrap()`, ..: `lower::solves`.
                if let Some(t) = self.inverse_or_solve(m, span, results) {
                    return t;
                }
                // `x.iter().scan(..)`, `.cycle()`, ..: an adaptor no chain follows, kept whole (fine on
                // constants) and, on differentiable values, reported at the adaptor.
                if super::adaptors::UNFOLLOWED_ADAPTORS.contains(&name.as_str())
                    && super::adaptors::iterator_source(&m.receiver)
                {
                    let at = Loc { start: m.method.span(), end: span.end };
                    // A closure naming the function's locals cannot be kept as written: the
                    // adaptor is what is not followed (not "a closure").
                    if m.args.iter().any(
                        |a| matches!(a, Expr::Closure(c) if super::expressions::names_a_local(self, &c.body)),
                    ) {
                        return self.unsupported(at, unsupported::ITERATOR_ADAPTOR);
                    }
                    return self.opaque_at(e, Opaque::Adaptor(name), Kind::Unknown, at);
                }
                if let Some(t) = self.row_length(m, span) {
                    return t;
                }
                // `self.t.len()` of a constant `self`, `data.x.len()` of a constant parameter
                // `data: &Dataset`: the receiver is a place (a `Vec` field cannot be moved out
                // of a reference), so the call is kept whole (reading `data`, which must not be
                // differentiated).
                // A nalgebra method of a constant's field (`self.w.dot(x)`, `self.m.transpose()`)
                // takes the rule's path below, the field read in place: its result may meet
                // differentiable values, and a matrix's is a matrix (`Kind::Heap`).
                let matrix_method =
                    rules::lookup(&name, m.args.len() + 1).is_some_and(|r| r.kind.of_matrices());
                if matches!(&*m.receiver, Expr::Field(_))
                    && self.constant_place(&m.receiver)
                    && !matrix_method
                {
                    let kind = method_kind(&name);
                    return self.opaque_with(e, Opaque::Form("a method of a constant's field"), kind);
                }
                if let Some(t) = self.mutation(m) {
                    return t;
                }
                if let Some(t) = self.constant_mutation(m) {
                    return t;
                }
                if let Some(t) = self.array_method(m, span) {
                    return t;
                }
                if let Some(t) = self.iterator_chain(m) {
                    return t;
                }
                // A derived struct's own method (`p.norm()`) is the user's, whatever its name:
                // it composes through its `_jvp`/`_vjp`, never through a rule of the table. So
                // is `self.scale(x)` where a method `scale` with the attribute is known.
                let record = self
                    .aggregate_or_leaf(&m.receiver)
                    .is_some_and(|v| self.kind(v) == Kind::Array(ArrayKind::Record))
                    || matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident("self"))
                        && crate::signature::registry::is_method(&name, m.args.len());
                // `ps.len()` of a collection of structs: its length, as an array's (a call on a
                // differentiated value would count as reading it).
                if matches!(name.as_str(), "len" | "is_empty")
                    && m.args.is_empty()
                    && let Some(v) = self.aggregate_or_leaf(&m.receiver).filter(|v| self.structs_in(*v))
                {
                    let form = Form::Method(m.method.clone());
                    return self.prim(rules::operator("len"), vec![v], form, span, results);
                }
                // `x.sin_cos()`: the pair of two rules (std computes it as `(x.sin(), x.cos())`).
                if name == "sin_cos" && m.args.is_empty() && !record {
                    let x = self.value(&m.receiver);
                    let pair = ["sin", "cos"].map(|f| {
                        let form = Form::Method(quote::format_ident!("{}", f, span = m.method.span()));
                        let rule = rules::operator(f);
                        Tree::Leaf(self.emit(Op::Prim { rule, args: vec![x], form }, span, Kind::Float))
                    });
                    return Tree::Tuple(pair.into());
                }
                // `m.clone()` of a `DMatrix`: the same value (generated code reads it by reference).
                if name == "clone"
                    && m.args.is_empty()
                    && let Some(v) =
                        self.aggregate_or_leaf(&m.receiver).filter(|v| self.kind(*v) == Kind::Heap)
                {
                    return Tree::Leaf(v);
                }
                // `v.as_slice()` of a `DVector` or a slice: the same elements, indexed and
                // iterated the same way (nalgebra's `Index<usize>` is the column-major slice's).
                if name == "as_slice"
                    && m.args.is_empty()
                    && self
                        .aggregate_or_leaf(&m.receiver)
                        .is_some_and(|v| matches!(self.kind(v), Kind::Heap | Kind::Array(ArrayKind::Slice)))
                {
                    return self.expr(&m.receiver);
                }
                // `x[i].clone()`, `a.clone()` of a float: the same value. Generic code over
                // nalgebra's `RealField`, which is not `Copy`, clones every read; the generated
                // items' `T: Floating` is `Copy`. A record's field is read by its declared type
                // (`records::field_clone`), or keeps the general path.
                let record_field = matches!(&*m.receiver, Expr::Field(f)
                    if self.aggregate_or_leaf(&f.base).is_some_and(|v| self.kind(v) == Kind::Array(ArrayKind::Record)));
                if name == "clone"
                    && m.args.is_empty()
                    && record_field
                    && let Some(v) = self.field_clone(&m.receiver)
                {
                    return Tree::Leaf(v);
                }
                if name == "clone" && m.args.is_empty() && !record && !record_field {
                    let v = self.value(&m.receiver);
                    if matches!(self.kind(v), Kind::Float | Kind::Heap) {
                        return Tree::Leaf(v);
                    }
                    let callee = Callee::Method {
                        receiver: v,
                        name: m.method.clone(),
                        turbofish: m.turbofish.clone(),
                    };
                    return self.call(callee, Vec::new(), Vec::new(), span, results, method_kind(&name));
                }
                // `p.w.len()` of a record's array field reads the field in place (a fixed field
                // of an element, `p.pos.len()` of `pos: [f64; 2]`, its copy).
                if name == "len"
                    && m.args.is_empty()
                    && let Some(array) = self.record_field(
                        &m.receiver,
                        match self.fixed_field_of_an_element(&m.receiver) {
                            true => Kind::Float,
                            false => Kind::Array(ArrayKind::Slice),
                        },
                    )
                {
                    let form = Form::Method(m.method.clone());
                    return self.prim(rules::operator("len"), vec![array], form, span, results);
                }
                if name == "map"
                    && !record
                    && let [Expr::Closure(closure)] = m.args.iter().collect::<Vec<_>>().as_slice()
                {
                    if let Some(t) = self.map_by_index(&m.receiver, closure) {
                        return t;
                    }
                    // `table().split_first().map(|(f, r)| ..)`: a constant, kept whole.
                    if !super::expressions::names_a_local(self, e) {
                        return self.opaque_with(e, Opaque::Form("a `map` call"), Kind::Unknown);
                    }
                    return self.map_closure(&m.receiver, closure, span);
                }
                // `v.xy()`, `v.zyx()`, .. of a nalgebra vector: the vector of those entries.
                if let Some(entries) = swizzle(&name)
                    && m.args.is_empty()
                    && !record
                    && self.vector_base(&m.receiver)
                {
                    let v = self.value(&m.receiver);
                    let args = entries
                        .iter()
                        .map(|&k| {
                            let k = syn::LitInt::new(&k.to_string(), span.span()).to_token_stream();
                            let rule = rules::operator("<index>");
                            let op = Op::Prim { rule, args: vec![v], form: Form::Index(k) };
                            self.emit(op, span, Kind::Float)
                        })
                        .collect();
                    let ty = quote::format_ident!("Vector{}", entries.len(), span = m.method.span());
                    let path = syn::parse_quote_spanned!(m.method.span()=> ::tapeless::__private::nalgebra::#ty::new);
                    return self.prim(rules::operator("<new>"), args, Form::Path(path), span, results);
                }
                // `m.column(j)`, `m.rows(i, n)`, `m.fixed_rows::<N>(i)` of a nalgebra value: an
                // owned copy of the part.
                if let Some(rule) = part_rule(m)
                    && !record
                    && self.aggregate_or_leaf(&m.receiver).is_some_and(|v| {
                        matches!(self.kind(v), Kind::Heap | Kind::Float | Kind::Array(ArrayKind::Vec))
                    })
                {
                    let x = self.value(&m.receiver);
                    // (A `DMatrix` built by index, `DMatrix::from_fn(..)`, is an array: its part is
                    // a matrix.)
                    let mut kind = match self.kind(x) {
                        Kind::Array(_) => Kind::Heap,
                        k => k,
                    };
                    // Both dimensions fixed: `v.fixed_rows::<N>(i)` of a `DVector` parameter and
                    // `m.fixed_view::<R, C>(i, j)` of any dynamic value are static matrices.
                    if kind == Kind::Heap
                        && (m.method == "fixed_view" || m.method == "fixed_rows" && self.dvector_parameter(x))
                    {
                        kind = Kind::Float;
                    }
                    // Mixed shapes (a static number of rows and a dynamic one of columns, or the
                    // reverse) have no tangent type in the runtime; a part whose size is an
                    // argument (`rows(i, n)`) has a dynamic dimension.
                    let sized_by_argument = m.turbofish.is_none() && m.args.len() == 2;
                    match (kind, m.turbofish.is_some(), sized_by_argument) {
                        (Kind::Heap, true, _) => {
                            return self.unsupported(span, unsupported::FIXED_PART_OF_DYNAMIC);
                        }
                        (Kind::Float, _, true) => {
                            return self.unsupported(span, unsupported::DYNAMIC_PART_OF_STATIC);
                        }
                        _ => {}
                    }
                    let args = std::iter::once(x).chain(m.args.iter().map(|a| self.value(a))).collect();
                    let turbofish = m.turbofish.to_token_stream();
                    let form = Form::Part { method: m.method.clone(), turbofish };
                    return Tree::Leaf(self.emit(Op::Prim { rule, args, form }, span, kind));
                }
                // A part with a turbofish the branch above did not take (the receiver's kind is not
                // known): the turbofish would be lost, so it is no rule.
                let part = |r: &&rules::Rule| matches!(r.kind, RuleFamily::Linear(rules::Linear::Part));
                let rule = if record { None } else { rules::lookup(&name, m.args.len() + 1) }
                    .filter(|r| m.turbofish.is_none() || !part(r));
                if let Some(rule) = rule {
                    let mut args = vec![self.method_operand(rule, &m.receiver)];
                    // `a.dot(&b)`: the value is `b`; the primal keeps the reference. So for
                    // `q.dot(q)` of a parameter `q: &SVector<..>`, which the generated code holds
                    // by value (`signature::by_copy`).
                    let by_ref = !m.args.is_empty()
                        && m.args.iter().all(|a| {
                            matches!(a, Expr::Reference(r) if r.mutability.is_none())
                                || self.copied_reference(a)
                        });
                    for a in &m.args {
                        match a {
                            Expr::Reference(r) if by_ref => args.push(self.method_operand(rule, &r.expr)),
                            _ => args.push(self.value(a)),
                        }
                    }
                    let form = if by_ref {
                        Form::MethodRef(m.method.clone())
                    } else {
                        Form::Method(m.method.clone())
                    };
                    return self.prim(rule, args, form, span, results);
                }
                // `knots.partition_point(|&k| k <= t)`, `xs.iter().position(|&v| v > c)`: a search
                // by a condition, kept whole; on differentiable values it is a piecewise choice,
                // accepted for an index found by a `tapeless::piecewise(..)` predicate.
                if let Some(&(method, gives_index)) = SEARCHES.iter().find(|(s, _)| *s == name)
                    && let Some(Expr::Closure(c)) = m.args.last()
                {
                    // A piecewise predicate, or one that reads the elements only through
                    // `tapeless::no_grad(..)` (a test on constants by the user's choice).
                    let accepted = gives_index
                        && (super::control::strip_piecewise(&c.body).1 || super::scan::reads_only_cut(c));
                    let what = Opaque::Search { method: method.to_string(), accepted };
                    return self.opaque_call(e, TokenStream::new(), what);
                }
                // `r.map_err(|_| MyError)`, `o.filter(|n| *n > 1)`: a closure stays in place
                // (`kept_closure`), so rustc infers its parameter types; the call is opaque (an
                // error if it reads a differentiable value).
                if m.args
                    .iter()
                    .any(|a| matches!(a, Expr::Closure(c) if super::expressions::closure_kept(self, c)))
                {
                    let what = match fallback_of_call(&name, &m.receiver) {
                        Some(callee) => Opaque::FallbackOfCall { name, callee },
                        None => Opaque::ClosureMethod(name),
                    };
                    return self.opaque_call(e, TokenStream::new(), what);
                }
                if name == self.name && matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident("self")) {
                    return self.unsupported(span, unsupported::RECURSIVE_CALL);
                }
                let receiver = self.receiver(&m.receiver);
                let (args, borrowed) = self.call_args(&m.args);
                let mut kind = method_kind(&name);
                // A recorded method returning `Self` of a record: its result is one too.
                if self.kind(receiver) == Kind::Array(ArrayKind::Record)
                    && crate::signature::registry::method_call(&m.method, &args, self.receiver_type(receiver))
                        .is_some_and(|(wrt, _)| wrt.returns_self)
                {
                    kind = Kind::Array(ArrayKind::Record);
                }
                let callee =
                    Callee::Method { receiver, name: m.method.clone(), turbofish: m.turbofish.clone() };
                self.call(callee, args, borrowed, span, results, kind)
            }
            Expr::Call(c) => {
                let mut func = &*c.func;
                while let Expr::Paren(p) = func {
                    func = &p.expr;
                }
                // `std::mem::swap(&mut a, &mut b)` of two locals: `(a, b) = (b, a)`.
                // Two local arrays inside a loop (a double buffer): `lower::mutations`.
                if let Some(t) = self.swapped_arrays(c, span) {
                    return t;
                }
                if let Some([a, b]) = super::scan::swapped(c)
                    && self.local(a).is_some()
                    && self.local(b).is_some()
                {
                    let (va, vb) = (self.expr(a), self.expr(b));
                    self.assign(a, vb);
                    self.assign(b, va);
                    return unit();
                }
                if let Some(t) = self.dynamic_constructor(c) {
                    return t;
                }
                if let Some(closure) = self.local_closure(func) {
                    return self.inline_closure(&closure, &c.args, span);
                }
                if let Expr::Closure(closure) = func {
                    return self.call_closure_in_place(closure, &c.args, span);
                }
                let Expr::Path(path) = func else {
                    return self.unsupported(Loc::of(&c.func), unsupported::CALLING_EXPRESSION);
                };
                // `<f64>::ln(x)`, `<T>::sqrt(x)`: the float type's function, `f64::ln(x)`.
                let unqualified = super::composition::float_type_qualified(path);
                let path = unqualified.as_ref().unwrap_or(path);
                if let Some(t) = self.tuple_struct(path, &c.args, span) {
                    return t;
                }
                // `f(x)` of a function passed in (`f: impl Fn(f64) -> f64`): kept whole, fine on
                // constants; its derivative is unknown (`check`: our error on differentiable ones).
                if path.path.get_ident().is_some() && self.local(func).is_some() {
                    // (A parameter, or a local holding a boxed closure or a function pointer: a
                    // plain local closure is inlined, `closures.rs`.)
                    let parameter =
                        self.aggregate_or_leaf(func).is_some_and(|v| self.param_types.contains_key(&v));
                    let what = if parameter { PASSED_FUNCTION } else { LOCAL_FUNCTION };
                    return self.opaque_with(e, Opaque::Form(what), Kind::Unknown);
                }
                let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
                let last = segments.last().map(String::as_str).unwrap_or("");
                if let Some(t) = self.rotation_call(c, &segments, span) {
                    return t;
                }
                if let Some(t) = self.geometry_call(c, &segments, span, results) {
                    return t;
                }
                // `no_grad(check(x))` of a function of the user's: called as written on constant
                // copies of what it reads (`Renamer`), not as a differentiable callee whose
                // derivative would be cut anyway (second order's dual copy needs the callee's own
                // dual copy, so there it stays a composed call). So is a test of a method chain,
                // `no_grad(m.try_inverse().is_some())` (the guard of `m.try_inverse()?`,
                // `lower::results`), whose computation is not followed.
                let kept = match &c.args.iter().collect::<Vec<_>>()[..] {
                    [Expr::Call(inner)] if !self.second_order => matches!(&*inner.func, Expr::Path(f)
                        if f.qself.is_none()
                            && f.path.segments.last().is_some_and(|s| s.ident.to_string().starts_with(|ch: char| ch.is_lowercase()))),
                    [Expr::MethodCall(test)] => {
                        test.args.is_empty()
                            && ["is_some", "is_none", "is_ok", "is_err"].iter().any(|m| test.method == m)
                    }
                    _ => false,
                };
                if last == "no_grad" && kept {
                    let kind = if matches!(&c.args[0], Expr::MethodCall(_)) {
                        Kind::Discrete
                    } else {
                        Kind::Unknown
                    };
                    return self.opaque_with(e, Opaque::Form(NO_GRAD_CALL), kind);
                }
                if c.args.len() == 1 && path.qself.is_none() && (last == "no_grad" || last == "piecewise") {
                    let arg = self.value(&c.args[0]);
                    // `piecewise(..)` of a part of a condition (`piecewise(r > tol) || k > 9`):
                    // that part is marked as intended, and a `bool` has no derivative to lose,
                    // so its dependence on differentiable values ends here. (A whole condition's
                    // is taken off before lowering, `control::strip_piecewise`.)
                    if last == "piecewise" {
                        if self.kind(arg) == Kind::Discrete {
                            return Tree::Leaf(self.emit(Op::NoGrad(arg), span, Kind::Discrete));
                        }
                        return Tree::Leaf(arg);
                    }
                    let kind = self.kind(arg);
                    return Tree::Leaf(self.emit(Op::NoGrad(arg), span, kind));
                }
                // `nalgebra::distance(&p, &q)` (or `na::`) of two points: `(p - q).norm()`, and
                // `distance_squared` its `norm_squared()`.
                if let [first, .., _] = &segments[..]
                    && (first == "nalgebra" || first == "na")
                    && (last == "distance" || last == "distance_squared")
                    && let [p, q] = c.args.iter().collect::<Vec<_>>()[..]
                {
                    let strip = |e: &Expr| match e {
                        Expr::Reference(r) if r.mutability.is_none() => (*r.expr).clone(),
                        e => e.clone(),
                    };
                    let (p, q, s) = (strip(p), strip(q), span.span());
                    let norm =
                        if last == "distance" { quote::quote!(norm) } else { quote::quote!(norm_squared) };
                    let desugared: Expr = syn::parse_quote_spanned!(s=> ((#p) - (#q)).#norm());
                    return self.expr(&desugared);
                }
                // `nalgebra::center(&p, &q)` of two points: `p + (q - p) * 0.5` (a literal of
                // `f64` or `f32`, the function's float: generic, it stays the error below).
                if let [first, .., _] = &segments[..]
                    && (first == "nalgebra" || first == "na")
                    && last == "center"
                    && self.floats.is_empty()
                    && let [p, q] = c.args.iter().collect::<Vec<_>>()[..]
                {
                    let strip = |e: &Expr| match e {
                        Expr::Reference(r) if r.mutability.is_none() => (*r.expr).clone(),
                        e => e.clone(),
                    };
                    let (p, q, s) = (strip(p), strip(q), span.span());
                    let desugared: Expr = syn::parse_quote_spanned!(s=> (#p) + ((#q) - (#p)) * 0.5);
                    return self.expr(&desugared);
                }
                // `num_traits::clamp(x, lo, hi)`, `clamp_min`, `clamp_max`, `abs`, also imported by a
                // `use` of the module: the method each is (a sibling `clamp_jvp` does not exist
                // there, rustc's error in generated code until the thirty-fifth session).
                if let Some(method) = self.num_traits_function(path, c) {
                    return self.expr(&method);
                }
                // `Vector3::new(x, y, z)`, `Matrix2::new(a, b, c, d)`: assembled from floats, row by
                // row; `Point3::new(x, y, z)` too (its tangent a `Vector3`: `emit::forward`).
                if last == "new"
                    && segments.len() >= 2
                    && (crate::signature::alias_columns(&segments[segments.len() - 2]).is_some()
                        || crate::signature::point_dimension(&segments[segments.len() - 2]).is_some())
                {
                    let args = c.args.iter().map(|a| self.value(a)).collect();
                    return self.prim(
                        rules::operator("<new>"),
                        args,
                        Form::Path(path.path.clone()),
                        span,
                        results,
                    );
                }
                if let Some(t) = self.conversion(e) {
                    return t;
                }
                if let [crate_name, name] = &segments[..]
                    && crate_name == "libm"
                    && path.qself.is_none()
                {
                    return self.libm_call(e, c, name, span, results);
                }
                // `f64::sin(x)`, `T::sin(x)` of a float type parameter, `Float::sin(x)`,
                // `<T as Float>::sin(x)`.
                if segments.len() == 2 && crate::signature::float_type_or_trait(&segments[0]) {
                    return match rules::lookup(last, c.args.len()) {
                        Some(rule) => {
                            let args = c.args.iter().map(|a| self.value(a)).collect();
                            self.prim(rule, args, Form::Path(path.path.clone()), span, results)
                        }
                        // `T::from_usize(v.len())`, `T::epsilon()`: the arguments are lowered
                        // (a length reads no differentiable value), the call kept as written.
                        None => {
                            let what = Opaque::FloatFunction { name: last.to_string(), arity: c.args.len() };
                            self.opaque_call(e, TokenStream::new(), what)
                        }
                    };
                }
                // `SVector::<f64, 3>::from_fn(|i, _| ..)`, `OMatrix::<T, U2, U2>::from_fn(..)`,
                // `Vector3::from_fn(..)`: the entries, each the closure at its (row, column),
                // assembled as `nalgebra::Matrix2::new(..)` would (row by row).
                if (last == "from_fn" || last == "from_iterator") && segments.len() >= 2 && c.args.len() == 1
                {
                    let ty = &path.path.segments[path.path.segments.len() - 2];
                    // A vector longer than 6 (no `new` of its entries): filled as an array.
                    let long = crate::signature::static_size(ty).is_none()
                        && crate::signature::any_static_size(ty).is_some_and(|(_, columns)| columns == 1);
                    let size = match long {
                        true => crate::signature::any_static_size(ty),
                        false => crate::signature::static_size(ty),
                    };
                    let Some((rows, columns)) = size else {
                        return self.unsupported(span, unsupported::FROM_FN_FROM_ITERATOR_MATRIX_WHOSE_SIZE);
                    };
                    let f = &c.args[0];
                    // `from_iterator` fills column by column.
                    let items = if last == "from_iterator" {
                        match self.sequence_items(f, rows * columns) {
                            Some(items) => Some(items),
                            None => {
                                return self.unsupported(Loc::of(f), unsupported::FROM_ITERATOR_ITERATOR);
                            }
                        }
                    } else {
                        None
                    };
                    let mut entries = Vec::new();
                    for r in 0..rows {
                        for k in 0..columns {
                            let entry: Expr = match &items {
                                Some(items) => items[k * rows + r].clone(),
                                None => syn::parse_quote_spanned!(Loc::of(f).start=> (#f)(#r, #k)),
                            };
                            entries.push(self.value(&entry));
                        }
                    }
                    if long {
                        let mut zeros = path.path.clone();
                        if let Some(mut last) = zeros.segments.pop().map(syn::punctuated::Pair::into_value) {
                            last.ident = syn::Ident::new("zeros", last.ident.span());
                            last.arguments = syn::PathArguments::None;
                            zeros.segments.push(last);
                        }
                        return self.vector_of(&zeros, entries, span);
                    }
                    return self.assembled(
                        rows,
                        columns,
                        entries,
                        path.path.segments[0].ident.span(),
                        span,
                        results,
                    );
                }
                // `Matrix3::from_columns(&[a, b, c])`, `Matrix2::from_rows(&[r0, r1])`.
                if let Some(t) = self.matrix_of_parts(c, span, results) {
                    return t;
                }
                // `DVector::from_element(n, x)`, `Vector3::from_element(x)`, `Vector3::repeat(x)`:
                // every entry `x`.
                if matches!(last, "from_element" | "repeat") && segments.len() >= 2 && !c.args.is_empty() && {
                    let ty = &segments[segments.len() - 2];
                    crate::signature::dynamic_name(ty) || crate::signature::alias_columns(ty).is_some()
                } {
                    let args = c.args.iter().map(|a| self.value(a)).collect::<Vec<_>>();
                    let heap = crate::signature::dynamic_name(&segments[segments.len() - 2]);
                    let op = Op::Prim {
                        rule: rules::operator("<fill>"),
                        args,
                        form: Form::Path(path.path.clone()),
                    };
                    return Tree::Leaf(self.emit(op, span, if heap { Kind::Heap } else { Kind::Float }));
                }
                // `Vector2::zeros()`, `Matrix3::identity()`, `SVector::<f64, 3>::zeros()`: a constant
                // static matrix (a float value, so `v.x` and arithmetic on it are typed).
                if c.args.is_empty() && segments.len() >= 2 && {
                    let ty = &path.path.segments[segments.len() - 2];
                    crate::signature::alias_columns(&segments[segments.len() - 2]).is_some()
                        || crate::signature::any_static_size(ty).is_some()
                } {
                    return self.opaque_with(e, Opaque::Form("a static nalgebra constructor"), Kind::Float);
                }
                // `DVector::zeros(v.len())`, `DMatrix::identity(n, n)`: a constant matrix of
                // integer sizes, which are lowered (`v.len()` reads only `v`'s shape).
                if matches!(last, "zeros" | "identity")
                    && segments.len() >= 2
                    && crate::signature::dynamic_name(&segments[segments.len() - 2])
                {
                    let sizes: Vec<Value> = c.args.iter().map(|a| self.value(a)).collect();
                    let idents = sizes.iter().map(|v| v.ident());
                    let func = &c.func;
                    let tokens = quote::quote_spanned!(span.span()=> #func(#(#idents),*));
                    let what = Opaque::Form("a `DVector`/`DMatrix` constructor");
                    return Tree::Leaf(self.emit(
                        Op::Opaque { tokens, reads: sizes, what },
                        span,
                        Kind::Heap,
                    ));
                }
                // `DVector::zeros(n)`, `DMatrix::from_row_slice(..)`: a new constant matrix.
                if segments.len() >= 2 && crate::signature::dynamic_name(&segments[segments.len() - 2]) {
                    let what = Opaque::Form("a `DVector`/`DMatrix` constructor");
                    return self.opaque_with(e, what, Kind::Heap);
                }
                // `Matrix3::from_partial_diagonal(..)`, `Rotation3::from_euler_angles(..)`: a nalgebra
                // function with no rule has no `_jvp`/`_vjp` to call. Kept as written, fine on
                // constants; our error on a differentiable value (`check`).
                if let [.., ty, _] = &path.path.segments.iter().collect::<Vec<_>>()[..]
                    && crate::signature::nalgebra_type_name(ty)
                {
                    let name = format!("{}::{last}", ty.ident);
                    let kind = if crate::signature::dynamic_name(&ty.ident.to_string()) {
                        Kind::Heap
                    } else {
                        Kind::Unknown
                    };
                    return self.opaque_with(e, Opaque::NalgebraFunction(name), kind);
                }
                // `nalgebra::wrap(..)`, another function of the crate's root: no `_jvp`/`_vjp`
                // there either (rustc's E0425 at the call until the forty-second session).
                if let [first, _] = &segments[..]
                    && (first == "nalgebra" || first == "na")
                {
                    return self.opaque_with(
                        e,
                        Opaque::NalgebraFunction(format!("{first}::{last}")),
                        Kind::Unknown,
                    );
                }
                // `rhs(&y, &mut dy, k)` of a function writing through `&mut` slices: its twin
                // `rhs_out` called, and its results written into the arrays.
                if let (Some(at), true) = (
                    crate::signature::outputs::lookup(last, c.args.len()),
                    segments.len() == 1 && path.qself.is_none(),
                ) {
                    return self.call_with_outputs(c, &path.path, &at, span);
                }
                // `f(..)` or `Self::f(..)` inside `f` composes with itself like any sibling
                // (`emit::pullback_in_sweep` calls its `_vjp` again inside the pullback).
                let (args, borrowed) = self.call_args(&c.args);
                let path = self.imported_path(path, c.args.len());
                self.call(Callee::Path(path), args, borrowed, span, results, Kind::Unknown)
            }
            _ => self.expr(e),
        }
    }

    /// The method call a free function of `num_traits` is: `clamp(x, lo, hi)` is
    /// `x.clamp(lo, hi)`, `clamp_min(x, lo)` `x.max(lo)`, `clamp_max(x, hi)` `x.min(hi)`,
    /// `abs(x)` `x.abs()` (each as `num_traits` computes it, up to a NaN bound).
    fn num_traits_function(&self, path: &syn::ExprPath, c: &syn::ExprCall) -> Option<Expr> {
        if path.qself.is_some() {
            return None;
        }
        let segments: Vec<String> = match &path.path.segments.iter().collect::<Vec<_>>()[..] {
            // Imported by a `use` of the body, or else of the module.
            [only] => self
                .use_path_of(&only.ident.to_string(), &|_| true)?
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect(),
            segments => segments.iter().map(|s| s.ident.to_string()).collect(),
        };
        let [first, name] = &segments[..] else { return None };
        if first != "num_traits" {
            return None;
        }
        let s = Loc::of(c).span();
        let method: Expr = match (name.as_str(), &c.args.iter().collect::<Vec<_>>()[..]) {
            ("clamp", [x, lo, hi]) => syn::parse_quote_spanned!(s=> (#x).clamp(#lo, #hi)),
            ("clamp_min", [x, lo]) => syn::parse_quote_spanned!(s=> (#x).max(#lo)),
            ("clamp_max", [x, hi]) => syn::parse_quote_spanned!(s=> (#x).min(#hi)),
            ("abs", [x]) => syn::parse_quote_spanned!(s=> (#x).abs()),
            _ => return None,
        };
        Some(method)
    }

    pub(super) fn prim(
        &mut self,
        rule: &'static rules::Rule,
        args: Vec<Value>,
        form: Form,
        span: Loc,
        results: &TupleShape,
    ) -> Tree {
        if !matches!(results, TupleShape::Leaf) {
            return self.unsupported(span, unsupported::DESTRUCTURING_RESULT_PRIMITIVE);
        }
        // A `DVector`/`DMatrix` built by index (`ArrayKind::Vec`) is a matrix here, as in
        // arithmetic (`expressions::arith_kind`): `m.transpose()` of `DMatrix::from_fn(..)`.
        let heap = args.iter().any(|a| matches!(self.kind(*a), Kind::Heap | Kind::Array(ArrayKind::Vec)));
        let kind = match rule.kind {
            RuleFamily::Predicate
            | RuleFamily::NonDifferentiable(rules::Why::Discrete)
            | RuleFamily::Shape => Kind::Discrete,
            _ if heap && rule.kind.keeps_shape() => Kind::Heap,
            _ => Kind::Float,
        };
        Tree::Leaf(self.emit(Op::Prim { rule, args, form }, span, kind))
    }
}

impl Lowerer<'_> {
    /// The receiver or a `&`-argument `e` of a method with a rule: its value, except that a
    /// nalgebra method giving a float borrows a struct field (`p.w.dot(x)`, a `DVector` field),
    /// read in place by reference like `&p.w` (`rules::Family::of_matrices`: any nalgebra method).
    fn method_operand(&mut self, rule: &rules::Rule, e: &Expr) -> Value {
        if !rule.kind.of_matrices() {
            return self.value(e);
        }
        // `self.w` of a constant `self`, `data.x` of a constant parameter: a constant read in
        // place, by reference (a `DVector` field cannot be moved out of it).
        if matches!(e, Expr::Field(_)) && self.constant_place(e) {
            let borrowed: Expr = syn::parse_quote_spanned!(Loc::of(e).span()=> &#e);
            let t = self.opaque_with(&borrowed, Opaque::Form(crate::emit::CONSTANT_FIELD), Kind::Heap);
            return self.leaf(t, Loc::of(e));
        }
        self.record_field(e, Kind::Heap).unwrap_or_else(|| self.value(e))
    }
}

impl Lowerer<'_> {
    /// Whether `e` names a reference the generated code holds as a copy of its value (a
    /// parameter `x: &[f64; 2]`, an element of `for x in v.iter()`): where the user's code passes
    /// the reference on, the generated code passes `&copy`.
    pub(super) fn copied_reference(&self, e: &Expr) -> bool {
        self.aggregate_or_leaf(e).is_some_and(|v| self.iter_elements.contains(&v))
    }
}

/// What a method's result is known to be from its name alone: the length queries are integers
/// or `bool`s, anything else is not known.
fn method_kind(name: &str) -> Kind {
    if matches!(name, "len" | "count" | "is_empty") { Kind::Discrete } else { Kind::Unknown }
}

/// The rule of a part of a nalgebra value (`m.column(j)`, `m.rows(i, n)`,
/// `m.fixed_rows::<N>(i)`, ...: the table's `Linear(Part)` rows), if `m` calls one as written:
/// the `fixed_` parts with their sizes in a turbofish, the others without.
fn part_rule(m: &syn::ExprMethodCall) -> Option<&'static rules::Rule> {
    let name = m.method.to_string();
    let rule = rules::lookup(&name, m.args.len() + 1)?;
    let fixed = name.starts_with("fixed_");
    (matches!(rule.kind, RuleFamily::Linear(rules::Linear::Part)) && fixed == m.turbofish.is_some())
        .then_some(rule)
}

/// What a call of a function passed as a parameter is, for its error (`check`).
pub(crate) const PASSED_FUNCTION: &str = "a call of a function passed as a parameter";

/// What a call of a function held in a local is, for its error (`check`).
pub(crate) const LOCAL_FUNCTION: &str =
    "a call of a function held in a local (a boxed closure or a function pointer)";

/// What `no_grad(f(x))` is: a call kept as written on constant copies.
const NO_GRAD_CALL: &str = "a call inside `no_grad`";

/// The entries nalgebra's swizzle `name` reads (`xy` is `[0, 1]`, `zyx` is `[2, 1, 0]`): two or
/// three of `x`, `y`, `z`.
fn swizzle(name: &str) -> Option<Vec<usize>> {
    if !(2..=3).contains(&name.len()) {
        return None;
    }
    name.chars().map(|c| "xyz".find(c)).collect()
}

/// The operand an expression's value starts from: the left of a binary operation, the receiver
/// of a method, through parentheses, references and negation; a name ends the search.
pub(super) fn leading_operand(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Paren(p) => leading_operand(&p.expr),
        Expr::Binary(b) => leading_operand(&b.left),
        Expr::MethodCall(m) => leading_operand(&m.receiver),
        Expr::Reference(r) => leading_operand(&r.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => leading_operand(&u.expr),
        Expr::Path(_) => Some(e),
        _ => None,
    }
}

/// The function `g` of `g(..).unwrap_or_else(|| ..)` (or `map_or`, `map_or_else`) where `g` has
/// the attribute (the prescan or an earlier expansion recorded it): a fallback taken where `g`
/// fails.
fn fallback_of_call(method: &str, receiver: &Expr) -> Option<String> {
    if !crate::check::CLOSURE_FALLBACKS.contains(&method) {
        return None;
    }
    let Expr::Call(call) = strip_parens(receiver) else { return None };
    let Expr::Path(path) = &*call.func else { return None };
    let name = path.path.segments.last()?.ident.to_string();
    crate::signature::registry::is_function(&name, call.args.len()).then_some(name)
}
