//! Whole-process benchmarks of the `poolc` binary: wall time over repeated runs, and peak
//! resident memory of one run measured with GNU time (`/usr/bin/time -f %M`) when it exists.
//!
//! Run with `cargo bench --bench whole_process`; the figures go in BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SUBSCRIPTION: &str = "0b6f1c5e-7d3a-4c1e-9a55-2f0e8d7c6b4a";
const GENERATED_ENVIRONMENTS: usize = 1000;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it, and
    // then one quick pass checks that the benchmark still works.
    let measuring = std::env::args().any(|argument| argument == "--bench");
    let (environments, runs) = if measuring {
        (GENERATED_ENVIRONMENTS, 50)
    } else {
        (10, 1)
    };

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().expect("temporary folder");
    let generated = scratch.path().join("generated");
    generate_environments(&root.join("pools/base.kdl"), &generated, environments);

    let example: Vec<std::ffi::OsString> = vec![
        "build".into(),
        root.join("pools").into_os_string(),
        "-o".into(),
        scratch.path().join("out-example").into_os_string(),
    ];
    let mut check = example.clone();
    check.push("--check".into());
    let many = vec![
        "build".into(),
        generated.into_os_string(),
        "-o".into(),
        scratch.path().join("out-generated").into_os_string(),
    ];

    report("build pools/ (3 environments)", &example, runs);
    report(
        "build pools/ --check (3 environments, templates fresh)",
        &check,
        runs,
    );
    report(
        &format!("build {environments} generated environments"),
        &many,
        runs.div_ceil(5),
    );
}

/// Writes `base.kdl` and `count` environments that extend it, each changing a few values.
fn generate_environments(base: &Path, folder: &Path, count: usize) {
    std::fs::create_dir_all(folder).expect("create folder");
    std::fs::copy(base, folder.join("base.kdl")).expect("copy base.kdl");
    for index in 0..count {
        let text = format!(
            "extends \"base\"\n\nvariables {{\n    properties {{\n        cpu default={cpu}\n        memory default={memory}\n        image default=\"contoso${{ENV}}weacr.azurecr.io/prefect/worker:2026.{index}\"\n        env {{\n            default {{\n                (add)TEAM \"team-{index}\"\n            }}\n        }}\n    }}\n}}\n",
            cpu = 1 + index % 4,
            memory = 2 + index % 16,
        );
        std::fs::write(folder.join(format!("env{index:04}.kdl")), text).expect("write environment");
    }
}

fn run_once(arguments: &[std::ffi::OsString]) -> Duration {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_poolc"))
        .args(arguments)
        .env("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION)
        .output()
        .expect("poolc runs");
    let elapsed = start.elapsed();
    assert!(
        output.status.success(),
        "poolc failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

/// Returns the peak resident set size of one run in KiB, from GNU time.
fn peak_memory_kib(arguments: &[std::ffi::OsString]) -> Option<u64> {
    let time = PathBuf::from("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let output = Command::new(time)
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_poolc"))
        .args(arguments)
        .env("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION)
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.lines().last()?.trim().parse().ok()
}

fn report(name: &str, arguments: &[std::ffi::OsString], runs: usize) {
    run_once(arguments);
    let mut times: Vec<Duration> = (0..runs).map(|_| run_once(arguments)).collect();
    times.sort();
    let median = times[times.len() / 2];
    let min = times[0];
    let max = times[times.len() - 1];
    let memory = peak_memory_kib(arguments).map_or_else(
        || "n/a".to_owned(),
        |kib| format!("{:.1} MiB", kib as f64 / 1024.0),
    );
    println!(
        "{name}: median {median:.2?}, min {min:.2?}, max {max:.2?} over {runs} runs; peak memory {memory}"
    );
}
