//! JSON values whose strings may embed the environment's name, written `$ENV` in a pool file.
//!
//! A single import holds only literal text. A multi-environment import finds strings such as
//! `contoso-dev-rg` and `contoso-prod-rg` and stores them once as `contoso-$ENV-rg`.

/// A JSON value in source order, with strings split where the environment's name goes.
#[derive(Debug, Clone)]
pub enum Pattern {
    Null,
    Bool(bool),
    Integer(i64),
    /// A JSON number written with a fraction or an exponent, such as `4.0`.
    Float(f64),
    Text(Vec<Piece>),
    /// A `$ref` string in `variables`: written as it is, because poolc never expands it.
    Reference(String),
    List(Vec<Pattern>),
    /// Members in source order. Keys are never generalised, because poolc never expands keys.
    Map(Vec<(String, Pattern)>),
}

/// A part of a string: literal text, or the environment's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Literal(String),
    Env,
}

/// A JSON number that poolc cannot hold, found while converting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberTooLarge {
    /// The JSON path to the number, such as `variables.properties.cpu.default`.
    pub path: String,
    pub text: String,
}

impl PartialEq for Pattern {
    /// Compares in member order, and floats by their bits so that `-0.0` differs from `0.0`.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Pattern::Null, Pattern::Null) => true,
            (Pattern::Bool(a), Pattern::Bool(b)) => a == b,
            (Pattern::Integer(a), Pattern::Integer(b)) => a == b,
            (Pattern::Float(a), Pattern::Float(b)) => a.to_bits() == b.to_bits(),
            (Pattern::Text(a), Pattern::Text(b)) => a == b,
            (Pattern::Reference(a), Pattern::Reference(b)) => a == b,
            (Pattern::List(a), Pattern::List(b)) => a == b,
            (Pattern::Map(a), Pattern::Map(b)) => a == b,
            _ => false,
        }
    }
}

impl Pattern {
    /// Converts a JSON value, keeping member order. Integers beyond 64-bit signed range are
    /// returned as errors, because a pool file cannot hold them.
    pub fn from_json(json: &serde_json::Value) -> Result<Pattern, NumberTooLarge> {
        let mut path = Vec::new();
        convert(json, &mut path)
    }

    /// Converts the value of a template's top-level `key`, so that paths start with it.
    pub fn from_section_json(key: &str, json: &serde_json::Value) -> Result<Pattern, NumberTooLarge> {
        let mut path = vec![format!(".{key}")];
        convert(json, &mut path)
    }

    pub fn literal(text: &str) -> Pattern {
        Pattern::Text(vec![Piece::Literal(text.to_owned())])
    }

    pub fn as_map(&self) -> Option<&[(String, Pattern)]> {
        match self {
            Pattern::Map(members) => Some(members),
            _ => None,
        }
    }

    pub fn is_scalar(&self) -> bool {
        !matches!(self, Pattern::List(_) | Pattern::Map(_))
    }

    /// Returns whether any string inside embeds the environment's name.
    pub fn has_env(&self) -> bool {
        match self {
            Pattern::Text(pieces) => pieces.contains(&Piece::Env),
            Pattern::List(items) => items.iter().any(Pattern::has_env),
            Pattern::Map(members) => members.iter().any(|(_, value)| value.has_env()),
            _ => false,
        }
    }

    /// Replaces every occurrence of `environment` in string values by [`Piece::Env`].
    pub fn generalise(&self, environment: &str) -> Pattern {
        match self {
            Pattern::Text(pieces) => Pattern::Text(split_text(&join_literal(pieces), environment)),
            Pattern::List(items) => Pattern::List(items.iter().map(|i| i.generalise(environment)).collect()),
            Pattern::Map(members) => Pattern::Map(
                members
                    .iter()
                    .map(|(key, value)| (key.clone(), value.generalise(environment)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Puts `environment` where the environment's name goes, leaving only literal text.
    pub fn expand(&self, environment: &str) -> Pattern {
        match self {
            Pattern::Text(pieces) => {
                let text: String = pieces
                    .iter()
                    .map(|piece| match piece {
                        Piece::Literal(text) => text.as_str(),
                        Piece::Env => environment,
                    })
                    .collect();
                Pattern::literal(&text)
            }
            Pattern::List(items) => Pattern::List(items.iter().map(|i| i.expand(environment)).collect()),
            Pattern::Map(members) => Pattern::Map(
                members
                    .iter()
                    .map(|(key, value)| (key.clone(), value.expand(environment)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

fn convert(json: &serde_json::Value, path: &mut Vec<String>) -> Result<Pattern, NumberTooLarge> {
    let pattern = match json {
        serde_json::Value::Null => Pattern::Null,
        serde_json::Value::Bool(b) => Pattern::Bool(*b),
        serde_json::Value::Number(number) => {
            if let Some(integer) = number.as_i64() {
                Pattern::Integer(integer)
            } else if number.is_f64() {
                Pattern::Float(number.as_f64().unwrap_or_default())
            } else {
                return Err(NumberTooLarge {
                    path: path.concat().trim_start_matches('.').to_owned(),
                    text: number.to_string(),
                });
            }
        }
        serde_json::Value::String(text) if is_schema_reference(path) => Pattern::Reference(text.clone()),
        serde_json::Value::String(text) => Pattern::literal(text),
        serde_json::Value::Array(items) => {
            let mut converted = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                path.push(format!("[{index}]"));
                converted.push(convert(item, path)?);
                path.pop();
            }
            Pattern::List(converted)
        }
        serde_json::Value::Object(map) => {
            let mut members = Vec::with_capacity(map.len());
            for (key, value) in map {
                path.push(format!(".{key}"));
                members.push((key.clone(), convert(value, path)?));
                path.pop();
            }
            Pattern::Map(members)
        }
    };
    Ok(pattern)
}

/// Returns whether `path` leads to a `$ref` member inside `variables`.
fn is_schema_reference(path: &[String]) -> bool {
    path.first().is_some_and(|first| first == ".variables") && path.last().is_some_and(|last| last == ".$ref")
}

fn join_literal(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Literal(text) => text.as_str(),
            Piece::Env => "",
        })
        .collect()
}

/// Splits `text` at each occurrence of `environment`, left to right without overlaps.
fn split_text(text: &str, environment: &str) -> Vec<Piece> {
    if environment.is_empty() {
        return vec![Piece::Literal(text.to_owned())];
    }
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(environment) {
        if at > 0 {
            pieces.push(Piece::Literal(rest[..at].to_owned()));
        }
        pieces.push(Piece::Env);
        rest = &rest[at + environment.len()..];
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Literal(rest.to_owned()));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_reference_stays_verbatim() {
        let json = serde_json::json!({
            "variables": {"properties": {"a": {"$ref": "#/$defs/A"}}},
            "job_configuration": {"$ref": "#/$defs/A"},
        });
        let pattern = Pattern::from_json(&json).expect("converts");
        let sections = pattern.as_map().expect("object");
        let variable = &sections[0].1.as_map().expect("variables")[0]
            .1
            .as_map()
            .expect("properties")[0]
            .1;
        let reference = &variable.as_map().expect("schema")[0].1;
        assert_eq!(*reference, Pattern::Reference("#/$defs/A".to_owned()));
        let job_reference = &sections[1].1.as_map().expect("job configuration")[0].1;
        assert_eq!(*job_reference, Pattern::literal("#/$defs/A"));
    }

    #[test]
    fn generalise_then_expand_restores_text() {
        let value = Pattern::literal("contoso-dev-rg-dev");
        let general = value.generalise("dev");
        assert!(general.has_env());
        assert_eq!(general.expand("dev"), value);
        assert_eq!(general.expand("prod"), Pattern::literal("contoso-prod-rg-prod"));
    }

    #[test]
    fn generalise_without_name_is_literal() {
        let value = Pattern::literal("nothing here");
        assert_eq!(value.generalise("dev"), value);
    }

    #[test]
    fn floats_compare_by_bits() {
        assert_ne!(Pattern::Float(0.0), Pattern::Float(-0.0));
        assert_ne!(Pattern::Float(4.0), Pattern::Integer(4));
    }

    #[test]
    fn large_unsigned_integer_is_rejected() {
        let json: serde_json::Value =
            serde_json::from_str(r#"{"a": [18446744073709551615]}"#).unwrap_or_default();
        let error = Pattern::from_json(&json).err();
        assert_eq!(error.map(|e| e.path), Some("a[0]".to_owned()));
    }
}
