// Writers: the human table on the terminal and the CSV file. The JSON
// document is built in result_document.h.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "harness/device.h"
#include "harness/measurement.h"

namespace flopscope {

void print_measurement_table(std::ostream& os, const std::vector<Measurement>& ms);
void print_class_table(std::ostream& os, const nlohmann::json& classes);
std::string measurements_csv(const std::vector<Measurement>& ms);

}  // namespace flopscope
