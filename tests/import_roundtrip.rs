//! Round trips through `poolc import`: random templates with awkward keys and values are
//! imported, built back the way `poolc build` resolves and substitutes them, and compared with
//! the input byte for byte (the inputs are pretty-printed as poolc writes JSON).

use std::path::PathBuf;

use poolc::import::{self, Input, PoolFile};
use poolc::schema::KEYWORDS;
use poolc::{compile, emit};
use serde_json::{Map, Value, json};

/// A small xorshift generator, so that every run tests the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const AWKWARD_KEYS: &[&str] = &[
    "",
    "-",
    "$ref",
    "$",
    "a b",
    "a.b",
    "keyword",
    "true",
    "null",
    "#x",
    "ü",
    "日本",
    "\"q\"",
    "back\\slash",
    "new\nline",
    "{{ x }}",
    "x=y",
    "(array)",
    "//c",
    "1st",
    "-1",
    ".5",
    "tab\tkey",
    "\u{feff}",
];

const AWKWARD_TEXTS: &[&str] = &[
    "",
    "$",
    "$$",
    "$ENV",
    "${ENV}",
    "${X:-y}",
    "a$",
    "$1",
    "multi\nline\r\n",
    "\t\u{0}\u{7f}\u{2028}\u{85}",
    "ü日本🎉",
    "#true",
    "true",
    "-",
    "//comment",
    "\"quoted\"",
    "\\",
    "{{ cpu }}",
    "https://example.com/x",
    "contoso-dev-rg",
    "dev",
    "latest",
    "a b",
    "\u{200e}\u{202a}",
];

const ENVIRONMENTS: &[&str] = &["dev", "test", "prod", "a", "x1", "stage"];

fn text(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => "long ".repeat(rng.below(300) + 50),
        1 => format!("{}{}", rng.pick(AWKWARD_TEXTS), rng.pick(AWKWARD_TEXTS)),
        _ => (*rng.pick(AWKWARD_TEXTS)).to_owned(),
    }
}

fn key(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => (*rng.pick(AWKWARD_KEYS)).to_owned(),
        1 => rng.pick(KEYWORDS).0.to_owned(),
        _ => format!("k{}", rng.below(20)),
    }
}

fn scalar(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => json!(*rng.pick(&[0i64, 4, -1, i64::MAX, i64::MIN])),
        3 => json!(*rng.pick(&[4.0f64, -0.0, 0.1, 1e300, 1.5e-7, 123.456, -2.5e10])),
        _ => Value::String(text(rng)),
    }
}

fn value(rng: &mut Rng, depth: usize) -> Value {
    if depth == 0 || rng.chance(55) {
        return scalar(rng);
    }
    if rng.chance(50) {
        let count = *rng.pick(&[0, 1, 1, 2, 3]);
        Value::Array((0..count).map(|_| value(rng, depth - 1)).collect())
    } else {
        object(rng, depth - 1, value)
    }
}

fn object(rng: &mut Rng, depth: usize, member: impl Fn(&mut Rng, usize) -> Value) -> Value {
    let count = *rng.pick(&[0, 1, 2, 3, 5]);
    let mut map = Map::new();
    for _ in 0..count {
        map.insert(key(rng), member(rng, depth));
    }
    Value::Object(map)
}

/// A JSON Schema-like value: keyword keys with values of the keyword's usual shape, mostly.
fn schema(rng: &mut Rng, depth: usize) -> Value {
    if depth == 0 || rng.chance(10) {
        return if rng.chance(50) {
            Value::Bool(true)
        } else {
            json!({})
        };
    }
    let count = rng.below(6);
    let mut map = Map::new();
    for _ in 0..count {
        let name = key(rng);
        let member = match name.as_str() {
            "properties" | "definitions" | "$defs" | "patternProperties" => object(rng, depth - 1, schema),
            "items" | "not" | "additionalProperties" | "if" => schema(rng, depth - 1),
            "anyOf" | "allOf" | "oneOf" | "prefixItems" => {
                Value::Array((0..rng.below(3)).map(|_| schema(rng, depth - 1)).collect())
            }
            "required" | "enum" | "examples" | "secret_fields" => {
                Value::Array((0..rng.below(3)).map(|_| scalar(rng)).collect())
            }
            _ => value(rng, depth.min(2)),
        };
        map.insert(name, member);
    }
    Value::Object(map)
}

fn template(rng: &mut Rng) -> Value {
    let variables = schema(rng, 4);
    let job_configuration = object(rng, 3, value);
    let mut map = Map::new();
    if rng.chance(80) {
        map.insert("variables".to_owned(), variables);
        map.insert("job_configuration".to_owned(), job_configuration);
    } else {
        map.insert("job_configuration".to_owned(), job_configuration);
        map.insert("variables".to_owned(), variables);
    }
    Value::Object(map)
}

/// Changes a template the way environments differ: values, the environment's name inside
/// strings, removed, added and reordered keys.
fn mutate(rng: &mut Rng, value: &mut Value, environment: &str, depth: usize) {
    match value {
        Value::String(text) if rng.chance(30) => *text = format!("pre-{environment}-{text}"),
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if rng.chance(8) && depth > 0 {
                    map.shift_remove(&key);
                } else if let Some(member) = map.get_mut(&key) {
                    mutate(rng, member, environment, depth + 1);
                }
            }
            if rng.chance(10) && depth > 0 {
                map.insert(key(rng), value_for(rng, environment));
            }
            if rng.chance(5) && depth > 0 && map.len() > 1 {
                let first = map.keys().next().cloned().unwrap_or_default();
                if let Some(moved) = map.shift_remove(&first) {
                    map.insert(first, moved);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| mutate(rng, item, environment, depth + 1)),
        other if depth > 1 && rng.chance(10) => *other = scalar(rng),
        _ => {}
    }
}

fn value_for(rng: &mut Rng, environment: &str) -> Value {
    if rng.chance(50) {
        json!(format!("{environment}-only"))
    } else {
        value(rng, 2)
    }
}

fn pretty(value: &Value) -> String {
    emit::render(value)
}

/// Builds pool files as `poolc build` does, without its checks.
fn build(files: &[PoolFile]) -> Vec<(String, Value)> {
    let inputs = files
        .iter()
        .map(|f| (PathBuf::from(&f.file_name), f.text.clone()))
        .collect();
    let (built, diagnostics) = compile::build_unchecked(inputs);
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    built
}

fn round_trip(templates: &[(String, Value)], case: usize) {
    let inputs = templates
        .iter()
        .map(|(environment, template)| Input {
            path: PathBuf::from(format!("{environment}.json")),
            text: pretty(template),
            environment: environment.clone(),
        })
        .collect();
    let imported = import::import(inputs, Some("azure-container-instance"));
    assert!(
        !imported.diagnostics.has_errors(),
        "case {case}: {:?}",
        imported.diagnostics
    );
    let built = build(&imported.files);
    for (environment, template) in templates {
        let found = built.iter().find(|(name, _)| name == environment);
        let Some((_, json)) = found else {
            panic!("case {case}: environment `{environment}` not built");
        };
        assert_eq!(
            pretty(json),
            pretty(template),
            "case {case}: `{environment}` differs; files:\n{:#?}",
            imported.files
        );
    }
}

#[test]
fn single_templates_round_trip() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for case in 0..300 {
        let template = template(&mut rng);
        round_trip(&[("dev".to_owned(), template)], case);
    }
}

#[test]
fn environment_sets_round_trip() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for case in 0..200 {
        let shared = template(&mut rng);
        let count = 2 + rng.below(3);
        let mut names: Vec<&str> = Vec::new();
        while names.len() < count {
            let name = *rng.pick(ENVIRONMENTS);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let templates: Vec<(String, Value)> = names
            .iter()
            .map(|name| {
                let mut template = shared.clone();
                mutate(&mut rng, &mut template, name, 0);
                ((*name).to_owned(), template)
            })
            .collect();
        round_trip(&templates, case);
    }
}

#[test]
fn float_forms_survive() {
    let template = json!({
        "variables": {"properties": {"cpu": {"default": 4.0}, "n": {"default": 4}}},
        "job_configuration": {"x": [1.0, -0.0, 1e300, 2.5e-8]}
    });
    round_trip(&[("dev".to_owned(), template)], 0);
}
