#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks an airy FITS image of an angular system the way astropy reads it.

usage: check_fits.py FILE PIXEL_SCALE_ARCSEC [RA_DEG DEC_DEG [COMMAND]]
Checks: astropy.io.fits verify('exception') passes; astropy.wcs.WCS(header) has celestial
RA/DEC TAN axes whose reference pixel (the optical axis, 0-based (n-1)/2) is at the pointing
(RA_DEG, DEC_DEG; default 0, 0: [output] pointing_ra / pointing_dec) and whose
pixel steps are PIXEL_SCALE_ARCSEC apart, with RA decreasing towards +x (east left) and Dec
increasing towards +y; CCDData.read gives the image in unit photon; the provenance keys are
there, and COMMAND equals COMMAND when given. Exit status 0 when every check passes; prints the failing check otherwise.
"""
import sys
import warnings

import numpy as np
from astropy import units as u
from astropy.io import fits
from astropy.nddata import CCDData
from astropy.wcs import WCS


def main(path, scale_arcsec, ra=0.0, dec=0.0, command=None):
    with fits.open(path) as hdul:
        hdul.verify("exception")  # raises on any FITS-standard violation
        header = hdul[0].header
        data = hdul[0].data
    assert u.Unit(header["BUNIT"]) == u.photon, f"BUNIT = {header['BUNIT']!r}"
    for key in ("AIRYVER", "AIRYREV", "CONFHASH", "DATE", "ORIGIN"):
        assert key in header, f"{key} missing"
    assert header["CONFHASH"].startswith("fnv1a64:"), header["CONFHASH"]
    if command is not None:
        assert header.get("COMMAND") == command, f"COMMAND = {header.get('COMMAND')!r}"

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a FITSFixedWarning means a header astropy had to fix
        w = WCS(header)
    assert w.has_celestial, "WCS has no celestial axes"
    assert list(w.wcs.ctype) == ["RA---TAN", "DEC--TAN"], list(w.wcs.ctype)
    assert w.wcs.radesys == "ICRS", w.wcs.radesys
    ny, nx = data.shape
    cx, cy = (nx - 1) / 2.0, (ny - 1) / 2.0  # optical axis, 0-based (docs/conventions.md)
    centre = w.pixel_to_world(cx, cy)
    dra = (centre.ra.deg - ra + 180.0) % 360.0 - 180.0
    assert abs(dra) < 1e-10 and abs(centre.dec.deg - dec) < 1e-10, (centre, ra, dec)
    # One pixel +x: west of the axis by one pixel (RA decreases); one pixel +y: north.
    east = w.pixel_to_world(cx - 1.0, cy)
    west = w.pixel_to_world(cx + 1.0, cy)
    north = w.pixel_to_world(cx, cy + 1.0)
    # Tolerance 1e-7: RA just below 360 deg keeps ~14 digits, i.e. ~1e-8 of a 0.03" step.
    for other in (east, west, north):
        sep = centre.separation(other).arcsec
        assert abs(sep - scale_arcsec) < 1e-7 * scale_arcsec, (sep, scale_arcsec)
    assert abs(centre.position_angle(east).deg - 90.0) < 1e-6, centre.position_angle(east).deg
    assert abs(centre.position_angle(west).deg - 270.0) < 1e-6, centre.position_angle(west).deg
    assert abs(centre.position_angle(north).deg % 360.0) < 1e-6, centre.position_angle(north).deg
    scales = w.proj_plane_pixel_scales()
    for s in scales:
        assert abs(s.to_value(u.arcsec) - scale_arcsec) < 1e-9 * scale_arcsec, scales

    ccd = CCDData.read(path)
    assert ccd.unit == u.photon, ccd.unit
    assert ccd.wcs is not None and ccd.wcs.has_celestial, "CCDData has no celestial WCS"
    # NaN (missing data) compares equal to NaN here.
    assert np.array_equal(ccd.data, data, equal_nan=True), "CCDData pixels differ from fits.getdata"
    print(f"{path}: FITS verify, WCS and CCDData ok")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 5, 6):
        sys.exit(__doc__)
    try:
        pointing = [float(a) for a in sys.argv[3:5]]
        main(sys.argv[1], float(sys.argv[2]), *pointing, *sys.argv[5:6])
    except AssertionError as e:
        sys.exit(f"check_fits.py: {sys.argv[1]}: {e}")
