# Writes a DICOM file from a JSON element list with pydicom (an independent writer), for the option tests.
# argv: spec.json out.dcm
import base64
import json
import sys

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

BINARY = {"OB", "OW", "UN"}


def build(items):
    d = Dataset()
    for e in items:
        add(d, e)
    return d


def add(d, e):
    vr = e["vr"]
    v = e["value"]
    if vr == "SQ":
        v = Sequence([build(i) for i in v])
    elif vr in BINARY:
        v = base64.b64decode(v)
    d.add(DataElement(e["tag"], vr, v))


spec = json.load(open(sys.argv[1]))
ds = build(spec)
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = ds.SOPClassUID
meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds.file_meta = meta
ds.is_little_endian = True
ds.is_implicit_VR = False
ds.save_as(sys.argv[2], write_like_original=False)
