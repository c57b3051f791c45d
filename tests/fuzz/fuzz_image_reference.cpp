// Image references as pods name them: parsing never crashes, and a parsed reference's full
// form parses back to itself.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ukube/images/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const std::string full = ukube::images::parse_reference(text).full();
    if (ukube::images::parse_reference(full).full() != full) std::abort();
  } catch (const ukube::images::ReferenceError&) {
  }
  return 0;
}
