"""tests/fitting/promtext.py — a strict parser of the Prometheus text
exposition format 0.0.4, for the metrics tests (promtool is used as well
when installed).

parse(text) -> {(name, ((label, value), ...)): float}; raises ValueError
naming the line on anything the format does not allow: bad names, bad label
syntax or escapes, unparsable values, HELP/TYPE repeated or after samples,
families split into pieces, duplicate series, negative counters, a missing
final newline.
"""
import math
import re

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
SUFFIXES = ("_bucket", "_count", "_sum")


def _value(s, where):
    if s in ("NaN", "+Inf", "-Inf"):
        return float(s.replace("Inf", "inf"))
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", s):
        raise ValueError("%s: bad value %r" % (where, s))
    return float(s)


def _labels(s, where):
    out, i = [], 0
    while i < len(s):
        m = re.compile(LABEL + r'="').match(s, i)
        if not m:
            raise ValueError("%s: bad label at %r" % (where, s[i:]))
        name = m.group(0)[:-2]
        i = m.end()
        val = []
        while True:
            if i >= len(s):
                raise ValueError("%s: unterminated label value" % where)
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ValueError("%s: bad escape \\%s" % (where, nxt))
                val.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise ValueError("%s: newline in label value" % where)
            else:
                val.append(c)
                i += 1
        if name in (n for n, _ in out):
            raise ValueError("%s: label %s twice" % (where, name))
        out.append((name, "".join(val)))
        if i < len(s):
            if s[i] != ",":
                raise ValueError("%s: expected ',' in labels" % where)
            i += 1
    return tuple(sorted(out))


def parse(text):
    if not text.endswith("\n"):
        raise ValueError("exposition does not end with a newline")
    samples, types, helps, done = {}, {}, set(), set()
    current = None
    for no, line in enumerate(text.split("\n")[:-1], 1):
        where = "line %d (%r)" % (no, line)
        if not line.strip():
            continue
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (" + NAME + r") (.*)", line)
            if not m:
                continue  # an ordinary comment
            kw, name, rest = m.groups()
            if name in done or (name == current and kw == "TYPE" and name in types):
                raise ValueError("%s: %s after the family's samples or repeated" % (where, kw))
            if kw == "HELP":
                if name in helps:
                    raise ValueError("%s: HELP repeated" % where)
                helps.add(name)
            else:
                if rest not in TYPES:
                    raise ValueError("%s: unknown type" % where)
                if name in types:
                    raise ValueError("%s: TYPE repeated" % where)
                types[name] = rest
            if current != name:
                if current:
                    done.add(current)
                current = name
            continue
        m = re.fullmatch(r"(" + NAME + r")(\{(.*)\})? (\S+)( -?\d+)?", line)
        if not m:
            raise ValueError("%s: not a sample line" % where)
        name, _, labels, value = m.group(1), m.group(2), m.group(3), m.group(4)
        family = name
        for suf in SUFFIXES:
            if name.endswith(suf) and name[:-len(suf)] in types and \
                    types[name[:-len(suf)]] in ("histogram", "summary"):
                family = name[:-len(suf)]
        if family in done:
            raise ValueError("%s: family %s split into pieces" % (where, family))
        if family != current:
            if current:
                done.add(current)
            current = family
        key = (name, _labels(labels or "", where))
        if key in samples:
            raise ValueError("%s: duplicate series" % where)
        v = _value(value, where)
        if types.get(family) == "counter" and (v < 0 or math.isnan(v)):
            raise ValueError("%s: counter below zero" % where)
        samples[key] = v
    return samples


# The labels every series carries (--metrics-host, the interface live, the
# engine): get() matches the others.
FLEET = {"host", "interface", "engine"}


def get(samples, name, **labels):
    """The value of one series (0 when absent), whatever its fleet labels."""
    want = tuple(sorted(labels.items()))
    for (n, ls), v in samples.items():
        if n == name and tuple(kv for kv in ls if kv[0] not in FLEET) == want:
            return v
    return 0.0


def fleet_labels(samples):
    """The fleet labels of every series: {frozenset of (label, value)} (one
    element when every series carries the same)."""
    return {frozenset(kv for kv in ls if kv[0] in FLEET) for (_, ls) in samples}
