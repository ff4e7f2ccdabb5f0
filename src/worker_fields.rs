//! Catalogue of Prefect worker types and the top-level keys of their default job
//! configurations.
//!
//! Read from `prefect work-pool get-default-base-job-template --type T` and from the
//! workers' pydantic job-configuration models, with prefect 3.9.1, prefect-azure
//! 0.4.13, prefect-kubernetes 0.8.0, prefect-aws 0.7.12, prefect-gcp 0.6.22 and
//! prefect-docker 0.7.4 (the pins in `tests/conformance/requirements.txt`).
//! Fields are listed in the order of the default template. Update this table
//! together with those pins.

/// One Prefect worker type: its `--type` slug, the stem of the generated file name, and the top-level keys of its default job configuration.
#[derive(Debug)]
pub struct WorkerType {
    pub slug: &'static str,
    pub file_prefix: &'static str,
    pub job_fields: &'static [JobField],
}

/// Top-level `job_configuration` key and the JSON type the worker model expects for it.
#[derive(Debug)]
pub struct JobField {
    pub name: &'static str,
    pub kind: FieldKind,
}

/// JSON type of a job-configuration value.
///
/// The kind does not tell whether `null` is allowed, because a field that the worker
/// model declares optional gets the kind of its non-null type. Block documents
/// (credentials) and nested models are `Object`. Secret strings and paths are `String`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    String,
    Integer,
    /// Any JSON number. Integers pass too, because pydantic converts them to floats.
    Number,
    Boolean,
    Object,
    Array,
    /// More than one JSON type is accepted.
    Any,
}

pub const WORKER_TYPES: &[WorkerType] = &[
    WorkerType {
        slug: "azure-container-instance",
        file_prefix: "aci_job_template",
        job_fields: ACI_FIELDS,
    },
    WorkerType {
        slug: "kubernetes",
        file_prefix: "kubernetes_job_template",
        job_fields: KUBERNETES_FIELDS,
    },
    WorkerType {
        slug: "ecs",
        file_prefix: "ecs_job_template",
        job_fields: ECS_FIELDS,
    },
    WorkerType {
        slug: "cloud-run",
        file_prefix: "cloud_run_job_template",
        job_fields: CLOUD_RUN_FIELDS,
    },
    WorkerType {
        slug: "cloud-run-v2",
        file_prefix: "cloud_run_v2_job_template",
        job_fields: CLOUD_RUN_V2_FIELDS,
    },
    WorkerType {
        slug: "docker",
        file_prefix: "docker_job_template",
        job_fields: DOCKER_FIELDS,
    },
    WorkerType {
        slug: "process",
        file_prefix: "process_job_template",
        job_fields: PROCESS_FIELDS,
    },
    WorkerType {
        slug: "vertex-ai",
        file_prefix: "vertex_ai_job_template",
        job_fields: VERTEX_AI_FIELDS,
    },
];

/// Looks up a worker type by its `--type` slug, e.g. `azure-container-instance`.
pub fn find_worker_type(slug: &str) -> Option<&'static WorkerType> {
    WORKER_TYPES.iter().find(|worker| worker.slug == slug)
}

const fn field(name: &'static str, kind: FieldKind) -> JobField {
    JobField { name, kind }
}

const ACI_FIELDS: &[JobField] = &[
    field("command", FieldKind::String),
    field("env", FieldKind::Object),
    field("labels", FieldKind::Object),
    field("name", FieldKind::String),
    field("image", FieldKind::String),
    field("resource_group_name", FieldKind::String),
    field("subscription_id", FieldKind::String),
    field("identities", FieldKind::Array),
    field("entrypoint", FieldKind::String),
    field("image_registry", FieldKind::Object),
    field("cpu", FieldKind::Number),
    field("gpu_count", FieldKind::Integer),
    field("gpu_sku", FieldKind::String),
    field("memory", FieldKind::Number),
    field("subnet_ids", FieldKind::Array),
    field("dns_servers", FieldKind::Array),
    field("stream_output", FieldKind::Boolean),
    field("aci_credentials", FieldKind::Object),
    field("task_start_timeout_seconds", FieldKind::Integer),
    field("task_watch_poll_interval", FieldKind::Number),
    field("arm_template", FieldKind::Object),
    field("keep_container_group", FieldKind::Boolean),
];

const KUBERNETES_FIELDS: &[JobField] = &[
    field("command", FieldKind::String),
    // The worker model takes `env` as a mapping or as a list of Kubernetes EnvVar
    // objects, although the default variables schema declares an object.
    field("env", FieldKind::Any),
    field("labels", FieldKind::Object),
    field("name", FieldKind::String),
    field("annotations", FieldKind::Object),
    field("namespace", FieldKind::String),
    field("job_manifest", FieldKind::Object),
    field("cluster_config", FieldKind::Object),
    field("job_watch_timeout_seconds", FieldKind::Integer),
    field("pod_watch_timeout_seconds", FieldKind::Integer),
    field("stream_output", FieldKind::Boolean),
];

// The default template sets `task_watch_poll_interval` to the literal 0, but the
// worker model declares it a float.
const ECS_FIELDS: &[JobField] = &[
    field("command", FieldKind::String),
    field("env", FieldKind::Object),
    field("labels", FieldKind::Object),
    field("name", FieldKind::String),
    field("aws_credentials", FieldKind::Object),
    field("task_definition", FieldKind::Object),
    field("task_run_request", FieldKind::Object),
    field("configure_cloudwatch_logs", FieldKind::Boolean),
    field("cloudwatch_logs_options", FieldKind::Object),
    field("cloudwatch_logs_prefix", FieldKind::String),
    field("network_configuration", FieldKind::Object),
    field("stream_output", FieldKind::Boolean),
    field("task_start_timeout_seconds", FieldKind::Integer),
    field("task_watch_poll_interval", FieldKind::Number),
    field("auto_deregister_task_definition", FieldKind::Boolean),
    field("vpc_id", FieldKind::String),
    field("container_name", FieldKind::String),
    field("cluster", FieldKind::String),
    field("match_latest_revision_in_family", FieldKind::Boolean),
    field("prefect_api_key_secret_arn", FieldKind::String),
    field("prefect_api_auth_string_secret_arn", FieldKind::String),
    field("execution_role_arn", FieldKind::String),
];

const CLOUD_RUN_FIELDS: &[JobField] = &[
    field("command", FieldKind::String),
    field("env", FieldKind::Object),
    field("labels", FieldKind::Object),
    field("name", FieldKind::String),
    field("region", FieldKind::String),
    field("credentials", FieldKind::Object),
    field("prefect_api_key_secret", FieldKind::Object),
    field("prefect_api_auth_string_secret", FieldKind::Object),
    field("job_body", FieldKind::Object),
    field("timeout", FieldKind::Integer),
    field("keep_job", FieldKind::Boolean),
];

const CLOUD_RUN_V2_FIELDS: &[JobField] = &[
    field("command", FieldKind::String),
    field("env", FieldKind::Object),
    field("labels", FieldKind::Object),
    field("name", FieldKind::String),
    field("credentials", FieldKind::Object),
    field("env_from_secrets", FieldKind::Object),
    field("prefect_api_key_secret", FieldKind::Object),
    field("prefect_api_auth_string_secret", FieldKind::Object),
    field("cloudsql_instances", FieldKind::Array),
    field("job_body", FieldKind::Object),
    field("keep_job", FieldKind::Boolean),
    field("region", FieldKind::String),
    field("timeout", FieldKind::Integer),
];

const DOCKER_FIELDS: &[JobField] = &[
    field("command", FieldKind::String),
    field("env", FieldKind::Object),
    field("labels", FieldKind::Object),
    field("name", FieldKind::String),
    field("image", FieldKind::String),
    field("registry_credentials", FieldKind::Object),
    field("image_pull_policy", FieldKind::String),
    field("networks", FieldKind::Array),
    field("network_mode", FieldKind::String),
    field("auto_remove", FieldKind::Boolean),
    field("volumes", FieldKind::Array),
    field("stream_output", FieldKind::Boolean),
    field("mem_limit", FieldKind::String),
    field("memswap_limit", FieldKind::String),
    field("privileged", FieldKind::Boolean),
    field("container_create_kwargs", FieldKind::Object),
];

const PROCESS_FIELDS: &[JobField] = &[
    field("command", FieldKind::String),
    field("env", FieldKind::Object),
    field("labels", FieldKind::Object),
    field("name", FieldKind::String),
    field("stream_output", FieldKind::Boolean),
    field("working_dir", FieldKind::String),
];

const VERTEX_AI_FIELDS: &[JobField] = &[
    field("command", FieldKind::String),
    field("env", FieldKind::Object),
    field("labels", FieldKind::Object),
    field("name", FieldKind::String),
    field("region", FieldKind::String),
    field("credentials", FieldKind::Object),
    field("job_spec", FieldKind::Object),
    field("job_watch_poll_interval", FieldKind::Number),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn slugs_are_unique() {
        let mut seen = HashSet::new();
        for worker in WORKER_TYPES {
            assert!(seen.insert(worker.slug), "duplicate slug {}", worker.slug);
        }
    }

    #[test]
    fn file_prefixes_are_unique() {
        let mut seen = HashSet::new();
        for worker in WORKER_TYPES {
            assert!(
                seen.insert(worker.file_prefix),
                "duplicate file prefix {}",
                worker.file_prefix
            );
        }
    }

    #[test]
    fn field_names_are_unique_per_type() {
        for worker in WORKER_TYPES {
            let mut seen = HashSet::new();
            for job_field in worker.job_fields {
                assert!(
                    seen.insert(job_field.name),
                    "{}: duplicate field {}",
                    worker.slug,
                    job_field.name
                );
            }
        }
    }

    #[test]
    fn aci_has_arm_template_object() {
        let aci = find_worker_type("azure-container-instance").expect("ACI is catalogued");
        let arm_template = aci
            .job_fields
            .iter()
            .find(|job_field| job_field.name == "arm_template")
            .expect("ACI has an arm_template field");
        assert_eq!(arm_template.kind, FieldKind::Object);
        assert_eq!(aci.file_prefix, "aci_job_template");
    }

    #[test]
    fn unknown_slug_is_none() {
        assert!(find_worker_type("aci").is_none());
    }
}
