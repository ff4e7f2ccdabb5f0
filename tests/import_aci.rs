//! The Azure Container Instance template through `poolc import` and `poolc build`, as a user
//! runs them: the built templates must equal the imported ones byte for byte.

use std::path::Path;
use std::process::Command;

const POOLC: &str = env!("CARGO_BIN_EXE_poolc");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn poolc(folder: &Path, args: &[&str]) -> std::process::Output {
    let output = Command::new(POOLC)
        .args(args)
        .current_dir(folder)
        .env("NO_COLOR", "1")
        .env_remove("ENV")
        .output()
        .expect("poolc runs");
    assert!(
        output.status.success(),
        "poolc {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn single_template_keeps_literal_env() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let input = folder.path().join("aci_job_template_dev.json");
    std::fs::copy(Path::new(FIXTURES).join("aci_job_template.json"), &input).expect("copy fixture");

    poolc(
        folder.path(),
        &[
            "import",
            "aci_job_template_dev.json",
            "--type",
            "azure-container-instance",
            "-o",
            "pools",
            "--env",
            "dev",
        ],
    );
    let profile = read(&folder.path().join("pools/dev.kdl"));
    assert!(
        profile.contains("ENV \"$$ENV\""),
        "literal `$ENV` is written `$$ENV`:\n{profile}"
    );

    poolc(folder.path(), &["build", "pools", "-o", "out"]);
    let built = read(&folder.path().join("out/aci_job_template_dev.json"));
    assert_eq!(built, read(&input));
}

#[test]
fn environments_build_back_byte_equal() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let environments = ["dev", "test", "prod"];
    for environment in environments {
        let name = format!("aci_job_template_{environment}.json");
        std::fs::copy(
            Path::new(FIXTURES).join("import").join(&name),
            folder.path().join(&name),
        )
        .expect("copy fixture");
    }

    poolc(
        folder.path(),
        &[
            "import",
            "aci_job_template_dev.json",
            "aci_job_template_test.json",
            "aci_job_template_prod.json",
            "-o",
            "pools",
        ],
    );
    let base = read(&folder.path().join("pools/base.kdl"));
    assert!(
        base.contains("default=\"contoso-$ENV-we-rg-aci\""),
        "`$ENV` found in the base:\n{base}"
    );
    assert!(base.contains("abstract\n"));
    let dev = read(&folder.path().join("pools/dev.kdl"));
    assert!(
        !dev.contains("variables"),
        "dev matches the base entirely:\n{dev}"
    );
    let prod = read(&folder.path().join("pools/prod.kdl"));
    assert!(prod.contains("(remove)dns_servers"), "{prod}");
    assert!(prod.contains("(add)PREFECT_LOGGING_LEVEL WARNING"), "{prod}");

    poolc(folder.path(), &["build", "pools", "-o", "out"]);
    for environment in environments {
        let name = format!("aci_job_template_{environment}.json");
        assert_eq!(
            read(&folder.path().join("out").join(&name)),
            read(&folder.path().join(&name)),
            "{name}"
        );
    }
}

#[test]
fn existing_files_are_overwritten_with_force() {
    let folder = tempfile::tempdir().expect("temporary folder");
    std::fs::copy(
        Path::new(FIXTURES).join("aci_job_template.json"),
        folder.path().join("t.json"),
    )
    .expect("copy fixture");
    poolc(folder.path(), &["import", "t.json", "-o", "pools"]);
    let again = Command::new(POOLC)
        .args(["import", "t.json", "-o", "pools"])
        .current_dir(folder.path())
        .status()
        .expect("poolc runs");
    assert_eq!(again.code(), Some(2));
    poolc(folder.path(), &["import", "t.json", "-o", "pools", "--force"]);
}
