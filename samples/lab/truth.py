#!/usr/bin/env python3
"""samples/lab/truth.py: assemble a sample's truth JSON from pieces.

  truth.py OUT [ITEM...]
    key=text        a string
    key:=JSON       a JSON value given inline (number, object, true...)
    key@=FILE       the JSON document in FILE
    key@@=FILE      a JSON-lines file, as a list
    key%=FILE       the text of FILE, stripped

Dotted keys nest: capture.file=bulk.pcap. Later items win. The output has
sorted keys and ends with a newline, so regenerating a sample gives a
readable diff.
"""
import json
import sys


def put(obj, dotted, value):
    parts = dotted.split(".")
    for p in parts[:-1]:
        obj = obj.setdefault(p, {})
    obj[parts[-1]] = value


def main():
    out, items = sys.argv[1], sys.argv[2:]
    doc = {}
    for it in items:
        for op in ("@@=", "@=", ":=", "%=", "="):
            k, sep, v = it.partition(op)
            if sep and k and not any(c in k for c in ":@%="):
                break
        else:
            sys.exit("bad item: %r" % it)
        if op == "=":
            val = v
        elif op == ":=":
            val = json.loads(v)
        elif op == "@=":
            with open(v) as f:
                val = json.load(f)
        elif op == "@@=":
            with open(v) as f:
                val = [json.loads(line) for line in f if line.strip()]
        else:
            with open(v) as f:
                val = f.read().strip()
        put(doc, k, val)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
