// The contract of KernelRun::time_interleaved_copy, for every stencil that
// draws its roofline from a copy of its own grids (CPU, CUDA, HIP): the copy
// reports a rate; between the copy and the next sweep verify() checks the
// copy itself (every element, so a wrong tail or a missed line fails), and a
// point corrupted after it is caught; the sweeps after a copy still check
// out.
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
  Verification v = run.verify();
  EXPECT_TRUE(v.valid()) << name << ": " << v.detail;
  EXPECT_NE(v.detail.find("copy"), std::string::npos) << name << ": " << v.detail;
  for (int sweeps : {1, 2}) {
    run.run(sweeps);
    v = run.verify();
    EXPECT_TRUE(v.valid()) << name << " after " << sweeps << ": " << v.detail;
    ASSERT_TRUE(run.time_interleaved_copy()) << name;
    EXPECT_TRUE(run.verify().valid()) << name;
  }
  run.run(1);
  EXPECT_TRUE(run.verify().valid()) << name;
  ASSERT_TRUE(run.time_interleaved_copy()) << name;
  ASSERT_TRUE(run.corrupt_output_for_test(5)) << name;
  EXPECT_FALSE(run.verify().valid()) << name << ": a copy that differs from its grid passed";
}

}  // namespace flopscope::test
