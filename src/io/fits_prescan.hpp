// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private: checks of a FITS file's headers made before cfitsio parses them, for
/// values that crash cfitsio itself instead of giving an error status.
#pragma once

#include <string>

namespace airy::io {

/// Walks the headers of `path` (2880-byte blocks, cards up to END, each data unit skipped by
/// |BITPIX|/8 · GCOUNT · (PCOUNT + NAXIS1 · … · NAXISn) bytes) and checks every tile-compressed
/// image (ZIMAGE = T): each ZTILEn and ZNAXISn present must be an integer >= 1. cfitsio
/// divides by ZTILEn when it moves to such an HDU (fits_movabs_hdu), so ZTILE2 = 0 ends the
/// process with SIGFPE (found by fuzzing, tests/fuzz/corpus/fits/cfitsio_ztile_zero_division).
/// Headers it cannot follow (no END, sizes past the file) end the walk: cfitsio then reports
/// them with a status.
/// @throws InvalidArgument naming the path, the HDU (0 = primary), the key and its value.
void check_compressed_tile_keys(const std::string& path);

}  // namespace airy::io
