#!/usr/bin/env python3
"""Find import cycles between the files of a Rust crate.

    scripts/check-import-cycles.py crates/states/src            # exit 1 on a cycle
    scripts/check-import-cycles.py --include-tests crates/states/src
    scripts/check-import-cycles.py --edges crates/states/src    # print every edge

Each file is a node: `foo/mod.rs` and its children `foo/bar.rs` are separate
nodes. An edge `a -> b` means file `a` names an item of file `b` through a
path: `use crate::b::Item`, `use super::…`, `use self::…`, a grouped
`use crate::{x, y::z}`, a `use child::…` of a module declared in `a`, or a
`crate::…` / `super::…` / `self::…` path written in code. A path resolves to
the file of its longest prefix that is a module, so `crate::executor::Attempt`
is `executor/mod.rs` and `crate::executor::io::read` is `executor/io.rs`.
A path through a re-export (`pub use`, `pub(crate) use`, globs included)
resolves to the file that defines the item. Declaring a child (`mod child;`)
and re-exporting a descendant's items (`pub use child::Item;`) are not
imports: they are the parent's facade.

Modules are found by following `mod name;` declarations from `lib.rs` (or
`main.rs`). Test code is left out unless `--include-tests` is given: an item under
`#[cfg(test)]` (a module, inline or in its own file, a function, an impl)
sits above the code it tests, and its imports of test helpers are no part of
the layering.
Comments, strings and character literals are ignored.

Exit status: 0 with no cycle, 1 with a cycle (each printed with the lines
that make it), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_code(text: str) -> str:
    """`text` with comments, strings and char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)

    def blank(chunk: str) -> str:
        return "".join("\n" if c == "\n" else " " for c in chunk)

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(blank(text[i:end]))
            i = end
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif (m := re.match(r'b?r(#*)"', text[i:])) and (i == 0 or not re.match(r"\w", text[i - 1])):
            close = '"' + m.group(1)
            end = text.find(close, i + m.end())
            end = n if end < 0 else end + len(close)
            out.append(blank(text[i:end]))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(blank(text[i : j + 1]))
            i = j + 1
        elif c == "'":
            # A char literal ('x', '\n', '\u{1F600}'), else a lifetime.
            m = re.match(r"'(\\u\{[0-9A-Fa-f]+\}|\\.|[^\\'])'", text[i:])
            if m:
                out.append(blank(m.group(0)))
                i += m.end()
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(code: str, open_at: int) -> int:
    depth = 0
    for j in range(open_at, len(code)):
        if code[j] == "{":
            depth += 1
        elif code[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(code)


def blank_span(code: str, start: int, end: int) -> str:
    return code[:start] + "".join("\n" if c == "\n" else " " for c in code[start:end]) + code[end:]


def without_test_items(code: str) -> str:
    """`code` with every `#[cfg(test)]` item blanked: a module (inline or
    declared), a function, an impl, a `use`."""
    while m := re.search(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]", code):
        brace, semi = code.find("{", m.end()), code.find(";", m.end())
        if brace >= 0 and (semi < 0 or brace < semi):
            end = matching_brace(code, brace) + 1
        else:
            end = len(code) if semi < 0 else semi + 1
        code = blank_span(code, m.start(), end)
    return code


MOD_DECL = re.compile(
    r"((?:#\s*\[[^\]]*\]\s*)*)(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*([;{])"
)


def expand_use_tree(tree: str) -> list[list[str]]:
    """`a::{b, c::{d, e}}` → [[a, b], [a, c, d], [a, c, e]] (`self` is the prefix; aliases are removed first)."""
    tree = re.sub(r"\s+", "", tree)
    paths: list[list[str]] = []

    def walk(prefix: list[str], part: str) -> None:
        brace = part.find("{")
        if brace >= 0 and part.endswith("}"):
            head = [s for s in part[:brace].split("::") if s]
            inner, depth, start, items = part[brace + 1 : -1], 0, 0, []
            for k, ch in enumerate(inner):
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                elif ch == "," and depth == 0:
                    items.append(inner[start:k])
                    start = k + 1
            items.append(inner[start:])
            for item in items:
                if item:
                    walk(prefix + head, item)
            return
        segments = [s for s in part.split("::") if s]
        if segments == ["self"]:
            segments = []
        paths.append(prefix + [s for s in segments if s != "*"])

    walk([], tree)
    return paths


class Crate:
    def __init__(self, src: Path, include_tests: bool):
        self.src = src
        self.include_tests = include_tests
        self.files: dict[tuple[str, ...], Path] = {}
        self.code: dict[tuple[str, ...], str] = {}
        root = src / "lib.rs" if (src / "lib.rs").exists() else src / "main.rs"
        if not root.exists():
            raise SystemExit(f"check-import-cycles: no lib.rs or main.rs in {src}")
        self.load((), root, src)
        self.find_reexports()

    def load(self, module: tuple[str, ...], path: Path, child_dir: Path) -> None:
        code = strip_code(path.read_text(encoding="utf-8"))
        if not self.include_tests:
            code = without_test_items(code)
        self.files[module] = path
        for m in reversed(list(MOD_DECL.finditer(code))):
            name, kind = m.group(2), m.group(3)
            if kind == "{":
                continue
            explicit = re.search(r'path\s*=\s*"([^"]+)"', path.read_text(encoding="utf-8")[m.start() : m.end()])
            if explicit:
                child = (path.parent / explicit.group(1)).resolve()
                grand_dir = child.parent
            elif (child_dir / f"{name}.rs").exists():
                child, grand_dir = child_dir / f"{name}.rs", child_dir / name
            elif (child_dir / name / "mod.rs").exists():
                child, grand_dir = child_dir / name / "mod.rs", child_dir / name
            else:
                continue
            self.load(module + (name,), child, grand_dir)
        self.code[module] = code

    def find_reexports(self) -> None:
        """Names each file re-exports (`pub use`, `pub(crate) use`, globs), as absolute paths."""
        item = re.compile(
            r"\bpub(?:\s*\([^)]*\))?\s+(?:async\s+|unsafe\s+|const\s+)*"
            r"(?:fn|struct|enum|trait|type|const|static|mod)\s+(" + IDENT + r")"
        )
        self.reexports: dict[tuple[str, ...], dict[str, list[str]]] = {m: {} for m in self.files}
        for module, code in self.code.items():
            for m in re.finditer(r"\bpub(?:\s*\([^)]*\))?\s+use\s+([^;]+);", code):
                tree = m.group(1)
                aliases = dict(
                    (a.group(2), a.group(1))
                    for a in re.finditer(r"(" + IDENT + r")\s+as\s+(" + IDENT + r")", tree)
                )
                tree = re.sub(r"\s+as\s+" + IDENT, "", tree)
                for path in expand_use_tree(tree):
                    target = self.absolute(module, path)
                    if not target:
                        continue
                    if tree.rstrip().endswith("*") and tuple(target) in self.code:
                        for name in item.findall(self.code[tuple(target)]):
                            self.reexports[module].setdefault(name, target + [name])
                        continue
                    self.reexports[module][target[-1]] = target
                    for alias, original in aliases.items():
                        if original == target[-1]:
                            self.reexports[module][alias] = target

    def resolve(self, segments: list[str]) -> tuple[str, ...] | None:
        """The file that defines the absolute path `segments` (without `crate`):
        the file of its longest module prefix, followed through re-exports."""
        for _ in range(32):
            for cut in range(len(segments), -1, -1):
                file = tuple(segments[:cut])
                if file in self.files:
                    break
            else:
                return None
            rest = segments[cut:]
            target = self.reexports.get(file, {}).get(rest[0]) if rest else None
            if target is None or target[: len(file)] == list(file) and target == list(file) + rest[:1]:
                return file
            segments = target + rest[1:]
        return None

    def absolute(self, module: tuple[str, ...], segments: list[str]) -> list[str] | None:
        """`segments` as written in `module` made absolute, or None for another crate."""
        if not segments:
            return None
        base: list[str]
        if segments[0] == "crate":
            return segments[1:]
        if segments[0] in ("self", "super"):
            base = list(module)
            while segments and segments[0] in ("self", "super"):
                if segments[0] == "super":
                    if not base:
                        return None
                    base.pop()
                segments = segments[1:]
            return base + segments
        if module + (segments[0],) in self.files:
            return list(module) + segments
        return None

    def edges(self) -> dict[tuple[str, ...], dict[tuple[str, ...], str]]:
        graph: dict[tuple[str, ...], dict[tuple[str, ...], str]] = {m: {} for m in self.files}
        for module, code in self.code.items():
            inline = [
                (m.end() - 1, matching_brace(code, m.end() - 1), m.group(2))
                for m in MOD_DECL.finditer(code)
                if m.group(3) == "{"
            ]

            def scope(at: int) -> tuple[str, ...]:
                names = [name for start, end, name in inline if start < at < end]
                return module + tuple(names)

            def add(at: int, written: list[str], text: str) -> None:
                here = scope(at)
                target = self.absolute(here, written)
                if target is None:
                    return
                file = self.resolve(target)
                if file is None or file == module:
                    return
                line = code.count("\n", 0, at) + 1
                graph[module].setdefault(file, f"{self.files[module].relative_to(self.src)}:{line}: {text}")

            uses = list(re.finditer(r"\buse\s+([^;]+);", code))
            for m in uses:
                tree = m.group(1)
                # A module re-exporting its own descendants' items is a facade, not an import.
                public = re.search(r"\bpub(?:\s*\([^)]*\))?\s+$", code[max(0, m.start() - 40) : m.start()])
                if public and all(
                    (t := self.absolute(scope(m.start()), p)) is not None and tuple(t[: len(module)]) == module and len(t) > len(module)
                    for p in expand_use_tree(re.sub(r"\s+as\s+" + IDENT, "", tree))
                ):
                    continue
                tree = re.sub(r"\s+as\s+" + IDENT, "", tree)
                for path in expand_use_tree(tree):
                    add(m.start(), path, "use " + re.sub(r"\s+", " ", m.group(1)).strip())
            spans = [(m.start(), m.end()) for m in uses]
            for m in re.finditer(r"(?<![\w:])((?:crate|super|self)(?:\s*::\s*" + IDENT + r")+)", code):
                if any(s <= m.start() < e for s, e in spans):
                    continue
                segments = [s.strip() for s in m.group(1).split("::")]
                add(m.start(), segments, m.group(1))
        return graph


def cycles(graph: dict) -> list[list]:
    """Strongly connected components with more than one file (Tarjan)."""
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    found: list[list] = []
    counter = [0]

    def visit(v) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
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
                found.append(component)

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def one_cycle(graph: dict, component: list) -> list:
    """A shortest cycle through the component's first file, for the report."""
    members = set(component)
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                return paths[v] + [start]
            if w in members and w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    return [start]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="a crate's src directory")
    parser.add_argument("--include-tests", action="store_true", help="follow #[cfg(test)] modules too")
    parser.add_argument("--edges", action="store_true", help="print every edge")
    args = parser.parse_args()
    if not args.src.is_dir():
        print(f"check-import-cycles: {args.src} is not a directory", file=sys.stderr)
        return 2
    crate = Crate(args.src, args.include_tests)
    graph = crate.edges()
    name = lambda m: str(crate.files[m].relative_to(args.src))  # noqa: E731
    if args.edges:
        for v in sorted(graph):
            for w in sorted(graph[v]):
                print(f"{name(v)} -> {name(w)}    ({graph[v][w]})")
    found = cycles(graph)
    for component in found:
        cycle = one_cycle(graph, component)
        print(f"import cycle among {len(component)} files: " + " -> ".join(name(m) for m in cycle))
        for v, w in zip(cycle, cycle[1:]):
            print(f"    {graph[v][w]}")
    if found:
        return 1
    print(f"check-import-cycles: no import cycle among the {len(graph)} files of {args.src}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
