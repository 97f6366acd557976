//! Lowering then lifting every interface type, with the exact bytes and `allocate` calls of
//! the spec's traces (`spec/it-section.md` §6.5).

use crate::support::{Sdk, bytes, records, s};
use strait_it::memory::{
    LiftBudget, LowerError, Lowered, RecordImage, RecordTable, image_fits, lift_array,
    lift_byte_array, lift_flat, lift_record, lift_record_image, lift_string, lower_array,
    lower_byte_array, lower_record, lower_record_image, lower_string, lower_value,
};
use strait_it::{IType, IValue};

fn array(ty: IType) -> IType {
    IType::Array(Box::new(ty))
}

/// Inner = record 0, Outer = record 1 (the spec's trace).
fn outer_records() -> RecordTable {
    records(&[
        ("Inner", &[("a", IType::U8), ("b", IType::U64)]),
        (
            "Outer",
            &[
                ("flag", IType::Boolean),
                ("s", IType::String),
                ("v", array(IType::U16)),
                ("r", IType::Record(0)),
                ("bytes", IType::ByteArray),
                ("f", IType::F32),
            ],
        ),
    ])
}

fn outer_value() -> Vec<IValue> {
    vec![
        IValue::Boolean(true),
        s("ab"),
        IValue::Array(vec![IValue::U16(1), IValue::U16(2), IValue::U16(3)]),
        IValue::Record(vec![IValue::U8(9), IValue::U64(0x0102030405060708)]),
        bytes(&[]),
        IValue::F32(1.5),
    ]
}

#[test]
fn outer_record_trace_matches_the_spec() {
    let table = outer_records();
    let mut sdk = Sdk::new(1024);
    let ptr = lower_record(&mut sdk, 1, &outer_value(), &table).unwrap();
    assert_eq!(ptr, 56);
    assert_eq!(
        sdk.log,
        [
            "allocate(2, 1) -> 16",
            "allocate(6, 2) -> 24",
            "allocate(9, 1) -> 32",
            "allocate(0, 1) -> 48",
            "allocate(33, 1) -> 56",
        ]
    );
    assert_eq!(sdk.read(16, 2), b"ab");
    assert_eq!(sdk.read(24, 6), [1, 0, 2, 0, 3, 0]);
    assert_eq!(sdk.read(32, 9), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
    #[rustfmt::skip]
    let expected: [u8; 33] = [
        0x01,
        0x10, 0, 0, 0, 0x02, 0, 0, 0,
        0x18, 0, 0, 0, 0x03, 0, 0, 0,
        0x20, 0, 0, 0,
        0x30, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x00, 0xc0, 0x3f,
    ];
    assert_eq!(sdk.read(56, 33), expected);

    let lifted = lift_record(&sdk.memory, 1, 56, &table, &mut LiftBudget::default()).unwrap();
    assert_eq!(lifted, outer_value());
}

#[test]
fn array_of_strings_trace() {
    let mut sdk = Sdk::new(1024);
    let value = IValue::Array(vec![s("x"), s("")]);
    let table = RecordTable::default();
    let (ptr, count) = lower_array(&mut sdk, &IType::String, &value, &table).unwrap();
    assert_eq!((ptr, count), (16, 2));
    assert_eq!(
        sdk.log,
        [
            "allocate(16, 3) -> 16",
            "allocate(1, 1) -> 32",
            "allocate(0, 1) -> 40"
        ]
    );
    assert_eq!(
        sdk.read(16, 16),
        [32, 0, 0, 0, 1, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0]
    );
    let lifted = lift_array(
        &sdk.memory,
        &IType::String,
        16,
        2,
        &table,
        &mut LiftBudget::default(),
    );
    assert_eq!(lifted.unwrap(), vec![s("x"), s("")]);
}

#[test]
fn array_of_records_trace() {
    let table = outer_records();
    let mut sdk = Sdk::new(1024);
    let inner = IValue::Record(vec![IValue::U8(9), IValue::U64(7)]);
    let value = IValue::Array(vec![inner.clone()]);
    let (ptr, count) = lower_array(&mut sdk, &IType::Record(0), &value, &table).unwrap();
    assert_eq!((ptr, count), (16, 1));
    assert_eq!(sdk.log, ["allocate(4, 3) -> 16", "allocate(9, 1) -> 24"]);
    assert_eq!(sdk.read(16, 4), [24, 0, 0, 0]);
    let lifted = lift_array(
        &sdk.memory,
        &IType::Record(0),
        16,
        1,
        &table,
        &mut LiftBudget::default(),
    );
    assert_eq!(lifted.unwrap(), vec![inner]);
}

#[test]
fn strings_and_byte_arrays() {
    let mut sdk = Sdk::new(256);
    assert_eq!(lower_string(&mut sdk, "héllo").unwrap(), (16, 6));
    assert_eq!(sdk.log, ["allocate(6, 1) -> 16"]);
    assert_eq!(
        lift_string(&sdk.memory, 16, 6, &mut LiftBudget::default()).unwrap(),
        "héllo"
    );
    // Empty values are still allocated (D52) and lift without looking at the pointer (D53).
    assert_eq!(lower_byte_array(&mut sdk, &[]).unwrap(), (24, 0));
    assert_eq!(sdk.log[1], "allocate(0, 1) -> 24");
    assert_eq!(
        lift_byte_array(&sdk.memory, u32::MAX, 0, &mut LiftBudget::default()).unwrap(),
        Vec::<u8>::new()
    );
    assert_eq!(
        lift_string(&sdk.memory, u32::MAX, 0, &mut LiftBudget::default()).unwrap(),
        ""
    );
}

#[test]
fn empty_arrays_are_not_allocated() {
    let mut sdk = Sdk::new(256);
    let table = RecordTable::default();
    let empty = IValue::Array(vec![]);
    assert_eq!(
        lower_array(&mut sdk, &IType::U64, &empty, &table).unwrap(),
        (0, 0)
    );
    assert!(sdk.log.is_empty());
    // A nested empty array stores (0, 0) without a call.
    let nested = IValue::Array(vec![IValue::Array(vec![])]);
    assert_eq!(
        lower_array(&mut sdk, &array(IType::U8), &nested, &table).unwrap(),
        (16, 1)
    );
    assert_eq!(sdk.log, ["allocate(8, 3) -> 16"]);
    assert_eq!(sdk.read(16, 8), [0; 8]);
    // But a byte array value for `array (u8)` is allocated even when empty (Marine's path).
    assert_eq!(
        lower_array(&mut sdk, &IType::U8, &bytes(&[]), &table).unwrap(),
        (24, 0)
    );
}

/// Every type: lower with `lower_value`, lift back with `lift_flat`.
#[test]
fn every_type_round_trips() {
    let table = records(&[
        ("Point", &[("x", IType::S32), ("label", IType::String)]),
        (
            "Nested",
            &[
                ("p", IType::Record(0)),
                ("ps", array(IType::Record(0))),
                ("flags", array(IType::Boolean)),
            ],
        ),
    ]);
    let point = IValue::Record(vec![IValue::S32(-3), s("p")]);
    let cases: Vec<(IType, IValue)> = vec![
        (IType::Boolean, IValue::Boolean(true)),
        (IType::S8, IValue::S8(-128)),
        (IType::S16, IValue::S16(-300)),
        (IType::S32, IValue::S32(i32::MIN)),
        (IType::S64, IValue::S64(i64::MIN)),
        (IType::U8, IValue::U8(255)),
        (IType::U16, IValue::U16(65535)),
        (IType::U32, IValue::U32(u32::MAX)),
        (IType::U64, IValue::U64(u64::MAX)),
        (IType::F32, IValue::F32(-0.25)),
        (IType::F64, IValue::F64(1e300)),
        (IType::I32, IValue::I32(-1)),
        (IType::I64, IValue::I64(-1)),
        (IType::String, s("héllo wörld")),
        (IType::ByteArray, bytes(&[0, 1, 255])),
        (
            array(IType::U8),
            IValue::Array(vec![IValue::U8(1), IValue::U8(2)]),
        ),
        (
            array(IType::S64),
            IValue::Array(vec![IValue::S64(-1), IValue::S64(1 << 40)]),
        ),
        (array(IType::F64), IValue::Array(vec![IValue::F64(0.5)])),
        (
            array(IType::String),
            IValue::Array(vec![s("a"), s(""), s("ccc")]),
        ),
        (
            array(array(IType::U32)),
            IValue::Array(vec![
                IValue::Array(vec![IValue::U32(1), IValue::U32(u32::MAX)]),
                IValue::Array(vec![]),
            ]),
        ),
        (IType::Record(0), point.clone()),
        (
            IType::Record(1),
            IValue::Record(vec![
                point.clone(),
                IValue::Array(vec![point.clone(), point]),
                IValue::Array(vec![IValue::Boolean(false), IValue::Boolean(true)]),
            ]),
        ),
    ];
    for (ty, value) in cases {
        let mut sdk = Sdk::new(4096);
        let lowered = lower_value(&mut sdk, &value, &ty, &table).unwrap();
        let mut core = Vec::new();
        lowered.push_core(&mut core);
        let lifted = lift_flat(&sdk.memory, &ty, &core, &table, &mut LiftBudget::default())
            .unwrap_or_else(|e| panic!("{ty}: {e}"));
        assert_eq!(lifted, value, "{ty}");
    }
}

#[test]
fn byte_arrays_inside_arrays_lift_as_arrays_of_u8() {
    // D54: the element comes back as `Array` of `U8`, which is compatible with `byte_array`.
    let mut sdk = Sdk::new(256);
    let table = RecordTable::default();
    let value = IValue::Array(vec![bytes(&[7, 8])]);
    let (ptr, count) = lower_array(&mut sdk, &IType::ByteArray, &value, &table).unwrap();
    assert_eq!(sdk.log, ["allocate(8, 3) -> 16", "allocate(2, 1) -> 24"]);
    let lifted = lift_array(
        &sdk.memory,
        &IType::ByteArray,
        ptr,
        count,
        &table,
        &mut LiftBudget::default(),
    )
    .unwrap();
    assert_eq!(
        lifted,
        vec![IValue::Array(vec![IValue::U8(7), IValue::U8(8)])]
    );
    strait_it::compat::check_value(&lifted[0], &IType::ByteArray, &table).unwrap();
}

#[test]
fn scalars_flatten_to_core_values() {
    let table = RecordTable::default();
    let mut sdk = Sdk::new(64);
    let cases = [
        (IType::U32, IValue::U32(u32::MAX), IValue::I32(-1)),
        (IType::U64, IValue::U64(1 << 63), IValue::I64(i64::MIN)),
        (IType::Boolean, IValue::Boolean(true), IValue::I32(1)),
        (IType::S8, IValue::S8(-2), IValue::I32(-2)),
        (IType::U16, IValue::U16(65535), IValue::I32(65535)),
    ];
    for (ty, value, core) in cases {
        assert_eq!(
            lower_value(&mut sdk, &value, &ty, &table).unwrap(),
            Lowered::Scalar(core.clone())
        );
        let lifted = lift_flat(
            &sdk.memory,
            &ty,
            &[core],
            &table,
            &mut LiftBudget::default(),
        );
        assert_eq!(lifted.unwrap(), value);
    }
    assert!(sdk.log.is_empty());
    // Narrowing from a core value is range-checked.
    let err = lift_flat(
        &sdk.memory,
        &IType::U8,
        &[IValue::I32(256)],
        &table,
        &mut LiftBudget::default(),
    );
    assert!(err.unwrap_err().to_string().contains("failed to cast"));
}

#[test]
fn values_are_checked_before_anything_is_allocated() {
    let table = outer_records();
    let mut sdk = Sdk::new(1024);
    // D14: a heterogeneous array is refused before the outer buffer is allocated.
    let mixed = IValue::Array(vec![IValue::U16(1), IValue::U32(2)]);
    let err = lower_array(&mut sdk, &IType::U16, &mixed, &table).unwrap_err();
    assert!(err.to_string().contains("U32(2)"), "{err}");
    // D12: a byte array is an `array (u8)` only.
    assert!(lower_array(&mut sdk, &IType::U32, &bytes(&[1, 2, 3, 4]), &table).is_err());
    // A record with the wrong field count, or a wrong field deep inside.
    assert!(lower_record(&mut sdk, 0, &[IValue::U8(1)], &table).is_err());
    let mut bad = outer_value();
    bad[3] = IValue::Record(vec![IValue::U8(9), IValue::S64(1)]);
    assert!(lower_record(&mut sdk, 1, &bad, &table).is_err());
    assert!(lower_record(&mut sdk, 7, &outer_value(), &table).is_err());
    // No widening: `S32` is not an `i32`.
    assert!(lower_value(&mut sdk, &IValue::S32(1), &IType::I32, &table).is_err());
    assert!(sdk.log.is_empty(), "{:?}", sdk.log);
}

/// Every type a flat record's field can have.
const LEAVES: [IType; 15] = [
    IType::Boolean,
    IType::S8,
    IType::U8,
    IType::S16,
    IType::U16,
    IType::S32,
    IType::U32,
    IType::I32,
    IType::F32,
    IType::S64,
    IType::U64,
    IType::I64,
    IType::F64,
    IType::String,
    IType::ByteArray,
];

/// A value of each of [`LEAVES`], with the given float, string and bytes.
fn leaf_values(float: f32, text: &str, data: &[u8]) -> Vec<IValue> {
    vec![
        IValue::Boolean(true),
        IValue::S8(-5),
        IValue::U8(250),
        IValue::S16(-30000),
        IValue::U16(60000),
        IValue::S32(i32::MIN),
        IValue::U32(u32::MAX),
        IValue::I32(-7),
        IValue::F32(float),
        IValue::S64(i64::MIN),
        IValue::U64(u64::MAX),
        IValue::I64(-9),
        IValue::F64(-1e-300),
        s(text),
        bytes(data),
    ]
}

#[test]
fn flat_records_of_every_leaf_type_and_any_size() {
    // A record of scalars, strings and byte arrays only takes the direct path; one too large
    // for the stack buffer takes the frame path. Both give the same bytes and allocations.
    let names: Vec<String> = (0..40).map(|i| format!("f{i}")).collect();
    let every: Vec<(&str, IType)> = names.iter().map(String::as_str).zip(LEAVES).collect();
    let large: Vec<(&str, IType)> = names.iter().map(|n| (n.as_str(), IType::U64)).collect();
    let table = records(&[("Every", &every), ("Large", &large)]);
    let every_value = leaf_values(2.5, "flat", &[1, 2]);
    let large_value: Vec<IValue> = (0..40).map(IValue::U64).collect();
    for (id, value, size) in [(0, every_value, 71), (1, large_value, 320)] {
        assert!(table.get(id).unwrap().is_flat());
        let mut sdk = Sdk::new(4096);
        let ptr = lower_record(&mut sdk, id, &value, &table).unwrap();
        // Strings and byte arrays are allocated first, then the record.
        let record_allocation = format!("allocate({size}, 1) -> {ptr}");
        assert_eq!(sdk.log.last(), Some(&record_allocation));
        let lifted = lift_record(&sdk.memory, id, ptr, &table, &mut LiftBudget::default());
        assert_eq!(lifted.unwrap(), value);
        // A field of the wrong type is refused before anything is allocated.
        let mut wrong = value.clone();
        wrong[3] = s("not a number");
        let mut sdk = Sdk::new(4096);
        assert!(lower_record(&mut sdk, id, &wrong, &table).is_err());
        assert!(sdk.log.is_empty());
    }
    // The record lies partly outside memory: an error, not a panic.
    let lifted = lift_record(&[0; 40], 0, 0, &table, &mut LiftBudget::default());
    assert!(lifted.is_err());
}

/// A record of every leaf type (record 0, 72 bytes, flat), one of forty `u64`s (record 1,
/// 320 bytes: too large for an image) and one like record 0 with its string and byte array
/// swapped (record 2).
fn image_records() -> (RecordTable, Vec<IValue>) {
    let names: Vec<String> = (0..40).map(|i| format!("f{i}")).collect();
    let leaves = LEAVES.into_iter().chain([IType::Boolean]);
    let every: Vec<(&str, IType)> = names.iter().map(String::as_str).zip(leaves).collect();
    let mut swapped = every.clone();
    swapped.swap(13, 14);
    let large: Vec<(&str, IType)> = names.iter().map(|n| (n.as_str(), IType::U64)).collect();
    let table = records(&[("Every", &every), ("Large", &large), ("Swapped", &swapped)]);
    // A NaN with a payload crosses bit for bit.
    let mut value = leaf_values(f32::from_bits(0x7fa0_0001), "flat ✓", &[1, 2, 3]);
    value.push(IValue::Boolean(false));
    (table, value)
}

#[test]
fn record_images_cross_like_values() {
    let (table, value) = image_records();
    let layout = table.get(0).unwrap();
    let mut source = Sdk::new(4096);
    let ptr = lower_record(&mut source, 0, &value, &table).unwrap();
    // A boolean stored as 7 lifts as true and is lowered as 1, through either path.
    source.memory[ptr as usize] = 7;

    let mut value_budget = LiftBudget::default();
    let lifted = lift_record(&source.memory, 0, ptr, &table, &mut value_budget).unwrap();
    let mut through_value = Sdk::new(4096);
    let value_ptr = lower_record(&mut through_value, 0, &lifted, &table).unwrap();

    let mut image = RecordImage::new();
    let mut image_budget = LiftBudget::default();
    assert!(lift_record_image(&source.memory, layout, ptr, &mut image_budget, &mut image).unwrap());
    assert!(image.is_filled());
    let mut through_image = Sdk::new(4096);
    let image_ptr = lower_record_image(&mut through_image, layout, &image).unwrap();

    assert_eq!(image_budget.used(), value_budget.used());
    assert_eq!(image_ptr, value_ptr);
    assert_eq!(through_image.log, through_value.log);
    assert_eq!(through_image.memory, through_value.memory);
    assert_eq!(through_image.read(value_ptr, 1), [1]);

    // The same image lowers again (a buffer kept between calls), and into a layout it fits.
    let again = lower_record_image(&mut through_image, layout, &image).unwrap();
    assert_ne!(again, image_ptr);
    assert!(image_fits(layout, layout));
    // Not into one whose fields differ, nor one too large to be an image.
    assert!(!image_fits(layout, table.get(2).unwrap()));
    let large = table.get(1).unwrap();
    assert!(!image_fits(large, large));
    assert!(!lift_record_image(&source.memory, large, 0, &mut image_budget, &mut image).unwrap());
}

#[test]
fn record_images_fail_where_values_fail() {
    let (table, value) = image_records();
    let layout = table.get(0).unwrap();
    let mut sdk = Sdk::new(4096);
    let ptr = lower_record(&mut sdk, 0, &value, &table).unwrap();
    let string_at = ptr as usize + layout.fields[13].offset as usize;
    let bytes_at = ptr as usize + layout.fields[14].offset as usize;
    let set = |memory: &mut Vec<u8>, at: usize, word: u32| {
        memory[at..at + 4].copy_from_slice(&word.to_le_bytes());
    };
    let string_ptr = u32::from_le_bytes(sdk.memory[string_at..string_at + 4].try_into().unwrap());
    type Edit = Box<dyn Fn(&mut Vec<u8>)>;
    let cases: Vec<(&str, u32, Edit, u64)> = vec![
        (
            "invalid UTF-8",
            ptr,
            Box::new(move |m| m[string_ptr as usize] = 0xff),
            u64::MAX,
        ),
        (
            "string out of memory",
            ptr,
            Box::new(move |m| set(m, string_at, 4090)),
            u64::MAX,
        ),
        (
            "bytes out of memory",
            ptr,
            Box::new(move |m| set(m, bytes_at + 4, 1 << 20)),
            u64::MAX,
        ),
        ("record out of memory", 4090, Box::new(|_| {}), u64::MAX),
        ("budget for the fields", ptr, Box::new(|_| {}), 100),
        ("budget for the bytes", ptr, Box::new(|_| {}), 16 * 32 + 8),
        (
            "an empty string is not read",
            ptr,
            Box::new(move |m| {
                set(m, string_at, u32::MAX);
                set(m, string_at + 4, 0);
            }),
            u64::MAX,
        ),
    ];
    for (case, at, edit, limit) in cases {
        let mut memory = sdk.memory.clone();
        edit(&mut memory);
        let lifted = lift_record(&memory, 0, at, &table, &mut LiftBudget::new(limit));
        let mut image = RecordImage::new();
        let imaged =
            lift_record_image(&memory, layout, at, &mut LiftBudget::new(limit), &mut image);
        match (lifted, imaged) {
            (Ok(_), Ok(true)) => assert!(case.starts_with("an empty"), "{case}"),
            (Err(value), Err(image)) => assert_eq!(image.to_string(), value.to_string(), "{case}"),
            (value, image) => panic!("{case}: {value:?} against {image:?}"),
        }
    }

    // An image that holds nothing lowers nothing.
    let mut sdk = Sdk::new(4096);
    let error = lower_record_image(&mut sdk, layout, &RecordImage::new()).unwrap_err();
    assert!(matches!(error, LowerError::ImageMismatch { .. }), "{error}");
    assert!(sdk.log.is_empty());
}
