// Label selectors as ?labelSelector= and kubectl -l send them: parsing never crashes, and
// what parses prints as text that parses back to the same selector.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ukube/machinery/labels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto selector = ukube::machinery::parse_selector(text);
    const std::string printed = ukube::machinery::to_string(selector);
    auto again = ukube::machinery::parse_selector(printed);
    if (ukube::machinery::to_string(again) != printed) std::abort();  // printing is not stable
  } catch (const ukube::machinery::SelectorError&) {
  }
  return 0;
}
