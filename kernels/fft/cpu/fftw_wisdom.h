// FFTW wisdom kept between runs, so FFTW_MEASURE plans cost their planning
// time once per machine: ${XDG_CACHE_HOME:-~/.cache}/flopscope/fftw-wisdom-<precision>.
#pragma once

#include <string>

namespace flopscope::fft::cpu {

// The wisdom file for "fp64" or "fp32"; empty when neither XDG_CACHE_HOME
// nor HOME is set.
std::string wisdom_path(const std::string& precision);

// Writes `wisdom` to `path` atomically (creating its folder). Returns false
// when it cannot: wisdom only saves time, so a read-only cache is no error.
bool save_wisdom(const std::string& path, const std::string& wisdom);

}  // namespace flopscope::fft::cpu
