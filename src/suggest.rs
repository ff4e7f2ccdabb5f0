//! "Did you mean" suggestions for misspelled names.

/// Returns the candidate closest to `unknown`, if one is close enough to be a likely typo.
pub fn closest<'a>(unknown: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let unknown_lower = unknown.to_lowercase();
    candidates
        .into_iter()
        .filter(|candidate| *candidate != unknown)
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(&unknown_lower, &candidate.to_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, candidate)| *distance <= max_distance(unknown.len().max(candidate.len())))
        .min_by_key(|(distance, candidate)| (*distance, *candidate))
        .map(|(_, candidate)| candidate)
}

/// Returns the edit distance allowed for a name of `len` characters: one per four, from one to three.
fn max_distance(len: usize) -> usize {
    (len / 4).clamp(1, 3)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn closest_finds_transposed_letters() {
        assert_eq!(closest("memroy", ["cpu", "memory", "image"]), Some("memory"));
    }

    #[test]
    fn closest_ignores_distant_names() {
        assert_eq!(closest("gpu", ["memory", "image"]), None);
    }

    #[test]
    fn closest_ignores_case() {
        assert_eq!(closest("Title", ["title", "type"]), Some("title"));
    }
}
