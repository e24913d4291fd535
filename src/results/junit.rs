//! JUnit XML of a results file, the form GitLab, Jenkins and GitHub render:
//! one `<testsuite>`, one `<testcase>` per job and check (class name the
//! job's name, see [`super::job_name`]; name the check), a failed check with a `<failure>` holding its
//! message and waveform, an interrupted one `<skipped/>`.

use super::{Results, Verdict};
use std::fmt::Write as _;

/// `text` with the five XML special characters escaped, and control
/// characters XML 1.0 cannot hold replaced by U+FFFD.
fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            '\t' | '\n' | '\r' => s.push(c),
            c if (c as u32) < 0x20 => s.push('\u{fffd}'),
            c => s.push(c),
        }
    }
    s
}

/// The JUnit XML of `results`. Each job's duration goes to its first test
/// case; the suite's is their sum.
pub fn junit(results: &Results) -> String {
    let cases: Vec<_> = results
        .records
        .iter()
        .flat_map(|r| r.checks.iter().enumerate().map(move |(i, c)| (r, i, c)))
        .collect();
    let count = |v| cases.iter().filter(|(_, _, c)| c.verdict == v).count();
    let time: f64 = results.records.iter().map(|r| r.duration_s).sum();
    let name = escape(&format!("linkforge {}", results.command));
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{time:.3}\">",
        cases.len(),
        count(Verdict::Failed),
        count(Verdict::Interrupted)
    );
    let _ = writeln!(
        x,
        "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{time:.3}\">",
        cases.len(),
        count(Verdict::Failed),
        count(Verdict::Interrupted)
    );
    for (r, i, c) in cases {
        let secs = if i == 0 { r.duration_s } else { 0.0 };
        let _ = write!(
            x,
            "    <testcase classname=\"{}\" name=\"{}\" time=\"{secs:.3}\"",
            escape(&results.name(r)),
            escape(&c.name)
        );
        match c.verdict {
            Verdict::Passed => x.push_str("/>\n"),
            Verdict::Interrupted => {
                x.push_str(">\n      <skipped message=\"interrupted\"/>\n    </testcase>\n")
            }
            Verdict::Failed => {
                let message = c.message.as_deref().unwrap_or("failed");
                let mut body = format!("{message}\nseed: {}", r.seed);
                if let Some(w) = &c.waveform {
                    let _ = write!(body, "\nwaveform: {w}");
                }
                let _ = write!(
                    x,
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                    escape(message),
                    escape(&c.name),
                    escape(&body)
                );
                if let Some(w) = &c.waveform {
                    let _ = writeln!(
                        x,
                        "      <system-out>[[ATTACHMENT|{}]]</system-out>",
                        escape(w)
                    );
                }
                x.push_str("    </testcase>\n");
            }
        }
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::super::tests::record;
    use super::*;

    #[test]
    fn a_failure_carries_its_escaped_message_and_waveform() {
        let mut results = Results::new("check", None, (2, 1), 2);
        results.records = vec![record(0, Verdict::Passed), record(1, Verdict::Failed)];
        let x = junit(&results);
        assert!(
            x.contains("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""),
            "{x}"
        );
        assert!(
            x.contains("<testcase classname=\"v0\" name=\"properties\" time=\"0.500\"/>"),
            "{x}"
        );
        assert!(
            x.contains("<failure message=\"cycle 3: x &lt; &quot;y&quot; &amp; z\""),
            "{x}"
        );
        assert!(x.contains("waveform: v1.check.vcd</failure>"), "{x}");
        assert_eq!(x.matches("<testcase ").count(), 2);
        assert_eq!(escape("a\u{1}b"), "a\u{fffd}b");
    }
}
