//! The type-level nesting check of D21: record types reachable from adapters must be
//! acyclic and nest at most [`MAX_DEPTH`] levels (records and arrays both count).

use crate::adapter::NestingError;
use crate::records::{MAX_DEPTH, RecordTable};
use crate::types::IType;
use alloc::vec;
use alloc::vec::Vec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Unvisited,
    Visiting,
    /// The record's own nesting depth (1 for a record of scalars).
    Done(u32),
}

/// Remembers the depth of every record already checked, so each is walked once per module.
pub(crate) struct NestingChecker<'a> {
    records: &'a RecordTable,
    marks: Vec<Mark>,
}

impl<'a> NestingChecker<'a> {
    pub(crate) fn new(records: &'a RecordTable) -> Self {
        Self {
            records,
            marks: vec![Mark::Unvisited; records.type_count()],
        }
    }

    /// Checks every record `ty` reaches. Record ids must exist (checked before).
    pub(crate) fn check(&mut self, ty: &IType) -> Result<(), NestingError> {
        let (arrays, inner) = strip_arrays(ty);
        if arrays > MAX_DEPTH {
            return Err(NestingError::TooDeep { limit: MAX_DEPTH });
        }
        if let IType::Record(id) = inner {
            self.record(*id, arrays + 1)?;
        }
        Ok(())
    }

    /// The depth of record `root`, which sits at nesting `level` (1 = outermost). Walks
    /// the records depth-first with an explicit stack: a deep chain of record types costs
    /// heap, not host stack.
    fn record(&mut self, root: u64, level: u32) -> Result<u32, NestingError> {
        if let Some(depth) = self.done(root, level)? {
            return Ok(depth);
        }
        let records = self.records;
        let mut stack = vec![Walk {
            id: root,
            next_field: 0,
            deepest: 0,
            arrays_above: 0,
            level,
        }];
        self.set(root, Mark::Visiting);
        while let Some(top) = stack.last_mut() {
            let field = records
                .get(top.id)
                .and_then(|layout| layout.fields.get(top.next_field));
            let Some(field) = field else {
                let depth = top.deepest + 1;
                let (id, arrays_above) = (top.id, top.arrays_above);
                stack.pop();
                self.set(id, Mark::Done(depth));
                match stack.last_mut() {
                    Some(parent) => parent.deepest = parent.deepest.max(arrays_above + depth),
                    None => return Ok(depth),
                }
                continue;
            };
            top.next_field += 1;
            let (arrays, inner) = strip_arrays(&field.ty);
            let child_level = top.level.saturating_add(arrays);
            if child_level > MAX_DEPTH {
                return Err(NestingError::TooDeep { limit: MAX_DEPTH });
            }
            let IType::Record(id) = inner else {
                top.deepest = top.deepest.max(arrays);
                continue;
            };
            let child_level = child_level + 1;
            if let Some(depth) = self.done(*id, child_level)? {
                top.deepest = top.deepest.max(arrays + depth);
                continue;
            }
            if child_level > MAX_DEPTH {
                return Err(NestingError::TooDeep { limit: MAX_DEPTH });
            }
            self.set(*id, Mark::Visiting);
            stack.push(Walk {
                id: *id,
                next_field: 0,
                deepest: 0,
                arrays_above: arrays,
                level: child_level,
            });
        }
        Ok(1)
    }

    /// The depth of a record already walked (checked against its `level`), `None` when it is
    /// still to walk; a record being walked is a cycle.
    fn done(&self, id: u64, level: u32) -> Result<Option<u32>, NestingError> {
        let slot = usize::try_from(id).ok();
        match slot.and_then(|slot| self.marks.get(slot)).copied() {
            Some(Mark::Done(depth)) if level + depth - 1 > MAX_DEPTH => {
                Err(NestingError::TooDeep { limit: MAX_DEPTH })
            }
            Some(Mark::Done(depth)) => Ok(Some(depth)),
            Some(Mark::Visiting) => Err(NestingError::Cyclic { record_type_id: id }),
            Some(Mark::Unvisited) => Ok(None),
            // Unknown ids are reported by the callers' own checks.
            None => Ok(Some(1)),
        }
    }

    fn set(&mut self, id: u64, mark: Mark) {
        if let Some(slot) = usize::try_from(id)
            .ok()
            .and_then(|slot| self.marks.get_mut(slot))
        {
            *slot = mark;
        }
    }
}

/// A record being walked.
struct Walk {
    id: u64,
    next_field: usize,
    /// The deepest field seen so far.
    deepest: u32,
    /// Arrays between the parent record and this one (they count as levels).
    arrays_above: u32,
    /// This record's nesting level.
    level: u32,
}

/// The number of arrays around `ty` and the type inside them.
fn strip_arrays(ty: &IType) -> (u32, &IType) {
    let mut arrays = 0u32;
    let mut ty = ty;
    while let IType::Array(inner) = ty {
        arrays = arrays.saturating_add(1);
        ty = inner;
    }
    (arrays, ty)
}
