//! The nearest name to a misspelt one, for the "did you mean" hints of error messages.

use alloc::string::String;
use alloc::vec::Vec;

/// The edit (Levenshtein) distance between `a` and `b`, counted in chars.
///
/// ```
/// assert_eq!(strait::nearest::distance("greting", "greeting"), 1);
/// assert_eq!(strait::nearest::distance("", "abc"), 3);
/// ```
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // One row of the dynamic-programming table: distances from a prefix of `a` to each prefix
    // of `b`.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a typo of it (at most half
/// of the longer name differs); the first of equally close ones.
///
/// ```
/// let names = ["facade", "curl_adapter", "local_storage"];
/// assert_eq!(strait::nearest::nearest("curl_adaptor", names), Some("curl_adapter"));
/// assert_eq!(strait::nearest::nearest("xyz", names), None);
/// ```
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = distance(word, candidate);
        let close = distance <= word.chars().count().max(candidate.chars().count()) / 2;
        if close && best.is_none_or(|(best, _)| distance < best) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// `; available: a, b, c (did you mean "b"?)`, the tail of an unknown-name message; `; there
/// are none` when `candidates` is empty.
pub(crate) fn available<'a>(
    word: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    let names: Vec<&str> = candidates.into_iter().collect();
    if names.is_empty() {
        return alloc::format!("; there are no {what}");
    }
    let mut text = alloc::format!("; {what}: {}", names.join(", "));
    if let Some(near) = nearest(word, names.iter().copied()) {
        text.push_str(&alloc::format!(" (did you mean \"{near}\"?)"));
    }
    text
}
