// Quantities as request bodies carry them ("500m", "1Gi", "1e3"): parsing never crashes,
// and a parsed quantity's canonical text parses to the same value.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ukube/machinery/quantity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto q = ukube::machinery::Quantity::parse(text);
  if (!q) return 0;
  auto again = ukube::machinery::Quantity::parse(q->to_string());
  if (!again || again->nano() != q->nano()) std::abort();  // the canonical form must mean the same
  return 0;
}
