//! Numeric conversions between scalar values, driven by the [`Conversion`] data of the
//! instruction table, and the scalar ↔ core-value mapping of the flattened ABI
//! (`spec/abi.md` §4).

use crate::instructions::{Conversion, ConversionMode, ScalarKind};
use crate::types::IType;
use crate::values::IValue;

/// Why a conversion did not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConvertError {
    /// The value is not of the conversion's source variant.
    WrongVariant,
    /// The value does not fit the target (checked conversions only).
    OutOfRange,
}

/// Applies `conversion` to `value`.
pub(crate) fn convert(conversion: Conversion, value: &IValue) -> Result<IValue, ConvertError> {
    let x = integer(conversion.from, value).ok_or(ConvertError::WrongVariant)?;
    let x = match conversion.mode {
        ConversionMode::Checked => x,
        ConversionMode::NonZero => i128::from(x != 0),
        // Same width (D9): keep the bit pattern by wrapping into the target's range.
        ConversionMode::Reinterpret => wrap(x, conversion.to),
    };
    from_integer(x, conversion.to).ok_or(ConvertError::OutOfRange)
}

/// The conversion that turns a scalar of type `ty` into its flattened core value (`i32`,
/// `i64`; floats stay as they are): the one export adapters use for arguments.
pub(crate) fn to_core(ty: &IType) -> Option<Conversion> {
    let (from, to) = core_pair(ty)?;
    Some(Conversion {
        from,
        to,
        mode: mode_between(from, to),
    })
}

/// The conversion that turns a flattened core value back into a scalar of type `ty`: the one
/// import adapters use for arguments.
pub(crate) fn from_core(ty: &IType) -> Option<Conversion> {
    let (it, core) = core_pair(ty)?;
    Some(Conversion {
        from: core,
        to: it,
        mode: if it == ScalarKind::Boolean {
            ConversionMode::NonZero
        } else {
            mode_between(core, it)
        },
    })
}

/// (scalar kind of `ty`, its core kind) for integer-like scalars; `None` for floats and
/// non-scalars.
fn core_pair(ty: &IType) -> Option<(ScalarKind, ScalarKind)> {
    Some(match ty {
        IType::Boolean => (ScalarKind::Boolean, ScalarKind::I32),
        IType::S8 => (ScalarKind::S8, ScalarKind::I32),
        IType::S16 => (ScalarKind::S16, ScalarKind::I32),
        IType::S32 => (ScalarKind::S32, ScalarKind::I32),
        IType::U8 => (ScalarKind::U8, ScalarKind::I32),
        IType::U16 => (ScalarKind::U16, ScalarKind::I32),
        IType::U32 => (ScalarKind::U32, ScalarKind::I32),
        IType::I32 => (ScalarKind::I32, ScalarKind::I32),
        IType::S64 => (ScalarKind::S64, ScalarKind::I64),
        IType::U64 => (ScalarKind::U64, ScalarKind::I64),
        IType::I64 => (ScalarKind::I64, ScalarKind::I64),
        _ => return None,
    })
}

fn mode_between(from: ScalarKind, to: ScalarKind) -> ConversionMode {
    if width(from) == width(to) && signed(from) != signed(to) {
        ConversionMode::Reinterpret
    } else {
        ConversionMode::Checked
    }
}

fn width(kind: ScalarKind) -> u32 {
    match kind {
        ScalarKind::Boolean | ScalarKind::S8 | ScalarKind::U8 => 8,
        ScalarKind::S16 | ScalarKind::U16 => 16,
        ScalarKind::S32 | ScalarKind::U32 | ScalarKind::I32 => 32,
        ScalarKind::S64 | ScalarKind::U64 | ScalarKind::I64 => 64,
    }
}

fn signed(kind: ScalarKind) -> bool {
    matches!(
        kind,
        ScalarKind::S8
            | ScalarKind::S16
            | ScalarKind::S32
            | ScalarKind::S64
            | ScalarKind::I32
            | ScalarKind::I64
    )
}

fn integer(kind: ScalarKind, value: &IValue) -> Option<i128> {
    Some(match (kind, value) {
        (ScalarKind::Boolean, IValue::Boolean(v)) => i128::from(*v),
        (ScalarKind::S8, IValue::S8(v)) => i128::from(*v),
        (ScalarKind::S16, IValue::S16(v)) => i128::from(*v),
        (ScalarKind::S32, IValue::S32(v)) => i128::from(*v),
        (ScalarKind::S64, IValue::S64(v)) => i128::from(*v),
        (ScalarKind::U8, IValue::U8(v)) => i128::from(*v),
        (ScalarKind::U16, IValue::U16(v)) => i128::from(*v),
        (ScalarKind::U32, IValue::U32(v)) => i128::from(*v),
        (ScalarKind::U64, IValue::U64(v)) => i128::from(*v),
        (ScalarKind::I32, IValue::I32(v)) => i128::from(*v),
        (ScalarKind::I64, IValue::I64(v)) => i128::from(*v),
        _ => return None,
    })
}

fn wrap(x: i128, to: ScalarKind) -> i128 {
    let modulus = 1i128 << width(to);
    let wrapped = x.rem_euclid(modulus);
    if signed(to) && wrapped >= modulus / 2 {
        wrapped - modulus
    } else {
        wrapped
    }
}

fn from_integer(x: i128, kind: ScalarKind) -> Option<IValue> {
    Some(match kind {
        ScalarKind::Boolean => match x {
            0 => IValue::Boolean(false),
            1 => IValue::Boolean(true),
            _ => return None,
        },
        ScalarKind::S8 => IValue::S8(i8::try_from(x).ok()?),
        ScalarKind::S16 => IValue::S16(i16::try_from(x).ok()?),
        ScalarKind::S32 => IValue::S32(i32::try_from(x).ok()?),
        ScalarKind::S64 => IValue::S64(i64::try_from(x).ok()?),
        ScalarKind::U8 => IValue::U8(u8::try_from(x).ok()?),
        ScalarKind::U16 => IValue::U16(u16::try_from(x).ok()?),
        ScalarKind::U32 => IValue::U32(u32::try_from(x).ok()?),
        ScalarKind::U64 => IValue::U64(u64::try_from(x).ok()?),
        ScalarKind::I32 => IValue::I32(i32::try_from(x).ok()?),
        ScalarKind::I64 => IValue::I64(i64::try_from(x).ok()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversion(from: ScalarKind, to: ScalarKind, mode: ConversionMode) -> Conversion {
        Conversion { from, to, mode }
    }

    #[test]
    fn reinterpret_keeps_bit_patterns() {
        let c = conversion(
            ScalarKind::I32,
            ScalarKind::U32,
            ConversionMode::Reinterpret,
        );
        assert_eq!(convert(c, &IValue::I32(-1)), Ok(IValue::U32(u32::MAX)));
        let c = conversion(
            ScalarKind::U64,
            ScalarKind::I64,
            ConversionMode::Reinterpret,
        );
        assert_eq!(convert(c, &IValue::U64(1 << 63)), Ok(IValue::I64(i64::MIN)));
    }

    #[test]
    fn checked_and_nonzero() {
        let c = conversion(ScalarKind::I32, ScalarKind::U8, ConversionMode::Checked);
        assert_eq!(convert(c, &IValue::I32(256)), Err(ConvertError::OutOfRange));
        assert_eq!(convert(c, &IValue::I64(1)), Err(ConvertError::WrongVariant));
        let c = conversion(
            ScalarKind::I32,
            ScalarKind::Boolean,
            ConversionMode::NonZero,
        );
        assert_eq!(convert(c, &IValue::I32(-7)), Ok(IValue::Boolean(true)));
        assert_eq!(
            from_core(&IType::U32).map(|c| c.mode),
            Some(ConversionMode::Reinterpret)
        );
        assert_eq!(
            to_core(&IType::S8).map(|c| c.mode),
            Some(ConversionMode::Checked)
        );
    }
}
