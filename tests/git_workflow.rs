//! The workflow of a team that commits its templates: a real git repository in a temporary
//! folder, `poolc build --check`, `poolc diff --base HEAD` and `poolc build --prune`.

use std::path::Path;
use std::process::{Command, Output};

const SUBSCRIPTION: &str = "00000000-1111-2222-3333-444444444444";

/// A template-shaped file whose name poolc never generates.
const UNRELATED_TEMPLATE: &str = "{\"variables\": {}, \"job_configuration\": {}}\n";

struct Repository {
    folder: tempfile::TempDir,
}

impl Repository {
    /// Creates a repository with the example pools, their templates and two unrelated files.
    fn new() -> Repository {
        let folder = tempfile::tempdir().expect("temporary folder");
        let repository = Repository { folder };
        let pools = repository.path().join("pools");
        std::fs::create_dir_all(&pools).expect("pools folder");
        for name in ["base.kdl", "dev.kdl", "test.kdl", "prod.kdl"] {
            let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("pools").join(name);
            std::fs::copy(from, pools.join(name)).expect("copy pool file");
        }
        let build = repository.poolc(&["build", "pools", "-o", "infra/worker"], Some(SUBSCRIPTION));
        assert_eq!(build.status.code(), Some(0), "{}", text(&build));
        repository.write("infra/worker/settings.json", UNRELATED_TEMPLATE);
        repository.write("infra/worker/aci_job_template_notes.json", "{\"notes\": []}\n");
        repository.git(&["init", "--quiet", "--initial-branch=main"]);
        repository.git(&["add", "--all"]);
        repository.git(&["commit", "--quiet", "--message", "Add pools and templates"]);
        repository
    }

    fn path(&self) -> &Path {
        self.folder.path()
    }

    fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.path().join(name), contents).expect("write file");
    }

    fn edit(&self, name: &str, from: &str, to: &str) {
        let path = self.path().join(name);
        let old = std::fs::read_to_string(&path).expect("read file");
        assert!(old.contains(from), "`{from}` is not in {name}");
        std::fs::write(&path, old.replace(from, to)).expect("write file");
    }

    /// Runs poolc in the repository, with `AZURE_SUBSCRIPTION_ID` set to `subscription` or unset.
    fn poolc(&self, args: &[&str], subscription: Option<&str>) -> Output {
        self.poolc_in("", args, subscription)
    }

    /// Runs poolc like [`Repository::poolc`], in `folder` of the repository.
    fn poolc_in(&self, folder: &str, args: &[&str], subscription: Option<&str>) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_poolc"));
        command
            .current_dir(self.path().join(folder))
            .args(args)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .env_remove("AZURE_SUBSCRIPTION_ID");
        if let Some(subscription) = subscription {
            command.env("AZURE_SUBSCRIPTION_ID", subscription);
        }
        with_git_identity(&mut command).output().expect("run poolc")
    }

    fn git(&self, args: &[&str]) -> Output {
        let output = with_git_identity(Command::new("git").current_dir(self.path()).args(args))
            .output()
            .expect("run git");
        assert!(output.status.success(), "git {args:?} failed: {}", text(&output));
        output
    }

    fn exists(&self, name: &str) -> bool {
        self.path().join(name).exists()
    }
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

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn text(output: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", stdout(output), stderr(output))
}

const CHECK: &[&str] = &["build", "pools", "-o", "infra/worker", "--check"];

#[test]
fn check_passes_on_committed_templates() {
    let repository = Repository::new();
    let expected = "\
fresh        infra/worker/aci_job_template_dev.json (dev)
fresh        infra/worker/aci_job_template_prod.json (prod)
fresh        infra/worker/aci_job_template_test.json (test)
";
    for subscription in [Some(SUBSCRIPTION), None] {
        let check = repository.poolc(CHECK, subscription);
        assert_eq!(check.status.code(), Some(0), "{}", text(&check));
        assert_eq!(stderr(&check), expected);
        assert_eq!(stdout(&check), "");
    }
}

#[test]
fn check_fails_with_other_subscription() {
    let repository = Repository::new();
    let check = repository.poolc(CHECK, Some("99999999-0000-0000-0000-000000000000"));
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    assert!(stdout(&check).contains(&format!("-          \"/subscriptions/{SUBSCRIPTION}/")));
}

#[test]
fn check_shows_diff_of_changed_cpu() {
    let repository = Repository::new();
    repository.edit("pools/prod.kdl", "cpu default=4", "cpu default=8");
    for subscription in [Some(SUBSCRIPTION), None] {
        let check = repository.poolc(CHECK, subscription);
        assert_eq!(check.status.code(), Some(1), "{}", text(&check));
        let diff = stdout(&check);
        assert!(
            diff.starts_with("--- infra/worker/aci_job_template_prod.json (on disk)\n"),
            "{diff}"
        );
        assert!(
            diff.contains("\n-        \"default\": 4,\n+        \"default\": 8,\n"),
            "{diff}"
        );
        assert_eq!(
            diff.lines().filter(|l| l.starts_with(['+', '-'])).count(),
            4,
            "{diff}"
        );
        assert!(stderr(&check).contains("stale        infra/worker/aci_job_template_prod.json (prod)"));
        assert!(stderr(&check).ends_with(
            "error: 1 template is out of date; run `poolc build pools -o infra/worker` to update it\n"
        ));
    }
}

#[test]
fn diff_base_shows_one_changed_path() {
    let repository = Repository::new();
    repository.edit("pools/prod.kdl", "cpu default=4", "cpu default=8");
    let diff = repository.poolc(&["diff", "--base", "HEAD"], None);
    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff));
    assert_eq!(
        stdout(&diff),
        "prod: 1 change\n  ~ variables.properties.cpu.default: 4 → 8\n"
    );
    assert_eq!(stderr(&diff), "");
    repository.git(&["diff", "--quiet", "HEAD", "--", "infra"]);
}

#[test]
fn diff_base_without_changes_exits_zero() {
    let repository = Repository::new();
    let diff = repository.poolc(&["diff", "--base", "HEAD", "pools/"], None);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    assert_eq!(stdout(&diff), "");
}

#[test]
fn diff_base_leaves_index_alone() {
    let repository = Repository::new();
    repository.edit("pools/dev.kdl", "memory default=2", "memory default=3");
    repository.git(&["add", "pools/dev.kdl"]);
    repository.edit("pools/dev.kdl", "memory default=3", "memory default=5");
    let before = repository.git(&["diff", "--cached"]);

    let diff = repository.poolc(&["diff", "--base", "HEAD"], None);

    assert_eq!(
        stdout(&diff),
        "dev: 1 change\n  ~ variables.properties.memory.default: 2 → 5\n"
    );
    let after = repository.git(&["diff", "--cached"]);
    assert_eq!(stdout(&before), stdout(&after));
    assert!(stdout(&after).contains("memory default=3"), "{}", stdout(&after));
}

#[test]
fn diff_base_with_bad_revision_exits_two() {
    let repository = Repository::new();
    let diff = repository.poolc(&["diff", "--base", "no-such-revision"], None);
    assert_eq!(diff.status.code(), Some(2), "{}", text(&diff));
    assert!(
        stderr(&diff).starts_with("error: revision `no-such-revision` not found;"),
        "{}",
        stderr(&diff)
    );
    assert!(!stderr(&diff).contains("fatal"), "{}", stderr(&diff));
    assert_eq!(stdout(&diff), "");
}

#[test]
fn diff_base_rejects_option_like_revision() {
    let repository = Repository::new();
    for revision in ["--base=--full-tree", "--base=-p"] {
        let diff = repository.poolc(&["diff", revision, "pools"], None);
        assert_eq!(diff.status.code(), Some(2), "{}", text(&diff));
        assert!(
            stderr(&diff).starts_with("error: revision `-"),
            "{}",
            stderr(&diff)
        );
        assert!(
            stderr(&diff).contains("cannot start with `-`"),
            "{}",
            stderr(&diff)
        );
    }
}

#[test]
fn diff_base_from_pools_folder() {
    let repository = Repository::new();
    repository.edit("pools/prod.kdl", "cpu default=4", "cpu default=8");
    let expected = "prod: 1 change\n  ~ variables.properties.cpu.default: 4 → 8\n";
    for (folder, path) in [("pools", "."), ("pools", "./"), ("infra/worker", "../../pools")] {
        let diff = repository.poolc_in(folder, &["diff", "--base", "HEAD", path], None);
        assert_eq!(diff.status.code(), Some(1), "{folder} {path}: {}", text(&diff));
        assert_eq!(stdout(&diff), expected, "{folder} {path}");
        assert_eq!(stderr(&diff), "", "{folder} {path}");
    }
}

#[test]
fn diff_base_of_single_files_from_pools_folder() {
    let repository = Repository::new();
    repository.edit("pools/prod.kdl", "cpu default=4", "cpu default=8");
    let diff = repository.poolc_in("pools", &["diff", "--base", "HEAD", "base.kdl", "prod.kdl"], None);
    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff));
    assert_eq!(
        stdout(&diff),
        "prod: 1 change\n  ~ variables.properties.cpu.default: 4 → 8\n"
    );
}

#[test]
fn diff_base_rejects_path_outside_repository() {
    let repository = Repository::new();
    let diff = repository.poolc_in("pools", &["diff", "--base", "HEAD", "../.."], None);
    assert_eq!(diff.status.code(), Some(2), "{}", text(&diff));
    assert_eq!(stderr(&diff), "error: `../..` is outside the git repository\n");
}

#[test]
fn deleted_environment_is_removed_and_pruned() {
    let repository = Repository::new();
    std::fs::remove_file(repository.path().join("pools/test.kdl")).expect("delete test.kdl");

    let diff = repository.poolc(&["diff", "--base", "HEAD"], None);
    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff));
    assert_eq!(stdout(&diff), "test: removed\n");

    let check = repository.poolc(CHECK, None);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    assert!(
        stderr(&check).contains("leftover     infra/worker/aci_job_template_test.json (no environment)\n"),
        "{}",
        text(&check)
    );

    let prune = repository.poolc(
        &["build", "pools", "-o", "infra/worker", "--prune"],
        Some(SUBSCRIPTION),
    );
    assert_eq!(prune.status.code(), Some(0), "{}", text(&prune));
    assert!(stderr(&prune).ends_with("removed      infra/worker/aci_job_template_test.json\n"));
    assert!(!repository.exists("infra/worker/aci_job_template_test.json"));
    for kept in [
        "infra/worker/aci_job_template_dev.json",
        "infra/worker/aci_job_template_prod.json",
        "infra/worker/settings.json",
        "infra/worker/aci_job_template_notes.json",
    ] {
        assert!(repository.exists(kept), "{kept} was removed");
    }
    assert_eq!(repository.poolc(CHECK, None).status.code(), Some(0));
}

#[test]
fn added_environment_is_listed() {
    let repository = Repository::new();
    std::fs::copy(
        repository.path().join("pools/test.kdl"),
        repository.path().join("pools/staging.kdl"),
    )
    .expect("copy test.kdl");
    let diff = repository.poolc(&["diff", "--base", "HEAD"], None);
    assert_eq!(stdout(&diff), "staging: added\n");
    let check = repository.poolc(CHECK, None);
    assert!(stderr(&check).contains("missing      infra/worker/aci_job_template_staging.json (staging)\n"));
}

#[test]
fn prune_rejects_single_files() {
    let repository = Repository::new();
    let prune = repository.poolc(
        &[
            "build",
            "pools/base.kdl",
            "pools/dev.kdl",
            "-o",
            "infra/worker",
            "--prune",
        ],
        Some(SUBSCRIPTION),
    );
    assert_eq!(prune.status.code(), Some(2), "{}", text(&prune));
    assert!(repository.exists("infra/worker/aci_job_template_prod.json"));
}

#[test]
fn diff_base_markdown_summarizes_environments() {
    let repository = Repository::new();
    repository.edit("pools/prod.kdl", "cpu default=4", "cpu default=8");
    std::fs::remove_file(repository.path().join("pools/test.kdl")).expect("delete test.kdl");

    let diff = repository.poolc(&["diff", "--base", "HEAD", "--format", "markdown"], None);

    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff));
    let expected = "\
### poolc: template changes since `HEAD`

- **`prod`**: 1 change
- **`test`**: removed

<details open>
<summary><code>prod</code>: 1 change</summary>

| | Path | Old | New |
| --- | --- | --- | --- |
| ~ | `variables.properties.cpu.default` | `4` | `8` |

</details>
";
    assert_eq!(stdout(&diff), expected);
}

#[test]
fn check_with_json_messages_keeps_diff_off_stdout() {
    let repository = Repository::new();
    repository.edit("pools/prod.kdl", "cpu default=4", "cpu default=8");
    for format in ["json", "github"] {
        let mut args = CHECK.to_vec();
        args.extend(["--message-format", format]);
        let check = repository.poolc(&args, None);
        assert_eq!(check.status.code(), Some(1), "{}", text(&check));
        assert_eq!(stdout(&check), "", "{format}");
        assert!(
            stderr(&check).contains("\n-        \"default\": 4,\n+        \"default\": 8,\n"),
            "{format}: {}",
            stderr(&check)
        );
    }
}
