//! Interface types: [`IType`], record and function types, and their text renderings.
//!
//! See `spec/it-section.md` §1. Two renderings exist: the IT text format (`s32`, `byte_array`,
//! `array (string)`, `record 6`), produced by [`IType`]'s `Display`, and the interface listing
//! that users see (`i32`, `[]u8`, `[]string`, the record's name), produced by [`IType::listing`].

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Calls `$mac!` with the scalar interface types, the one list of them: [`IType`]'s scalar
/// variants, their IT text names and [`ScalarKind`](crate::instructions::ScalarKind) (the
/// integer-like scalars numeric conversions read and produce) are all generated from it.
///
/// The rows are grouped as `spec/it-section.md` §1.1 orders them: the interface integers (and
/// `boolean`), the floats, then the core-wasm integers. A row reads `Variant "text name"`,
/// after its doc comment.
macro_rules! for_each_scalar_type {
    ($mac:ident) => {
        $mac! {
            interface {
                /// `boolean`: stored as one byte, lowered to an `i32` 0/1.
                Boolean "boolean",
                /// `s8`
                S8 "s8",
                /// `s16`
                S16 "s16",
                /// `s32`: an interface integer (listed as `i32`).
                S32 "s32",
                /// `s64`: an interface integer (listed as `i64`).
                S64 "s64",
                /// `u8`
                U8 "u8",
                /// `u16`
                U16 "u16",
                /// `u32`
                U32 "u32",
                /// `u64`
                U64 "u64",
            }
            float {
                /// `f32`
                F32 "f32",
                /// `f64`
                F64 "f64",
            }
            core {
                /// `i32`: a core-wasm integer.
                I32 "i32",
                /// `i64`: a core-wasm integer.
                I64 "i64",
            }
        }
    };
}
pub(crate) use for_each_scalar_type;

/// Generates [`IType`] (the scalar rows, then the compound variants in §1.1 order), its IT
/// text rendering and [`IType::from_keyword`].
macro_rules! define_itype {
    (
        interface { $( $(#[$idoc:meta])* $interface:ident $itext:literal, )* }
        float { $( $(#[$fdoc:meta])* $float:ident $ftext:literal, )* }
        core { $( $(#[$cdoc:meta])* $core:ident $ctext:literal, )* }
    ) => {
        /// An interface type (17 variants, `spec/it-section.md` §1.1).
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum IType {
            $( $(#[$idoc])* $interface, )*
            $( $(#[$fdoc])* $float, )*
            /// `string`: UTF-8 text, passed as (pointer, byte length).
            String,
            /// `byte_array`: the specialised array of `u8`, passed as (pointer, byte length).
            ByteArray,
            /// `array (T)`: a homogeneous array, passed as (pointer, element count).
            Array(alloc::boxed::Box<IType>),
            $( $(#[$cdoc])* $core, )*
            /// `record N`: a reference to entry `N` of the module's type list.
            Record(u64),
        }

        impl IType {
            /// The type a keyword of the IT text format names by itself: a scalar's name,
            /// `string` or `byte_array`. `array (T)` and `record N` take more than one token,
            /// and Marine's `bool` is an alias the parser adds; both are `None` here.
            pub(crate) fn from_keyword(keyword: &str) -> Option<IType> {
                Some(match keyword {
                    $( $itext => IType::$interface, )*
                    $( $ftext => IType::$float, )*
                    $( $ctext => IType::$core, )*
                    "string" => IType::String,
                    "byte_array" => IType::ByteArray,
                    _ => return None,
                })
            }
        }

        /// The IT text format of a type, as strait prints it (`boolean`, `byte_array`: D6, D7).
        impl fmt::Display for IType {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let name = match self {
                    $( IType::$interface => $itext, )*
                    $( IType::$float => $ftext, )*
                    $( IType::$core => $ctext, )*
                    IType::String => "string",
                    IType::ByteArray => "byte_array",
                    IType::Array(inner) => return write!(f, "array ({inner})"),
                    IType::Record(id) => return write!(f, "record {id}"),
                };
                f.write_str(name)
            }
        }
    };
}

for_each_scalar_type!(define_itype);

impl IType {
    /// Size in bytes of a value of this type inside a record or an array (packed layout,
    /// `spec/abi.md` §5).
    pub fn memory_size(&self) -> u32 {
        match self {
            IType::Boolean | IType::S8 | IType::U8 => 1,
            IType::S16 | IType::U16 => 2,
            IType::S32 | IType::U32 | IType::I32 | IType::F32 | IType::Record(_) => 4,
            IType::S64 | IType::U64 | IType::I64 | IType::F64 => 8,
            IType::String | IType::ByteArray | IType::Array(_) => 8,
        }
    }

    /// The `allocate` type tag used when an array of this element type is lowered
    /// (`spec/it-section.md` §6.2).
    pub fn allocation_tag(&self) -> u32 {
        match self {
            IType::Boolean => 0,
            IType::U8 => 1,
            IType::U16 => 2,
            IType::U32 => 3,
            IType::U64 => 4,
            IType::S8 => 5,
            IType::S16 => 6,
            IType::S32 | IType::I32 => 7,
            IType::S64 | IType::I64 => 8,
            IType::F32 => 9,
            IType::F64 => 10,
            IType::String | IType::ByteArray | IType::Array(_) | IType::Record(_) => 3,
        }
    }

    /// True for scalars: everything but strings, byte arrays, arrays and records.
    pub fn is_scalar(&self) -> bool {
        !matches!(
            self,
            IType::String | IType::ByteArray | IType::Array(_) | IType::Record(_)
        )
    }

    /// Renders the type as the interface listing shows it (`spec/service.md` §12):
    /// `bool`, `i32` for `s32`, `[]u8` for byte arrays, `[]T`, and a record's name.
    /// `record_name` maps a record type index to its name; unknown ids render as `record N`.
    pub fn listing<'a>(&'a self, record_name: &'a dyn Fn(u64) -> Option<&'a str>) -> Listing<'a> {
        Listing {
            ty: self,
            record_name,
        }
    }
}

/// The interface-listing rendering of a type, see [`IType::listing`].
pub struct Listing<'a> {
    ty: &'a IType,
    record_name: &'a dyn Fn(u64) -> Option<&'a str>,
}

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.ty {
            IType::Boolean => "bool",
            IType::S8 => "i8",
            IType::S16 => "i16",
            IType::S32 | IType::I32 => "i32",
            IType::S64 | IType::I64 => "i64",
            IType::U8 => "u8",
            IType::U16 => "u16",
            IType::U32 => "u32",
            IType::U64 => "u64",
            IType::F32 => "f32",
            IType::F64 => "f64",
            IType::String => "string",
            IType::ByteArray => "[]u8",
            IType::Array(inner) => {
                return write!(f, "[]{}", inner.listing(self.record_name));
            }
            IType::Record(id) => {
                return match (self.record_name)(*id) {
                    Some(name) => f.write_str(name),
                    None => write!(f, "record {id}"),
                };
            }
        };
        f.write_str(name)
    }
}

/// One named field of a record type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordField {
    /// The field name; may be empty (tuple-struct fields).
    pub name: String,
    /// The field type.
    pub ty: IType,
}

/// A record type: a name and a non-empty list of fields (`spec/it-section.md` §1.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordType {
    /// Informational name; need not be unique.
    pub name: String,
    /// The fields in declaration order; never empty in a decoded or parsed section.
    pub fields: Vec<RecordField>,
}

impl RecordType {
    /// Size in bytes of the packed record (the sum of its field sizes).
    pub fn memory_size(&self) -> u32 {
        self.fields.iter().map(|field| field.ty.memory_size()).sum()
    }
}

/// One named parameter of a function type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FunctionArg {
    /// The parameter name (mandatory in the text format, may be empty in binary).
    pub name: String,
    /// The parameter type.
    pub ty: IType,
}

/// A function type: named parameters and unnamed results.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FunctionType {
    /// Parameters in order.
    pub params: Vec<FunctionArg>,
    /// Results in order (at most one in modules built by the toolchain).
    pub results: Vec<IType>,
}

/// One entry of a module's type list: function and record types share one index space.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeEntry {
    /// A function type.
    Function(FunctionType),
    /// A record type.
    Record(RecordType),
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use alloc::string::ToString;

    #[test]
    fn text_and_listing_renderings() {
        let ty = IType::Array(Box::new(IType::Array(Box::new(IType::Record(6)))));
        assert_eq!(ty.to_string(), "array (array (record 6))");
        let names = |id: u64| (id == 6).then_some("SecurityTetraplet");
        assert_eq!(ty.listing(&names).to_string(), "[][]SecurityTetraplet");
        assert_eq!(IType::ByteArray.to_string(), "byte_array");
        assert_eq!(IType::ByteArray.listing(&names).to_string(), "[]u8");
        assert_eq!(IType::S32.listing(&names).to_string(), "i32");
        assert_eq!(IType::Boolean.to_string(), "boolean");
        assert_eq!(IType::Boolean.listing(&names).to_string(), "bool");
        assert_eq!(IType::Record(9).listing(&names).to_string(), "record 9");
    }

    #[test]
    fn sizes_match_the_abi() {
        let test_record = RecordType {
            name: "TestRecord".into(),
            fields: [
                IType::Boolean,
                IType::S8,
                IType::S16,
                IType::S32,
                IType::S64,
                IType::U8,
                IType::U16,
                IType::U32,
                IType::U64,
                IType::F32,
                IType::F64,
                IType::String,
                IType::ByteArray,
            ]
            .into_iter()
            .enumerate()
            .map(|(i, ty)| RecordField {
                name: alloc::format!("field_{i}"),
                ty,
            })
            .collect(),
        };
        assert_eq!(test_record.memory_size(), 59);
    }
}
