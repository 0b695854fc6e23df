// Arm CPUs report an implementer code (MIDR_EL1[31:24]), not a vendor
// string: the names here serve both cpuid-style identification
// (cpu_isa.cpp, from /proc/cpuinfo or MIDR) and hwloc topologies
// (topology.cpp, the CPUImplementer info), so a node's CPU has one vendor
// name whichever way it was read. 0x41 is spelled "ARM", as the
// microarchitecture table expects. It sits here rather than in devices/cpu
// because the topology reads it too, and links nothing of the CPU backend.
#pragma once

#include <cstdio>
#include <string>

namespace flopscope::cpu {

inline std::string arm_implementer_vendor(unsigned implementer) {
  switch (implementer) {
    case 0x41:
      return "ARM";
    case 0x42:
      return "Broadcom";
    case 0x43:
      return "Cavium";
    case 0x46:
      return "Fujitsu";
    case 0x48:
      return "HiSilicon";
    case 0x4e:
      return "NVIDIA";
    case 0x51:
      return "Qualcomm";
    case 0x53:
      return "Samsung";
    case 0x61:
      return "Apple";
    case 0x6d:
      return "Microsoft";
    case 0xc0:
      return "Ampere";
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "Arm implementer 0x%02x", implementer);
  return buf;
}

}  // namespace flopscope::cpu
