"""Independent reference for the volume tests: per-frame geometry read with pydicom, and the
volume grid computed with numpy (most common frame size, the orientation spanning most
positions, positions projected on row x column, one frame per position, median gap).

stdin: JSON {"series": {name: [paths]}}   stdout: JSON {name: {"frames": [...], "grid": {...}}}
Run with /usr/bin/python3 (Debian's python3-pydicom and python3-numpy).
"""
import json
import sys

import numpy as np
import pydicom


def nums(ds, keyword, n):
    if ds is None or keyword not in ds:
        return None
    v = ds[keyword].value
    try:
        v = [float(x) for x in (v if isinstance(v, (list, pydicom.multival.MultiValue)) else [v])]
    except (TypeError, ValueError):
        return None
    return v[:n] if len(v) >= n else None


def first_item(ds, keyword):
    if ds is None or keyword not in ds or not ds[keyword].value:
        return None
    return ds[keyword].value[0]


def frames_of(path):
    ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    count = int(ds.get("NumberOfFrames", 1) or 1)
    shared = first_item(ds, "SharedFunctionalGroupsSequence")
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    top = dict(ipp=nums(ds, "ImagePositionPatient", 3), iop=nums(ds, "ImageOrientationPatient", 6), ps=nums(ds, "PixelSpacing", 2))
    offsets = nums(ds, "GridFrameOffsetVector", count)
    out = []
    for f in range(count):
        own = per_frame[f] if per_frame is not None and f < len(per_frame) else None

        def group(kw, attr, n):
            for g in (own, shared):
                v = nums(first_item(g, kw), attr, n)
                if v is not None:
                    return v
            return None

        ipp = group("PlanePositionSequence", "ImagePositionPatient", 3)
        iop = group("PlaneOrientationSequence", "ImageOrientationPatient", 6) or top["iop"]
        ps = group("PixelMeasuresSequence", "PixelSpacing", 2) or top["ps"]
        if ipp is None and (count == 1 or per_frame is None):
            ipp = top["ipp"]
            if count > 1 and offsets is not None and ipp is not None and iop is not None:
                n = np.cross(iop[:3], iop[3:])
                n /= np.linalg.norm(n)
                rel = offsets[f] - (0 if offsets[0] == 0 else offsets[0])
                ipp = list(np.asarray(ipp) + rel * n)
            elif count > 1:
                ipp = None
        out.append(dict(key=path, frame=f, rows=int(ds.Rows), columns=int(ds.Columns), ipp=ipp, iop=iop, ps=ps))
    return out


def grid_of(frames):
    sizes = {}
    for fr in frames:
        sizes.setdefault((fr["rows"], fr["columns"]), []).append(fr)
    group = max(sizes.values(), key=len)
    located = [fr for fr in group if fr["ipp"] is not None and fr["iop"] is not None]
    if not located:
        return None
    by_iop = []
    for fr in located:
        for g in by_iop:
            if np.max(np.abs(np.subtract(g[0]["iop"], fr["iop"]))) <= 1e-3:
                g.append(fr)
                break
        else:
            by_iop.append([fr])

    def distinct(g):
        row, col = np.array(g[0]["iop"][:3]), np.array(g[0]["iop"][3:])
        row /= np.linalg.norm(row)
        col -= row * np.dot(row, col)
        col /= np.linalg.norm(col)
        n = np.cross(row, col)
        d = sorted((float(np.dot(fr["ipp"], n)), i) for i, fr in enumerate(g))
        kept = []
        for dv, i in d:
            if kept and dv - kept[-1][0] < 0.01:
                continue
            kept.append((dv, i))
        return row, col, n, kept

    scored = [(g, distinct(g)) for g in by_iop]
    g, (row, col, n, kept) = max(scored, key=lambda s: (len(s[1][3]), len(s[0])))
    d = np.array([k[0] for k in kept])
    first = np.array(g[kept[0][1]]["ipp"])
    last = np.array(g[kept[-1][1]]["ipp"])
    gaps = np.diff(d)
    tilt = 0.0
    if len(kept) > 1:
        along = last - first
        tilt = float(np.degrees(np.arccos(min(1.0, abs(np.dot(along, n)) / np.linalg.norm(along)))))
    return dict(
        row=list(row), col=list(col), normal=list(n), first=list(first), positions=len(kept),
        median_gap=float(np.median(gaps)) if len(gaps) else None, extent=float(d[-1] - d[0]),
        ps=g[0]["ps"], rows=g[0]["rows"], columns=g[0]["columns"], tilt_degrees=tilt,
        orientations=len(by_iop), duplicates=len(g) - len(kept),
    )


def main():
    req = json.load(sys.stdin)
    res = {}
    for name, paths in req["series"].items():
        frames = [fr for p in paths for fr in frames_of(p)]
        res[name] = dict(frames=frames, grid=grid_of(frames))
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()
