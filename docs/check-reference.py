#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The API reference leaves nothing public undocumented.

1. Every introspectable item of the GIR has a doc comment: classes and
   their class structs, records, functions, methods, constructors,
   callbacks, enumerations and their members, properties, signals,
   constants, and every parameter and non-void return value of them.
2. Every macro of the public headers that introspection does not see
   (JS_VERSION_HEX, JS_CHECK_VERSION, JS_AVAILABLE_IN_ALL...) is
   documented on the versioning page of the reference.

Usage: check-reference.py GIR VERSIONING_PAGE HEADER...
"""

import re
import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
C = '{http://www.gtk.org/introspection/c/1.0}'
DOCUMENTED = {
    'class', 'interface', 'record', 'function', 'method', 'constructor',
    'constant', 'enumeration', 'bitfield', 'member', 'property',
    'glib:signal', 'callback', 'parameter', 'instance-parameter',
    'return-value', 'virtual-method', 'alias',
}
# Macros that are not API: the include guard and the visibility helper.
NOT_API = {'JS_INSIDE', '_JS_EXTERN'}


def tag_of(element):
    tag = element.tag.replace(CORE, '')
    return tag.replace('{http://www.gtk.org/introspection/glib/1.0}', 'glib:')


def returns_nothing(element):
    type_ = element.find(CORE + 'type')
    return type_ is not None and type_.get('name') == 'none'


def undocumented(element, path, out):
    tag = tag_of(element)
    if tag in DOCUMENTED and element.get('introspectable') != '0':
        path = f"{path}/{tag}:{element.get('name') or ''}"
        if element.find(CORE + 'doc') is None and not (
                tag == 'return-value' and returns_nothing(element)):
            out.append(path)
    for child in element:
        undocumented(child, path, out)


def gir_names(root):
    names = set()
    for element in root.iter():
        for attribute in (C + 'identifier', C + 'type', 'glib:type-name'):
            if element.get(attribute):
                names.add(element.get(attribute))
    return names


def main(argv):
    gir, page, headers = argv[1], argv[2], argv[3:]
    failures = []

    root = ET.parse(gir).getroot()
    missing = []
    undocumented(root, '', missing)
    failures += [f'{gir}: no documentation for {p}' for p in missing]

    known = gir_names(root)
    with open(page, encoding='utf-8') as f:
        page_text = f.read()
    for header in headers:
        with open(header, encoding='utf-8') as f:
            for line in f:
                m = re.match(r'\s*#\s*define\s+(_?JS_[A-Z0-9_]+)', line)
                if not m or m.group(1) in NOT_API or m.group(1) in known:
                    continue
                if not m.group(1).startswith('JS_TYPE_') and \
                        m.group(1) != 'JS_JOIN_ERROR' and \
                        f'`{m.group(1)}' not in page_text:
                    failures.append(f'{header}: {m.group(1)} is not documented '
                                    f'on {page}')

    for failure in failures:
        print(f'not ok: {failure}')
    if failures:
        return 1
    print(f'ok: every public item of {gir} and every public macro is documented')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
