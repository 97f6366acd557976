//! JSON text → [`Value`], for arguments as deep as interface values go.
//!
//! serde_json's parser refuses text nested deeper than 128 levels; an IT record may nest 1024
//! (D21), and Marine returns such records as JSON. Its limit is lifted here
//! (`unbounded_depth`), and since the parser then recurses once per level, the text's nesting
//! is counted first, without recursion, and refused beyond [`MAX_TEXT_DEPTH`]: the parser (and
//! dropping or printing the value) never goes deeper than that.

use alloc::string::{String, ToString};

use serde::Deserialize;
use serde_json::Value;

use super::MAX_DEPTH;

/// How deep JSON text may nest: the arguments' container, [`MAX_DEPTH`] arrays and records
/// inside it, a byte array in the deepest record, and the one-element array that may stand for
/// a scalar or a byte (D57).
pub const MAX_TEXT_DEPTH: usize = MAX_DEPTH + 3;

/// Why JSON text gives no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonTextError {
    /// Arrays and objects nest deeper than [`MAX_TEXT_DEPTH`].
    #[error("JSON text nests deeper than {limit} levels (byte {offset})")]
    TooDeep {
        /// The limit.
        limit: usize,
        /// Where the first bracket past the limit is.
        offset: usize,
    },
    /// The text is not JSON: serde_json's message, with line and column.
    #[error("{message}")]
    Syntax {
        /// serde_json's message.
        message: String,
    },
}

/// Parses JSON text nested at most [`MAX_TEXT_DEPTH`] levels.
pub fn parse(text: &str) -> Result<Value, JsonTextError> {
    // Text within serde_json's own recursion limit (128 levels, below ours) parses in one pass,
    // with no scan of its own: the usual case, and for large strings the scan would cost as
    // much as the parse. Any failure, too deep or not, takes the checked path below, so errors
    // are exactly what it reports (a text both malformed and too deep is refused as too deep).
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(_) => parse_deep(text),
    }
}

/// [`parse`] for text that serde_json's recursion limit refuses (or that is not JSON):
/// nesting counted first, then parsed without the limit.
fn parse_deep(text: &str) -> Result<Value, JsonTextError> {
    check_nesting(text.as_bytes(), MAX_TEXT_DEPTH)?;
    let syntax = |error: serde_json::Error| JsonTextError::Syntax {
        message: error.to_string(),
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    // Bounded by the scan above instead.
    deserializer.disable_recursion_limit();
    let value = Value::deserialize(&mut deserializer).map_err(syntax)?;
    deserializer.end().map_err(syntax)?;
    Ok(value)
}

/// Counts the nesting of `[` and `{` outside strings, failing past `limit`. Anything else
/// wrong with the text is left to the parser: this only has to bound its recursion.
fn check_nesting(text: &[u8], limit: usize) -> Result<(), JsonTextError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, byte) in text.iter().enumerate() {
        if in_string {
            // The quote, the backslash and the brackets are ASCII, never part of a multi-byte
            // UTF-8 sequence, so bytes are enough.
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth = depth.saturating_add(1);
                if depth > limit {
                    return Err(JsonTextError::TooDeep { limit, offset });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    fn nested(depth: usize) -> String {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn nesting_is_counted_outside_strings() {
        assert_eq!(check_nesting(b"[[1]]", 2), Ok(()));
        assert_eq!(
            check_nesting(b"[[1]]", 1),
            Err(JsonTextError::TooDeep {
                limit: 1,
                offset: 1
            })
        );
        assert_eq!(check_nesting(br#"["[[[", "\"[[", {"{{": "}"}]"#, 2), Ok(()));
        assert_eq!(check_nesting(br#"[{"a": "\\"}, [[]]]"#, 3), Ok(()));
        assert!(check_nesting(br#"[{"a": "\\"}, [[[]]]]"#, 3).is_err());
        // Closing brackets never make room for more than the limit.
        assert_eq!(check_nesting(b"]]]]][[1]]", 2), Ok(()));
    }

    #[test]
    fn deep_text_parses_up_to_the_limit() {
        let value = parse(&nested(MAX_TEXT_DEPTH)).unwrap();
        let mut depth = 0;
        let mut inner = &value;
        while let Value::Array(items) = inner {
            depth += 1;
            inner = &items[0];
        }
        assert_eq!(depth, MAX_TEXT_DEPTH);
        // Printing and parsing again, and dropping, at the limit.
        assert_eq!(parse(&value.to_string()), Ok(value));
        assert_eq!(
            parse(&nested(MAX_TEXT_DEPTH + 1)),
            Err(JsonTextError::TooDeep {
                limit: MAX_TEXT_DEPTH,
                offset: MAX_TEXT_DEPTH
            })
        );
        // Far deeper text is refused as cheaply.
        let error = parse(&nested(1 << 20)).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("JSON text nests deeper than {MAX_TEXT_DEPTH} levels (byte {MAX_TEXT_DEPTH})")
        );
    }

    #[test]
    fn beyond_serde_json_s_limit_and_malformed() {
        // Past serde_json's 128 levels: the checked path parses it.
        let value = parse(&nested(200)).unwrap();
        assert_eq!(value.to_string(), nested(200));
        // Malformed before the depth is reached, and too deep: refused as too deep, as the scan
        // finds it first.
        let text = format!("[1,,{}", nested(MAX_TEXT_DEPTH + 1));
        assert!(matches!(parse(&text), Err(JsonTextError::TooDeep { .. })));
        // Malformed and shallow: serde_json's message.
        assert_eq!(
            parse("[1,,2]").unwrap_err().to_string(),
            "expected value at line 1 column 4"
        );
    }

    #[test]
    fn syntax_errors_are_serde_json_s() {
        assert_eq!(
            parse("[1,").unwrap_err().to_string(),
            "EOF while parsing a value at line 1 column 3"
        );
        assert_eq!(
            parse("[1] x").unwrap_err().to_string(),
            "trailing characters at line 1 column 5"
        );
        assert_eq!(
            parse(r#" {"a": [true, null]} "#),
            Ok(serde_json::json!({"a": [true, null]}))
        );
    }
}
