// SIGINT/SIGTERM: stop cleanly between (or inside) timed batches, write what
// was measured, mark the result incomplete and exit 130.
#pragma once

namespace flopscope {

void install_interrupt_handlers();
bool interrupted();
// Test seam: behaves as if a signal had arrived.
void request_interrupt();

}  // namespace flopscope
