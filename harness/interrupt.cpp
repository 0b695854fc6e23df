#include "harness/interrupt.h"

#include <atomic>
#include <csignal>

namespace flopscope {

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int) {
  g_interrupted.store(true);
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  // The first signal asks the run to stop and write what it has; a second
  // one (the run hung in a driver or in MPI start-up) kills it at once.
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() {
  return g_interrupted.load(std::memory_order_relaxed);
}
void request_interrupt() {
  g_interrupted.store(true);
}

}  // namespace flopscope
