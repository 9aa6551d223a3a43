# Lists attributes (as tag paths) that gdcmanon removed or emptied but Enclave's output still holds with
# their original value. argv: original gdcm_output enclave_output; prints JSON [[path, keyword], ...].
import json
import sys

import pydicom


def flatten(ds, prefix, out):
    for el in ds:
        if el.tag.group == 0x0002:
            continue
        path = prefix + "(%04X,%04X)" % (el.tag.group, el.tag.element)
        if el.VR == "SQ":
            out[path] = ("SQ", len(el.value), el.keyword)
            for i, item in enumerate(el.value):
                flatten(item, path + "[%d]" % i, out)
        else:
            v = el.value
            empty = v is None or v == "" or v == b"" or (hasattr(v, "__len__") and len(v) == 0)
            out[path] = (None if empty else repr(v)[:200], 0, el.keyword)


def load(f):
    out = {}
    flatten(pydicom.dcmread(f, force=True), "", out)
    return out


orig, gdcm, encl = (load(f) for f in sys.argv[1:4])
kept = []
for path, (v, n, kw) in orig.items():
    if path.startswith("(0400,0500)") or v is None and n == 0:
        continue
    g = gdcm.get(path)
    e = encl.get(path)
    gdcm_removed = g is None or (g[0] is None and g[1] == 0) or (v is not None and g[0] != v)
    enclave_kept = e is not None and ((v is not None and e[0] == v) or (v == "SQ" and e[1] > 0))
    if gdcm_removed and enclave_kept:
        kept.append([path, kw])
print(json.dumps(kept))
