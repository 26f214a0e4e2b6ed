#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The structure rules of joinset/ (CONTRIBUTING.md, "The map of the
# internals"), checked on every `meson test`:
#
# 1. no cycle between modules: from the object files, with nm, no file
#    calls a function defined in a file that, directly or through others,
#    calls back into it;
# 2. the GObject façades (js-join-set.c, js-task.c) never take a lock
#    themselves;
# 3. no joinset/*.c over 1,000 lines of code, and no function over 80
#    lines of code (comments and blank lines aside; class_init aside).
#
# Usage: check-layers.py SOURCE_ROOT BUILD_ROOT

import glob
import os
import re
import subprocess
import sys

MAX_FILE_LOC = 1000
MAX_FUNCTION_LOC = 80
FACADES = ("js-join-set.c", "js-task.c", "js-task-list.c")
LOCK_SYMBOLS = ("g_mutex_lock", "g_mutex_unlock", "g_rec_mutex_lock", "g_cond_wait")


def object_files(build_root):
    objects = {}
    for pattern in ("joinset/libjoinset-internal.a.p/*.c.o",
                    "joinset/libjoinset-1.so.*.p/*.c.o"):
        for path in glob.glob(os.path.join(build_root, pattern)):
            name = os.path.basename(path)[:-2]          # js-foo.c
            if name.startswith("meson-generated_"):
                continue
            objects[name] = path
    return objects


def symbols(path):
    out = subprocess.run(["nm", path], check=True, capture_output=True, text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDRB":
            defined.add(parts[2])
    return defined, undefined


def cycles(graph):
    """Tarjan's strongly connected components with more than one node."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def code_lines(lines):
    return sum(1 for line in lines if line.strip())


def long_functions(path):
    lines = strip_comments(open(path, encoding="utf-8").read()).split("\n")
    found = []
    for i, line in enumerate(lines):
        if line != "{" or i == 0:
            continue
        # The name is on the line that opens the parameter list.
        j = i - 1
        while j > 0 and not re.match(r"^[A-Za-z_]\w* \(", lines[j]):
            j -= 1
        name = lines[j].split(" ", 1)[0]
        end = lines.index("}", i)
        n = code_lines(lines[i + 1:end])
        if n > MAX_FUNCTION_LOC and not name.endswith("_class_init"):
            found.append((name, n))
    return found


def main():
    source_root, build_root = sys.argv[1], sys.argv[2]
    failures = []

    objects = object_files(build_root)
    if len(objects) < 10:
        sys.exit(f"check-layers: only {len(objects)} object files found under {build_root}")

    defined_in, uses = {}, {}
    for name, path in objects.items():
        defined, undefined = symbols(path)
        for sym in defined:
            defined_in[sym] = name
        uses[name] = undefined

    graph = {name: set() for name in objects}
    for name, undefined in uses.items():
        for sym in undefined:
            other = defined_in.get(sym)
            if other is not None and other != name:
                graph[name].add(other)

    for component in cycles(graph):
        edges = [f"{a} -> {b}" for a in component for b in sorted(graph[a]) if b in component]
        failures.append("modules call each other in a circle: " + ", ".join(edges))

    for facade in FACADES:
        taken = sorted(uses.get(facade, set()) & set(LOCK_SYMBOLS))
        if taken:
            failures.append(f"{facade} takes a lock itself ({', '.join(taken)}): make it one core call")

    for path in sorted(glob.glob(os.path.join(source_root, "joinset", "*.c"))):
        name = os.path.basename(path)
        loc = code_lines(strip_comments(open(path, encoding="utf-8").read()).split("\n"))
        if loc > MAX_FILE_LOC:
            failures.append(f"{name}: {loc} lines of code (at most {MAX_FILE_LOC}): split it")
        for function, n in long_functions(path):
            failures.append(f"{name}: {function}() has {n} lines of code (at most {MAX_FUNCTION_LOC})")

    # The order of the layers, bottom first, for the record.
    order, placed = [], set()
    while len(placed) < len(graph) and not failures:
        ready = sorted(n for n in graph if n not in placed and graph[n] <= placed)
        order.append(ready)
        placed.update(ready)
    for depth, names in enumerate(order):
        print(f"# layer {depth}: {' '.join(names)}")

    for failure in failures:
        print(f"check-layers: {failure}")
    if failures:
        sys.exit(1)
    print(f"check-layers: {len(objects)} modules, no cycle, façades take no lock, sizes within limits")


if __name__ == "__main__":
    main()
