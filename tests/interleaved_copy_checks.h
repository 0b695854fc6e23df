// The contract of KernelRun::time_interleaved_copy, for every stencil that
// draws its roofline from a copy of its own grids (CPU, CUDA, HIP): the copy
// reports a rate; between the copy and the next sweep there is nothing to
// check (the copy overwrote the last sweep's input); the sweeps after it
// still check out.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "harness/kernel_run.h"

namespace flopscope::test {

inline void expect_copy_between_sweeps(KernelRun& run) {
  const std::string name = run.implementation();
  const auto rate = run.time_interleaved_copy();
  ASSERT_TRUE(rate) << name;
  EXPECT_GT(*rate, 0) << name;
  EXPECT_FALSE(run.verify().checked) << name;
  for (int sweeps : {1, 2}) {
    run.run(sweeps);
    EXPECT_TRUE(run.verify().valid()) << name << " after " << sweeps;
    ASSERT_TRUE(run.time_interleaved_copy()) << name;
    EXPECT_FALSE(run.verify().checked) << name;
  }
  run.run(1);
  EXPECT_TRUE(run.verify().valid()) << name;
}

}  // namespace flopscope::test
