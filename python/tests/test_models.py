# SPDX-License-Identifier: BSD-3-Clause
"""Models from Python in dLux's vocabulary: images equal dLux 0.15.1's reference images and the
CLI's psf.fits; get/set/parameters; configs."""
import subprocess

import numpy as np
import pytest

import airy
import airy.utils as dlu
from conftest import dlux_fixture, rel_err


def build_from_fixture(fx):
    """The dLux script of a reference fixture, written with airy's Python API."""
    n, d = fx["pupil"]["npixels"], fx["pupil"]["diameter_m"]
    k = fx["aperture"]["oversample"]
    fine = dlu.pixel_coords(n * k, d)
    shapes = []
    for s in fx["aperture"]["shapes"]:
        if s["type"] == "circle":
            shapes.append(dlu.circle(fine, s["radius_m"], s.get("invert", False)))
        elif s["type"] == "spider":
            shapes.append(dlu.spider(fine, s["width_m"], s["angles_deg"]))
        else:
            raise AssertionError(s["type"])
    transmission = dlu.combine(shapes, k)
    np.testing.assert_allclose(transmission.sum(), fx["aperture"]["transmission_sum"], rtol=1e-12)
    z = fx["zernike"]
    coords = dlu.pixel_coords(n, d)
    basis = dlu.zernike_basis(z["noll"], coords, z["basis_diameter_m"])
    layers = [("aperture", airy.BasisOptic(basis, transmission, z["coefficients_m"], normalise=True))]
    o = fx["optics"]
    optics = airy.AngularOpticalSystem(n, d, layers, o["psf_npixels"], o["psf_pixel_scale_arcsec"],
                                       o["oversample"])
    s = fx["source"]
    source = airy.AlphaCen(n_wavels=s["n_wavels"], bandpass=s["bandpass_nm"]).set(
        ["x_position", "y_position", "separation", "position_angle", "log_flux", "contrast"],
        [s["x_position_arcsec"], s["y_position_arcsec"], s["separation_arcsec"],
         s["position_angle_deg"], s["log_flux"], s["contrast"]])
    detector = None
    if fx["detector"]["enabled"]:
        layers = []
        for layer in fx["detector"]["layers"]:
            if layer["type"] == "Downsample":
                layers.append(("downsample", airy.Downsample(layer["kernel_size"])))
            elif layer["type"] == "ApplyJitter":
                layers.append(("jitter", airy.ApplyJitter(layer["sigma"], layer["kernel_size"], layer["oversample"])))
            else:
                raise AssertionError(layer["type"])
        detector = airy.LayeredDetector(layers)
    return airy.Telescope(optics, ("source", source), detector)


@pytest.mark.parametrize("name", ["flagship.toml", "detector_downsample_jitter.toml", "binary_sep02_pa200_offset.toml"])
def test_images_equal_dlux(name):
    fx = dlux_fixture(name)
    if fx["source"]["type"] != "AlphaCen":
        pytest.skip("point-source fixture")
    image = build_from_fixture(fx).model()
    ref = np.asarray(fx["image"]["data"])
    assert image.dtype == np.float64 and image.shape == ref.shape
    assert rel_err(image, ref) < 1e-12


def test_point_source_fixture_equals_dlux():
    fx = dlux_fixture("point_source_poly.toml")
    n, d = fx["pupil"]["npixels"], fx["pupil"]["diameter_m"]
    k = fx["aperture"]["oversample"]
    fine = dlu.pixel_coords(n * k, d)
    t = dlu.combine([dlu.circle(fine, s["radius_m"], s.get("invert", False)) for s in fx["aperture"]["shapes"]], k)
    z = fx["zernike"]
    layers = [airy.TransmissiveLayer(t, normalise=True)] if not z["noll"] else [
        ("aperture", airy.BasisOptic(dlu.zernike_basis(z["noll"], dlu.pixel_coords(n, d), z["basis_diameter_m"]),
                                     t, z["coefficients_m"], normalise=True))]
    o = fx["optics"]
    optics = airy.AngularOpticalSystem(n, d, layers, o["psf_npixels"], o["psf_pixel_scale_arcsec"], o["oversample"])
    s = fx["source"]
    src = airy.PointSource(s["wavelengths_m"], s["position_rad"], s["flux"], s["weights"])
    image = airy.Telescope(optics, src).model()
    assert rel_err(image, np.asarray(fx["image"]["data"])) < 1e-12


def test_flagship_image_equals_the_cli_psf_fits(cli, root, tmp_path):
    from astropy.io import fits
    config = root / "examples" / "binary_star.toml"
    subprocess.run([cli, "simulate", str(config), "--out", str(tmp_path / "sim")], check=True,
                   capture_output=True)
    psf = fits.getdata(tmp_path / "sim" / "psf.fits").astype(np.float64)
    image = airy.load_config(config).telescope.model()
    assert image.shape == psf.shape == (16, 16)
    # The CLI uses FFTW and the wheel kissfft, but the flagship renders through the MFT only.
    assert rel_err(image, psf) < 1e-13


def test_get_set_parameters_and_dlux_paths():
    cfg = airy.flagship_config()
    t = cfg.telescope
    paths = [p.path for p in t.parameters()]
    assert "source.separation" in paths and "optics.aperture.coefficients" in paths
    assert t.get("separation") == t.get("source.separation") == pytest.approx(0.1)
    c = t.get("optics.layers.aperture.coefficients")
    assert c.shape == (7,) and np.array_equal(c, t.get("aperture.coefficients"))
    assert t.get("optics.aperture.transmission").shape == (128, 128)
    t2 = t.set(["separation", "aperture.coefficients"], [0.2, np.zeros(7)])
    assert t2.get("separation") == 0.2 and t.get("separation") == pytest.approx(0.1)  # immutable
    assert not np.allclose(t2.model(), t.model())
    # Component-level set (zodiax style) returns a new object too.
    src = airy.AlphaCen()
    assert src.set("separation", 1.0).get("separation") == 1.0 and src.get("separation") == 10.0


def test_utils_follow_dlux_conventions():
    c = dlu.pixel_coords(4, 1.0)
    np.testing.assert_allclose(c[0, 0], [-0.375, -0.125, 0.125, 0.375])  # x along columns
    np.testing.assert_allclose(c[1, :, 0], [-0.375, -0.125, 0.125, 0.375])  # y along rows
    assert dlu.noll_indices(7) == (3, -1)
    fine = dlu.pixel_coords(64, 1.0)
    arm = dlu.spider(fine, 0.1, [0.0])
    assert arm[5, 32] == 0 and arm[58, 32] == 1  # angle 0 points to -y (low rows)
    z4 = dlu.zernike(4, dlu.pixel_coords(256, 1.0), 1.0)
    disk = dlu.circle(dlu.pixel_coords(256, 1.0), 0.5)
    assert np.sqrt(np.mean(z4[disk > 0] ** 2)) == pytest.approx(1.0, abs=2e-3)  # unit RMS


def test_config_builds_the_same_posterior_as_python(small_config, small_data):
    post = small_config.posterior(small_data)
    assert post.names == ["x_position", "separation", "log_flux", "coefficients[1]",
                          "coefficients[2]", "coefficients[3]"]
    truth = post.current_values()
    np.testing.assert_allclose(truth[3:], [20.0, -10.0, 15.0])  # sampled in nm
    t = small_config.telescope
    mine = airy.Posterior(t, [airy.Prior("x_position", airy.distributions.Uniform(-0.1, 0.1)),
                              airy.Prior("separation", airy.distributions.Uniform(0.05, 0.3)),
                              airy.Prior("log_flux", airy.distributions.Uniform(3.5, 4.5)),
                              airy.Prior("aperture.coefficients", airy.distributions.Normal(0, 30),
                                         unit="nm", scale=1e-9)], small_data)
    u = post.unconstrain(truth)
    lp1, g1 = post.log_density(u)
    lp2, g2 = mine.log_density(u)
    assert lp1 == pytest.approx(lp2, rel=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-10)


def test_bad_input_raises_naming_the_argument():
    coords = dlu.pixel_coords(16, 1.0)
    basis = dlu.zernike_basis([4, 5], coords, 1.0)
    with pytest.raises(airy.InvalidArgument, match="basis"):
        airy.BasisOptic(basis[0], None, [0.0])  # 2-D, not (k, n, n)
    with pytest.raises(ValueError, match="coefficients"):
        airy.BasisOptic(basis, None, [0.0, 0.0, 0.0])  # wrong size
    with pytest.raises(TypeError, match="transmission"):
        airy.TransmissiveLayer(np.zeros((4, 4), dtype=complex))
    with pytest.raises(TypeError, match="transmission"):
        airy.TransmissiveLayer([["a"]])
    with pytest.raises(airy.InvalidArgument, match="transmission.*non-finite"):
        airy.TransmissiveLayer(np.full((4, 4), np.nan))
    with pytest.raises(airy.InvalidArgument, match="npixels"):
        dlu.pixel_coords(0, 1.0)
    t = airy.flagship_config().telescope
    with pytest.raises(airy.InvalidArgument, match="separatoin|nearest|separation"):
        t.get("source.separatoin")
    with pytest.raises(airy.InvalidArgument, match="coefficients"):
        t.set("aperture.coefficients", np.zeros(3))
    with pytest.raises(airy.InvalidArgument, match="non-finite"):
        t.set("separation", np.nan)
    with pytest.raises(airy.InvalidArgument, match="data"):
        airy.Posterior(t, {"separation": airy.distributions.Uniform(0, 1)}, np.zeros((3, 3)))
    data = np.ones((16, 16))
    data[2, 3] = np.nan
    with pytest.raises(airy.InvalidArgument, match="data.*non-finite"):
        airy.Posterior(t, {"separation": airy.distributions.Uniform(0, 1)}, data)
    with pytest.raises(airy.InvalidArgument, match="scale"):
        airy.distributions.Normal(0.0, -1.0)
    with pytest.raises(airy.InvalidArgument, match="config|no_such"):
        airy.parse_config("[optics]\nno_such_key = 1\n")
