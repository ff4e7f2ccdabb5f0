//! The worked example in `pools/` against the user's hand-written template it replaces.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const SUBSCRIPTION: &str = "0b6f1c5e-7d3a-4c1e-9a55-2f0e8d7c6b4a";

fn poolc() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_poolc"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn build_example(output: &Path) -> std::process::Output {
    poolc()
        .args(["build", "pools/", "-o"])
        .arg(output)
        .env("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION)
        .output()
        .expect("poolc runs")
}

/// Returns the user's template as `envsubst` meant it, with the environment's values from the
/// table in `pools/*.kdl` applied.
fn expected_template(environment: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aci_job_template.json");
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let text = text
        .replace("${ENV}", environment)
        .replace("$ENV", environment)
        .replace("$AZURE_SUBSCRIPTION_ID", SUBSCRIPTION);
    let mut template: Value = serde_json::from_str(&text).expect("fixture is JSON");
    let (cpu, memory) = match environment {
        "dev" => (1, 2),
        "test" => (2, 4),
        _ => (4, 16),
    };
    let properties = &mut template["variables"]["properties"];
    properties["cpu"]["default"] = cpu.into();
    properties["memory"]["default"] = memory.into();
    if environment == "prod" {
        let image = properties["image"]["default"]
            .as_str()
            .unwrap_or_default()
            .replace(":latest", ":2026.11.3");
        properties["image"]["default"] = image.into();
        properties["gpu_count"]["default"] = 1.into();
        properties["gpu_sku"]["default"] = "V100".into();
        properties["stream_output"]["default"] = false.into();
        properties["env"]["default"]["PREFECT_LOGGING_LEVEL"] = "WARNING".into();
        if let Some(map) = properties.as_object_mut() {
            map.shift_remove("dns_servers");
        }
        if let Some(map) = template["job_configuration"].as_object_mut() {
            map.shift_remove("dns_servers");
        }
    }
    template
}

/// Drops every `description` string: poolc's example words them differently on purpose.
fn without_descriptions(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, value)| !(key.as_str() == "description" && value.is_string()))
                .map(|(key, value)| (key.clone(), without_descriptions(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_descriptions).collect()),
        other => other.clone(),
    }
}

/// Lists every object's keys in order, with the path to the object.
fn key_orders(value: &Value, path: &str, orders: &mut Vec<(String, Vec<String>)>) {
    match value {
        Value::Object(map) => {
            orders.push((path.to_owned(), map.keys().cloned().collect()));
            for (key, member) in map {
                key_orders(member, &format!("{path}/{key}"), orders);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                key_orders(item, &format!("{path}[{index}]"), orders);
            }
        }
        _ => {}
    }
}

#[test]
fn example_matches_user_template() {
    let output = tempfile::tempdir().expect("temporary folder");
    let run = build_example(output.path());
    assert!(
        run.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );

    for environment in ["dev", "test", "prod"] {
        let path = output.path().join(format!("aci_job_template_{environment}.json"));
        let text = std::fs::read_to_string(&path).expect("template was written");
        let built: Value = serde_json::from_str(&text).expect("template is JSON");
        let expected = expected_template(environment);
        assert_eq!(
            without_descriptions(&built),
            without_descriptions(&expected),
            "{environment}"
        );

        let mut built_order = Vec::new();
        let mut expected_order = Vec::new();
        key_orders(&built, "", &mut built_order);
        key_orders(&expected, "", &mut expected_order);
        assert_eq!(built_order, expected_order, "key order of {environment}");
    }
}

#[test]
fn example_keeps_json_schema_keys() {
    let output = tempfile::tempdir().expect("temporary folder");
    build_example(output.path());
    let text = std::fs::read_to_string(output.path().join("aci_job_template_dev.json")).expect("written");
    assert!(text.contains("\"$ref\": \"#/definitions/DockerRegistry\""));
    assert!(text.contains("\"$schema\": \"https://schema.management.azure.com/"));
}

#[test]
fn example_output_is_byte_stable() {
    let first = tempfile::tempdir().expect("temporary folder");
    let second = tempfile::tempdir().expect("temporary folder");
    build_example(first.path());
    build_example(second.path());
    for environment in ["dev", "test", "prod"] {
        let name = format!("aci_job_template_{environment}.json");
        let a = std::fs::read(first.path().join(&name)).expect("written");
        let b = std::fs::read(second.path().join(&name)).expect("written");
        assert_eq!(a, b, "{name}");
        assert!(a.ends_with(b"}\n"), "{name} ends with a newline");
    }
}

#[test]
fn unchanged_template_is_not_rewritten() {
    let output = tempfile::tempdir().expect("temporary folder");
    build_example(output.path());
    let path = output.path().join("aci_job_template_dev.json");
    let before = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));

    let run = build_example(output.path());
    let stderr = String::from_utf8_lossy(&run.stderr);
    let after = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(before, after);
    assert_eq!(stderr.matches("unchanged").count(), 3, "{stderr}");
}

#[test]
fn unset_subscription_writes_nothing() {
    let output = tempfile::tempdir().expect("temporary folder");
    let run = poolc()
        .args(["build", "pools/", "-o"])
        .arg(output.path())
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .env("NO_COLOR", "1")
        .output()
        .expect("poolc runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr.contains("`$AZURE_SUBSCRIPTION_ID` is not set"), "{stderr}");
    assert!(stderr.contains("pools/base.kdl:"), "{stderr}");
    let written: Vec<_> = std::fs::read_dir(output.path()).expect("readable").collect();
    assert!(written.is_empty());
}
