#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Validate xfrm-csum -j output against xfrm-csum.schema.json (JSON Schema
# draft 2020-12, python3-jsonschema), with the ipv4/ipv6 formats checked.
#
# usage: json-check.py SCHEMA DEF FILE...        one JSON value per file
#        json-check.py SCHEMA DEF --lines FILE... one value per line (monitor)
#        json-check.py SCHEMA --coverage FILE...  every key the schema
#            defines appears in some FILE (a key the tool never prints has
#            no place in the schema); FILEs as above, either form
#
# DEF is one of the schema's $defs: stats, sa_list, peer_list, event.
# A FILE of "-" is standard input.  Exit 0 when everything is valid.
import json
import sys

try:
    import jsonschema
except ImportError:
    print('json-check: python3-jsonschema is not installed', file=sys.stderr)
    sys.exit(4)


def values(path, lines):
    text = sys.stdin.read() if path == '-' else open(path).read()
    if not lines:
        return [json.loads(text)]
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def schema_keys(node, out):
    """Every property name the schema defines, anywhere."""
    if isinstance(node, dict):
        for k, v in node.get('properties', {}).items():
            out.add(k)
        for v in node.values():
            schema_keys(v, out)
    elif isinstance(node, list):
        for v in node:
            schema_keys(v, out)


def value_keys(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            out.add(k)
            value_keys(v, out)
    elif isinstance(node, list):
        for v in node:
            value_keys(v, out)


def main(argv):
    if len(argv) < 3:
        print(__doc__ or 'usage: json-check.py SCHEMA DEF|--coverage FILE...', file=sys.stderr)
        return 2
    schema = json.load(open(argv[1]))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    if argv[2] == '--coverage':
        defined, seen = set(), set()
        schema_keys(schema, defined)
        for path in argv[3:]:
            for lines in (False, True):
                try:
                    for v in values(path, lines):
                        value_keys(v, seen)
                    break
                except json.JSONDecodeError:
                    continue
        missing = sorted(defined - seen)
        if missing:
            print('json-check: defined but never printed: %s' % ', '.join(missing),
                  file=sys.stderr)
            return 1
        return 0
    if argv[2] not in schema.get('$defs', {}):
        print('json-check: no $defs/%s in %s' % (argv[2], argv[1]), file=sys.stderr)
        return 2
    # the one definition, with the others it refers to
    one = {'$schema': schema['$schema'], '$defs': schema['$defs'],
           '$ref': '#/$defs/' + argv[2]}
    validator = cls(one, format_checker=getattr(cls, 'FORMAT_CHECKER', None) or
                    jsonschema.FormatChecker())
    files, lines = argv[3:], False
    if files and files[0] == '--lines':
        files, lines = files[1:], True
    bad = 0
    for path in files:
        try:
            vals = values(path, lines)
        except json.JSONDecodeError as e:
            print('json-check: %s: not JSON: %s' % (path, e), file=sys.stderr)
            bad = 1
            continue
        for n, v in enumerate(vals, 1):
            for e in validator.iter_errors(v):
                where = '/'.join(str(p) for p in e.absolute_path) or '(top)'
                print('json-check: %s%s: %s: %s' % (path, ':%d' % n if lines else '',
                                                     where, e.message), file=sys.stderr)
                bad = 1
    return bad


if __name__ == '__main__':
    sys.exit(main(sys.argv))
