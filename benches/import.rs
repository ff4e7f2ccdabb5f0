//! Times `poolc import` on a generated template of about 30 KB: one template alone, and three
//! environments split into a base and changes. Run with `cargo bench --bench import`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use poolc::import::{self, Input};
use serde_json::{Map, Value, json};

/// Builds a template of about 30 KB: many variables, each used in the job configuration.
fn template(environment: &str, variables: usize) -> String {
    let mut properties = Map::new();
    let mut job = Map::new();
    for index in 0..variables {
        let name = format!("setting_{index}");
        properties.insert(
            name.clone(),
            json!({
                "type": "string",
                "title": format!("Setting {index}"),
                "default": format!("contoso-{environment}-value-{index}"),
                "description": "A setting of the flow-run container, with a description long enough to be realistic.",
            }),
        );
        job.insert(name.clone(), Value::String(format!("{{{{ {name} }}}}")));
    }
    let template = json!({
        "variables": {"type": "object", "properties": properties},
        "job_configuration": {"command": "{{ setting_0 }}", "settings": job},
    });
    let mut text = serde_json::to_string_pretty(&template).unwrap_or_default();
    text.push('\n');
    text
}

/// Imports `inputs` 50 times under `cargo bench` (which passes `--bench`), and once as a quick
/// check under `cargo test --all-targets`.
fn time(label: &str, inputs: &[Input]) {
    let measuring = std::env::args().any(|argument| argument == "--bench");
    let runs: u32 = if measuring { 50 } else { 1 };
    let started = Instant::now();
    for _ in 0..runs {
        let imported = import::import(inputs.to_vec(), Some("azure-container-instance"));
        assert!(!imported.diagnostics.has_errors(), "{:?}", imported.diagnostics);
    }
    let each: Duration = started.elapsed() / runs;
    let bytes: usize = inputs.iter().map(|i| i.text.len()).sum();
    println!(
        "{label}: {bytes} bytes of JSON, {:.2} ms per import ({runs} runs)",
        each.as_secs_f64() * 1000.0
    );
}

fn main() {
    let input = |environment: &str| Input {
        path: PathBuf::from(format!("aci_job_template_{environment}.json")),
        text: template(environment, 120),
        environment: environment.to_owned(),
    };
    time("single", &[input("dev")]);
    time(
        "three environments",
        &[input("dev"), input("test"), input("prod")],
    );
}
