#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Check a Prometheus text exposition: sample syntax, one TYPE per family
# with its samples right after it, names prefixed xfrm_csum_, counters (and
# only counters) ending in _total.
#
# usage: prom-lint.py FILE
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"'
SAMPLE = re.compile(r'^(%s)(\{%s(,%s)*\})? -?[0-9]+(\.[0-9]+)?$' % (NAME, LABEL, LABEL))


def main(path):
    types, current = {}, None
    for n, line in enumerate(open(path).read().splitlines(), 1):
        where = '%s:%d: ' % (path, n)
        if line.startswith('# HELP '):
            continue
        if line.startswith('# TYPE '):
            _, _, fam, typ = line.split(' ', 3)
            assert fam not in types, where + 'family %s declared twice' % fam
            assert fam.startswith('xfrm_csum_'), where + fam
            assert typ in ('counter', 'gauge'), where + typ
            assert (typ == 'counter') == fam.endswith('_total'), where + 'naming: ' + fam
            types[fam] = typ
            current = fam
            continue
        m = SAMPLE.match(line)
        assert m, where + 'bad sample line: ' + line
        assert m.group(1) == current, where + 'sample outside its family %s' % current
    assert 'xfrm_csum_packets_checked_total' in types, 'no xfrm_csum_packets_checked_total'


if __name__ == '__main__':
    try:
        main(sys.argv[1])
    except AssertionError as e:
        print('prom-lint: %s' % e, file=sys.stderr)
        sys.exit(1)
