//! Rust values to and from IT values through serde ([`to_interface_value`],
//! [`from_interface_values`]), as Marine's `wasmer-it` bridge does, with every shape it
//! cannot represent an error rather than a panic (D36).

use crate::values::{IValue, ne_vec::NEVec};
use serde::de::{self, Deserialize, IntoDeserializer, Visitor};
use serde::ser::{self, Impossible, Serialize};
use std::fmt::Display;

/// Why a value cannot become an `IValue`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SerializeError {
    /// A struct, tuple or map without fields: IT records are non-empty.
    #[error("Record needs at least one field")]
    RecordNeedsAtLeastOneField,
    /// A shape IT has no value for (unit, enum, `None`, `char`), or a custom error.
    #[error("{0}")]
    Message(String),
}

impl ser::Error for SerializeError {
    fn custom<T: Display>(msg: T) -> Self {
        Self::Message(msg.to_string())
    }
}

/// Why `IValue`s cannot become a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeserializeError {
    /// Values are left over.
    #[error("Unexpected input remaining")]
    InputNotEmpty,
    /// Values are missing.
    #[error("Unexpected end of input")]
    InputEmpty,
    /// A value does not fit, or a custom error.
    #[error("{0}")]
    Message(String),
}

impl de::Error for DeserializeError {
    fn custom<T: Display>(msg: T) -> Self {
        Self::Message(msg.to_string())
    }
}

/// A value as an `IValue`: integers and floats keep their width, strings become `String`,
/// sequences `Array`, and structs, tuples and maps (their values) `Record`.
///
/// ```
/// use marine::{to_interface_value, IValue, ne_vec::NEVec};
///
/// #[derive(serde::Serialize)]
/// struct Point { x: i32, label: String }
///
/// let value = to_interface_value(&Point { x: 1, label: "a".into() }).unwrap();
/// let fields = NEVec::new(vec![IValue::S32(1), IValue::String("a".into())]).unwrap();
/// assert_eq!(value, IValue::Record(fields));
/// assert!(to_interface_value(&()).is_err());
/// ```
pub fn to_interface_value<T: Serialize>(value: &T) -> Result<IValue, SerializeError> {
    value.serialize(ValueSerializer)
}

/// A value from `IValue`s: a struct or tuple takes one value per field (a nested struct from
/// a `Record`), any other type the first value.
///
/// ```
/// use marine::{from_interface_values, IValue, ne_vec::NEVec};
///
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Inner { a: u8 }
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Outer { x: i32, inner: Inner, names: Vec<String> }
///
/// let values = [
///     IValue::S32(7),
///     IValue::Record(NEVec::new(vec![IValue::U8(2)]).unwrap()),
///     IValue::Array(vec![IValue::String("n".into())]),
/// ];
/// let outer: Outer = from_interface_values(&values).unwrap();
/// assert_eq!(outer, Outer { x: 7, inner: Inner { a: 2 }, names: vec!["n".into()] });
/// assert!(from_interface_values::<String>(&[IValue::S32(1)]).is_err());
/// ```
pub fn from_interface_values<'a, T: Deserialize<'a>>(
    values: &'a [IValue],
) -> Result<T, DeserializeError> {
    let mut deserializer = ValuesDeserializer {
        values: values.iter(),
    };
    let value = T::deserialize(&mut deserializer)?;
    match deserializer.values.next() {
        None => Ok(value),
        Some(_) => Err(DeserializeError::InputNotEmpty),
    }
}

fn unsupported(what: &str) -> SerializeError {
    SerializeError::Message(format!("`{what}` has no interface-types value"))
}

struct ValueSerializer;

/// The elements of a sequence (an `Array`) or the fields of a record being serialized.
struct Collect {
    values: Vec<IValue>,
    record: bool,
}

impl Collect {
    fn new(len: Option<usize>, record: bool) -> Self {
        // The length comes from the value being serialized; it only sizes the first
        // allocation, bounded so a wrong hint cannot reserve unbounded memory.
        Self {
            values: Vec::with_capacity(len.unwrap_or(0).min(1024)),
            record,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerializeError> {
        self.values.push(value.serialize(ValueSerializer)?);
        Ok(())
    }

    fn finish(self) -> Result<IValue, SerializeError> {
        if self.record {
            NEVec::new(self.values)
                .map(IValue::Record)
                .map_err(|_| SerializeError::RecordNeedsAtLeastOneField)
        } else {
            Ok(IValue::Array(self.values))
        }
    }
}

macro_rules! scalars {
    ($($method:ident $ty:ty => $variant:ident;)*) => {
        $(
            fn $method(self, value: $ty) -> Result<IValue, SerializeError> {
                Ok(IValue::$variant(value))
            }
        )*
    };
}

impl ser::Serializer for ValueSerializer {
    type Ok = IValue;
    type Error = SerializeError;
    type SerializeSeq = Collect;
    type SerializeTuple = Collect;
    type SerializeTupleStruct = Collect;
    type SerializeTupleVariant = Impossible<IValue, SerializeError>;
    type SerializeMap = Collect;
    type SerializeStruct = Collect;
    type SerializeStructVariant = Impossible<IValue, SerializeError>;

    scalars! {
        serialize_bool bool => Boolean;
        serialize_i8 i8 => S8;
        serialize_i16 i16 => S16;
        serialize_i32 i32 => S32;
        serialize_i64 i64 => S64;
        serialize_u8 u8 => U8;
        serialize_u16 u16 => U16;
        serialize_u32 u32 => U32;
        serialize_u64 u64 => U64;
        serialize_f32 f32 => F32;
        serialize_f64 f64 => F64;
    }

    fn serialize_char(self, _: char) -> Result<IValue, SerializeError> {
        Err(unsupported("char"))
    }

    fn serialize_str(self, value: &str) -> Result<IValue, SerializeError> {
        Ok(IValue::String(value.to_owned()))
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<IValue, SerializeError> {
        Ok(IValue::ByteArray(value.to_vec()))
    }

    fn serialize_none(self) -> Result<IValue, SerializeError> {
        Err(unsupported("None"))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<IValue, SerializeError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<IValue, SerializeError> {
        Err(unsupported("()"))
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<IValue, SerializeError> {
        Err(unsupported(name))
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<IValue, SerializeError> {
        Err(unsupported(name))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<IValue, SerializeError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<IValue, SerializeError> {
        Err(unsupported(name))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Collect, SerializeError> {
        Ok(Collect::new(len, false))
    }

    fn serialize_tuple(self, len: usize) -> Result<Collect, SerializeError> {
        Ok(Collect::new(Some(len), true))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Collect, SerializeError> {
        Ok(Collect::new(Some(len), true))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SerializeError> {
        Err(unsupported(name))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Collect, SerializeError> {
        Ok(Collect::new(len, true))
    }

    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Collect, SerializeError> {
        Ok(Collect::new(Some(len), true))
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SerializeError> {
        Err(unsupported(name))
    }
}

impl ser::SerializeSeq for Collect {
    type Ok = IValue;
    type Error = SerializeError;

    fn serialize_element<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> Result<(), SerializeError> {
        self.push(value)
    }

    fn end(self) -> Result<IValue, SerializeError> {
        self.finish()
    }
}

impl ser::SerializeTuple for Collect {
    type Ok = IValue;
    type Error = SerializeError;

    fn serialize_element<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> Result<(), SerializeError> {
        self.push(value)
    }

    fn end(self) -> Result<IValue, SerializeError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Collect {
    type Ok = IValue;
    type Error = SerializeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerializeError> {
        self.push(value)
    }

    fn end(self) -> Result<IValue, SerializeError> {
        self.finish()
    }
}

impl ser::SerializeMap for Collect {
    type Ok = IValue;
    type Error = SerializeError;

    /// Keys are dropped, as in Marine: a record holds field values only.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), SerializeError> {
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerializeError> {
        self.push(value)
    }

    fn end(self) -> Result<IValue, SerializeError> {
        self.finish()
    }
}

impl ser::SerializeStruct for Collect {
    type Ok = IValue;
    type Error = SerializeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        _: &'static str,
        value: &T,
    ) -> Result<(), SerializeError> {
        self.push(value)
    }

    fn end(self) -> Result<IValue, SerializeError> {
        self.finish()
    }
}

/// The top-level values: a struct or tuple reads its fields from them, anything else the
/// first one.
struct ValuesDeserializer<'a> {
    values: std::slice::Iter<'a, IValue>,
}

impl<'a> ValuesDeserializer<'a> {
    fn next(&mut self) -> Result<ValueDeserializer<'a>, DeserializeError> {
        self.values
            .next()
            .map(ValueDeserializer)
            .ok_or(DeserializeError::InputEmpty)
    }
}

impl<'de> de::Deserializer<'de> for &mut ValuesDeserializer<'de> {
    type Error = DeserializeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeserializeError> {
        self.next()?.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeserializeError> {
        self.next()?.deserialize_option(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeserializeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, DeserializeError> {
        visitor.visit_seq(FieldsAccess(self))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, DeserializeError> {
        visitor.visit_seq(FieldsAccess(self))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeserializeError> {
        visitor.visit_seq(FieldsAccess(self))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq map enum identifier ignored_any
    }
}

/// A struct's or tuple's fields read one by one from the top-level values.
struct FieldsAccess<'r, 'de>(&'r mut ValuesDeserializer<'de>);

impl<'de> de::SeqAccess<'de> for FieldsAccess<'_, 'de> {
    type Error = DeserializeError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeserializeError> {
        match self.0.values.next() {
            Some(value) => seed.deserialize(ValueDeserializer(value)).map(Some),
            None => Ok(None),
        }
    }
}

/// One value: scalars as themselves, `Array` and `ByteArray` as sequences, `Record` as a
/// sequence of its fields (which is how structs and tuples read).
struct ValueDeserializer<'a>(&'a IValue);

impl<'de> IntoDeserializer<'de, DeserializeError> for ValueDeserializer<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = DeserializeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeserializeError> {
        use de::value::SeqDeserializer;
        match self.0 {
            IValue::Boolean(v) => visitor.visit_bool(*v),
            IValue::S8(v) => visitor.visit_i8(*v),
            IValue::S16(v) => visitor.visit_i16(*v),
            IValue::S32(v) | IValue::I32(v) => visitor.visit_i32(*v),
            IValue::S64(v) | IValue::I64(v) => visitor.visit_i64(*v),
            IValue::U8(v) => visitor.visit_u8(*v),
            IValue::U16(v) => visitor.visit_u16(*v),
            IValue::U32(v) => visitor.visit_u32(*v),
            IValue::U64(v) => visitor.visit_u64(*v),
            IValue::F32(v) => visitor.visit_f32(*v),
            IValue::F64(v) => visitor.visit_f64(*v),
            IValue::String(v) => visitor.visit_borrowed_str(v),
            IValue::ByteArray(bytes) => {
                let mut seq = SeqDeserializer::new(bytes.iter().copied());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            IValue::Array(items) => {
                let mut seq = SeqDeserializer::new(items.iter().map(ValueDeserializer));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            IValue::Record(fields) => {
                let mut seq = SeqDeserializer::new(fields.iter().map(ValueDeserializer));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeserializeError> {
        // IT has no null: a present value is `Some`.
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeserializeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Record {
        flag: bool,
        small: i8,
        big: u64,
        ratio: f64,
        bytes: Vec<u8>,
        pair: (u16, String),
    }

    #[test]
    fn round_trip() {
        let record = Record {
            flag: true,
            small: -3,
            big: u64::MAX,
            ratio: 0.5,
            bytes: vec![1, 2],
            pair: (9, "nine".into()),
        };
        let value = to_interface_value(&record).unwrap();
        let IValue::Record(fields) = &value else {
            panic!("a record expected: {value:?}")
        };
        assert_eq!(fields.len(), 6);
        assert_eq!(fields[4], IValue::Array(vec![IValue::U8(1), IValue::U8(2)]));
        let back: Record = from_interface_values(&fields.clone().into_vec()).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn errors() {
        #[derive(serde::Serialize)]
        struct Empty {}
        assert_eq!(
            to_interface_value(&Empty {}),
            Err(SerializeError::RecordNeedsAtLeastOneField)
        );
        assert!(to_interface_value(&None::<u8>).is_err());
        assert!(to_interface_value(&'c').is_err());
        assert_eq!(
            from_interface_values::<u8>(&[]),
            Err(DeserializeError::InputEmpty)
        );
        assert_eq!(
            from_interface_values::<u8>(&[IValue::U8(1), IValue::U8(2)]),
            Err(DeserializeError::InputNotEmpty)
        );
        assert!(from_interface_values::<String>(&[IValue::U8(1)]).is_err());
        let bytes = [IValue::ByteArray(vec![7, 8])];
        assert_eq!(from_interface_values::<Vec<u8>>(&bytes), Ok(vec![7, 8]));
    }
}
