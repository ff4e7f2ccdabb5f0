//! Inheritance: each environment's template is its root profile's definitions with every
//! child profile's edits applied in order, from the root down.

use std::collections::BTreeMap;

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::edit::{Edit, KeyKind, MemberEdit, Patch, Verb};
use crate::profile::{Let, Profile, Section, Spanned};
use crate::source::Span;
use crate::value::{Kind, Member, Object, Value};
use crate::workspace::Workspace;

/// A variable or key that a child profile removed, remembered for later checks.
#[derive(Debug, Clone)]
pub struct Removal {
    pub kind: KeyKind,
    pub key: String,
    pub removed_at: Span,
    pub declared_at: Span,
}

/// One environment with inheritance applied, before substitution.
#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    /// The span the name comes from: the `environment` node, or the start of the file.
    pub name_span: Span,
    /// Profile names from the root down to the environment's own.
    pub chain: Vec<String>,
    pub worker: Option<Spanned>,
    pub output: Option<Spanned>,
    /// The `let` values in force: a child's value for a name replaces its parent's.
    pub lets: BTreeMap<String, Let>,
    pub variables: Value,
    pub job_configuration: Value,
    pub section_order: Vec<Section>,
    pub removals: Vec<Removal>,
}

/// Returns the inheritance chain of every environment (each non-abstract profile), root first.
/// Environments are resolved one at a time from these, so that only one is in memory at once.
pub fn environment_chains<'a>(
    workspace: &'a Workspace,
    diagnostics: &mut Diagnostics,
) -> Vec<Vec<&'a Profile>> {
    let mut chains: Vec<Vec<&Profile>> = Vec::new();
    for profile in workspace.profiles.values() {
        let Some(chain) = chain(workspace, profile, diagnostics) else {
            continue;
        };
        if profile.is_abstract.is_some() {
            continue;
        }
        let name = profile.environment_name();
        let first = chains
            .iter()
            .filter_map(|c| c.last())
            .find(|p| p.environment_name() == name);
        if let Some(first) = first {
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateEnvironment,
                    format!("environment `{name}` is defined twice"),
                )
                .at(environment_name_span(profile), "defined here")
                .with_secondary(environment_name_span(first), "and here")
                .with_help(
                    "give one of them another name with `environment \"NAME\"`, or mark a parent `abstract`",
                ),
            );
            continue;
        }
        chains.push(chain);
    }
    chains
}

/// Returns where an environment's name comes from: its `environment` node, or the file's start.
fn environment_name_span(profile: &Profile) -> Span {
    profile
        .environment
        .as_ref()
        .map_or(Span::new(profile.file, 0, 0), |e| e.span)
}

/// Returns the profiles from the root down to `profile`, reporting a missing parent or a cycle.
fn chain<'a>(
    workspace: &'a Workspace,
    profile: &'a Profile,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<&'a Profile>> {
    let mut chain = vec![profile];
    let mut current = profile;
    while let Some(parent_name) = &current.extends {
        let Some(parent) = workspace.profiles.get(&parent_name.text) else {
            if workspace.unparsed.contains(&parent_name.text) {
                return None;
            }
            let diagnostic = Diagnostic::new(
                Code::MissingParent,
                format!(
                    "profile `{}` extends `{}`, which does not exist",
                    current.name, parent_name.text
                ),
            )
            .at(parent_name.span, "no pool file has this name")
            .with_help("`extends` takes the name of another pool file of the run, without `.kdl`")
            .with_suggestion(&parent_name.text, workspace.profiles.keys().map(String::as_str));
            diagnostics.push(diagnostic);
            return None;
        };
        if let Some(position) = chain.iter().position(|p| p.name == parent.name) {
            diagnostics.push(cycle_diagnostic(&chain[position..]));
            return None;
        }
        chain.push(parent);
        current = parent;
    }
    chain.reverse();
    Some(chain)
}

/// Reports a cycle the same way from whichever of its profiles it was found, so that it is
/// reported once: it starts at the profile whose name sorts first. Each profile in `cycle`
/// extends the next, and the last extends the first.
fn cycle_diagnostic(cycle: &[&Profile]) -> Diagnostic {
    let start = cycle
        .iter()
        .enumerate()
        .min_by_key(|(_, profile)| profile.name.as_str())
        .map_or(0, |(index, _)| index);
    let ordered: Vec<&Profile> = cycle[start..].iter().chain(&cycle[..start]).copied().collect();
    let mut names: Vec<&str> = ordered.iter().map(|p| p.name.as_str()).collect();
    names.extend(names.first().copied());

    let mut diagnostic = Diagnostic::new(
        Code::InheritanceCycle,
        format!("profiles extend each other in a cycle: {}", names.join(" → ")),
    )
    .with_help("one profile in the cycle must be a root, without `extends`");
    let Some((closing, others)) = ordered.split_last() else {
        return diagnostic;
    };
    if let Some(extends) = &closing.extends {
        diagnostic = diagnostic.at(extends.span, "this `extends` closes the cycle");
    }
    for member in others {
        if let Some(extends) = &member.extends {
            diagnostic = diagnostic.with_secondary(
                extends.span,
                format!("`{}` extends `{}`", member.name, extends.text),
            );
        }
    }
    diagnostic
}

/// Applies a chain of profiles, root first, into one environment.
pub fn apply_chain(chain: &[&Profile], diagnostics: &mut Diagnostics) -> Option<Environment> {
    let root = chain.first()?;
    let own = chain.last()?;
    let mut resolver = Resolver {
        diagnostics,
        removals: Vec::new(),
    };

    let mut sections = BTreeMap::new();
    for section in [Section::Variables, Section::JobConfiguration] {
        let Some((Edit::Set(value), _)) = root.section(section) else {
            continue;
        };
        let mut value = value.clone();
        for child in &chain[1..] {
            if let Some((Edit::Patch(patch), _)) = child.section(section) {
                resolver.apply(&mut value, patch, &child.name);
            }
        }
        sections.insert(section.key(), value);
    }

    let start_of_file = Span::new(own.file, 0, 0);
    let empty = |span| Value::new(Kind::Object(Object::new()), span);
    let variables = sections
        .remove("variables")
        .unwrap_or_else(|| empty(start_of_file));
    let job_configuration = sections
        .remove("job_configuration")
        .unwrap_or_else(|| empty(start_of_file));

    let mut lets = BTreeMap::new();
    for profile in chain {
        for binding in &profile.lets {
            lets.insert(binding.name.text.clone(), binding.clone());
        }
    }
    let name_span = environment_name_span(own);
    Some(Environment {
        name: own.environment_name().to_owned(),
        name_span,
        chain: chain.iter().map(|p| p.name.clone()).collect(),
        worker: chain.iter().rev().find_map(|p| p.worker.clone()),
        output: chain.iter().rev().find_map(|p| p.output.clone()),
        lets,
        variables,
        job_configuration,
        section_order: root.section_order.clone(),
        removals: resolver.removals,
    })
}

struct Resolver<'a> {
    diagnostics: &'a mut Diagnostics,
    removals: Vec<Removal>,
}

impl Resolver<'_> {
    /// Applies a child's patch to an inherited value.
    fn apply(&mut self, target: &mut Value, patch: &Patch, child: &str) {
        let target_span = target.span;
        let Some(object) = target.as_object_mut() else {
            *target = patch.clone().into_value();
            return;
        };
        for member in &patch.members {
            self.apply_member(object, target_span, member, child);
        }
    }

    fn apply_member(&mut self, object: &mut Object, object_span: Span, member: &MemberEdit, child: &str) {
        let exists = object.contains_key(&member.key);
        log::debug!(
            "profile `{child}`: {:?} {} `{}`",
            member.verb,
            member.kind.noun(),
            member.key
        );
        match member.verb {
            Verb::Add if exists => self.report_duplicate(object, member),
            Verb::Add => {
                let value = member.edit.clone().into_value(member.span);
                insert(object, member, value);
            }
            Verb::Change | Verb::Replace | Verb::Remove
                if !exists && (member.kind != KeyKind::Keyword || member.verb != Verb::Change) =>
            {
                self.report_unknown(object, object_span, member, child);
            }
            Verb::Remove => {
                if let Some(removed) = object.shift_remove(&member.key) {
                    self.removals.push(Removal {
                        kind: member.kind,
                        key: member.key.clone(),
                        removed_at: member.span,
                        declared_at: removed.key_span,
                    });
                }
            }
            Verb::Change => match (&member.edit, object.get_mut(&member.key)) {
                (Edit::Patch(patch), Some(existing)) => self.apply(&mut existing.value, patch, child),
                (edit, _) => {
                    let value = edit.clone().into_value(member.span);
                    insert(object, member, value);
                }
            },
            Verb::Replace => {
                let value = member.edit.clone().into_value(member.span);
                insert(object, member, value);
            }
        }
    }

    fn report_duplicate(&mut self, object: &Object, member: &MemberEdit) {
        let code = if member.kind == KeyKind::Variable {
            Code::DuplicateVariable
        } else {
            Code::DuplicateKey
        };
        let noun = member.kind.noun();
        let mut diagnostic = Diagnostic::new(code, format!("{noun} `{}` already exists", member.key))
            .at(member.key_span, "added again here")
            .with_help(format!(
                "drop `(add)` to change the inherited {noun}, or pick a new name"
            ));
        if let Some(existing) = object.get(&member.key) {
            diagnostic = diagnostic.with_secondary(existing.key_span, "declared here");
        }
        self.diagnostics.push(diagnostic);
    }

    fn report_unknown(&mut self, object: &Object, object_span: Span, member: &MemberEdit, child: &str) {
        let noun = member.kind.noun();
        let action = match member.verb {
            Verb::Remove => "remove",
            Verb::Replace => "replace",
            _ => "change",
        };
        let help = if member.verb == Verb::Remove {
            "a profile can only remove what its parent defines".to_owned()
        } else {
            format!("to add a new {noun}, write `(add){}`", member.key)
        };
        let diagnostic = Diagnostic::new(
            Code::UnknownOverride,
            format!(
                "cannot {action} {noun} `{}`: no parent of `{child}` defines it",
                member.key
            ),
        )
        .at(member.key_span, "not inherited")
        .with_secondary(object_span, format!("the inherited {noun}s are defined here"))
        .with_help(help)
        .with_suggestion(&member.key, object.keys().map(String::as_str));
        self.diagnostics.push(diagnostic);
    }
}

/// Sets a member's value, keeping the key's position when it already exists.
fn insert(object: &mut Object, member: &MemberEdit, value: Value) {
    let key_span = object.get(&member.key).map_or(member.key_span, |m| m.key_span);
    object.insert(member.key.clone(), Member { key_span, value });
}
