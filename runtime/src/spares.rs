//! Buffers a service keeps from call to call: the strings and byte arrays of values it is done
//! with (a call's arguments, a result once written out as JSON text) are kept and handed out again for the
//! strings a later call lifts or parses, so a large payload does not cost a fresh allocation,
//! and the page faults of touching it, on every call.
//!
//! Only buffers worth keeping are kept (at least [`MIN_CAPACITY`] bytes), and only a few, up to
//! a total: a service that once took a huge payload does not hold its memory for ever.

use alloc::string::String;
use alloc::vec::Vec;

use arrayvec::ArrayVec;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use strait_it::IValue;

use crate::json::JsonTextError;

/// Smaller buffers come and go through the allocator's own free lists at no cost worth saving.
pub(crate) const MIN_CAPACITY: usize = 4096;

/// How many buffers are kept.
const MAX_BUFFERS: usize = 8;

/// The most bytes kept in all.
const MAX_BYTES: usize = 32 << 20;

/// The kept buffers, empty, each of at least [`MIN_CAPACITY`] bytes.
#[derive(Debug, Default)]
pub(crate) struct Spares {
    buffers: ArrayVec<Vec<u8>, MAX_BUFFERS>,
    bytes: usize,
}

impl Spares {
    /// The smallest kept buffer with room for `len` bytes, if there is one. Never allocates:
    /// `len` may come from a guest, unchecked.
    pub(crate) fn take(&mut self, len: usize) -> Option<Vec<u8>> {
        if len < MIN_CAPACITY {
            return None;
        }
        let (index, _) = self
            .buffers
            .iter()
            .enumerate()
            .filter(|(_, buffer)| buffer.capacity() >= len)
            .min_by_key(|(_, buffer)| buffer.capacity())?;
        let buffer = self.buffers.swap_remove(index);
        self.bytes -= buffer.capacity();
        Some(buffer)
    }

    /// Keeps `buffer` if it is worth it and there is room, making room by dropping smaller
    /// ones.
    pub(crate) fn keep(&mut self, mut buffer: Vec<u8>) {
        let capacity = buffer.capacity();
        if !(MIN_CAPACITY..=MAX_BYTES).contains(&capacity) {
            return;
        }
        while self.buffers.is_full() || self.bytes + capacity > MAX_BYTES {
            let Some((index, smallest)) = self
                .buffers
                .iter()
                .enumerate()
                .min_by_key(|(_, buffer)| buffer.capacity())
            else {
                break;
            };
            if smallest.capacity() >= capacity {
                // Everything kept is at least as large: keep those.
                return;
            }
            self.bytes -= smallest.capacity();
            self.buffers.swap_remove(index);
        }
        buffer.clear();
        self.bytes += capacity;
        self.buffers.push(buffer);
    }

    /// Keeps the buffers of the strings and byte arrays in `values`.
    pub(crate) fn keep_ivalues(&mut self, values: Vec<IValue>) {
        let mut pending = values;
        while let Some(value) = pending.pop() {
            match value {
                IValue::String(text) => self.keep(text.into_bytes()),
                IValue::ByteArray(bytes) => self.keep(bytes),
                IValue::Array(items) | IValue::Record(items) => pending.extend(items),
                _ => {}
            }
        }
    }

    /// A copy of `text` in a kept buffer, if one has room.
    pub(crate) fn copy_str(&mut self, text: &str) -> Option<String> {
        // Kept buffers are empty, so this check reads nothing; checking the copy would read
        // every byte of text that is already known to be UTF-8.
        let mut copy = String::from_utf8(self.take(text.len())?).ok()?;
        copy.push_str(text);
        Some(copy)
    }

    /// Parses JSON text as [`json::parse`](crate::json::parse) does, with long strings copied
    /// into kept buffers.
    pub(crate) fn parse_json(&mut self, text: &str) -> Result<Value, JsonTextError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let parsed = Kept(self)
            .deserialize(&mut deserializer)
            .and_then(|value| deserializer.end().map(|()| value));
        // Text deeper than serde_json's recursion limit, and text that is not JSON, take
        // `parse`'s own way: the same value, or the same error.
        parsed.or_else(|_| crate::json::parse(text))
    }
}

/// Builds a JSON value as serde_json's own `Value` deserializer does, with long strings in kept
/// buffers.
struct Kept<'s>(&'s mut Spares);

impl<'de> DeserializeSeed<'de> for Kept<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Kept<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(
            self.0.copy_str(value).unwrap_or_else(|| value.into()),
        ))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Kept(&mut *self.0))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Kept(&mut *self.0))?;
            // A repeated key keeps its last value, as serde_json's `Value` does.
            entries.insert(key, value);
        }
        Ok(Value::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn keeps_a_few_large_buffers_and_hands_out_the_best_fit() {
        let mut spares = Spares::default();
        spares.keep(Vec::with_capacity(100));
        assert!(spares.buffers.is_empty());
        spares.keep(vec![1; 10_000]);
        spares.keep(Vec::with_capacity(5_000));
        assert_eq!(spares.take(100), None);
        let buffer = spares.take(4_500).unwrap();
        assert!(buffer.is_empty() && (5_000..10_000).contains(&buffer.capacity()));
        assert_eq!(spares.take(20_000), None);
        let buffer = spares.take(8_000).unwrap();
        assert!(buffer.is_empty() && buffer.capacity() >= 10_000);
        assert_eq!(spares.bytes, 0);
    }

    #[test]
    fn bounded_in_count_and_bytes() {
        let mut spares = Spares::default();
        for size in 1..=20 {
            spares.keep(Vec::with_capacity(size * MIN_CAPACITY));
        }
        assert_eq!(spares.buffers.len(), MAX_BUFFERS);
        // The largest are kept.
        assert!(spares.take(13 * MIN_CAPACITY).is_some());
        assert!(spares.take(12 * MIN_CAPACITY).is_some());
        spares.keep(Vec::with_capacity(MAX_BYTES + 1));
        spares.keep(Vec::with_capacity(MAX_BYTES));
        assert_eq!(spares.buffers.len(), 1);
        assert_eq!(spares.bytes, spares.buffers[0].capacity());
        assert!(spares.bytes <= MAX_BYTES);
    }

    #[test]
    fn values_give_their_buffers() {
        let mut spares = Spares::default();
        let text = "x".repeat(MIN_CAPACITY);
        spares.keep_ivalues(vec![
            IValue::Record(vec![IValue::String(text.clone()), IValue::U8(1)]),
            IValue::ByteArray(vec![0; MIN_CAPACITY]),
        ]);
        spares.keep_ivalues(vec![IValue::Array(vec![IValue::String(text.clone())])]);
        assert_eq!(spares.buffers.len(), 3);
        assert_eq!(spares.copy_str(&text).as_deref(), Some(text.as_str()));
        assert_eq!(spares.copy_str("short"), None);
    }

    #[test]
    fn parsed_json_is_parse_s() {
        let mut spares = Spares::default();
        let long = "y".repeat(2 * MIN_CAPACITY);
        for _ in 0..3 {
            spares.keep(Vec::with_capacity(3 * MIN_CAPACITY));
        }
        let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
        let texts = [
            format!(
                r#"{{"module": "m", "args": ["{long}", "a\"b", -1, 2.5, 1e300, null, true, {{}}], "a": 1, "a": [2]}}"#
            ),
            r#"[18446744073709551615, -9223372036854775808, 0.1, "\u00e9\ud83e\udd80"]"#.into(),
            deep,
            "[1,".into(),
            "[1] x".into(),
            format!("{}1", "[".repeat(2000)),
            "".into(),
        ];
        for text in &texts {
            assert_eq!(spares.parse_json(text), crate::json::parse(text), "{text}");
        }
        // The long string came from a kept buffer.
        assert!(spares.buffers.len() < 3);
    }
}
