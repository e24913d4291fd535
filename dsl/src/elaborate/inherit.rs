//! Inheritance: resolves each declaration's parent, reports undefined
//! parents, parents of another kind and cycles, and merges settings down
//! each chain without recursion.

use super::{Setting, Settings};
use crate::ast::BlockDecl;
use crate::diagnostic::{did_you_mean, Diagnostics, Error, ErrorKind};
use linkforge_rtl::catalog::BlockKind;
use std::collections::HashMap;

/// How a declaration's parent resolved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Link {
    /// No parent.
    Root,
    /// The declaration at this index.
    Parent(usize),
    /// An error, reported already (or an unknown kind somewhere up the chain).
    Broken,
}

/// Resolves declaration `i`'s parent, reporting an undefined parent or one
/// of another kind.
pub(super) fn link(
    i: usize,
    decls: &[&BlockDecl],
    kinds: &[Option<&BlockKind>],
    by_name: &HashMap<&str, usize>,
    errors: &mut Diagnostics,
) -> Link {
    let Some(parent) = &decls[i].parent else {
        return Link::Root;
    };
    let Some(&j) = by_name.get(parent.name.as_str()) else {
        let help = match decls
            .iter()
            .find(|d| parent.name.starts_with(&format!("{}_", d.name.name)))
        {
            Some(d) => format!(
                "variants made by a sweep cannot be inherited from; inherit from `{}` \
                 (its sweeps come along) and override the swept parameter",
                d.name.name
            ),
            None => did_you_mean(
                &parent.name,
                by_name.keys().copied().filter(|n| *n != decls[i].name.name),
            )
            .unwrap_or_else(|| "declare the parent variant in this file".into()),
        };
        errors.push(
            Error::new(
                ErrorKind::UndefinedParent,
                parent.span,
                format!("undefined parent variant `{}`", parent.name),
            )
            .label("not declared")
            .help(help),
        );
        return Link::Broken;
    };
    match (kinds[i], kinds[j]) {
        (Some(a), Some(b)) if a.name != b.name => {
            errors.push(
                Error::new(
                    ErrorKind::KindMismatch,
                    parent.span,
                    format!(
                        "`{}` is a `{}` and cannot inherit from the `{}` `{}`",
                        decls[i].name.name, a.name, b.name, parent.name
                    ),
                )
                .label(format!("a `{}`", b.name))
                .note(
                    decls[j].kind.span,
                    format!("`{}` is declared as a `{}` here", parent.name, b.name),
                )
                .help("a variant can only inherit from a variant of the same block kind"),
            );
            Link::Broken
        }
        (Some(_), Some(_)) => Link::Parent(j),
        _ => Link::Broken,
    }
}

/// Finds inheritance cycles, reports each once and breaks its links.
pub(super) fn break_cycles(decls: &[&BlockDecl], links: &mut [Link], errors: &mut Diagnostics) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut mark = vec![Mark::New; links.len()];
    for start in 0..links.len() {
        let mut path = Vec::new();
        let mut cur = start;
        loop {
            match mark[cur] {
                Mark::Done => break,
                Mark::OnPath => {
                    let at = path.iter().position(|&p| p == cur).unwrap_or(0);
                    let cycle: Vec<usize> = path[at..].to_vec();
                    report_cycle(decls, &cycle, errors);
                    for &c in &cycle {
                        links[c] = Link::Broken;
                    }
                    break;
                }
                Mark::New => {
                    mark[cur] = Mark::OnPath;
                    path.push(cur);
                    match links[cur] {
                        Link::Parent(j) => cur = j,
                        Link::Root | Link::Broken => break,
                    }
                }
            }
        }
        for p in path {
            mark[p] = Mark::Done;
        }
    }
}

fn report_cycle(decls: &[&BlockDecl], cycle: &[usize], errors: &mut Diagnostics) {
    let first = cycle
        .iter()
        .position(|&c| c == *cycle.iter().min().unwrap_or(&0))
        .unwrap_or(0);
    let order: Vec<usize> = cycle[first..]
        .iter()
        .chain(&cycle[..first])
        .copied()
        .collect();
    let mut names: Vec<&str> = order.iter().map(|&c| decls[c].name.name.as_str()).collect();
    names.push(names[0]);
    let anchor = decls[order[0]];
    let parent_span = |d: &BlockDecl| d.parent.as_ref().map_or(d.name.span, |p| p.span);
    let mut err = Error::new(
        ErrorKind::CyclicInheritance,
        parent_span(anchor),
        format!("cyclic inheritance: {}", names.join(" -> ")),
    )
    .label(if order.len() == 1 {
        "inherits from itself".to_string()
    } else {
        format!("`{}` inherits from `{}`", names[0], names[1])
    })
    .help("break the cycle: one of these variants must not inherit");
    for (k, &c) in order.iter().enumerate().skip(1) {
        err = err.note(
            parent_span(decls[c]),
            format!("`{}` inherits from `{}`", names[k], names[k + 1]),
        );
    }
    errors.push(err);
}

/// Each declaration's settings with its ancestors' merged in (`None` if its
/// kind or some link up its chain is broken).
pub(super) fn resolve(links: &[Link], own: Vec<Option<Settings>>) -> Vec<Option<Settings>> {
    let mut done: Vec<Option<Option<Settings>>> = vec![None; links.len()];
    for i in 0..links.len() {
        let mut chain = Vec::new();
        let mut cur = i;
        let mut acc = loop {
            if let Some(d) = &done[cur] {
                break d.clone();
            }
            chain.push(cur);
            match links[cur] {
                Link::Root => break Some(Settings::new()),
                Link::Broken => break None,
                Link::Parent(j) => cur = j,
            }
        };
        for &c in chain.iter().rev() {
            acc = match (acc, &own[c]) {
                (Some(mut base), Some(over)) => {
                    merge(&mut base, over);
                    Some(base)
                }
                _ => None,
            };
            done[c] = Some(acc.clone());
        }
    }
    done.into_iter().map(Option::flatten).collect()
}

/// Overrides `base` with `over`; groups merge member by member.
fn merge(base: &mut Settings, over: &Settings) {
    for (name, setting) in over {
        match (base.get_mut(name), setting) {
            (Some(Setting::Group(b)), Setting::Group(o)) => merge(b, o),
            _ => {
                base.insert(name, setting.clone());
            }
        }
    }
}
