//! Width check: every operator gets operands of the widths it needs, every
//! assignment matches its target, and nothing is truncated silently.

use super::diagnostic;
use crate::bits::MAX_WIDTH;
use crate::error::{Diagnostic, ErrorKind};
use crate::ir::{Module, Node, Op};

/// Why `n`'s operand widths are wrong, if they are.
fn operator_error(m: &Module, n: &Node) -> Option<String> {
    let w = |i: usize| m.node(n.args[i]).width;
    let same = |name: &str| {
        (w(0) != w(1)).then(|| {
            format!(
                "`{name}` needs equal widths, got {} and {} bits",
                w(0),
                w(1)
            )
        })
    };
    let result = match &n.op {
        Op::Const(_) | Op::StateConst { .. } | Op::Signal(_) => None,
        Op::Not | Op::ReduceAnd | Op::ReduceOr | Op::ReduceXor => None,
        Op::Shl | Op::Shr | Op::Sra | Op::ShlConst(_) | Op::ShrConst(_) | Op::SraConst(_) => None,
        Op::Add => same("+"),
        Op::Sub => same("-"),
        Op::Mul => same("*"),
        Op::And => same("&"),
        Op::Or => same("|"),
        Op::Xor => same("^"),
        Op::Eq => same("eq"),
        Op::Ne => same("ne"),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => same("comparison"),
        Op::SignedLt | Op::SignedLe | Op::SignedGt | Op::SignedGe => same("signed comparison"),
        Op::Mux => {
            if w(0) != 1 {
                Some(format!("mux condition must be 1 bit, got {} bits", w(0)))
            } else if w(1) != w(2) {
                Some(format!(
                    "mux branches need equal widths, got {} and {} bits",
                    w(1),
                    w(2)
                ))
            } else {
                None
            }
        }
        Op::Select => select_error(m, n),
        Op::Concat => n.args.is_empty().then(|| "empty concatenation".to_string()),
        Op::Slice { hi, lo } => {
            if lo > hi || *hi >= w(0) {
                Some(format!("slice [{hi}:{lo}] of a {}-bit value", w(0)))
            } else {
                None
            }
        }
        Op::DynSlice { width } => (*width == 0 || *width > w(0))
            .then(|| format!("part of {width} bits from a {}-bit value", w(0))),
        Op::Zext(to) => (*to < w(0)).then(|| {
            format!(
                "zext to {to} bits would truncate a {}-bit value (use trunc)",
                w(0)
            )
        }),
        Op::Sext(to) => (*to < w(0)).then(|| {
            format!(
                "sext to {to} bits would truncate a {}-bit value (use trunc)",
                w(0)
            )
        }),
        Op::Repeat(k) => (*k == 0).then(|| "repeat count must be at least 1".to_string()),
    };
    result.or_else(|| {
        (n.width == 0 || n.width > MAX_WIDTH)
            .then(|| format!("result is {} bits; widths must be 1..={MAX_WIDTH}", n.width))
    })
}

/// Why a [`Op::Select`]'s arms or index are wrong, if they are.
fn select_error(m: &Module, n: &Node) -> Option<String> {
    let index = m.node(n.args[0]).width;
    let arms = &n.args[1..];
    let odd = arms
        .iter()
        .map(|a| m.node(*a).width)
        .find(|w| *w != n.width);
    if arms.is_empty() {
        Some("select needs at least one input".to_string())
    } else if let Some(w) = odd {
        Some(format!(
            "select inputs need equal widths, got {} and {w} bits",
            n.width
        ))
    } else if index < u64::BITS && arms.len() as u64 > 1u64 << index {
        Some(format!(
            "a {index}-bit index cannot select among {} inputs (it needs {} bits)",
            arms.len(),
            crate::bits::bits_for(arms.len())
        ))
    } else {
        None
    }
}

/// Runs the width check.
pub fn check(m: &Module) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for n in &m.nodes {
        if let Some(msg) = operator_error(m, n) {
            errors.push(diagnostic(m, ErrorKind::Width(msg), n.loc));
        }
    }
    for a in &m.assignments {
        let target = m.signal(a.target);
        let w = m.node(a.value).width;
        if w != target.width {
            errors.push(diagnostic(
                m,
                ErrorKind::Width(format!(
                    "`{}` is {} bits but is assigned a {w}-bit value",
                    target.name, target.width
                )),
                a.loc,
            ));
        }
    }
    for mem in &m.memories {
        let aw = mem.addr_width();
        let ports = mem
            .writes
            .iter()
            .map(|p| (p.enable, p.addr, Some(p.data), p.loc))
            .chain(mem.reads.iter().map(|p| (p.enable, p.addr, None, p.loc)));
        for (en, addr, data, loc) in ports {
            let mut bad = Vec::new();
            if m.node(en).width != 1 {
                bad.push(format!("enable is {} bits, not 1", m.node(en).width));
            }
            if m.node(addr).width != aw {
                bad.push(format!("address is {} bits, not {aw}", m.node(addr).width));
            }
            if let Some(d) = data {
                if m.node(d).width != mem.width {
                    bad.push(format!(
                        "data is {} bits, not {}",
                        m.node(d).width,
                        mem.width
                    ));
                }
            }
            if !bad.is_empty() {
                errors.push(diagnostic(
                    m,
                    ErrorKind::Width(format!("memory `{}` port: {}", mem.name, bad.join("; "))),
                    loc,
                ));
            }
        }
    }
    for a in &m.assertions {
        if m.node(a.cond).width != 1 {
            errors.push(diagnostic(
                m,
                ErrorKind::Width(format!(
                    "assertion condition is {} bits, not 1",
                    m.node(a.cond).width
                )),
                a.loc,
            ));
        }
    }
    errors
}
