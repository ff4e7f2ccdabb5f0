"""JSON and Prefect helpers for tests/conformance/run.

Each subcommand exits 0 when its check passes and 1 with a one-line reason on
stderr when it fails. Run it with the conformance venv's python, because some
subcommands import prefect.
"""

import argparse
import json
import re
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# Requests go only to the local test server, so this opener bypasses every configured proxy.
NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class CheckFailed(Exception):
    pass


def load_json(path):
    with open(path, encoding="utf-8") as source:
        return json.load(source)


def describe_path(path):
    return "$" + "".join(f"[{step!r}]" if isinstance(step, str) else f"[{step}]" for step in path)


def json_type(value):
    # bool is a subclass of int in Python, so it is tested first.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def find_value_difference(expected, actual, path=()):
    """Return a description of the first place where the two JSON values differ, or None.

    Numbers compare by value (1 equals 1.0) as JSON does, and key order is ignored.
    """
    if json_type(expected) != json_type(actual):
        return f"{describe_path(path)}: expected {json_type(expected)}, got {json_type(actual)}"

    if isinstance(expected, dict):
        missing = [key for key in expected if key not in actual]
        if missing:
            return f"{describe_path(path)}: missing keys {missing}"
        extra = [key for key in actual if key not in expected]
        if extra:
            return f"{describe_path(path)}: unexpected keys {extra}"
        for key in expected:
            difference = find_value_difference(expected[key], actual[key], path + (key,))
            if difference:
                return difference
        return None

    if isinstance(expected, list):
        if len(expected) != len(actual):
            return f"{describe_path(path)}: expected {len(expected)} items, got {len(actual)}"
        for index, (left, right) in enumerate(zip(expected, actual)):
            difference = find_value_difference(left, right, path + (index,))
            if difference:
                return difference
        return None

    if expected != actual:
        return f"{describe_path(path)}: expected {json.dumps(expected)}, got {json.dumps(actual)}"
    return None


def find_order_difference(expected, actual, path=()):
    """Return the first object whose keys are in another order, or None.

    Only keys present on both sides are compared, so run this after the value check.
    """
    if isinstance(expected, dict) and isinstance(actual, dict):
        expected_keys = [key for key in expected if key in actual]
        actual_keys = [key for key in actual if key in expected]
        if expected_keys != actual_keys:
            return f"{describe_path(path)}: expected key order {expected_keys}, got {actual_keys}"
        for key in expected_keys:
            difference = find_order_difference(expected[key], actual[key], path + (key,))
            if difference:
                return difference
    elif isinstance(expected, list) and isinstance(actual, list):
        for index, (left, right) in enumerate(zip(expected, actual)):
            difference = find_order_difference(left, right, path + (index,))
            if difference:
                return difference
    return None


def find_number_form_difference(expected, actual, path=()):
    """Return the first number written as an integer on one side and a float on the other.

    `1.0` and `1` are the same JSON value, but a round trip that rewrites one as
    the other changes the file a user reviews. Run this after the value check.
    """
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key in actual:
                difference = find_number_form_difference(expected[key], actual[key], path + (key,))
                if difference:
                    return difference
    elif isinstance(expected, list) and isinstance(actual, list):
        for index, (left, right) in enumerate(zip(expected, actual)):
            difference = find_number_form_difference(left, right, path + (index,))
            if difference:
                return difference
    elif json_type(expected) == "number" and json_type(actual) == "number":
        if type(expected) is not type(actual):
            return f"{describe_path(path)}: expected {json.dumps(expected)}, got {json.dumps(actual)}"
    return None


def same_value(args):
    difference = find_value_difference(load_json(args.expected), load_json(args.actual))
    if difference:
        raise CheckFailed(difference)


def same_key_order(args):
    difference = find_order_difference(load_json(args.expected), load_json(args.actual))
    if difference:
        raise CheckFailed(difference)


def same_number_form(args):
    difference = find_number_form_difference(load_json(args.expected), load_json(args.actual))
    if difference:
        raise CheckFailed(difference)


def read_worker_types(rust_file):
    """Return (slug, file_prefix, [field names]) for each entry of WORKER_TYPES."""
    source = Path(rust_file).read_text(encoding="utf-8")
    entries = re.findall(
        r'slug:\s*"([^"]+)",\s*file_prefix:\s*"([^"]+)",\s*job_fields:\s*(\w+)', source
    )
    if not entries:
        raise CheckFailed(f"{rust_file}: no WORKER_TYPES entries found")

    worker_types = []
    for slug, file_prefix, fields_constant in entries:
        match = re.search(
            r"const\s+" + fields_constant + r":\s*&\[JobField\]\s*=\s*&\[(.*?)\n\];", source, re.S
        )
        if match is None:
            raise CheckFailed(f"{rust_file}: constant {fields_constant} not found")
        names = re.findall(r'field\("([^"]+)"', match.group(1))
        worker_types.append((slug, file_prefix, names))
    return worker_types


def worker_types(args):
    for slug, file_prefix, _ in read_worker_types(args.rust_file):
        print(slug, file_prefix)


def catalogue_fields(args):
    catalogued = {slug: names for slug, _, names in read_worker_types(args.rust_file)}
    if args.slug not in catalogued:
        raise CheckFailed(f"{args.slug} is not in {args.rust_file}")
    default_fields = list(load_json(args.default_template)["job_configuration"])
    if catalogued[args.slug] != default_fields:
        raise CheckFailed(
            f"catalogue lists {catalogued[args.slug]}, Prefect's default has {default_fields}"
        )


def installed_worker_types(args):
    """Compare the catalogued slugs with the worker types that the venv's packages register."""
    from prefect.workers.base import BaseWorker

    installed = sorted(BaseWorker.get_all_available_worker_types())
    catalogued = sorted(slug for slug, _, _ in read_worker_types(args.rust_file))
    if installed != catalogued:
        raise CheckFailed(f"catalogue has {catalogued}, installed packages register {installed}")


def free_port(args):
    # The port is released before the server binds it. Another process could take
    # it in between, in which case the server fails to start and the run reports it.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        print(probe.getsockname()[1])


def process_is_running(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # The state letter follows the parenthesised command name.
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_healthy(args):
    deadline = time.monotonic() + args.timeout
    url = args.api_url.rstrip("/") + "/health"
    while time.monotonic() < deadline:
        if not process_is_running(args.pid):
            raise CheckFailed(f"server process {args.pid} exited before {url} answered")
        try:
            with NO_PROXY_OPENER.open(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise CheckFailed(f"{url} did not answer within {args.timeout} s")


def stored_template(args):
    url = f"{args.api_url.rstrip('/')}/work_pools/{urllib.request.quote(args.name)}"
    try:
        with NO_PROXY_OPENER.open(url, timeout=30) as response:
            pool = json.load(response)
    except urllib.error.HTTPError as error:
        raise CheckFailed(f"GET {url} failed with HTTP {error.code}")

    if pool.get("type") != args.type:
        raise CheckFailed(f"stored type is {pool.get('type')!r}, expected {args.type!r}")
    difference = find_value_difference(load_json(args.template), pool["base_job_template"])
    if difference:
        raise CheckFailed(f"stored base_job_template differs at {difference}")


def has_error_diagnostic(args):
    """Check that poolc's JSON Lines output contains an error with the given code."""
    codes = []
    for number, line in enumerate(Path(args.output).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            diagnostic = json.loads(line)
        except json.JSONDecodeError as error:
            raise CheckFailed(f"stdout line {number} is not JSON ({error}): {line[:200]}")
        if not isinstance(diagnostic, dict):
            raise CheckFailed(f"stdout line {number} is not a JSON object: {line[:200]}")
        if diagnostic.get("severity") == "error":
            codes.append(diagnostic.get("code"))
    if args.code not in codes:
        raise CheckFailed(f"no error with code {args.code!r} (error codes found: {codes})")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(required=True)

    command = commands.add_parser("same-value", help="compare two JSON files as values")
    command.add_argument("expected")
    command.add_argument("actual")
    command.set_defaults(run=same_value)

    command = commands.add_parser("same-key-order", help="compare the key order of two JSON files")
    command.add_argument("expected")
    command.add_argument("actual")
    command.set_defaults(run=same_key_order)

    command = commands.add_parser(
        "same-number-form", help="check that no number changed between integer and float"
    )
    command.add_argument("expected")
    command.add_argument("actual")
    command.set_defaults(run=same_number_form)

    command = commands.add_parser("worker-types", help="print 'slug file_prefix' lines")
    command.add_argument("rust_file")
    command.set_defaults(run=worker_types)

    command = commands.add_parser(
        "catalogue-fields", help="compare catalogued fields with a default template"
    )
    command.add_argument("rust_file")
    command.add_argument("slug")
    command.add_argument("default_template")
    command.set_defaults(run=catalogue_fields)

    command = commands.add_parser(
        "installed-worker-types", help="compare catalogued slugs with installed workers"
    )
    command.add_argument("rust_file")
    command.set_defaults(run=installed_worker_types)

    command = commands.add_parser("free-port", help="print a free TCP port on 127.0.0.1")
    command.set_defaults(run=free_port)

    command = commands.add_parser("wait-healthy", help="wait until API_URL/health answers")
    command.add_argument("api_url")
    command.add_argument("pid", type=int)
    command.add_argument("timeout", type=float, help="seconds")
    command.set_defaults(run=wait_healthy)

    command = commands.add_parser(
        "stored-template", help="compare a stored work pool with a template file"
    )
    command.add_argument("api_url")
    command.add_argument("name")
    command.add_argument("type")
    command.add_argument("template")
    command.set_defaults(run=stored_template)

    command = commands.add_parser(
        "has-error-diagnostic", help="check poolc JSON Lines output for an error code"
    )
    command.add_argument("output")
    command.add_argument("code")
    command.set_defaults(run=has_error_diagnostic)

    args = parser.parse_args()
    try:
        args.run(args)
    except CheckFailed as failure:
        print(failure, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
