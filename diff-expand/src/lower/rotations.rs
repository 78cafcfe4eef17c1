//! Rotations built from angles, which may be differentiated: `Rotation2::new(θ)`,
//! `UnitComplex::new(θ)` (and `from_angle`), `Rotation3::from_euler_angles(roll, pitch, yaw)`,
//! `UnitQuaternion::from_euler_angles(..)` and `from_axis_angle(&axis, θ)` of both, on angles
//! that may depend on a differentiated parameter (others stay as written). Each is held
//! as its rotation matrix, written from `sin` and `cos` of the angles (`Matrix2::new(c, -s, s,
//! c)`, `R_z(yaw) R_y(pitch) R_x(roll)`, Rodrigues' formula), in the generated items only: the
//! user's function keeps its rotation types.
//!
//! A rotation and its matrix agree on products (`r * v`, `r * p`, `r * m`, `r1 * r2`), on
//! `inverse()` (the transpose), `transform_vector`/`transform_point` and their inverses, and
//! `r[(i, j)]`; `r.matrix()` and a 2-D rotation's `angle()` are read off the matrix. Other
//! uses would mean something else on a matrix (a quaternion's `norm()`, `dot`, `w`), so
//! [`Lowerer::check_rotations`] reports every other reader of such a value, and a rotation
//! returned, passed to a call, or carried by a loop or branch.

use super::*;

/// The methods of a rotation read as its matrix: what each becomes (`r` the receiver, `a` the
/// argument).
enum AsMatrix {
    /// `inverse()`, `transpose()`: a rotation again.
    Transpose,
    /// `transform_vector(&v)`, `transform_point(&p)`: `r * a`.
    Apply,
    /// `inverse_transform_vector(&v)`, `inverse_transform_point(&p)`: `rᵀ * a`.
    ApplyInverse,
    /// `matrix()`, `to_rotation_matrix()` of a quaternion is a rotation; `matrix()` the matrix.
    Matrix,
    /// `angle()` of a 2-D rotation: `atan2(r[(1, 0)], r[(0, 0)])`.
    Angle,
}

impl Lowerer<'_> {
    /// A rotation built from angles (`segments` the path of the call `c`), as its matrix.
    pub(super) fn rotation_call(
        &mut self,
        c: &syn::ExprCall,
        segments: &[String],
        span: Loc,
    ) -> Option<Tree> {
        let [.., ty, last] = segments else { return None };
        let args: Vec<&Expr> = c.args.iter().map(strip_reference).collect();
        let s = span.span();
        // `Matrix2`/`Matrix3` of the runtime's nalgebra (the user's own, at the version the
        // runtime is built with).
        let matrix = |dimension: &str| -> syn::Path {
            let ty = syn::Ident::new(&format!("Matrix{dimension}"), s);
            syn::parse_quote_spanned!(s=> ::tapeless::__private::nalgebra::#ty::new)
        };
        let h = |name: &str| super::iterators::hidden(name, s);
        let (sa, ca, sb, cb, sc, cc) = (h("__sa"), h("__ca"), h("__sb"), h("__cb"), h("__sc"), h("__cc"));
        // Angles that cannot depend on a differentiated parameter (literals, constants): the
        // rotation is kept as written, a constant of its own type.
        let angles = args.iter().skip(usize::from(last == "from_axis_angle"));
        if !angles.clone().any(|a| self.may_be_differentiated(a)) {
            return None;
        }
        let built: Expr = match (ty.as_str(), last.as_str(), &args[..]) {
            ("Rotation2" | "UnitComplex", "new" | "from_angle", [a]) => {
                let new = matrix("2");
                syn::parse_quote_spanned!(s=> {
                    let #sa = (#a).sin();
                    let #ca = (#a).cos();
                    #new(#ca, -#sa, #sa, #ca)
                })
            }
            // nalgebra's order: roll about x first, then pitch about y, then yaw about z.
            ("Rotation3" | "UnitQuaternion", "from_euler_angles", [roll, pitch, yaw]) => {
                let new = matrix("3");
                syn::parse_quote_spanned!(s=> {
                    let #sa = (#roll).sin();
                    let #ca = (#roll).cos();
                    let #sb = (#pitch).sin();
                    let #cb = (#pitch).cos();
                    let #sc = (#yaw).sin();
                    let #cc = (#yaw).cos();
                    #new(
                        #cc * #cb, #cc * #sb * #sa - #sc * #ca, #cc * #sb * #ca + #sc * #sa,
                        #sc * #cb, #sc * #sb * #sa + #cc * #ca, #sc * #sb * #ca - #cc * #sa,
                        -#sb, #cb * #sa, #cb * #ca
                    )
                })
            }
            // `c I + s [u]× + (1 - c) u uᵀ` of the unit axis `u`.
            ("Rotation3" | "UnitQuaternion", "from_axis_angle", [axis, a]) => {
                let new = matrix("3");
                let (x, y, z, t) = (h("__ux"), h("__uy"), h("__uz"), h("__t"));
                syn::parse_quote_spanned!(s=> {
                    let #x = (#axis).x;
                    let #y = (#axis).y;
                    let #z = (#axis).z;
                    let #sa = (#a).sin();
                    let #ca = (#a).cos();
                    let #t = 1.0 - #ca;
                    #new(
                        #ca + #x * #x * #t, #x * #y * #t - #z * #sa, #x * #z * #t + #y * #sa,
                        #y * #x * #t + #z * #sa, #ca + #y * #y * #t, #y * #z * #t - #x * #sa,
                        #z * #x * #t - #y * #sa, #z * #y * #t + #x * #sa, #ca + #z * #z * #t
                    )
                })
            }
            _ => return None,
        };
        let t = self.expr(&built);
        if let Tree::Leaf(r) = t {
            self.rotation_values.insert(r);
        }
        Some(t)
    }

    /// A method of a rotation held as its matrix (`r.inverse()`, `r.transform_vector(&v)`), if
    /// `m` is one of those on one.
    pub(super) fn rotation_method(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
        if !self.names_rotation(&m.receiver) {
            return None;
        }
        let r = self.value(&m.receiver);
        let args: Vec<&Expr> = m.args.iter().map(strip_reference).collect();
        let how = match (m.method.to_string().as_str(), &args[..]) {
            ("inverse" | "transpose", []) => AsMatrix::Transpose,
            ("transform_vector" | "transform_point", [_]) => AsMatrix::Apply,
            ("inverse_transform_vector" | "inverse_transform_point", [_]) => AsMatrix::ApplyInverse,
            ("matrix" | "to_rotation_matrix", []) => AsMatrix::Matrix,
            ("angle", []) => AsMatrix::Angle,
            _ => return None,
        };
        let (recv, s) = (&m.receiver, m.method.span());
        let rewritten: Expr = match (how, &args[..]) {
            // The rule itself (lowering `r.transpose()` again would come back here).
            (AsMatrix::Transpose, _) => {
                let form = Form::Method(syn::Ident::new("transpose", s));
                let t = self.prim(rules::operator("transpose"), vec![r], form, Loc::of(m), &TupleShape::Leaf);
                if let Tree::Leaf(t) = t {
                    self.rotation_values.insert(t);
                }
                return Some(t);
            }
            (AsMatrix::Apply, [a]) => syn::parse_quote_spanned!(s=> (#recv) * (#a)),
            (AsMatrix::ApplyInverse, [a]) => syn::parse_quote_spanned!(s=> (#recv).transpose() * (#a)),
            (AsMatrix::Angle, _) => syn::parse_quote_spanned!(s=> (#recv)[(1, 0)].atan2((#recv)[(0, 0)])),
            // A quaternion's rotation matrix: a rotation still.
            (AsMatrix::Matrix, _) if m.method == "to_rotation_matrix" => return Some(Tree::Leaf(r)),
            // The matrix itself, a value of its own (no longer a rotation: any use is fine).
            (AsMatrix::Matrix, _) => {
                let ri = r.ident();
                let form = Form::Verbatim(quote::quote_spanned!(s=> #ri));
                return Some(self.prim(
                    rules::operator("<typed>"),
                    vec![r],
                    form,
                    Loc::of(m),
                    &TupleShape::Leaf,
                ));
            }
            _ => return None,
        };
        Some(self.expr(&rewritten))
    }

    /// Whether the value of `e` may depend on a differentiated parameter: it reads a name (or
    /// calls or indexes) whose value is not made from literals and constant parameters alone, as
    /// far as the instructions made so far show (a loop's carried value counts as one that may).
    pub(super) fn may_be_differentiated(&self, e: &Expr) -> bool {
        let mut names = super::closures::FreeNames::default();
        syn::visit::Visit::visit_expr(&mut names, e);
        names.0.iter().any(|n| match self.slot(n).and_then(|slot| self.vars[slot].clone()) {
            Some(t) => t.leaves().into_iter().any(|v| self.value_may_be_differentiated(v, 16)),
            // Not a local: a constant, a function, a unit struct.
            None => false,
        })
    }

    pub(super) fn value_may_be_differentiated(&self, v: Value, depth: usize) -> bool {
        let Some((_, inst)) = self.made_by(v) else { return true };
        depth == 0
            || match &inst.op {
                Op::Param(i) => self.wrt.get(*i).copied().unwrap_or(true),
                Op::Lit(_) => false,
                op => op.operands().into_iter().any(|a| self.value_may_be_differentiated(a, depth - 1)),
            }
    }

    /// Whether `e` names a rotation held as its matrix, or a product of such (`(q1 * q2)`).
    fn names_rotation(&self, e: &Expr) -> bool {
        match e {
            Expr::Paren(p) => self.names_rotation(&p.expr),
            Expr::Binary(b) if matches!(b.op, syn::BinOp::Mul(_)) => {
                self.names_rotation(&b.left) && self.names_rotation(&b.right)
            }
            e => self.aggregate_or_leaf(e).is_some_and(|r| self.is_rotation(r, 8)),
        }
    }

    /// Whether `v` is a rotation held as its matrix: one built from angles, or a product of two
    /// (`q1 * q2`), to `depth` products.
    fn is_rotation(&self, v: Value, depth: usize) -> bool {
        self.rotation_values.contains(&v)
            || depth > 0
                && self.made_by(v).is_some_and(|(_, i)| {
                    matches!(&i.op, Op::Prim { rule, args, .. }
                        if rule.name == "mul" && args.iter().all(|a| self.is_rotation(*a, depth - 1)))
                })
    }

    /// Whether `v`, made by `inst` if not a parameter, is a rotation (or rigid motion) not held
    /// as its matrix: a parameter of such a type, or made by a constructor this module does not
    /// read.
    fn other_rotation(&self, v: Value, inst: Option<&Inst>) -> bool {
        let named = crate::signature::motion_name;
        if let Some(ty) = self.param_types.get(&v) {
            let text = ty.to_token_stream().to_string();
            return text.split(|c: char| !c.is_alphanumeric()).any(named);
        }
        let mentions = |tokens: &dyn quote::ToTokens| {
            tokens.to_token_stream().to_string().split(|c: char| !c.is_alphanumeric()).any(named)
        };
        inst.is_some_and(|i| match &i.op {
            Op::Opaque { what: Opaque::NalgebraFunction(name), .. } => named(name),
            // `Rotation2::identity()`, `UnitQuaternion::from_scaled_axis(..)` kept as written.
            Op::Opaque { tokens, .. } => mentions(tokens),
            Op::Call { callee: Callee::Path(p), .. } => mentions(p),
            _ => false,
        })
    }

    /// Reports each use of a rotation held as its matrix that a matrix would not share (see the
    /// module's comment): a reader other than a product, a transpose, an entry or `matrix()`,
    /// and a rotation that leaves through the result, a call, or a branch's or loop's values.
    pub(super) fn check_rotations(&mut self, body: &Block, output: &Tree) {
        if self.rotation_values.is_empty() {
            return;
        }
        let mut rotations = self.rotation_values.clone();
        let mut defined = std::collections::HashMap::new();
        let mut made: std::collections::HashMap<Value, &Inst> =
            body.walk().into_iter().flat_map(|i| i.results.iter().map(move |r| (*r, i))).collect();
        // A loop's carried value, and a branch's result, are made where they start.
        for inst in body.walk() {
            let starts: Vec<(Value, Value)> = match &inst.op {
                Op::For { carried, .. } | Op::Loop { carried, .. } => {
                    carried.iter().flat_map(|c| [(c.header, c.init), (c.next, c.init)]).collect()
                }
                Op::If { then_out, .. } => {
                    inst.results.iter().copied().zip(then_out.iter().copied()).collect()
                }
                _ => Vec::new(),
            };
            for (v, start) in starts {
                if let Some(origin) = made.get(&start).copied() {
                    made.entry(v).or_insert(origin);
                }
            }
        }
        let mut misuse: Option<Loc> = None;
        for inst in body.walk() {
            for r in &inst.results {
                defined.insert(*r, inst.span);
            }
            // A product of two rotations is one.
            if let Op::Prim { rule, args, .. } = &inst.op
                && rule.name == "mul"
                && args.iter().all(|a| rotations.contains(a))
            {
                rotations.extend(inst.results.iter().copied());
            }
            let read = |vs: &[Value]| vs.iter().any(|v| rotations.contains(v));
            let leaves = match &inst.op {
                Op::If { then_out, else_out, .. } => read(then_out) || read(else_out),
                Op::For { carried, .. } | Op::Loop { carried, .. } => {
                    carried.iter().any(|c| rotations.contains(&c.init) || rotations.contains(&c.next))
                }
                _ => false,
            };
            // A product with another such rotation, or with a vector, point or matrix, not with
            // a rotation made otherwise (a parameter, another constructor), which would meet a
            // matrix it has no product with.
            let shared = match &inst.op {
                Op::Prim { rule, args, .. } if rule.name == "mul" => {
                    !args.iter().any(|a| self.other_rotation(*a, made.get(a).copied()))
                }
                Op::Prim { rule, .. } => matches!(rule.name, "transpose" | "<index>" | "<typed>"),
                _ => false,
            };
            if leaves || read(&inst.op.operands()) && !shared {
                misuse.get_or_insert(inst.span);
            }
        }
        if let Some(at) =
            output.leaves().iter().filter(|v| rotations.contains(v)).find_map(|r| defined.get(r))
        {
            misuse.get_or_insert(*at);
        }
        if let Some(at) = misuse {
            self.unsupported(at, unsupported::ROTATION_USE);
        }
    }
}

/// `&e` as `e`.
fn strip_reference(e: &Expr) -> &Expr {
    match e {
        Expr::Reference(r) if r.mutability.is_none() => &r.expr,
        e => e,
    }
}
