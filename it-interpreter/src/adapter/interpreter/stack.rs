//! Arguments and the stack: `arg.get`, `dup`, `swap2`, `i32.push`, `i64.push`.

use super::{Machine, Outcome};
use crate::adapter::{AdapterHost, InstructionErrorKind};
use crate::values::IValue;

impl<H: AdapterHost + ?Sized> Machine<'_, H> {
    /// `arg.get i`: pushes a copy of input `i`.
    #[inline]
    pub(super) fn arg_get(&mut self, index: u32) -> Outcome {
        let value = self.input(index)?.clone();
        self.stack.push(value);
        Ok(())
    }

    /// `i32.push`, `i64.push`: pushes an immediate.
    #[inline]
    pub(super) fn push(&mut self, value: IValue) -> Outcome {
        self.stack.push(value);
        Ok(())
    }

    /// `dup`: pushes a copy of the top value.
    #[inline]
    pub(super) fn dup(&mut self) -> Outcome {
        let top = self
            .stack
            .last()
            .cloned()
            .ok_or_else(|| InstructionErrorKind::StackIsTooSmall { needed: 1 })?;
        self.stack.push(top);
        Ok(())
    }

    /// `swap2`: swaps the two top values.
    #[inline]
    pub(super) fn swap2(&mut self) -> Outcome {
        self.need(2)?;
        let len = self.stack.len();
        self.stack.swap(len - 2, len - 1);
        Ok(())
    }
}
