#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Keep the guides of the libjoinset reference honest.

A guide shows an example (C, or another language of LANGUAGES) as a fenced
block right after a marker naming its file, and what the program prints
right after a second marker:

    <!-- example: fan-out.c -->
    ```c
    ...the whole of docs/examples/fan-out.c...
    ```

    <!-- output: fan-out.c -->
    ```
    ...what it prints...
    ```

`check-docs.py sync` checks that every Markdown page of docs/ is listed in
the content_files of Js.toml, that every block of an example language is an
example file, verbatim, and that every example is shown once. `check-docs.py
run` runs an example (a built program, or a command such as `gjs -m FILE`)
and compares what it prints with its output block.
`check-docs.py update` copies the example files into the guides, after an
example was edited.
"""

import argparse
import os
import re
import subprocess
import sys

# The languages of the examples: the name of a fenced block's language, and
# the extension of its file in docs/examples/. A block after an example
# marker is a whole example, run by the docs suite; every C block is one,
# while a block of another language without a marker is a fragment (a
# line of GJS or Python beside a C guide). An example named without an
# extension (docs/meson.build's doc_examples) is a C one.
LANGUAGES = {
    'c': '.c',
    'js': '.js',
    'python': '.py',
    'vala': '.vala',
}

MARKER_RE = re.compile(r'^<!--\s*(example|output):\s*(\S+)\s*-->\s*$')
FENCE_RE = re.compile(r'^```\s*(\S*)\s*$')


def parse_page(path):
    """Returns the fenced blocks of a Markdown page as dicts with the
    language, the text, the line where the block starts and the marker
    (kind, file name) that precedes it, if any."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')

    blocks = []
    marker = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = MARKER_RE.match(line)
        if m:
            marker = (m.group(1), m.group(2), i + 1)
            i += 1
            continue
        m = FENCE_RE.match(line)
        if m:
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and lines[i].rstrip() != '```':
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise SystemExit(f'{path}:{start}: unterminated code block')
            blocks.append({
                'lang': m.group(1),
                'text': '\n'.join(body) + '\n',
                'n_lines': len(body),
                'line': start,
                'marker': marker,
            })
            marker = None
        elif line.strip() != '':
            marker = None
        i += 1
    return blocks


def content_files(toml_path):
    with open(toml_path, encoding='utf-8') as f:
        text = f.read()
    m = re.search(r'^content_files\s*=\s*\[(.*?)\]', text, re.M | re.S)
    if m is None:
        return []
    return re.findall(r'"([^"]+)"', m.group(1))


def example_file(name):
    """The file name of the example @name: NAME.c unless it has the
    extension of one of LANGUAGES."""
    if os.path.splitext(name)[1] in LANGUAGES.values():
        return name
    return name + '.c'


def language_of(file_name):
    ext = os.path.splitext(file_name)[1]
    return next((lang for lang, e in LANGUAGES.items() if e == ext), None)


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def sync(args):
    errors = []
    listed = content_files(args.toml)
    pages = sorted(f for f in os.listdir(args.docs_dir) if f.endswith('.md'))

    for page in pages:
        if page not in listed:
            errors.append(f'{page} is not listed in content_files (docs/meson.build)')
    for page in listed:
        if page not in pages:
            errors.append(f'content_files lists {page}, which does not exist')

    example_dir = os.path.join(args.docs_dir, 'examples')
    examples = [example_file(name) for name in args.examples]
    on_disk = sorted(f for f in os.listdir(example_dir) if language_of(f) is not None)
    for name in on_disk:
        if name not in examples:
            errors.append(f'examples/{name} is not run: add it to the doc_examples of its '
                          'language in docs/meson.build')

    shown = {}
    for page in listed:
        path = os.path.join(args.docs_dir, page)
        if not os.path.exists(path):
            continue
        for block in parse_page(path):
            where = f'{page}:{block["line"]}'
            marker = block['marker']
            if block['lang'] in LANGUAGES:
                ext = LANGUAGES[block['lang']]
                if (marker is None or marker[0] != 'example') and block['lang'] != 'c':
                    continue   # a fragment
                if marker is None or marker[0] != 'example':
                    errors.append(f'{where}: a {block["lang"]} block must be a whole example, '
                                  f'preceded by <!-- example: NAME{ext} -->')
                    continue
                name = marker[1]
                if language_of(name) != block['lang']:
                    errors.append(f'{where}: the example {name} is in a ```{block["lang"]} block')
                    continue
                file_path = os.path.join(example_dir, name)
                if not os.path.exists(file_path):
                    errors.append(f'{where}: examples/{name} does not exist')
                    continue
                if block['text'] != read(file_path):
                    errors.append(f'{where}: the code differs from examples/{name}; '
                                  'copy the file into the guide')
                shown.setdefault(name, []).append(where)
            elif marker is not None and marker[0] == 'example':
                errors.append(f'{where}: the example {marker[1]} is not in a '
                              f'```{language_of(marker[1]) or "c"} block')
            elif block['lang'] == '' and (marker is None or marker[0] != 'output'):
                errors.append(f'{where}: a code block names its language (```c, '
                              '```sh, ...) unless it is an output block')

    for name in examples:
        places = shown.get(name, [])
        if len(places) == 0:
            errors.append(f'examples/{name} is not shown in any guide')
        elif len(places) > 1:
            errors.append(f'examples/{name} is shown more than once: {", ".join(places)}')

    for e in errors:
        print(f'error: {e}', file=sys.stderr)
    if not errors:
        print(f'{len(listed)} pages, {len(args.examples)} examples: in sync')
    return 1 if errors else 0


def run(args):
    expected = None
    for page in content_files_from_dir(args.docs_dir):
        for block in parse_page(os.path.join(args.docs_dir, page)):
            if block['marker'] is not None and block['marker'][:2] == ('output', args.example):
                expected = block['text']
                where = f'{page}:{block["line"]}'
    if expected is None:
        print(f'error: no guide shows the output of {args.example} '
              f'(<!-- output: {args.example} --> before a ``` block)', file=sys.stderr)
        return 1

    proc = subprocess.run([args.program] + args.args, stdout=subprocess.PIPE, timeout=50)
    out = proc.stdout.decode('utf-8', errors='replace')
    if proc.returncode != 0:
        print(f'error: {args.example} exited with status {proc.returncode}', file=sys.stderr)
        print(out, end='')
        return 1
    if out != expected:
        print(f'error: {args.example} does not print what {where} says', file=sys.stderr)
        print('--- expected\n' + expected + '--- got\n' + out, end='', file=sys.stderr)
        return 1
    print(out, end='')
    return 0


def update(args):
    """Copies every example file into the C block that shows it."""
    example_dir = os.path.join(args.docs_dir, 'examples')
    for page in content_files_from_dir(args.docs_dir):
        path = os.path.join(args.docs_dir, page)
        lines = read(path).split('\n')
        offset = 0
        for block in parse_page(path):
            marker = block['marker']
            if block['lang'] not in LANGUAGES or marker is None or marker[0] != 'example':
                continue
            code = read(os.path.join(example_dir, marker[1])).rstrip('\n').split('\n')
            old_len = block['n_lines']
            start = block['line'] + offset   # first line after the fence
            lines[start:start + old_len] = code
            offset += len(code) - old_len
        with open(path, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines))
    return 0


def content_files_from_dir(docs_dir):
    return sorted(f for f in os.listdir(docs_dir) if f.endswith('.md'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)

    p = sub.add_parser('sync', help='check pages, content_files and examples')
    p.add_argument('--docs-dir', required=True)
    p.add_argument('--toml', required=True)
    p.add_argument('--examples', nargs='+', default=[])

    p = sub.add_parser('run', help='run an example and compare its output')
    p.add_argument('--docs-dir', required=True)
    p.add_argument('--example', required=True)
    p.add_argument('program', help='the example program, or the interpreter that runs it')
    p.add_argument('args', nargs='*', help='its arguments (after --), such as -m FILE.js')

    p = sub.add_parser('update', help='copy the example files into the guides')
    p.add_argument('--docs-dir', required=True)

    args = parser.parse_args()
    return {'sync': sync, 'run': run, 'update': update}[args.command](args)


if __name__ == '__main__':
    sys.exit(main())
