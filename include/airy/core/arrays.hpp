// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Array aliases used across airy (Eigen 3.4, row-major so that [y, x] is contiguous in x).
///
/// Images and pupil fields are indexed (row, col) = (y, x), with row 0 at the bottom when
/// displayed origin-lower (docs/conventions.md). Row-major storage matches numpy/dLux and FITS
/// (NAXIS1 = x varies fastest).
#pragma once

#include <Eigen/Core>
#include <complex>

namespace airy {

using Complex = std::complex<double>;

/// Real image, shape (ny, nx), row-major.
using RealImage = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// Complex field, shape (ny, nx), row-major.
using ComplexImage = Eigen::Array<Complex, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// Real matrix for linear algebra (row-major to share storage order with images).
using RealMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// Complex matrix, row-major (MFT matrices, GEMM operands).
using ComplexMatrix = Eigen::Matrix<Complex, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RealVector = Eigen::VectorXd;
using ComplexVector = Eigen::VectorXcd;

}  // namespace airy
