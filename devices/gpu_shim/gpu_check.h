// Runtime errors become flopscope::DeviceError (exit 3) with one line that
// names the call; kernels written once for CUDA and HIP use these.
#pragma once

#include <cstddef>
#include <string>

#include "devices/gpu_shim/gpu_runtime.h"
#include "harness/errors.h"

namespace flopscope::gpu {

inline void check(gpuError_t e, const char* what) {
  if (e != gpuSuccess)
    throw DeviceError(std::string(kGpuRuntimeName) + ": " + what + ": " + gpuGetErrorString(e));
}

// Checks the launch just made (bad configuration) without waiting for it.
inline void check_launch(const char* kernel) {
  check(gpuGetLastError(), kernel);
}

// Makes a device current for the calling thread. The first member of every
// kernel run, so that its buffers, streams and events are made on its GPU;
// run() and verify() select it again (another GPU's run may have been made
// on the same thread in between).
class CurrentDevice {
 public:
  explicit CurrentDevice(int ordinal) : ordinal_(ordinal) { select(); }
  void select() const { check(gpuSetDevice(ordinal_), "selecting the GPU"); }

 private:
  int ordinal_;
};

// Device memory owned by one object; freed on every path out.
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t count) : count_(count) {
    check(gpuMalloc(reinterpret_cast<void**>(&ptr_), count * sizeof(T) + (count == 0)),
          "allocating device memory");
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(o.ptr_), count_(o.count_) {
    o.ptr_ = nullptr;
    o.count_ = 0;
  }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      release();
      ptr_ = o.ptr_;
      count_ = o.count_;
      o.ptr_ = nullptr;
      o.count_ = 0;
    }
    return *this;
  }
  ~DeviceBuffer() { release(); }
  T* get() const { return ptr_; }
  size_t size() const { return count_; }
  size_t bytes() const { return count_ * sizeof(T); }

 private:
  void release() {
    if (ptr_) (void)gpuFree(ptr_);
    ptr_ = nullptr;
  }
  T* ptr_ = nullptr;
  size_t count_ = 0;
};

// A pair of events that time the work queued between start() and stop().
class EventTimer {
 public:
  EventTimer() {
    check(gpuEventCreate(&start_), "creating an event");
    check(gpuEventCreate(&stop_), "creating an event");
  }
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;
  ~EventTimer() {
    (void)gpuEventDestroy(start_);
    (void)gpuEventDestroy(stop_);
  }
  void start(gpuStream_t s = nullptr) { check(gpuEventRecord(start_, s), "recording an event"); }
  // Waits for the work and returns its seconds.
  double stop_seconds(gpuStream_t s = nullptr) {
    check(gpuEventRecord(stop_, s), "recording an event");
    check(gpuEventSynchronize(stop_), "waiting for the timed work");
    float ms = 0;
    check(gpuEventElapsedTime(&ms, start_, stop_), "reading an event timer");
    return static_cast<double>(ms) * 1e-3;
  }

 private:
  gpuEvent_t start_{}, stop_{};
};

}  // namespace flopscope::gpu
