"""Regenerate the rejection cases from Prefect's default ACI base job template.

Each case is the default template with one defect that the Prefect server rejects
on work-pool create, so each `.json` file differs from the default only where the
case's function below changes it. `NAME.code` (written next to each case) is the poolc diagnostic code expected for it and
`NAME.server` a part of the server's rejection message, which shows that the
server rejected the case for that defect and not another. Usage, with the
conformance venv's python:

    prefect work-pool get-default-base-job-template --type azure-container-instance -f aci.json
    python tests/conformance/rejections/generate.py aci.json OUTPUT_FOLDER

`tests/conformance/run` makes the cases afresh on every run from the default it fetches,
and checks every case against a real server, so a case that
a new Prefect release starts to accept fails there.
"""

import copy
import json
import sys
from pathlib import Path



def first_container(template):
    resource = template["job_configuration"]["arm_template"]["resources"][0]
    return resource["properties"]["containers"][0]


def undeclared_placeholder(template):
    template["job_configuration"]["image"] = "{{ container_image }}"


def undeclared_placeholder_in_list(template):
    container = first_container(template)
    container["properties"]["environmentVariables"].append(
        {"name": "LOG_LEVEL", "value": "{{ log_level }}"}
    )


def undeclared_placeholder_in_key(template):
    resource = template["job_configuration"]["arm_template"]["resources"][0]
    resource["tags"] = {"{{ cost_center }}": "data-platform"}


def prefect_variable_in_job_configuration(template):
    template["job_configuration"]["image"] = "{{ prefect.variables.aci_image }}"


def empty_variables(template):
    template["variables"] = {}


def empty_job_configuration(template):
    template["job_configuration"] = {}


def float_schema_type(template):
    template["variables"]["properties"]["cpu"]["type"] = "float"


def default_wrong_type(template):
    template["variables"]["properties"]["cpu"]["default"] = "four"


def default_not_in_enum(template):
    # The default ACI schema has no enum, so this case adds an `os_type` variable
    # and uses it in the ARM template.
    template["variables"]["properties"]["os_type"] = {
        "title": "OS type",
        "type": "string",
        "enum": ["Linux", "Windows"],
        "default": "Darwin",
    }
    resource = template["job_configuration"]["arm_template"]["resources"][0]
    resource["properties"]["osType"] = "{{ os_type }}"


def null_default_on_required(template):
    assert "resource_group_name" in template["variables"]["required"]
    template["variables"]["properties"]["resource_group_name"]["default"] = None


def default_through_missing_ref(template):
    image_registry = template["variables"]["properties"]["image_registry"]
    image_registry["anyOf"][0]["$ref"] = "#/definitions/AcrManagedIdentity"
    image_registry["default"] = {
        "registry_url": "example.azurecr.io",
        "identity": "prefect-pull",
    }


# File stem, expected poolc diagnostic code, part of the server's rejection message,
# and the change to the default template.
UNDECLARED = "Your job configuration uses the following undeclared variable(s): "
NOT_BOTH_SECTIONS = "must contain both a `job_configuration` key and a `variables` key"
CASES = [
    (
        "undeclared-placeholder",
        "undeclared-placeholder",
        UNDECLARED + "container_image.",
        undeclared_placeholder,
    ),
    (
        "undeclared-placeholder-in-list",
        "undeclared-placeholder",
        UNDECLARED + "log_level.",
        undeclared_placeholder_in_list,
    ),
    (
        "undeclared-placeholder-in-key",
        "undeclared-placeholder",
        UNDECLARED + "cost_center.",
        undeclared_placeholder_in_key,
    ),
    (
        "prefect-variable-in-job-configuration",
        "prefect-reference-in-job-configuration",
        UNDECLARED + "prefect.variables.aci_image.",
        prefect_variable_in_job_configuration,
    ),
    ("empty-variables", "empty-template-section", NOT_BOTH_SECTIONS, empty_variables),
    (
        "empty-job-configuration",
        "empty-template-section",
        NOT_BOTH_SECTIONS,
        empty_job_configuration,
    ),
    (
        "float-schema-type",
        "invalid-schema",
        "Invalid schema: 'float' is not valid under any of the given schemas",
        float_schema_type,
    ),
    (
        "default-wrong-type",
        "invalid-default",
        "Validation failed for field 'cpu'. Failure reason: 'four' is not valid",
        default_wrong_type,
    ),
    (
        "default-not-in-enum",
        "invalid-default",
        "Failure reason: 'Darwin' is not one of ['Linux', 'Windows']",
        default_not_in_enum,
    ),
    (
        "null-default-on-required",
        "invalid-default",
        "Validation failed for field 'resource_group_name'. Failure reason: None is not of type",
        null_default_on_required,
    ),
    (
        "default-through-missing-ref",
        "missing-definition",
        "PointerToNowhere: '/definitions/AcrManagedIdentity' does not exist",
        default_through_missing_ref,
    ),
]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: generate.py DEFAULT_ACI_TEMPLATE.json OUTPUT_FOLDER")
    with open(sys.argv[1]) as source:
        default = json.load(source)
    output = Path(sys.argv[2])

    for stem, code, server_message, mutate in CASES:
        template = copy.deepcopy(default)
        mutate(template)
        (output / f"{stem}.json").write_text(json.dumps(template, indent=2) + "\n")
        (output / f"{stem}.code").write_text(code + "\n")
        (output / f"{stem}.server").write_text(server_message + "\n")


if __name__ == "__main__":
    main()
