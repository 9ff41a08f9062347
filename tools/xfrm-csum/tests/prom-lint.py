#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Check xfrm-csum's Prometheus text exposition against the format (0.0.4)
# and the naming conventions (prometheus.io/docs/practices/naming):
#
# - every family has one HELP (not empty) and then one TYPE line, and its
#   samples follow them without another family in between;
# - names are snake case with the prefix xfrm_csum_; counters and only
#   counters end in _total; no _count/_sum/_bucket/_created suffixes (those
#   belong to summaries and histograms); a timestamp is in seconds
#   (_timestamp_seconds); counter values are non-negative integers;
# - label names are snake case, not reserved (__*, le, quantile), not
#   repeated in a sample; every sample of a family has the same label
#   names; no two samples are the same series;
# - state sets (mode, learn, the SAs' NAT state) are 1 for exactly one
#   state per series and 0 for the others;
# - the per-SA families (xfrm_csum_sa_*, but sa_entries*) carry family,
#   spi, mark, peer and local, which tell SAs apart;
# - with --netns NAME, every series but the module-wide xfrm_csum_global_*
#   carries netns="NAME", and those carry none; without it, none does.
#
# usage: prom-lint.py [--netns NAME] FILE
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"'
SAMPLE = re.compile(r'^(%s)(?:\{(%s(?:,%s)*)\})? (\S+)$' % (NAME, LABEL, LABEL))
LABEL_RE = re.compile(LABEL)
FAMILY_NAME = re.compile(r'^xfrm_csum_[a-z][a-z0-9]*(_[a-z0-9]+)*$')
LABEL_NAME = re.compile(r'^[a-z][a-z0-9]*(_[a-z0-9]+)*$')
STATE_SETS = {'xfrm_csum_mode': 'mode', 'xfrm_csum_learn': 'learn',
              'xfrm_csum_sa_nat_state': 'state'}
SA_LABELS = {'family', 'spi', 'mark', 'peer', 'local'}
NOT_PER_SA = ('xfrm_csum_sa_entries', 'xfrm_csum_sa_entries_max')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: '\n' if m.group(1) == 'n' else m.group(1), v)


def lint(path, netns):
    text = open(path).read()
    assert text.endswith('\n'), path + ': no newline at the end'
    helps, types, labelnames, series, states = {}, {}, {}, set(), {}
    current = None
    for n, line in enumerate(text.split('\n')[:-1], 1):
        where = '%s:%d: ' % (path, n)
        if line.startswith('# HELP '):
            parts = line.split(' ', 3)
            assert len(parts) == 4 and parts[3].strip(), where + 'empty HELP'
            fam = parts[2]
            assert fam not in helps, where + 'HELP of %s given twice' % fam
            helps[fam] = parts[3]
            current = None
            continue
        if line.startswith('# TYPE '):
            parts = line.split(' ')
            assert len(parts) == 4, where + 'bad TYPE line'
            fam, typ = parts[2], parts[3]
            assert fam not in types, where + 'family %s declared twice' % fam
            assert fam in helps and list(helps)[-1] == fam, \
                where + 'TYPE of %s not right after its HELP' % fam
            assert FAMILY_NAME.match(fam), where + 'name not xfrm_csum_ snake case: ' + fam
            assert typ in ('counter', 'gauge'), where + typ
            assert (typ == 'counter') == fam.endswith('_total'), \
                where + '%s: counters and only counters end in _total' % fam
            assert not re.search(r'_(count|sum|bucket|created)$', fam), \
                where + 'reserved suffix: ' + fam
            assert 'timestamp' not in fam or fam.endswith('_timestamp_seconds'), \
                where + 'a timestamp is in seconds: ' + fam
            types[fam] = typ
            current = fam
            continue
        assert not line.startswith('#') and line, where + 'unexpected line: ' + line
        m = SAMPLE.match(line)
        assert m, where + 'bad sample line: ' + line
        fam, value = m.group(1), m.group(m.lastindex)
        assert fam == current, where + 'sample of %s outside its family (%s)' % (fam, current)
        labels = [(k, unescape(v)) for k, v in LABEL_RE.findall(m.group(2) or '')]
        names = [k for k, _ in labels]
        assert len(set(names)) == len(names), where + 'label repeated'
        for k in names:
            assert LABEL_NAME.match(k) and k not in ('le', 'quantile'), \
                where + 'label name: ' + k
        assert labelnames.setdefault(fam, set(names)) == set(names), \
            where + '%s: label names differ between samples' % fam
        key = (fam, tuple(sorted(labels)))
        assert key not in series, where + 'series given twice: ' + line
        series.add(key)
        v = float(value)
        if types[fam] == 'counter':
            assert re.match(r'^[0-9]+$', value), where + 'counter value: ' + value
        lab = dict(labels)
        if fam in STATE_SETS:
            assert value in ('0', '1'), where + 'state set value: ' + value
            group = (fam, tuple(sorted((k, x) for k, x in labels if k != STATE_SETS[fam])))
            states.setdefault(group, []).append(v)
        if fam.startswith('xfrm_csum_sa_') and fam not in NOT_PER_SA:
            assert SA_LABELS <= set(names), where + 'per-SA labels missing: ' + line
        if fam.startswith('xfrm_csum_global_'):
            assert 'netns' not in lab, where + 'module-wide series with netns: ' + line
        elif netns is not None:
            assert lab.get('netns') == netns, where + 'no netns="%s": %s' % (netns, line)
        else:
            assert 'netns' not in lab, where + 'netns label without --netns: ' + line
    for fam in helps:
        assert fam in types, '%s: HELP without TYPE' % fam
    for group, vals in states.items():
        assert sorted(vals) == [0.0] * (len(vals) - 1) + [1.0], \
            '%s %s: not exactly one state at 1' % group
    assert 'xfrm_csum_packets_checked_total' in types, 'no xfrm_csum_packets_checked_total'


def main(argv):
    netns = None
    if len(argv) == 4 and argv[1] == '--netns':
        netns = argv[2]
        argv = argv[2:]
    if len(argv) != 2:
        print('usage: prom-lint.py [--netns NAME] FILE', file=sys.stderr)
        return 2
    try:
        lint(argv[1], netns)
    except AssertionError as e:
        print('prom-lint: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
