# SPDX-License-Identifier: GPL-2.0-or-later
"""Graphite targets of Grafana dashboards: variables, parsing, glob matching
and a small evaluator of the render functions the bundled dashboards use.

Shared by lint.py (static checks) and e2e.py (against graphite-web).  Plain
Python 3, no graphite import: the e2e test compares this evaluator's result
with graphite-web's, so the two must agree independently.
"""

import fnmatch
import re

# Grafana's variable syntaxes: $name, ${name}, ${name:format},
# ${__field.displayName} (built-ins), [[name]] / [[name:format]].
VAR_RE = re.compile(
    r"\$(\w+)|\$\{(\w+)(?:\.[^:}]+)?(?::(\w+))?\}|\[\[(\w+)(?::(\w+))?\]\]")


def variable_refs(text):
    """Names of the variables TEXT refers to (built-ins start with __)."""
    out = []
    for m in VAR_RE.finditer(text):
        out.append(m.group(1) or m.group(2) or m.group(4))
    return out


def substitute(text, values, texts=None):
    """Interpolate as Grafana does: VALUES[name] by default, TEXTS[name] for
    the :text format.  A variable missing from VALUES raises KeyError."""
    texts = texts or {}

    def repl(m):
        name = m.group(1) or m.group(2) or m.group(4)
        fmt = m.group(3) or m.group(5)
        if fmt == "text":
            return texts[name]
        return values[name]
    return VAR_RE.sub(repl, text)


# --- parsing ----------------------------------------------------------------

class ParseError(ValueError):
    pass


_PATH_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789_-*?[]{}.!^~")


def parse(text):
    """AST of one target: ('call', name, [args]) | ('path', pattern) |
    ('str', s) | ('num', x) | ('none',)."""
    p = _Parser(text)
    node = p.expr()
    p.ws()
    if p.i != len(text):
        raise ParseError("trailing text at %d: %r" % (p.i, text[p.i:]))
    return node


class _Parser:
    def __init__(self, s):
        self.s = s
        self.i = 0

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def expr(self):
        self.ws()
        if self.i >= len(self.s):
            raise ParseError("unexpected end")
        c = self.s[self.i]
        if c in "'\"":
            end = self.s.find(c, self.i + 1)
            if end < 0:
                raise ParseError("unterminated string at %d" % self.i)
            v = self.s[self.i + 1:end]
            self.i = end + 1
            return ("str", v)
        m = re.compile(r"-?\d+(\.\d+)?(?![\w.*])").match(self.s, self.i)
        if m:
            self.i = m.end()
            return ("num", float(m.group(0)))
        m = re.compile(r"[A-Za-z_]\w*(?=\()").match(self.s, self.i)
        if m:
            name = m.group(0)
            self.i = m.end() + 1
            args = []
            self.ws()
            if self.s[self.i:self.i + 1] == ")":
                self.i += 1
                return ("call", name, args)
            while True:
                args.append(self.expr())
                self.ws()
                c = self.s[self.i:self.i + 1]
                self.i += 1
                if c == ")":
                    return ("call", name, args)
                if c != ",":
                    raise ParseError("expected , or ) at %d in %r"
                                     % (self.i - 1, self.s))
        return self.path()

    def path(self):
        start, depth = self.i, 0
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:
                    raise ParseError("unbalanced } in %r" % self.s)
            elif c == "," and depth:
                pass
            elif c not in _PATH_CHARS:
                break
            self.i += 1
        if depth:
            raise ParseError("unbalanced { in %r" % self.s)
        tok = self.s[start:self.i]
        if not tok:
            raise ParseError("expected an expression at %d in %r"
                             % (start, self.s))
        if tok == "None":
            return ("none",)
        return ("path", tok)


def paths(node):
    """Every path pattern of an AST, in order."""
    if node[0] == "path":
        return [node[1]]
    if node[0] == "call":
        return [p for a in node[2] for p in paths(a)]
    return []


def functions(node):
    if node[0] != "call":
        return []
    return [node[1]] + [f for a in node[2] for f in functions(a)]


def expand_braces(pattern):
    """'a.{b,c}.d' -> ['a.b.d', 'a.c.d'] (nested braces too)."""
    m = re.search(r"\{([^{}]*)\}", pattern)
    if not m:
        return [pattern]
    out = []
    for alt in m.group(1).split(","):
        out += expand_braces(pattern[:m.start()] + alt + pattern[m.end():])
    return out


def glob_match(pattern, path):
    """Graphite's glob: node by node, * ? [..] within a node, {a,b}."""
    pn = path.split(".")
    for alt in expand_braces(pattern):
        an = alt.split(".")
        if len(an) == len(pn) and all(
                fnmatch.fnmatchcase(n, a) for a, n in zip(an, pn)):
            return True
    return False


def prefix_match(pattern, path):
    """PATTERN matches the first nodes of PATH (variable queries find
    nodes, not leaves)."""
    n = len(pattern.split("."))
    return glob_match(pattern, ".".join(path.split(".")[:n]))


# --- evaluation -------------------------------------------------------------

class Series:
    def __init__(self, name, path, values):
        self.name = name
        self.path = path     # first path expression, for node functions
        self.values = values

    def __repr__(self):
        return "Series(%r, %d points)" % (self.name, len(self.values))


SUPPORTED = {"alias", "aliasByNode", "aliasSub", "consolidateBy", "scale",
             "offset", "asPercent", "groupByNode"}
# Functions whose result names the series (what a legend shows).
NAMING = {"alias", "aliasByNode", "aliasSub", "groupByNode"}


def _node_key(path, nodes):
    parts = path.split(".")
    return ".".join(parts[int(n)] for n in nodes)


def _agg(vals, how):
    vs = [v for v in vals if v is not None]
    if not vs:
        return None
    if how == "max":
        return max(vs)
    if how == "min":
        return min(vs)
    if how == "sum":
        return sum(vs)
    if how == "average":
        return sum(vs) / len(vs)
    raise ValueError("groupByNode callback %r" % how)


def evaluate(node, fetch):
    """Evaluate NODE (from parse) over FETCH(pattern) -> [Series] (all on
    one time grid).  Mirrors graphite-web 1.1's semantics for the functions
    in SUPPORTED."""
    kind = node[0]
    if kind == "path":
        return fetch(node[1])
    if kind != "call":
        raise ValueError("not a series expression: %r" % (node,))
    name, args = node[1], node[2]
    if name not in SUPPORTED:
        raise ValueError("function %s is not supported by the evaluator"
                         % name)
    sl = evaluate(args[0], fetch)
    a = [x[1] if x[0] in ("str", "num") else None for x in args[1:]]
    if name == "alias":
        return [Series(a[0], s.path, s.values) for s in sl]
    if name == "aliasByNode":
        return [Series(k, k, s.values) for s in sl
                for k in [_node_key(s.path, a)]]
    if name == "aliasSub":
        return [Series(n, n, s.values) for s in sl
                for n in [re.sub(a[0], a[1], s.name)]]
    if name == "consolidateBy":
        # Only changes how graphite-web merges points when it must return
        # fewer than it has (maxDataPoints); at full resolution: identity.
        return sl
    if name == "scale":
        return [Series("scale(%s)" % s.name, s.path,
                       [None if v is None else v * a[0] for v in s.values])
                for s in sl]
    if name == "offset":
        return [Series("offset(%s)" % s.name, s.path,
                       [None if v is None else v + a[0] for v in s.values])
                for s in sl]
    if name == "asPercent":
        if len(args) != 1:
            raise ValueError("asPercent: only the one-argument form")
        totals = [_agg(col, "sum") for col in zip(*[s.values for s in sl])]
        return [Series("asPercent(%s)" % s.name, s.path,
                       [None if v is None or t in (0, None) else v / t * 100.0
                        for v, t in zip(s.values, totals)]) for s in sl]
    if name == "groupByNode":
        how = a[1] if len(a) > 1 else "average"
        groups = {}
        for s in sl:
            groups.setdefault(_node_key(s.path, [a[0]]), []).append(s)
        return [Series(k, k, [_agg(col, how) for col in
                              zip(*[s.values for s in g])])
                for k, g in groups.items()]
    raise AssertionError(name)


# --- dashboards ---------------------------------------------------------------

def iter_panels(dash):
    """Every panel, rows' nested panels included."""
    for p in dash.get("panels", []):
        yield p
        for q in p.get("panels", []) or []:
            yield q


def iter_targets(dash):
    """(panel, target) for every query target of every panel."""
    for p in iter_panels(dash):
        for t in p.get("targets", []) or []:
            yield p, t


def strings(obj, path=""):
    """(json path, string) for every string in OBJ."""
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings(v, "%s.%s" % (path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from strings(v, "%s[%d]" % (path, i))


def units(obj):
    """Every unit id set in a panel's fieldConfig (defaults and overrides)."""
    fc = obj.get("fieldConfig") or {}
    out = []
    u = (fc.get("defaults") or {}).get("unit")
    if u is not None:
        out.append(u)
    for o in fc.get("overrides") or []:
        for prop in o.get("properties") or []:
            if prop.get("id") == "unit":
                out.append(prop.get("value"))
    return out
