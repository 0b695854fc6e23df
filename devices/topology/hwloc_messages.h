// What hwloc prints while it loads a recorded topology. hwloc writes its
// reasons for rejecting a file straight to stderr (a banner of asterisks
// around "out-of-order XML topology load", or "Topology does not contain any
// NUMA node, aborting!"), which would put ten lines before flopscope's own
// one-line error. These catch that text so the error can carry the reason.
#pragma once

#include <functional>
#include <string>

namespace flopscope::topo {

// Runs fn with file descriptor 2 sent to a temporary file, and returns what
// was written to it. stderr is flushed before and after. fn runs with stderr
// as it is, and "" returns, where no temporary file can be made or where the
// process runs other threads (fd 2 is the process's: their messages would
// land in the capture and be lost).
std::string capture_stderr(const std::function<void()>& fn);

// hwloc's messages reduced to their substance on one line: the banner's
// asterisks, the "hwloc: " prefix and its boilerplate (where the error
// occurred, what to check, where to report) left out. "" when none is left.
std::string hwloc_reason(const std::string& said);

}  // namespace flopscope::topo
