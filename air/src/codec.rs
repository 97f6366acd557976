//! The two byte formats of AquaVM's loop (`spec/aqua.md` §1): call results going in and call
//! requests coming out, both msgpack behind the multicodec prefix `0x0201` (bytes `81 04`).
//!
//! The maps differ: call results are keyed by the request id as a **string** and carry the
//! result as **JSON text**; call requests are keyed by integers and carry their arguments and
//! tetraplets as plain msgpack **inside** msgpack `bin` fields.

use crate::error::AirError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use strait::call_parameters::SecurityTetraplet;

/// The unsigned-varint multicodec 0x0201 (msgpack).
const MSGPACK_MULTICODEC: [u8; 2] = [0x81, 0x04];

/// The answer to one call request.
#[derive(Debug, Clone, PartialEq)]
pub struct CallServiceResult {
    /// 0 for success; nox and the JS client answer errors with 1.
    pub ret_code: i32,
    /// The value (on error: the message as a JSON string).
    pub result: Value,
}

/// One call request of an [`InterpreterOutcome`](crate::InterpreterOutcome).
#[derive(Debug, Clone, PartialEq)]
pub struct CallRequest {
    /// The service to call.
    pub service_id: String,
    /// The function to call.
    pub function_name: String,
    /// The arguments, as JSON values.
    pub arguments: Vec<Value>,
    /// For each argument, where its values came from.
    pub tetraplets: Vec<Vec<SecurityTetraplet>>,
}

#[derive(Serialize)]
struct RawResult {
    ret_code: i32,
    result: String,
}

#[derive(Deserialize)]
struct RawRequest {
    service_id: String,
    function_name: String,
    arguments: serde_bytes::ByteBuf,
    tetraplets: serde_bytes::ByteBuf,
}

/// Encodes call results for `invoke`: the multicodec prefix, then a msgpack map from the
/// request id (as a string) to `{ret_code, result}` with `result` as JSON text. No results
/// encode as `81 04 80`, never as empty bytes (AquaVM refuses those).
///
/// ```
/// use strait_air::{CallServiceResult, encode_call_results};
/// let none = encode_call_results(&Default::default()).unwrap();
/// assert_eq!(none, [0x81, 0x04, 0x80]);
/// let one = [(1, CallServiceResult { ret_code: 0, result: "hello".into() })].into();
/// let bytes = encode_call_results(&one).unwrap();
/// assert_eq!(&bytes[..4], [0x81, 0x04, 0x81, 0xa1]); // prefix, map of 1, key "1"
/// ```
pub fn encode_call_results(
    results: &BTreeMap<u32, CallServiceResult>,
) -> Result<Vec<u8>, AirError> {
    let raw: BTreeMap<String, RawResult> = results
        .iter()
        .map(|(id, result)| {
            (
                id.to_string(),
                RawResult {
                    ret_code: result.ret_code,
                    result: result.result.to_string(),
                },
            )
        })
        .collect();
    let mut bytes = MSGPACK_MULTICODEC.to_vec();
    rmp_serde::encode::write_named(&mut bytes, &raw)
        .map_err(|e| AirError::Encode(e.to_string()))?;
    Ok(bytes)
}

/// Decodes the `call_requests` of an outcome into requests by id, in id order. Empty bytes
/// (or an empty map) are no requests.
///
/// ```
/// // 81 04, then {} (msgpack fixmap of 0)
/// assert!(strait_air::decode_call_requests(&[0x81, 0x04, 0x80]).unwrap().is_empty());
/// assert!(strait_air::decode_call_requests(&[0x12]).is_err());
/// ```
pub fn decode_call_requests(bytes: &[u8]) -> Result<BTreeMap<u32, CallRequest>, AirError> {
    if bytes.is_empty() {
        return Ok(BTreeMap::new());
    }
    let invalid = |what: String| AirError::InvalidOutcome(format!("invalid call requests: {what}"));
    let body = bytes
        .strip_prefix(&MSGPACK_MULTICODEC)
        .ok_or_else(|| invalid("no msgpack multicodec prefix (81 04)".to_owned()))?;
    let raw: BTreeMap<u32, RawRequest> =
        rmp_serde::from_slice(body).map_err(|e| invalid(e.to_string()))?;
    raw.into_iter()
        .map(|(id, request)| {
            let arguments = rmp_serde::from_slice(&request.arguments)
                .map_err(|e| invalid(format!("the arguments of request {id}: {e}")))?;
            let tetraplets = rmp_serde::from_slice(&request.tetraplets)
                .map_err(|e| invalid(format!("the tetraplets of request {id}: {e}")))?;
            Ok((
                id,
                CallRequest {
                    service_id: request.service_id,
                    function_name: request.function_name,
                    arguments,
                    tetraplets,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn results_are_string_keyed_json_text() {
        let results = [(
            7,
            CallServiceResult {
                ret_code: 1,
                result: json!({"a": [1, "x"]}),
            },
        )]
        .into();
        let bytes = encode_call_results(&results).unwrap();
        let decoded: BTreeMap<String, BTreeMap<String, rmpv_like::Any>> =
            rmp_serde::from_slice(&bytes[2..]).unwrap();
        let entry = &decoded["7"];
        assert_eq!(entry["ret_code"], rmpv_like::Any::Int(1));
        assert_eq!(
            entry["result"],
            rmpv_like::Any::Text(r#"{"a":[1,"x"]}"#.to_owned())
        );
    }

    #[test]
    fn requests_round_trip() {
        #[derive(Serialize)]
        struct Raw<'a> {
            service_id: &'a str,
            function_name: &'a str,
            #[serde(with = "serde_bytes")]
            arguments: Vec<u8>,
            #[serde(with = "serde_bytes")]
            tetraplets: Vec<u8>,
        }
        let tetraplet = SecurityTetraplet {
            peer_pk: "peer".into(),
            service_id: "s".into(),
            function_name: "f".into(),
            lens: ".$.a".into(),
        };
        let raw: BTreeMap<u32, Raw<'_>> = [(
            2,
            Raw {
                service_id: "op",
                function_name: "identity",
                arguments: rmp_serde::to_vec(&vec![json!("hi"), json!({"k": 1.5})]).unwrap(),
                tetraplets: rmp_serde::to_vec_named(&vec![vec![tetraplet.clone()]]).unwrap(),
            },
        )]
        .into();
        let mut bytes = MSGPACK_MULTICODEC.to_vec();
        bytes.extend(rmp_serde::to_vec_named(&raw).unwrap());
        let requests = decode_call_requests(&bytes).unwrap();
        let request = &requests[&2];
        assert_eq!(request.service_id, "op");
        assert_eq!(request.arguments, [json!("hi"), json!({"k": 1.5})]);
        assert_eq!(request.tetraplets, [vec![tetraplet]]);
    }

    #[test]
    fn garbage_is_an_error() {
        for bytes in [
            &[0x81, 0x04, 0xc1][..],
            &[0x81, 0x04, 0x81, 0x01, 0x02],
            &[0x00],
        ] {
            assert!(decode_call_requests(bytes).is_err(), "{bytes:?}");
        }
    }

    /// Just enough of a msgpack value to look inside encoded results.
    mod rmpv_like {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        #[serde(untagged)]
        pub(super) enum Any {
            Int(i64),
            Text(String),
        }
    }
}
