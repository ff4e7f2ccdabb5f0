//! Runs the `poolc-check` hook through the real pre-commit, installed from PyPI into a virtual
//! environment under the target folder and reused by later runs.
//!
//! `pre-commit try-repo` clones the hook repository and runs `cargo install --path .` in it.
//! It only reads committed, staged and modified tracked files, so the test commits a copy of this
//! working tree (tracked and untracked files that git does not ignore) into its own repository.
//! `CARGO_TARGET_DIR` points the install at a build folder that survives between runs, so only
//! the first run compiles every dependency. Skipped, with a message, when `python3` is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The pre-commit release the test installs.
const PRE_COMMIT_VERSION: &str = "4.7.0";

#[test]
fn hook_passes_fresh_and_fails_stale() -> Result<(), Box<dyn std::error::Error>> {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!(
            "SKIPPED hook_passes_fresh_and_fails_stale: `python3` is not installed, so pre-commit cannot run"
        );
        return Ok(());
    }
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit");
    let pre_commit = install_pre_commit(&work)?;
    let hook_repository = copy_hook_repository(&work.join("hook-repository"))?;
    let sample = tempfile::tempdir()?;
    make_sample_repository(sample.path())?;

    let fresh = try_repo(&pre_commit, &hook_repository, sample.path(), &work)?;
    let fresh_text = combined(&fresh);
    assert!(
        fresh.status.success(),
        "hook failed on fresh templates:\n{fresh_text}"
    );
    assert!(fresh_text.contains("poolc check"), "{fresh_text}");
    assert!(fresh_text.contains("Passed"), "{fresh_text}");

    let prod = sample.path().join("pools/prod.kdl");
    let text = std::fs::read_to_string(&prod)?.replace("cpu default=4", "cpu default=8");
    std::fs::write(&prod, text)?;
    let stale = try_repo(&pre_commit, &hook_repository, sample.path(), &work)?;
    let stale_text = combined(&stale);
    assert!(
        !stale.status.success(),
        "hook passed on a stale template:\n{stale_text}"
    );
    assert!(stale_text.contains("Failed"), "{stale_text}");
    assert!(
        stale_text.contains("stale        infra/worker/aci_job_template_prod.json (prod)"),
        "{stale_text}"
    );
    assert!(stale_text.contains("-        \"default\": 4,"), "{stale_text}");
    assert!(stale_text.contains("+        \"default\": 8,"), "{stale_text}");
    Ok(())
}

/// Creates the virtual environment with pre-commit unless an earlier run left one.
fn install_pre_commit(work: &Path) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let venv = work.join("venv");
    let pre_commit = venv.join("bin").join("pre-commit");
    if pre_commit.exists() {
        return Ok(pre_commit);
    }
    std::fs::create_dir_all(work)?;
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet"])
        .arg(format!("pre-commit=={PRE_COMMIT_VERSION}")))?;
    Ok(pre_commit)
}

/// Copies this working tree into `target` and commits it there, replacing an earlier copy.
fn copy_hook_repository(target: &Path) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listing = run(Command::new("git").current_dir(source).args([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]))?;
    if target.exists() {
        std::fs::remove_dir_all(target)?;
    }
    for name in String::from_utf8(listing.stdout)?
        .split('\0')
        .filter(|n| !n.is_empty())
    {
        let from = source.join(name);
        if !from.is_file() {
            continue;
        }
        let to = target.join(name);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&from, &to)?;
    }
    commit_all(target)?;
    Ok(target.to_path_buf())
}

/// Builds a repository with the example pools and their templates, all committed.
fn make_sample_repository(root: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let pools = root.join("pools");
    std::fs::create_dir_all(&pools)?;
    for name in ["base.kdl", "dev.kdl", "test.kdl", "prod.kdl"] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("pools").join(name),
            pools.join(name),
        )?;
    }
    run(Command::new(env!("CARGO_BIN_EXE_poolc"))
        .current_dir(root)
        .env("AZURE_SUBSCRIPTION_ID", "00000000-1111-2222-3333-444444444444")
        .args(["build", "pools", "-o", "infra/worker"]))?;
    commit_all(root)
}

fn commit_all(root: &Path) -> Result<(), Box<dyn std::error::Error>> {
    git(root, &["init", "--quiet", "--initial-branch=main"])?;
    git(root, &["add", "--all"])?;
    git(root, &["commit", "--quiet", "--message", "Add files"])?;
    Ok(())
}

fn git(root: &Path, args: &[&str]) -> Result<Output, Box<dyn std::error::Error>> {
    run(with_git_identity(
        Command::new("git").current_dir(root).args(args),
    ))
}

/// Runs `pre-commit try-repo` in `sample` without `AZURE_SUBSCRIPTION_ID`, as on a laptop.
fn try_repo(
    pre_commit: &Path,
    hook_repository: &Path,
    sample: &Path,
    work: &Path,
) -> std::io::Result<Output> {
    with_git_identity(
        Command::new(pre_commit)
            .current_dir(sample)
            .args(["try-repo"])
            .arg(hook_repository)
            .args(["poolc-check", "--all-files", "--color", "never"])
            .env("PRE_COMMIT_HOME", work.join("home"))
            .env("CARGO_TARGET_DIR", work.join("cargo-target"))
            .env_remove("AZURE_SUBSCRIPTION_ID"),
    )
    .output()
}

fn with_git_identity(command: &mut Command) -> &mut Command {
    command
        .env("GIT_AUTHOR_NAME", "poolc tests")
        .env("GIT_AUTHOR_EMAIL", "tests@poolc.invalid")
        .env("GIT_COMMITTER_NAME", "poolc tests")
        .env("GIT_COMMITTER_EMAIL", "tests@poolc.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
}

/// Runs a command and fails with its output when it does not succeed.
fn run(command: &mut Command) -> Result<Output, Box<dyn std::error::Error>> {
    let output = command.output()?;
    if !output.status.success() {
        return Err(format!("{command:?} failed:\n{}", combined(&output)).into());
    }
    Ok(output)
}

fn combined(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
