// The largest job flopscope takes: ranks in a rack run (the launcher's
// variables, a partial file's claim), nodes in `devices --nodes`, and
// devices of one kind per node in a reference. A million is past any
// machine built; the bound keeps a typo or a malformed file from asking for
// unbounded work.
#pragma once

#include <cstdint>

namespace flopscope {

inline constexpr int64_t kMaxJobSize = 1'000'000;

}  // namespace flopscope
