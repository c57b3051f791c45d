// Field selectors as ?fieldSelector= sends them: parsing never crashes, and what parses
// prints as text that parses back to the same requirements. (Their order may differ:
// upstream sorts the terms as written, and "==" prints as "=", so sorting the printed
// terms can order two terms of one field differently; upstream's String() does the same.)
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "ukube/machinery/fields.h"

namespace {

std::vector<std::tuple<std::string, bool, std::string>> sorted(
    const std::vector<ukube::machinery::FieldRequirement>& selector) {
  std::vector<std::tuple<std::string, bool, std::string>> out;
  for (const auto& r : selector) out.emplace_back(r.field, r.equals, r.value);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto selector = ukube::machinery::parse_field_selector(text);
    auto again = ukube::machinery::parse_field_selector(ukube::machinery::to_string(selector));
    if (sorted(again) != sorted(selector)) std::abort();  // printing lost or changed a term
  } catch (const ukube::machinery::FieldSelectorError&) {
  }
  return 0;
}
