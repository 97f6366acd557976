//! Call parameters: the per-call metadata a module reads with `get_call_parameters`
//! (`spec/abi.md` §9–§10).
//!
//! The embedder supplies one [`CallParameters`] value (the host API v3 shape) per call. A module
//! reads it through the namespace it imports `get_call_parameters` from, and that namespace
//! ([`HostApiVersion`]) selects the record layout it gets: [`CallParameters::to_ivalue`] builds
//! the value of that layout and [`CallParameters::record_types`] the record types that describe
//! it, so the host import can lower one into the caller's memory.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use strait_it::{IType, IValue, RecordField, RecordType};

use crate::json::RecordLookup;

/// The host API version a module imports from; it selects the call-parameters layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HostApiVersion {
    /// Namespace `host`: `CallParameters` v0 (48 bytes, no `worker_id`).
    V0,
    /// Namespace `__marine_host_api_v1`: v0 plus `worker_id` (56 bytes).
    V1,
    /// Namespace `__marine_host_api_v2`: nested `ParticleParameters` (44 bytes); the tetraplet's
    /// fourth field is named `lambda`.
    V2,
    /// Namespace `__marine_host_api_v3`: v2 with the tetraplet's fourth field named `lens`.
    V3,
}

impl HostApiVersion {
    /// Every version, oldest first; all four namespaces are offered to every module.
    pub const ALL: [HostApiVersion; 4] = [Self::V0, Self::V1, Self::V2, Self::V3];

    /// The version served under a wasm import namespace, or `None` when the namespace is not a
    /// host-API namespace.
    pub fn from_namespace(namespace: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|version| version.namespace() == namespace)
    }

    /// The wasm import namespace of this version.
    pub fn namespace(self) -> &'static str {
        match self {
            Self::V0 => "host",
            Self::V1 => "__marine_host_api_v1",
            Self::V2 => "__marine_host_api_v2",
            Self::V3 => "__marine_host_api_v3",
        }
    }

    /// The name of the tetraplet's fourth field in this version's layout.
    fn lens_field_name(self) -> &'static str {
        match self {
            Self::V0 | Self::V1 => "json_path",
            Self::V2 => "lambda",
            Self::V3 => "lens",
        }
    }
}

/// The particle a call belongs to (v2/v3 `ParticleParameters`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParticleParameters {
    /// The particle id.
    pub id: String,
    /// The peer that initiated the particle.
    pub init_peer_id: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// Time to live, milliseconds.
    pub ttl: u32,
    /// The AIR script.
    pub script: String,
    /// The particle's signature.
    pub signature: Vec<u8>,
    /// The particle's token.
    pub token: String,
}

/// The provenance of one argument value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityTetraplet {
    /// The peer the value came from.
    pub peer_pk: String,
    /// The service that produced it.
    pub service_id: String,
    /// The function that produced it.
    pub function_name: String,
    /// The path inside the produced value (`lens` in v3, `lambda` in v2, `json_path` before);
    /// the older names are accepted as aliases when deserializing.
    #[serde(alias = "lambda", alias = "json_path")]
    pub lens: String,
}

/// The call parameters of one call, in the host API v3 shape (`spec/abi.md` §10).
///
/// Deserializes from the JSON shape of `spec/abi.md` §10; any subset of fields may be given, the
/// rest take their defaults (empty strings and lists, zeros), which are also what a call without
/// call parameters sees. An unknown field (a typo such as `servce_id`) is an error naming it, at
/// every level (`particle`, tetraplets), rather than silently ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallParameters {
    /// The particle the call belongs to.
    pub particle: ParticleParameters,
    /// The id of the called service.
    pub service_id: String,
    /// The peer that created the service.
    pub service_creator_peer_id: String,
    /// The peer hosting the service.
    pub host_id: String,
    /// The worker running the service.
    pub worker_id: String,
    /// For each argument, the provenance of each of its values.
    pub tetraplets: Vec<Vec<SecurityTetraplet>>,
}

/// The record types of one call-parameters layout, as a record table.
///
/// Ids are dense from 0: `SecurityTetraplet` is 0, `ParticleParameters` (v2/v3 only) is 1, and
/// `CallParameters` is the last; [`CallParametersTypes::call_parameters_type`] refers to it.
/// The table implements [`RecordLookup`], so it can be handed to lowering and to
/// [`ivalues_to_json`](crate::json::ivalues_to_json) as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallParametersTypes {
    records: Vec<RecordType>,
}

impl CallParametersTypes {
    /// The records, indexed by their id.
    pub fn records(&self) -> &[RecordType] {
        &self.records
    }

    /// The id of the `CallParameters` record.
    pub fn call_parameters_id(&self) -> u64 {
        // The table has two or three entries: the conversion cannot fail.
        u64::try_from(self.records.len().saturating_sub(1)).unwrap_or(0)
    }

    /// The type of the whole value: `record <call_parameters_id>`.
    pub fn call_parameters_type(&self) -> IType {
        IType::Record(self.call_parameters_id())
    }

    /// The `CallParameters` record type itself.
    pub fn call_parameters_record(&self) -> Option<&RecordType> {
        self.records.last()
    }
}

impl RecordLookup for CallParametersTypes {
    fn record(&self, id: u64) -> Option<&RecordType> {
        self.records.record(id)
    }
}

const TETRAPLET_ID: u64 = 0;
const PARTICLE_ID: u64 = 1;

fn field(name: &str, ty: IType) -> RecordField {
    RecordField {
        name: String::from(name),
        ty,
    }
}

fn tetraplets_type() -> IType {
    IType::Array(Box::new(IType::Array(Box::new(IType::Record(
        TETRAPLET_ID,
    )))))
}

impl CallParameters {
    /// Makes these the default parameters again, in place: strings and lists are emptied
    /// (keeping their buffers), numbers zeroed. A call without parameters starts with this,
    /// cheaper than building a default value and dropping the old one.
    ///
    /// ```
    /// use strait::CallParameters;
    ///
    /// let mut parameters = CallParameters {
    ///     service_id: "registry".into(),
    ///     ..CallParameters::default()
    /// };
    /// parameters.particle.ttl = 5;
    /// parameters.reset();
    /// assert_eq!(parameters, CallParameters::default());
    /// ```
    pub fn reset(&mut self) {
        // Destructured in full, so a new field cannot be forgotten here.
        let Self {
            particle:
                ParticleParameters {
                    id,
                    init_peer_id,
                    timestamp,
                    ttl,
                    script,
                    signature,
                    token,
                },
            service_id,
            service_creator_peer_id,
            host_id,
            worker_id,
            tetraplets,
        } = self;
        for text in [
            id,
            init_peer_id,
            script,
            token,
            service_id,
            service_creator_peer_id,
            host_id,
            worker_id,
        ] {
            text.clear();
        }
        *timestamp = 0;
        *ttl = 0;
        signature.clear();
        tetraplets.clear();
    }

    /// The record types of `version`'s layout.
    pub fn record_types(version: HostApiVersion) -> CallParametersTypes {
        let tetraplet = RecordType {
            name: String::from("SecurityTetraplet"),
            fields: vec![
                field("peer_pk", IType::String),
                field("service_id", IType::String),
                field("function_name", IType::String),
                field(version.lens_field_name(), IType::String),
            ],
        };
        let records = match version {
            HostApiVersion::V0 | HostApiVersion::V1 => {
                let mut fields = vec![
                    field("init_peer_id", IType::String),
                    field("service_id", IType::String),
                    field("service_creator_peer_id", IType::String),
                    field("host_id", IType::String),
                ];
                if version == HostApiVersion::V1 {
                    fields.push(field("worker_id", IType::String));
                }
                fields.push(field("particle_id", IType::String));
                fields.push(field("tetraplets", tetraplets_type()));
                let call_parameters = RecordType {
                    name: String::from("CallParameters"),
                    fields,
                };
                vec![tetraplet, call_parameters]
            }
            HostApiVersion::V2 | HostApiVersion::V3 => {
                let particle = RecordType {
                    name: String::from("ParticleParameters"),
                    fields: vec![
                        field("id", IType::String),
                        field("init_peer_id", IType::String),
                        field("timestamp", IType::U64),
                        field("ttl", IType::U32),
                        field("script", IType::String),
                        field("signature", IType::ByteArray),
                        field("token", IType::String),
                    ],
                };
                let call_parameters = RecordType {
                    name: String::from("CallParameters"),
                    fields: vec![
                        field("particle", IType::Record(PARTICLE_ID)),
                        field("service_id", IType::String),
                        field("service_creator_peer_id", IType::String),
                        field("host_id", IType::String),
                        field("worker_id", IType::String),
                        field("tetraplets", tetraplets_type()),
                    ],
                };
                vec![tetraplet, particle, call_parameters]
            }
        };
        CallParametersTypes { records }
    }

    /// The value of `version`'s `CallParameters` record, down-converted from v3 as
    /// `spec/abi.md` §10 says: v1 takes `init_peer_id` and `particle_id` from the particle and
    /// drops its other fields, v0 is v1 without `worker_id`.
    pub fn to_ivalue(&self, version: HostApiVersion) -> IValue {
        let string = |s: &String| IValue::String(s.clone());
        let tetraplets = IValue::Array(
            self.tetraplets
                .iter()
                .map(|argument| {
                    IValue::Array(
                        argument
                            .iter()
                            .map(|tetraplet| {
                                IValue::Record(vec![
                                    string(&tetraplet.peer_pk),
                                    string(&tetraplet.service_id),
                                    string(&tetraplet.function_name),
                                    string(&tetraplet.lens),
                                ])
                            })
                            .collect(),
                    )
                })
                .collect(),
        );
        match version {
            HostApiVersion::V0 | HostApiVersion::V1 => {
                let mut fields = vec![
                    string(&self.particle.init_peer_id),
                    string(&self.service_id),
                    string(&self.service_creator_peer_id),
                    string(&self.host_id),
                ];
                if version == HostApiVersion::V1 {
                    fields.push(string(&self.worker_id));
                }
                fields.push(string(&self.particle.id));
                fields.push(tetraplets);
                IValue::Record(fields)
            }
            HostApiVersion::V2 | HostApiVersion::V3 => {
                let particle = &self.particle;
                IValue::Record(vec![
                    IValue::Record(vec![
                        string(&particle.id),
                        string(&particle.init_peer_id),
                        IValue::U64(particle.timestamp),
                        IValue::U32(particle.ttl),
                        string(&particle.script),
                        IValue::ByteArray(particle.signature.clone()),
                        string(&particle.token),
                    ]),
                    string(&self.service_id),
                    string(&self.service_creator_peer_id),
                    string(&self.host_id),
                    string(&self.worker_id),
                    tetraplets,
                ])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::ivalues_to_json;
    use serde_json::json;

    fn full() -> CallParameters {
        serde_json::from_value(json!({
            "particle": {"id": "particle-1", "init_peer_id": "12D3KooWinit",
                         "timestamp": 1_700_000_000_000u64, "ttl": 120_000, "script": "(null)",
                         "signature": [1, 2, 3, 255], "token": "tok"},
            "service_id": "svc-Ω", "service_creator_peer_id": "12D3KooWcreator",
            "host_id": "12D3KooWhost", "worker_id": "worker-1",
            "tetraplets": [[{"peer_pk": "pk1", "service_id": "s1", "function_name": "f1",
                             "lens": ".$.a"}], []]
        }))
        .unwrap()
    }

    #[test]
    fn unknown_fields_are_rejected_by_name() {
        let error = |value: serde_json::Value| {
            serde_json::from_value::<CallParameters>(value)
                .unwrap_err()
                .to_string()
        };
        assert!(error(json!({"servce_id": "x"})).starts_with("unknown field `servce_id`"));
        assert!(error(json!({"particle": {"idd": "x"}})).starts_with("unknown field `idd`"));
        assert!(
            error(json!({"tetraplets": [[{"peer": "x"}]]})).starts_with("unknown field `peer`")
        );
        // The older names of `lens` are still accepted.
        let old: CallParameters =
            serde_json::from_value(json!({"tetraplets": [[{"json_path": ".a"}]]})).unwrap();
        assert_eq!(old.tetraplets[0][0].lens, ".a");
    }

    #[test]
    fn namespaces_round_trip() {
        for version in HostApiVersion::ALL {
            assert_eq!(
                HostApiVersion::from_namespace(version.namespace()),
                Some(version)
            );
        }
        assert_eq!(
            HostApiVersion::from_namespace("host"),
            Some(HostApiVersion::V0)
        );
        assert_eq!(
            HostApiVersion::from_namespace("__marine_host_api_v3"),
            Some(HostApiVersion::V3)
        );
        assert_eq!(HostApiVersion::from_namespace("__marine_host_api_v4"), None);
        assert_eq!(
            HostApiVersion::from_namespace("wasi_snapshot_preview1"),
            None
        );
    }

    #[test]
    fn record_sizes_match_the_abi() {
        let size = |version| {
            CallParameters::record_types(version)
                .call_parameters_record()
                .unwrap()
                .memory_size()
        };
        assert_eq!(size(HostApiVersion::V0), 48);
        assert_eq!(size(HostApiVersion::V1), 56);
        assert_eq!(size(HostApiVersion::V2), 44);
        assert_eq!(size(HostApiVersion::V3), 44);
        for version in HostApiVersion::ALL {
            let types = CallParameters::record_types(version);
            assert_eq!(types.records()[0].memory_size(), 32);
            assert_eq!(types.records()[0].name, "SecurityTetraplet");
            assert_eq!(types.records()[0].fields[3].name, version.lens_field_name());
        }
        let v3 = CallParameters::record_types(HostApiVersion::V3);
        assert_eq!(v3.records()[1].name, "ParticleParameters");
        assert_eq!(v3.records()[1].memory_size(), 52);
        assert_eq!(v3.call_parameters_type(), IType::Record(2));
        assert_eq!(
            CallParameters::record_types(HostApiVersion::V1).call_parameters_type(),
            IType::Record(1)
        );
    }

    #[test]
    fn field_offsets_match_the_abi() {
        let offsets = |version| {
            let types = CallParameters::record_types(version);
            let mut offset = 0;
            types
                .call_parameters_record()
                .unwrap()
                .fields
                .iter()
                .map(|f| {
                    let at = offset;
                    offset += f.ty.memory_size();
                    (f.name.clone(), at)
                })
                .collect::<Vec<_>>()
        };
        fn names(v: &[(String, u32)]) -> Vec<(&str, u32)> {
            v.iter().map(|(n, o)| (n.as_str(), *o)).collect()
        }
        let v0_owned = offsets(HostApiVersion::V0);
        let v0 = names(&v0_owned);
        assert_eq!(
            v0,
            [
                ("init_peer_id", 0),
                ("service_id", 8),
                ("service_creator_peer_id", 16),
                ("host_id", 24),
                ("particle_id", 32),
                ("tetraplets", 40)
            ]
        );
        let v1_owned = offsets(HostApiVersion::V1);
        let v1 = names(&v1_owned);
        assert_eq!(v1[4], ("worker_id", 32));
        assert_eq!(v1[5], ("particle_id", 40));
        assert_eq!(v1[6], ("tetraplets", 48));
        let v3_owned = offsets(HostApiVersion::V3);
        let v3 = names(&v3_owned);
        assert_eq!(
            v3,
            [
                ("particle", 0),
                ("service_id", 4),
                ("service_creator_peer_id", 12),
                ("host_id", 20),
                ("worker_id", 28),
                ("tetraplets", 36)
            ]
        );
    }

    #[test]
    fn any_subset_of_fields_deserializes() {
        let empty: CallParameters = serde_json::from_value(json!({})).unwrap();
        assert_eq!(empty, CallParameters::default());
        let some: CallParameters =
            serde_json::from_value(json!({"host_id": "h", "particle": {"ttl": 5}})).unwrap();
        assert_eq!(some.host_id, "h");
        assert_eq!(some.particle.ttl, 5);
        assert_eq!(some.particle.id, "");
        let tetraplet: SecurityTetraplet =
            serde_json::from_value(json!({"json_path": "$.x"})).unwrap();
        assert_eq!(tetraplet.lens, "$.x");
        assert!(
            serde_json::from_value::<CallParameters>(json!({"particle": {"ttl": -1}})).is_err()
        );
    }

    #[test]
    fn values_follow_each_layout() {
        let cp = full();
        let IValue::Record(v0) = cp.to_ivalue(HostApiVersion::V0) else {
            panic!("not a record")
        };
        assert_eq!(v0.len(), 6);
        assert_eq!(v0[0], IValue::String("12D3KooWinit".into()));
        assert_eq!(v0[4], IValue::String("particle-1".into()));
        let IValue::Record(v1) = cp.to_ivalue(HostApiVersion::V1) else {
            panic!("not a record")
        };
        assert_eq!(v1.len(), 7);
        assert_eq!(v1[4], IValue::String("worker-1".into()));
        assert_eq!(v1[5], IValue::String("particle-1".into()));
        assert_eq!(
            cp.to_ivalue(HostApiVersion::V2),
            cp.to_ivalue(HostApiVersion::V3)
        );
    }

    #[test]
    fn older_layouts_render_with_their_field_names() {
        let cp = full();
        let types = CallParameters::record_types(HostApiVersion::V0);
        let out = ivalues_to_json(
            &[cp.to_ivalue(HostApiVersion::V0)],
            &[types.call_parameters_type()],
            &types,
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"init_peer_id": "12D3KooWinit", "service_id": "svc-Ω",
                   "service_creator_peer_id": "12D3KooWcreator", "host_id": "12D3KooWhost",
                   "particle_id": "particle-1",
                   "tetraplets": [[{"peer_pk": "pk1", "service_id": "s1", "function_name": "f1",
                                    "json_path": ".$.a"}], []]})
        );
    }

    /// The call lines of the golden `call_parameters` scenario: the module echoes its v3 call
    /// parameters, so lowering them as v3 and rendering them back must give the expected result.
    #[cfg(feature = "std")]
    #[test]
    fn golden_call_parameters_round_trip() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/golden/call_parameters.jsonl"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "golden file {path} missing under CI"
            );
            std::eprintln!("skipping: golden file {path} not found");
            return;
        };
        let types = CallParameters::record_types(HostApiVersion::V3);
        let mut checked = 0;
        for line in text.lines() {
            let line: serde_json::Value = serde_json::from_str(line).unwrap();
            if line.get("op").is_some() {
                continue;
            }
            let cp: CallParameters = match line.get("call_parameters") {
                Some(value) => serde_json::from_value(value.clone()).unwrap(),
                None => CallParameters::default(),
            };
            let out = ivalues_to_json(
                &[cp.to_ivalue(HostApiVersion::V3)],
                &[types.call_parameters_type()],
                &types,
            )
            .unwrap();
            assert_eq!(&out, line.get("result").unwrap());
            if let Some(given) = line.get("call_parameters") {
                assert_eq!(&serde_json::to_value(&cp).unwrap(), given);
            }
            checked += 1;
        }
        assert_eq!(checked, 4);
    }
}
