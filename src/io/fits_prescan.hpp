// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private: checks of a FITS file's headers made before cfitsio parses them, for
/// values that crash cfitsio itself instead of giving an error status.
#pragma once

#include <string>

namespace airy::io {

/// Reads every header of `path` (each 2880-byte block that starts with SIMPLE or XTENSION, cards
/// up to END: found by position, not by the sizes in the headers before it, which may be
/// damaged) and checks every tile-compressed image (ZIMAGE = T): its numeric keys (ZBITPIX,
/// ZNAXIS, ZNAXISn, ZTILEn, ZVALn, ZBLANK, ZDITHER0) must hold numbers (quoted or not), and each
/// ZTILEn and ZNAXISn an integer >= 1. cfitsio
/// divides by ZTILEn when it moves to such an HDU (fits_movabs_hdu), so ZTILE2 = 0 ends the
/// process with SIGFPE (found by fuzzing, tests/fuzz/corpus/fits/cfitsio_ztile_zero_division).
/// A value that is no number crashed cfitsio's error path (ZVAL2 = (  2: a fortified strncat
/// overflow in ffc2j; corpus cfitsio_zval_not_a_number_strncat).
/// @throws InvalidArgument naming the path, the HDU (0 = primary), the key and its value.
void check_compressed_tile_keys(const std::string& path);

}  // namespace airy::io
