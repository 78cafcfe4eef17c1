//! The crate's own data types that hold no float: `enum Kind { Huber, Square }`, `struct
//! Options { iterations: usize, method: Kind }`. The prescan records every `enum` and `struct`
//! with fields it reads (name, and the types of its fields); a parameter of such a type is a
//! constant without a `wrt(..)` list, as an integer is: nothing in it has a derivative to leave
//! out. A type with a float field, a type parameter or a field of a type the macro cannot see
//! into is not one; nor is a name defined twice where either definition is not one. The
//! declared types of struct fields by name also tell which fields are nalgebra vectors
//! ([`fixed_field`]: `p.pos.z`, `p.pos[k]` of an element of a differentiated collection of
//! structs).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use syn::Type;

/// Per type name, the types of the fields of each definition the prescan found (as text: the
/// table outlives the tokens), or `None` for a definition that may hold a float (generic).
static TYPES: Mutex<Option<HashMap<String, Vec<Definition>>>> = Mutex::new(None);

/// The types of one definition's fields, as text; `None` if it is generic.
type Definition = Option<Vec<String>>;

/// Per field name of a struct, the types it is declared with in the structs the prescan read.
static FIELDS: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);

/// Per file (and `""` for the crate) and struct name, the names of the named fields of each
/// definition the prescan read, with their types as text (`None` for a generic or tuple
/// struct).
type NamedFields = HashMap<(String, String), Vec<Option<Vec<(String, String)>>>>;

static NAMED_FIELDS: Mutex<Option<NamedFields>> = Mutex::new(None);

/// The named fields of the structs the prescan read, per file (and `""` for every file under
/// `src/`, other binaries' included), struct name and field: whether some definition of that
/// name marks the field `#[no_grad]`, and whether some does not (two structs of one name in
/// different modules may differ).
static NO_GRAD_FIELDS: Mutex<Option<HashMap<FieldKey, Marks>>> = Mutex::new(None);

/// A field in [`NO_GRAD_FIELDS`]: the scope, the struct's name and the field's.
type FieldKey = (String, String, String);

/// How the definitions of a struct name declare one field: `(some marked, some not)`.
type Marks = (bool, bool);

/// The marks of the field `field` of the structs named `owner`: of those of the file being
/// expanded where it defines one, else of the crate's.
fn marks(owner: &str, field: &str) -> Marks {
    let Ok(table) = NO_GRAD_FIELDS.lock() else { return Marks::default() };
    let Some(table) = table.as_ref() else { return Marks::default() };
    let at = |scope: String| table.get(&(scope, owner.to_string(), field.to_string())).copied();
    at(super::registry::current_file()).or_else(|| at(String::new())).unwrap_or_default()
}

/// Whether one struct named `owner` marks its field `field` `#[no_grad]` and another of that
/// name does not (in the file being expanded, or in the crate where the file defines none of
/// that name): which one a parameter's type names, the prescan cannot tell.
pub fn no_grad_differs(owner: &str, field: &str) -> bool {
    marks(owner, field) == (true, true)
}

/// Whether the field `field` of the struct `owner` carries no derivative: marked `#[no_grad]`
/// (its struct's tangent has no such field), or declared with a type that holds no float
/// ([`discrete`]: a count, a flag, an enum of settings). Where the owner is not known, by the
/// type every struct declares a field `field` with ([`field_type`]).
pub fn constant_field(owner: Option<&str>, field: &str) -> bool {
    // (Marked by every definition of that name: one that does not is [`no_grad_differs`].)
    let marked = |owner: &str| marks(owner, field) == (true, false);
    let marked = match owner {
        Some(owner) => marked(owner),
        // Every struct of the crate with a field `field` marks it.
        None => {
            let owners = structs_with_field(field);
            !owners.is_empty() && owners.iter().all(|o| marked(o))
        }
    };
    marked || field_type(owner, field).is_some_and(|ty| discrete(&ty))
}

/// The structs the prescan read in the crate that have a named field `field`.
fn structs_with_field(field: &str) -> Vec<String> {
    let Ok(table) = NAMED_FIELDS.lock() else { return Vec::new() };
    table
        .iter()
        .flatten()
        .filter(|((scope, _), definitions)| {
            scope.is_empty() && definitions.iter().flatten().flatten().any(|(name, _)| name == field)
        })
        .map(|((_, owner), _)| owner.clone())
        .collect()
}

/// A generic struct's parameters (`'a`, `T`, `N`, in order), its named fields with their types
/// as text, and whether every field is `pub`.
pub type GenericStruct = (Vec<String>, Vec<(String, String)>, bool);

/// Per file (and `""` for the crate) and generic struct name with named fields, each
/// definition the prescan read.
type GenericStructs = HashMap<(String, String), Vec<GenericStruct>>;

static GENERIC_STRUCTS: Mutex<Option<GenericStructs>> = Mutex::new(None);

/// The parameters and fields of the generic struct `name`, of its one definition the prescan
/// read in the file being expanded, or else in the crate if every field is `pub` (a struct
/// literal elsewhere can name them).
pub fn generic_struct(name: &str) -> Option<GenericStruct> {
    let table = GENERIC_STRUCTS.lock().ok()?;
    scoped_one(table.as_ref()?, name, |(_, _, public)| *public)
}

/// The names of the generic parameters (`'a`, `T`, `N`), in order.
pub fn generic_names(generics: &syn::Generics) -> Vec<String> {
    generics
        .params
        .iter()
        .map(|p| match p {
            syn::GenericParam::Lifetime(l) => l.lifetime.to_string(),
            syn::GenericParam::Type(t) => t.ident.to_string(),
            syn::GenericParam::Const(c) => c.ident.to_string(),
        })
        .collect()
}

/// Records the named fields of a struct definition the prescan read in `file`.
pub fn record_fields(file: &str, item: &syn::Item) {
    if let (syn::Item::Struct(st), Ok(mut generic)) = (item, GENERIC_STRUCTS.lock())
        && !st.generics.params.is_empty()
        && matches!(st.fields, syn::Fields::Named(_))
    {
        let params = generic_names(&st.generics);
        let fields: Vec<(String, String)> = st
            .fields
            .iter()
            .filter_map(|f| {
                let ty = &f.ty;
                f.ident.as_ref().map(|i| (i.to_string(), quote::quote!(#ty).to_string()))
            })
            .collect();
        let public = st.fields.iter().all(|f| matches!(f.vis, syn::Visibility::Public(_)));
        let definition = (params, fields, public);
        let table = generic.get_or_insert_with(HashMap::new);
        for scope in ["", file] {
            let definitions = table.entry((scope.to_string(), st.ident.to_string())).or_default();
            // (A file read again records the same definition.)
            if !definitions.contains(&definition) {
                definitions.push(definition.clone());
            }
        }
    }
    if let (syn::Item::Struct(st), Ok(mut marked)) = (item, NO_GRAD_FIELDS.lock()) {
        for f in &st.fields {
            if let Some(name) = &f.ident {
                let no_grad = f.attrs.iter().any(|a| a.path().is_ident("no_grad"));
                let table = marked.get_or_insert_with(HashMap::new);
                for scope in ["", file] {
                    let key = (scope.to_string(), st.ident.to_string(), name.to_string());
                    let marks = table.entry(key).or_default();
                    if no_grad { marks.0 = true } else { marks.1 = true }
                }
            }
        }
    }
    let (syn::Item::Struct(st), Ok(mut table)) = (item, NAMED_FIELDS.lock()) else { return };
    let named = matches!(st.fields, syn::Fields::Named(_)) && st.generics.params.is_empty();
    let fields: Option<Vec<(String, String)>> = named.then(|| {
        st.fields
            .iter()
            .filter_map(|f| {
                let ty = &f.ty;
                f.ident.as_ref().map(|i| (i.to_string(), quote::quote!(#ty).to_string()))
            })
            .collect()
    });
    let table = table.get_or_insert_with(HashMap::new);
    for scope in ["", file] {
        table.entry((scope.to_string(), st.ident.to_string())).or_default().push(fields.clone());
    }
}

/// The names of the fields of the struct `name`: of the one definition with named fields and no
/// generics the prescan read in the file being expanded, or else in the crate. What
/// `Name { a: x, ..base }` leaves to `base`.
pub fn named_fields(name: &str) -> Option<Vec<String>> {
    Some(typed_fields(name)?.into_iter().map(|(f, _)| f).collect())
}

/// The named fields of the struct `name` with their types as text, as [`named_fields`] finds
/// them.
fn typed_fields(name: &str) -> Option<Vec<(String, String)>> {
    let table = NAMED_FIELDS.lock().ok()?;
    scoped_one(table.as_ref()?, name, |_| true).flatten()
}

/// The one definition of `name` in a table per file (and `""` for the crate): the file being
/// expanded's, or else the crate's if `crate_wide` takes it. `None` where there are several.
fn scoped_one<T: Clone>(
    table: &HashMap<(String, String), Vec<T>>,
    name: &str,
    crate_wide: impl Fn(&T) -> bool,
) -> Option<T> {
    let one = |scope: String| match table.get(&(scope, name.to_string())).map(|d| &d[..]) {
        Some([one]) => Some(Some(one.clone())),
        Some(_) => Some(None),
        None => None,
    };
    let of_crate = || one(String::new()).map(|d| d.filter(&crate_wide));
    one(super::registry::current_file()).or_else(of_crate).flatten()
}

/// The declared type of the field `field` of the struct `owner`, as [`named_fields`] finds the
/// struct (`Vec<Vec<f64>>` of `w1` in `struct Mlp { w1: Vec<Vec<f64>>, .. }`), or where the
/// owner is not known (`self` of a method whose type the prescan could not tell) the type every
/// struct of the file being expanded, else of the crate, declares a field `field` with, if they
/// agree.
pub fn field_type(owner: Option<&str>, field: &str) -> Option<Type> {
    let declared = owner.and_then(|owner| declared_type(owner, field));
    let agreed = |types: &[String]| {
        let first = types.first()?;
        types.iter().all(|t| t == first).then(|| first.clone())
    };
    let ty = match declared {
        Some(ty) => ty,
        // The structs of the file being expanded first, then of the crate.
        None => agreed(&file_field_types(field)).or_else(|| {
            let table = FIELDS.lock().ok()?;
            agreed(table.as_ref()?.get(field)?)
        })?,
    };
    syn::parse_str(&ty).ok()
}

/// The declared type of the field `field` of the struct `owner`, as text (of its one
/// definition, [`typed_fields`]).
fn declared_type(owner: &str, field: &str) -> Option<String> {
    typed_fields(owner)?.into_iter().find(|(f, _)| f == field).map(|(_, ty)| ty)
}

/// The declared types of every field `field` of the structs the prescan read in the file being
/// expanded.
fn file_field_types(field: &str) -> Vec<String> {
    let Ok(table) = NAMED_FIELDS.lock() else { return Vec::new() };
    let file = super::registry::current_file();
    table
        .iter()
        .flatten()
        .filter(|((scope, _), _)| *scope == file)
        .flat_map(|(_, definitions)| definitions.iter().flatten().flatten())
        .filter(|(name, _)| name == field)
        .map(|(_, ty)| ty.clone())
        .collect()
}

/// Per type name, whether each definition the prescan read derives `Differentiable`.
static DERIVED: Mutex<Option<HashMap<String, Vec<bool>>>> = Mutex::new(None);

/// Whether the prescan read a `struct` or `enum` of this name in the crate: a type of the user's
/// own, even where nalgebra has one of the name (`struct Point { x: f64, y: f64 }`).
pub fn defined_in_crate(name: &str) -> bool {
    TYPES.lock().ok().is_some_and(|t| t.as_ref().is_some_and(|t| t.contains_key(name)))
}

/// Whether `ty` is a struct of the crate that derives `Differentiable`, or a reference, slice,
/// array or `Vec` of one (`p: &Params`, `bodies: &[Body]`): named as the crate's own, and every
/// definition of that name the prescan read derives it. Differentiated without a `wrt(..)` list,
/// as a float is; rustc checks the type implements `Differentiable`.
pub fn differentiable_record(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => r.mutability.is_none() && differentiable_record(&r.elem),
        Type::Paren(p) => differentiable_record(&p.elem),
        Type::Slice(s) => differentiable_record(&s.elem),
        Type::Array(a) => differentiable_record(&a.elem),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else { return false };
            if let syn::PathArguments::AngleBracketed(args) = &last.arguments
                && last.ident == "Vec"
            {
                return matches!(&args.args.iter().collect::<Vec<_>>()[..],
                    [syn::GenericArgument::Type(t)] if differentiable_record(t));
            }
            let first = p.path.segments.first().map(|s| s.ident.to_string()).unwrap_or_default();
            if p.path.segments.len() > 1 && !matches!(first.as_str(), "crate" | "self" | "super") {
                return false;
            }
            let Ok(table) = DERIVED.lock() else { return false };
            table
                .as_ref()
                .and_then(|t| t.get(&last.ident.to_string()))
                .is_some_and(|defs| !defs.is_empty() && defs.iter().all(|d| *d))
        }
        _ => false,
    }
}

/// Records an `enum` or `struct` definition the prescan read (`item` with its body), and
/// whether it derives `Differentiable`.
pub fn record(item: &syn::Item, derives_differentiable: bool) {
    if let (syn::Item::Struct(st), Ok(mut table)) = (item, DERIVED.lock()) {
        let table = table.get_or_insert_with(HashMap::new);
        table.entry(st.ident.to_string()).or_default().push(derives_differentiable);
    }
    let text = |f: &syn::Field| {
        let ty = &f.ty;
        quote::quote!(#ty).to_string()
    };
    let (name, generics, fields): (_, _, Vec<String>) = match item {
        syn::Item::Enum(e) => {
            (&e.ident, &e.generics, e.variants.iter().flat_map(|v| v.fields.iter().map(text)).collect())
        }
        syn::Item::Struct(s) => (&s.ident, &s.generics, s.fields.iter().map(text).collect()),
        _ => return,
    };
    if let (syn::Item::Struct(st), Ok(mut table)) = (item, FIELDS.lock()) {
        for f in st.fields.iter() {
            if let Some(name) = &f.ident {
                table.get_or_insert_with(HashMap::new).entry(name.to_string()).or_default().push(text(f));
            }
        }
    }
    let fields = generics.params.is_empty().then_some(fields);
    let Ok(mut types) = TYPES.lock() else { return };
    types.get_or_insert_with(HashMap::new).entry(name.to_string()).or_default().push(fields);
}

/// Whether every struct the prescan read with a field `name` declares it a value of fixed size
/// that is `Copy`: a nalgebra static vector or point (`Vector3<f64>`, `SVector<f64, 4>`,
/// `Point2<T>`) or an array of floats (`[f64; 2]`), and one does. Its entries (`p.pos[1]`,
/// `p.pos[k]`, and for nalgebra's the coordinates `.x`, `.y`, ..) are read from a copy.
pub fn fixed_field(name: &str) -> bool {
    let Ok(table) = FIELDS.lock() else { return false };
    let fixed = |ty: &Type| {
        super::static_matrix(ty)
            || super::point(ty)
            || matches!(ty, Type::Array(a) if super::is_float(&a.elem))
    };
    table.as_ref().and_then(|t| t.get(name)).is_some_and(|types| {
        !types.is_empty() && types.iter().all(|t| syn::parse_str::<Type>(t).is_ok_and(|ty| fixed(&ty)))
    })
}

/// What `&p.name` borrows, by the declared type of the field `name` of the struct `owner` (of
/// its one definition the prescan read), or where the owner is not known of every struct field
/// `name` (all must agree): a float, an array of floats (`Vec<f64>`, `[f64; N]`), or anything
/// else, `None` (a `DVector` read in place, or a name declared with several types).
pub fn borrowed_field(owner: Option<&str>, name: &str) -> Option<BorrowedField> {
    agreed_class(owner, name, |ty| {
        if super::is_float(&ty) {
            Some(BorrowedField::Float)
        } else if matches!(ty, Type::Array(_) | Type::Path(_))
            && super::collection_element(&ty).is_some_and(super::is_float)
        {
            Some(BorrowedField::Array)
        } else {
            None
        }
    })
}

/// The class `class` gives the declared type of the field `name` of the struct `owner` (of its
/// one definition the prescan read), or where the owner is not known of every struct field
/// `name`, all of which must agree.
fn agreed_class<C: PartialEq>(
    owner: Option<&str>,
    name: &str,
    class: impl Fn(Type) -> Option<C>,
) -> Option<C> {
    let declared = owner.and_then(|owner| declared_type(owner, name)).map(|ty| vec![ty]);
    let types = match declared {
        Some(types) => types,
        None => FIELDS.lock().ok()?.as_ref()?.get(name)?.clone(),
    };
    let class = |t: &String| class(syn::parse_str::<Type>(t).ok()?);
    let first = class(types.first()?)?;
    types.iter().all(|t| class(t).as_ref() == Some(&first)).then_some(first)
}

/// What `p.name.clone()` is, by the declared type of the field `name` of the struct `owner`
/// (where not known, of every struct field `name`, all of one class): `None` where the types
/// do not say or do not agree.
pub fn cloned_field(owner: Option<&str>, name: &str) -> Option<ClonedField> {
    agreed_class(owner, name, |ty| {
        if super::is_float(&ty) || super::static_matrix(&ty) {
            Some(ClonedField::Value)
        } else if super::nalgebra::dynamic_matrix(&ty) {
            Some(ClonedField::InPlace)
        } else if super::collection_element(&ty).is_some_and(super::is_float) {
            Some(ClonedField::Array { fixed: matches!(ty, Type::Array(_)) })
        } else {
            None
        }
    })
}

/// What the clone of a struct's field is ([`cloned_field`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ClonedField {
    /// A float or a static nalgebra value (`Copy`): the field's value.
    Value,
    /// A `DVector` or `DMatrix`: the same value, read in place as a `DMatrix`'s clone is.
    InPlace,
    /// A `Vec` or an array of floats: a copy, itself an array if `fixed`.
    Array { fixed: bool },
}

/// What a borrowed struct field is ([`borrowed_field`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BorrowedField {
    Float,
    Array,
}

/// Whether `ty` (or `&ty`) is a type of the crate that holds no float.
pub fn discrete(ty: &Type) -> bool {
    discrete_in(ty, &mut HashSet::new())
}

fn discrete_in(ty: &Type, seen: &mut HashSet<String>) -> bool {
    match ty {
        Type::Reference(r) => r.mutability.is_none() && discrete_in(&r.elem, seen),
        Type::Paren(p) => discrete_in(&p.elem, seen),
        Type::Slice(s) => discrete_in(&s.elem, seen),
        Type::Array(a) => discrete_in(&a.elem, seen),
        Type::Tuple(t) => t.elems.iter().all(|e| discrete_in(e, seen)),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else { return false };
            let name = last.ident.to_string();
            if super::classify(ty) == super::TypeClass::Constant && !super::function_type(ty) {
                return true;
            }
            if matches!(name.as_str(), "String" | "str") {
                return true;
            }
            if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                // `Vec<Kind>`, `Option<Kind>`, `Box<Kind>`: of discrete elements.
                let containers = matches!(name.as_str(), "Vec" | "Option" | "Box");
                return containers
                    && args
                        .args
                        .iter()
                        .all(|a| matches!(a, syn::GenericArgument::Type(t) if discrete_in(t, seen)));
            }
            // Named as the crate's own: `Kind`, `crate::Kind`, `super::model::Kind` (not
            // `other_crate::Kind`, which may be another type of the same name).
            let first = p.path.segments.first().map(|s| s.ident.to_string()).unwrap_or_default();
            if p.path.segments.len() > 1 && !matches!(first.as_str(), "crate" | "self" | "super") {
                return false;
            }
            // A type being checked further up (`enum Tree { Leaf, Node(Box<Tree>) }`).
            if !seen.insert(name.clone()) {
                return true;
            }
            let definitions = TYPES.lock().ok().and_then(|t| t.as_ref().and_then(|t| t.get(&name).cloned()));
            definitions.is_some_and(|defs| {
                defs.iter().all(|fields| {
                    fields.as_ref().is_some_and(|f| {
                        f.iter().all(|t| syn::parse_str::<Type>(t).is_ok_and(|t| discrete_in(&t, seen)))
                    })
                })
            })
        }
        _ => false,
    }
}
