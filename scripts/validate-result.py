#!/usr/bin/env python3
"""Validates a flopscope result file against its JSON Schema.

usage: validate-result.py SCHEMA RESULT
Exit 0 when valid, 1 with the first error on one line when not, 2 on bad use.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate-result: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(2)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    with open(sys.argv[2]) as f:
        doc = json.load(f)
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        print(f"{sys.argv[2]}: {'/'.join(map(str, e.path))}: {e.message}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
