//! Numeric conversions: the `X.from_Y` instructions, driven by their [`Conversion`] data.

use super::{Machine, Outcome, invalid};
use crate::adapter::{AdapterHost, InstructionErrorKind};
use crate::convert::{self, ConvertError};
use crate::instructions::Conversion;

impl<H: AdapterHost + ?Sized> Machine<'_, H> {
    /// Pops a value and pushes it converted.
    #[inline]
    pub(super) fn convert(&mut self, conversion: Conversion) -> Outcome {
        let value = self.pop()?;
        match convert::convert(conversion, &value) {
            Ok(converted) => {
                self.stack.push(converted);
                Ok(())
            }
            Err(ConvertError::WrongVariant) => Err(invalid(conversion.from.itype(), value)),
            Err(ConvertError::OutOfRange) => Err(InstructionErrorKind::LoweringLifting {
                from: conversion.from,
                to: conversion.to,
            }
            .into()),
        }
    }
}
