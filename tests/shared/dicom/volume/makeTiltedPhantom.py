"""A gantry-tilted CT of the ground-truth phantom: planes tilted 20 degrees about the left-right
axis (like ct-oblique) but, as a tilted gantry acquires them, positions step 2 mm along the
table (z) instead of along the slice normal: a sheared stack. Pixels come from the phantom
tool's own anatomy (make_phantoms.label_volume), so the truth is the same as every phantom.

usage: makeTiltedPhantom.py TOOLS_DIR TEMPLATE_DCM OUT_DIR      (run with /usr/bin/python3)
"""
import os
import sys

import numpy as np
import pydicom


def main():
    tools, template, out = sys.argv[1:4]
    sys.path.insert(0, tools)
    import make_phantoms as mp  # noqa: E402  (the phantom tool is the source of truth)

    os.makedirs(out, exist_ok=True)
    t = np.radians(20.0)
    row = np.array([1.0, 0.0, 0.0])
    col = np.array([0.0, np.cos(t), -np.sin(t)])
    rows = cols = 256
    spacing = 0.75
    first = -95.625 * row - 95.625 * col + np.array([0.0, -20.0, -80.0])
    r_idx, c_idx = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    ds = pydicom.dcmread(template)
    for k in range(84):
        pos = first + np.array([0.0, 0.0, 2.0 * k])
        pts = pos[:, None, None] + c_idx[None] * spacing * row[:, None, None] + r_idx[None] * spacing * col[:, None, None]
        hu = mp.label_volume(pts[0], pts[1], pts[2], mp.CT_HU)
        ds.PixelData = np.clip(np.round(hu + 1024), 0, 4095).astype(np.uint16).tobytes()
        ds.ImagePositionPatient = [f"{v:.4f}" for v in pos]
        ds.ImageOrientationPatient = [f"{v:.6f}" for v in list(row) + list(col)]
        ds.GantryDetectorTilt = "20"
        ds.InstanceNumber = k + 1
        ds.SOPInstanceUID = f"{ds.SeriesInstanceUID}.{k + 1}"
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.save_as(os.path.join(out, f"slice{(k * 37) % 84:03d}.dcm"), write_like_original=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
