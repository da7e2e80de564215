"""Regenerate fixtures/digits/digits.npz from the copy of UCI optdigits that ships in scikit-learn.

Provenance: E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine
Learning Repository (1998), https://doi.org/10.24432/C50P49, CC BY 4.0.  scikit-learn ships the
test part (1,797 images of 8x8 pixels, values 0..16) as sklearn/datasets/data/digits.csv.gz.

Usage (needs scikit-learn, which verify itself does not): python scripts/make_digits_fixture.py
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits


def main() -> None:
    d = load_digits()
    out = Path(__file__).resolve().parents[1] / "fixtures" / "digits" / "digits.npz"
    out.parent.mkdir(parents=True, exist_ok=True)
    # uint8 is exact: the pixel values are integer counts 0..16.
    np.savez_compressed(out, images=d.images.astype(np.uint8), labels=d.target.astype(np.uint8))
    print(f"wrote {out}: {d.images.shape[0]} images, sha-independent check: pixel sum {int(d.images.sum())}")


if __name__ == "__main__":
    main()
