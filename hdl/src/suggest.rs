//! Nearest names for "did you mean" help: the one place every crate of the
//! workspace (HDL builder, simulator, properties, config language) finds
//! the known names closest to a misspelt one, by Damerau-Levenshtein edit
//! distance.

/// The candidates by edit distance to `word`, closest first, each once.
fn by_distance<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<(usize, &'a str)> {
    let mut all: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .collect();
    all.sort();
    all.dedup();
    all
}

/// The candidates close to `word` (at most a third of its characters
/// differ, or only its case), best first, at most three, as a help text:
/// ``did you mean `x`?`` or ``did you mean one of `x`, `y`?``; `None`
/// when none is close enough.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let limit = (word.chars().count() / 3).max(1);
    let names: Vec<String> = by_distance(word, candidates)
        .into_iter()
        .filter(|(d, c)| *d <= limit || c.eq_ignore_ascii_case(word))
        .take(3)
        .map(|(_, c)| format!("`{c}`"))
        .collect();
    match names.len() {
        0 => None,
        1 => Some(format!("did you mean {}?", names[0])),
        _ => Some(format!("did you mean one of {}?", names.join(", "))),
    }
}

/// The `n` candidates closest to `word` by edit distance, however far,
/// closest first.
pub fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    by_distance(word, candidates)
        .into_iter()
        .take(n)
        .map(|(_, c)| c)
        .collect()
}

/// [`did_you_mean`] as the tail of a message: `"; did you mean `x`?"`, or
/// nothing when no candidate is close.
pub fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|h| format!("; {h}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested_best_first() {
        let ports = ["rd_data", "rd_valid", "wr_data", "clk"];
        assert_eq!(
            did_you_mean("rd_dta", ports).as_deref(),
            Some("did you mean `rd_data`?")
        );
        assert_eq!(
            did_you_mean("xd_data", ports).as_deref(),
            Some("did you mean one of `rd_data`, `wr_data`?")
        );
        assert_eq!(
            did_you_mean("CLK", ports).as_deref(),
            Some("did you mean `clk`?")
        );
        assert_eq!(did_you_mean("enable", ports), None);
        assert_eq!(hint("enable", ports), "");
        assert_eq!(hint("clk_", ports), "; did you mean `clk`?");
        assert_eq!(nearest("enable", ports, 2).len(), 2);
    }
}
