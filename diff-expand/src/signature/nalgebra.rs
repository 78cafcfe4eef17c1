//! nalgebra's types read from syntax: static and dynamic matrices and vectors, points, their
//! sizes and alias names, and which path names a nalgebra type at all.

use syn::Type;

use super::primitive;

/// Whether a type is one of nalgebra's statically sized matrices or vectors (`SMatrix<f64, 2, 3>`,
/// `SVector<f64, 3>`, `Vector3<f64>`, `Matrix2<f64>`, `Matrix2x3<f64>`, `RowVector3<f64>`).
pub fn static_matrix(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else { return false };
    let name = last.ident.to_string();
    // `OVector<T, U3>`, `OMatrix<T, U2, Const<3>>`: nalgebra's own spelling of `SMatrix`.
    if let Some(dims) = owned_dims(last) {
        return dims.iter().all(|d| matches!(d, Dim::Static(_)));
    }
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == 'x'))
    };
    (matches!(name.as_str(), "SMatrix" | "SVector" | "SRowVector")
        || numbered("Vector")
        || numbered("RowVector")
        || numbered("Matrix"))
        // (A struct of the user's of such a name, `struct Vector3 { x: f64, .. }`, is theirs.)
        && !super::types::defined_in_crate(&name)
}

/// Whether a type is a nalgebra point (`Point3<f64>`, `Point<T, 2>`): a `Copy` value like a
/// static vector, whose tangent is a vector (`Differentiable::Tangent`).
pub fn point(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else { return false };
    let name = last.ident.to_string();
    (name == "Point" || point_dimension(&name).is_some()) && !super::types::defined_in_crate(&name)
}

/// `N` of the alias `PointN` (1 to 6).
pub fn point_dimension(name: &str) -> Option<usize> {
    name.strip_prefix("Point")?.parse::<usize>().ok().filter(|n| (1..=6).contains(n))
}

/// `N` of a function of the alias `PointN` (`Point3::new`): its type segment's dimension.
pub fn point_function(path: &syn::Path) -> Option<usize> {
    let name = path.segments.iter().rev().nth(1)?.ident.to_string();
    point_dimension(&name).filter(|_| !super::types::defined_in_crate(&name))
}

/// A dimension of a nalgebra type: `3` (of `SVector<T, 3>`), `U3`, `Const<3>`, `Const<N>`
/// (static, its value when written), `Dyn`.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Dim {
    Static(Option<usize>),
    /// `Dyn` (or the older `Dynamic`).
    Dynamic,
    /// A type parameter or anything else.
    Other,
}

fn dimension(arg: &syn::GenericArgument) -> Dim {
    let literal = |e: &syn::Expr| match e {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => i.base10_parse().ok(),
        _ => None,
    };
    match arg {
        syn::GenericArgument::Const(e) => Dim::Static(literal(e)),
        syn::GenericArgument::Type(Type::Path(p)) => {
            let Some(last) = p.path.segments.last() else { return Dim::Other };
            let name = last.ident.to_string();
            match name.as_str() {
                "Dyn" | "Dynamic" => Dim::Dynamic,
                "Const" => Dim::Static(match &last.arguments {
                    syn::PathArguments::AngleBracketed(a) => match a.args.first() {
                        Some(syn::GenericArgument::Const(e)) => literal(e),
                        _ => None,
                    },
                    _ => None,
                }),
                _ => match name.strip_prefix('U') {
                    Some(n) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {
                        Dim::Static(n.parse().ok())
                    }
                    _ => Dim::Other,
                },
            }
        }
        _ => Dim::Other,
    }
}

/// The dimensions of `OVector<T, D>` (`[D, U1]`) or `OMatrix<T, R, C>`; `None` for another type.
fn owned_dims(segment: &syn::PathSegment) -> Option<Vec<Dim>> {
    let vector = match segment.ident.to_string().as_str() {
        "OVector" => true,
        "OMatrix" => false,
        _ => return None,
    };
    let syn::PathArguments::AngleBracketed(a) = &segment.arguments else { return Some(vec![Dim::Other]) };
    let dims: Vec<Dim> = a.args.iter().skip(1).map(dimension).collect();
    Some(match (vector, dims.as_slice()) {
        (true, [d]) => vec![*d, Dim::Static(Some(1))],
        (false, [r, c]) => vec![*r, *c],
        _ => vec![Dim::Other],
    })
}

/// The (rows, columns) of a statically sized nalgebra type named with its size: `SVector<T, 3>`,
/// `OVector<T, U3>`, `SMatrix<T, 2, 3>`, `OMatrix<T, U2, Const<3>>`, `Vector3`, `Matrix2x3`;
/// at most 6 by 6 (nalgebra's `new` takes the entries of those).
pub fn static_size(segment: &syn::PathSegment) -> Option<(usize, usize)> {
    let small = |n: usize| (1..=6).contains(&n).then_some(n);
    let (rows, columns) = any_static_size(segment)?;
    Some((small(rows)?, small(columns)?))
}

/// [`static_size`] of any size (`SVector<f64, 16>`).
pub fn any_static_size(segment: &syn::PathSegment) -> Option<(usize, usize)> {
    let name = segment.ident.to_string();
    let value = |i: usize| match &segment.arguments {
        syn::PathArguments::AngleBracketed(a) => match a.args.iter().nth(i).map(dimension) {
            Some(Dim::Static(n)) => n,
            _ => None,
        },
        _ => None,
    };
    let (rows, columns) = match name.as_str() {
        "SVector" | "OVector" => (value(1)?, 1),
        "SMatrix" | "OMatrix" => (value(1)?, value(2)?),
        _ => {
            let columns = alias_columns(&name)?;
            let rows = match name.strip_prefix("Vector") {
                Some(n) => n.parse().ok()?,
                None => name.strip_prefix("Matrix")?.split('x').next()?.parse().ok()?,
            };
            (rows, columns)
        }
    };
    Some((rows, columns))
}

/// A nalgebra matrix or vector of `f64`, static or dynamic (`Vector3<f64>`, `DVector<f64>`).
pub fn nalgebra_f64(ty: &Type) -> bool {
    matches!(ty, Type::Path(_))
        && (static_matrix(ty) || dynamic_matrix(ty))
        && matches!(scalar_argument(ty), Some(Type::Path(e)) if primitive(e).as_deref() == Some("f64"))
}

/// A static nalgebra vector or matrix of `f64` (`Vector3<f64>`, `SMatrix<f64, 2, 3>`).
pub fn static_matrix_f64(ty: &Type) -> bool {
    static_matrix(ty) && nalgebra_f64(ty)
}

/// The entries' type `T` of a `DVector<T>` or `DMatrix<T>`, also behind `&`.
pub fn dynamic_element(ty: &Type) -> Option<&Type> {
    dynamic_matrix(ty).then(|| scalar_argument(ty)).flatten()
}

/// The first type argument of a path type's last segment, behind `&` (`T` of `DVector<T>`).
fn scalar_argument(mut ty: &Type) -> Option<&Type> {
    while let Type::Reference(r) = ty {
        ty = &r.elem;
    }
    let Type::Path(p) = ty else { return None };
    match &p.path.segments.last()?.arguments {
        syn::PathArguments::AngleBracketed(a) => match a.args.first()? {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a type is one of nalgebra's dynamically sized matrices or vectors (`DMatrix<f64>`,
/// `DVector<f64>`, `RowDVector<f64>`), by value or by shared reference.
pub fn dynamic_matrix(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => dynamic_matrix(&r.elem),
        Type::Paren(p) => dynamic_matrix(&p.elem),
        Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            dynamic_name(&s.ident.to_string())
                // `OVector<T, Dyn>` is `DVector<T>`, `OMatrix<T, Dyn, Dyn>` is `DMatrix<T>`.
                || owned_dims(s).is_some_and(|d| {
                    matches!(d.as_slice(), [Dim::Dynamic, Dim::Static(_)]) && s.ident == "OVector"
                        || d == [Dim::Dynamic, Dim::Dynamic]
                })
        }),
        _ => false,
    }
}

/// A nalgebra type's name (the type segment of `Matrix3::from_diagonal`): its vectors and
/// matrices (by alias or generic name), points, rotations, quaternions, translations and
/// isometries. Never a user's type, whose functions may be `#[differentiable]`.
pub fn nalgebra_type_name(segment: &syn::PathSegment) -> bool {
    let name = segment.ident.to_string();
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|n| n.is_empty() || n.parse::<usize>().is_ok_and(|n| (1..=6).contains(&n)))
    };
    alias_columns(&name).is_some()
        || dynamic_name(&name)
        || any_static_size(segment).is_some()
        || matches!(
            name.as_str(),
            "Matrix" | "Vector" | "SMatrix" | "SVector" | "OMatrix" | "OVector" | "Unit"
        )
        || [
            "Point",
            "RowVector",
            "Rotation",
            "UnitQuaternion",
            "Quaternion",
            "UnitComplex",
            "Translation",
            "Isometry",
            "Similarity",
            "Scale",
            "Perspective3",
            "Orthographic3",
        ]
        .iter()
        .any(|p| numbered(p))
}

/// `DMatrix`, `DVector`, `RowDVector`: the names of nalgebra's dynamically sized types.
pub fn dynamic_name(name: &str) -> bool {
    matches!(name, "DMatrix" | "DVector" | "RowDVector")
}

/// The number of columns of a nalgebra alias whose `new` takes its entries row by row:
/// 1 for the vectors (`Vector3`, `SVector`), `N` for `MatrixN`, `C` for `MatrixRxC`.
/// `None` for any other name, whose `new` is an ordinary call.
pub fn alias_columns(name: &str) -> Option<usize> {
    let dim = |d: &str| d.parse::<usize>().ok().filter(|n| (1..=6).contains(n));
    if name == "SVector" {
        return Some(1);
    }
    if let Some(n) = name.strip_prefix("Vector") {
        return dim(n).map(|_| 1);
    }
    let shape = name.strip_prefix("Matrix")?;
    match shape.split_once('x') {
        Some((r, c)) => dim(r).and(dim(c)),
        None => dim(shape),
    }
}

/// Whether a nalgebra type or constructor path's name (`UnitQuaternion`, `Rotation3::new`)
/// starts with a rotation's or rigid motion's: `Rotation`, `UnitQuaternion`, `UnitComplex`,
/// `Isometry`, `Similarity`.
pub fn motion_name(name: &str) -> bool {
    ["Rotation", "UnitQuaternion", "UnitComplex", "Isometry", "Similarity"]
        .iter()
        .any(|m| name.starts_with(m))
}
