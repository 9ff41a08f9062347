#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# xfrm-csum --help and xfrm-csum(8) list the same subcommands and options:
#
# - the commands of --help are the commands of the man page's SYNOPSIS and
#   of its COMMANDS section, in the same order;
# - each command's synopsis is the same in both, word for word (keywords,
#   options, values, placeholders, brackets and bars);
# - the global options of --help ("Options:") are the OPTIONS section's
#   and those of the SYNOPSIS's "OPTIONS := { ... }";
# - every option of a command's synopsis is described in the text of its
#   COMMANDS entry (not only in its tag).
#
# The page is rendered by man (man-db) on a line long enough not to wrap.
#
# usage: help-man.py XFRM_CSUM_BINARY PAGE
import re
import subprocess
import sys

OPT = re.compile(r'(?<![\w-])(--?[a-zA-Z][a-zA-Z-]*)')


def words(synopsis):
    """A synopsis as its list of words, brackets and bars."""
    return re.sub(r'([\[\]|])', r' \1 ', synopsis).split()


def parse_help(text):
    cmds, opts, section, last = {}, [], None, None
    for line in text.splitlines():
        if line in ('Commands:', 'Options:'):
            section = line
            continue
        if not line.strip():
            section = None if section == 'Options:' else section
            continue
        indent = len(line) - len(line.lstrip(' '))
        if section == 'Commands:' and indent == 2:
            last = line.split()[0]
            assert last not in cmds, 'help: command %s twice' % last
            cmds[last] = line.strip()
        elif section == 'Commands:' and indent == 4:
            cmds[last] += ' ' + line.strip()
        elif section == 'Options:' and indent == 2:
            opts += OPT.findall(re.split(r'\s{2,}', line.strip())[0])
    return cmds, opts


def sections(text):
    out, name = {}, None
    for line in text.splitlines():
        if line and not line.startswith(' '):
            name = line.strip()
            out[name] = []
        elif name:
            out[name].append(line)
    return out


def parse_man(text):
    sec = sections(text)
    syn, global_opts = {}, []
    for line in sec['SYNOPSIS']:
        line = line.strip()
        if line.startswith('xfrm-csum [OPTIONS] '):
            rest = line[len('xfrm-csum [OPTIONS] '):]
            cmd = rest.split()[0]
            assert cmd not in syn, 'man SYNOPSIS: command %s twice' % cmd
            syn[cmd] = rest
        elif line.startswith('OPTIONS :='):
            global_opts = OPT.findall(line)
        elif line:
            raise AssertionError('man SYNOPSIS: a wrapped or unknown line: ' + line)
    # COMMANDS: a tag starts seven spaces in; its body is indented further
    entries, cur = {}, None
    for line in sec['COMMANDS']:
        if re.match(r'^ {7}\S', line):
            cur = line.split()[0]
            assert cur not in entries, 'man COMMANDS: command %s twice' % cur
            entries[cur] = line + '\n'
        elif cur:
            entries[cur] += line + '\n'
    opts = []
    for line in sec['OPTIONS']:
        if re.match(r'^ {7}-', line):
            opts += OPT.findall(line)
    return syn, global_opts, entries, opts


def main(binary, page):
    help_text = subprocess.run([binary, '--help'], capture_output=True, text=True,
                               check=True).stdout
    man = subprocess.run(['man', '-l', page], capture_output=True, text=True, check=True,
                         env={'MANWIDTH': '400', 'LC_ALL': 'C', 'PATH': '/usr/bin:/bin',
                              'MAN_KEEP_FORMATTING': ''}).stdout
    man = re.sub(r'.\x08', '', man)
    hcmds, hopts = parse_help(help_text)
    syn, sopts, entries, mopts = parse_man(man)
    bad = []

    def same(what, a, b):
        if a != b:
            bad.append('%s differ:\n  --help: %s\n  man:    %s' % (what, a, b))
        else:
            print('# %s: %s' % (what, ' '.join(a) if isinstance(a, list) else a))

    same('commands (--help, man SYNOPSIS)', list(hcmds), list(syn))
    same('commands (--help, man COMMANDS)', list(hcmds), list(entries))
    for cmd in hcmds:
        if cmd in syn:
            same('synopsis of %s' % cmd, words(hcmds[cmd]), words(syn[cmd]))
        body = entries.get(cmd, '').split('\n', 1)[-1]
        for opt in OPT.findall(hcmds[cmd]):
            if not re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(opt), body):
                bad.append('man COMMANDS: %s does not describe %s' % (cmd, opt))
    same('global options (--help, man OPTIONS)', hopts, mopts)
    same('short options (--help, man OPTIONS :=)',
         [o for o in hopts if not o.startswith('--')], sopts)
    if not hcmds or not hopts:
        bad.append('nothing parsed from --help')
    for b in bad:
        print(b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) != 3:
        print('usage: help-man.py XFRM_CSUM_BINARY PAGE', file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(main(sys.argv[1], sys.argv[2]))
    except AssertionError as e:
        print('help-man: %s' % e, file=sys.stderr)
        sys.exit(1)
