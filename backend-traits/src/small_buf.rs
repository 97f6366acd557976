//! A buffer that stays on the stack for the usual few values and spills to the heap beyond.

use alloc::vec::Vec;
use arrayvec::ArrayVec;
use core::ops::{Deref, DerefMut};

/// Values converted for one call: inline up to `N`, on the heap beyond, so calls with
/// ordinary arities allocate nothing.
#[derive(Debug)]
pub enum SmallBuf<T, const N: usize> {
    /// Up to `N` values, inline.
    Inline(ArrayVec<T, N>),
    /// More than `N` values.
    Heap(Vec<T>),
}

impl<T, const N: usize> SmallBuf<T, N> {
    /// Collects `items`.
    pub fn collect_from(items: impl IntoIterator<Item = T>) -> Self {
        let mut inline = ArrayVec::new();
        let mut items = items.into_iter();
        for item in items.by_ref() {
            if let Err(full) = inline.try_push(item) {
                let mut heap: Vec<T> = inline.into_iter().collect();
                heap.push(full.element());
                heap.extend(items);
                return Self::Heap(heap);
            }
        }
        Self::Inline(inline)
    }

    /// Collects `items`, stopping at the first error.
    pub fn try_collect_from<E>(items: impl IntoIterator<Item = Result<T, E>>) -> Result<Self, E> {
        let mut inline = ArrayVec::new();
        let mut items = items.into_iter();
        while let Some(item) = items.next() {
            if let Err(full) = inline.try_push(item?) {
                let mut heap: Vec<T> = inline.into_iter().collect();
                heap.push(full.element());
                for item in items {
                    heap.push(item?);
                }
                return Ok(Self::Heap(heap));
            }
        }
        Ok(Self::Inline(inline))
    }
}

impl<T, const N: usize> Deref for SmallBuf<T, N> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Self::Inline(v) => v,
            Self::Heap(v) => v,
        }
    }
}

impl<T, const N: usize> DerefMut for SmallBuf<T, N> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Self::Inline(v) => v,
            Self::Heap(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SmallBuf;

    #[test]
    fn spills_beyond_n() {
        let small = SmallBuf::<u8, 2>::collect_from([1, 2]);
        assert!(matches!(small, SmallBuf::Inline(_)));
        let big = SmallBuf::<u8, 2>::collect_from([1, 2, 3, 4]);
        assert!(matches!(big, SmallBuf::Heap(_)));
        assert_eq!(&*big, &[1, 2, 3, 4]);
        let r = SmallBuf::<u8, 2>::try_collect_from([Ok(1), Ok(2), Ok(3), Err("x"), Ok(4)]);
        assert_eq!(r.err(), Some("x"));
        let r = SmallBuf::<u8, 2>::try_collect_from([Ok::<u8, ()>(1), Ok(2), Ok(3)]).unwrap();
        assert_eq!(&*r, &[1, 2, 3]);
    }
}
